//! The Graph API calls the portal makes: send a text reply (WhatsApp `/{phone-number-id}/messages`,
//! Messenger and Instagram `/me/messages`) and download a customer's file. Errors are sorted into
//! "refused for good" (closed 24-hour window, bad recipient) and "try again later".

use app::channels::{GraphApi, GraphError, MediaSource, OutboundReply};
use app::domain::channel::Channel;
use app::files::MAX_FILE_BYTES;
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub struct GraphClient {
    client: reqwest::Client,
    base: String,
    token: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: Option<String>,
    code: Option<i64>,
    error_subcode: Option<i64>,
}

#[derive(Deserialize)]
struct WhatsappSent {
    messages: Vec<SentId>,
}

#[derive(Deserialize)]
struct SentId {
    id: String,
}

#[derive(Deserialize)]
struct MessengerSent {
    message_id: String,
}

#[derive(Deserialize)]
struct MediaInfo {
    url: String,
    mime_type: Option<String>,
}

/// Throttling and server trouble pass; anything else the platform refuses (a closed 24-hour
/// window: WhatsApp 131047, Messenger 10/2018278; a recipient that cannot receive) stays refused.
fn is_final(status: u16, detail: &ErrorDetail) -> bool {
    let code = detail.code.unwrap_or_default();
    let throttled = status == 429 || matches!(code, 4 | 80007 | 130429 | 131056 | 613);
    !(throttled || status >= 500)
}

fn refusal(status: u16, body: &str) -> GraphError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => {
            let text = format!(
                "{} (código {}/{})",
                error.message.as_deref().unwrap_or("error de la plataforma"),
                error.code.unwrap_or_default(),
                error.error_subcode.unwrap_or_default()
            );
            if is_final(status, &error) {
                GraphError::Refused(text)
            } else {
                GraphError::Unavailable(text)
            }
        }
        Err(_) if status >= 500 || status == 429 => {
            GraphError::Unavailable(format!("HTTP {status}"))
        }
        Err(_) => GraphError::Refused(format!("HTTP {status}")),
    }
}

fn network(e: reqwest::Error) -> GraphError {
    GraphError::Unavailable(format!("red: {e}"))
}

impl GraphClient {
    pub fn new(base: &str, token: &str) -> Result<Self, reqwest::Error> {
        Ok(GraphClient {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<String, GraphError> {
        let response = self
            .client
            .post(format!("{}/{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(network)?;
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(refusal(status, &text))
        }
    }

    /// Sends a one-time code to a WhatsApp number with an authentication template (business-
    /// initiated messages outside the 24-hour window must be templates).
    pub async fn send_code(
        &self,
        phone_number_id: &str,
        to: &str,
        template: &str,
        code: &str,
    ) -> Result<(), GraphError> {
        let body = json!({
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {
                "name": template,
                "language": {"code": "es"},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": code}]},
                    {"type": "button", "sub_type": "url", "index": "0",
                     "parameters": [{"type": "text", "text": code}]}
                ]
            }
        });
        self.post(&format!("{phone_number_id}/messages"), body)
            .await
            .map(|_| ())
    }

    /// Downloads at most the portal's file limit.
    async fn download(
        &self,
        url: &str,
        auth: bool,
    ) -> Result<(Vec<u8>, Option<String>), GraphError> {
        let mut request = self.client.get(url);
        if auth {
            request = request.bearer_auth(&self.token);
        }
        let response = request.send().await.map_err(network)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.text().await.unwrap_or_default();
            return Err(refusal(status, &body));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FILE_BYTES as u64)
        {
            return Err(GraphError::Refused("archivo demasiado grande".into()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.map_err(network)?;
        Ok((bytes.to_vec(), content_type))
    }
}

#[async_trait]
impl GraphApi for GraphClient {
    async fn send_text(&self, reply: &OutboundReply) -> Result<String, GraphError> {
        match reply.channel {
            Channel::Whatsapp => {
                let body = json!({
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": reply.to,
                    "type": "text",
                    "text": {"preview_url": false, "body": reply.text},
                });
                let text = self
                    .post(&format!("{}/messages", reply.account_id), body)
                    .await?;
                serde_json::from_str::<WhatsappSent>(&text)
                    .ok()
                    .and_then(|s| s.messages.into_iter().next())
                    .map(|m| m.id)
                    .ok_or_else(|| GraphError::Unavailable("respuesta sin id de mensaje".into()))
            }
            Channel::Messenger | Channel::Instagram => {
                let body = json!({
                    "recipient": {"id": reply.to},
                    "messaging_type": "RESPONSE",
                    "message": {"text": reply.text},
                });
                let text = self.post("me/messages", body).await?;
                serde_json::from_str::<MessengerSent>(&text)
                    .map(|s| s.message_id)
                    .map_err(|_| GraphError::Unavailable("respuesta sin id de mensaje".into()))
            }
            Channel::Web => Err(GraphError::Refused("web chat has no platform".into())),
        }
    }

    async fn fetch_media(
        &self,
        _channel: Channel,
        source: &MediaSource,
    ) -> Result<(Vec<u8>, Option<String>), GraphError> {
        match source {
            MediaSource::GraphId(id) => {
                let response = self
                    .client
                    .get(format!("{}/{id}", self.base))
                    .bearer_auth(&self.token)
                    .send()
                    .await
                    .map_err(network)?;
                let status = response.status().as_u16();
                let text = response.text().await.map_err(network)?;
                if !(200..300).contains(&status) {
                    return Err(refusal(status, &text));
                }
                let info: MediaInfo = serde_json::from_str(&text)
                    .map_err(|_| GraphError::Refused("respuesta de medios ilegible".into()))?;
                let (bytes, content_type) = self.download(&info.url, true).await?;
                Ok((bytes, info.mime_type.or(content_type)))
            }
            MediaSource::Url(url) => self.download(url, false).await,
        }
    }
}

/// Verification codes for the numbers customers give, over WhatsApp.
pub struct WhatsappCodes {
    pub graph: std::sync::Arc<GraphClient>,
    pub phone_number_id: String,
    pub template: String,
}

#[async_trait]
impl app::accounts::service::PhoneCodeSender for WhatsappCodes {
    async fn send_code(&self, phone_digits: &str, code: &str) -> Result<(), String> {
        self.graph
            .send_code(&self.phone_number_id, phone_digits, &self.template, code)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_windows_are_final_and_throttling_is_not() {
        let window = r#"{"error":{"message":"Re-engagement message","code":131047}}"#;
        assert!(matches!(refusal(400, window), GraphError::Refused(_)));
        let messenger = r#"{"error":{"message":"outside of allowed window","code":10,"error_subcode":2018278}}"#;
        assert!(matches!(refusal(400, messenger), GraphError::Refused(_)));
        let throttled = r#"{"error":{"message":"rate limit","code":80007}}"#;
        assert!(matches!(
            refusal(400, throttled),
            GraphError::Unavailable(_)
        ));
        assert!(matches!(refusal(503, "down"), GraphError::Unavailable(_)));
        assert!(matches!(refusal(429, ""), GraphError::Unavailable(_)));
        assert!(matches!(refusal(404, "<html>"), GraphError::Refused(_)));
    }
}
