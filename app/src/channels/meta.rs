//! Meta's webhook payloads (WhatsApp Business Cloud API, Messenger Platform, Instagram
//! messaging) turned into [`ChannelEvent`]s. Unknown kinds of entries are skipped, never fatal:
//! Meta adds fields and event types over time.

use super::{ChannelEvent, InboundMedia, InboundMessage, MediaSource, StatusReport, Watermark};
use crate::domain::channel::{Channel, Delivery};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// The payload is not a webhook of the kind the endpoint serves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {0} webhook")]
pub struct NotThisPlatform(pub &'static str);

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn seconds(v: &Value) -> Option<DateTime<Utc>> {
    let secs = match v {
        Value::String(s) => s.parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    Utc.timestamp_opt(secs, 0).single()
}

fn millis(v: &Value) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(v.as_i64()?).single()
}

fn entries(body: &Value) -> &[Value] {
    body.get("entry")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A WhatsApp Business Account webhook (`object` = `whatsapp_business_account`).
pub fn parse_whatsapp(body: &Value) -> Result<Vec<ChannelEvent>, NotThisPlatform> {
    if body.get("object").and_then(Value::as_str) != Some("whatsapp_business_account") {
        return Err(NotThisPlatform("WhatsApp"));
    }
    let mut events = Vec::new();
    for change in entries(body)
        .iter()
        .filter_map(|e| e.get("changes").and_then(Value::as_array))
        .flatten()
    {
        if change.get("field").and_then(Value::as_str) != Some("messages") {
            continue;
        }
        let Some(value) = change.get("value") else {
            continue;
        };
        let account = value
            .get("metadata")
            .and_then(|m| text(m, "phone_number_id"))
            .unwrap_or_default();
        let names: Vec<(String, String)> = value
            .get("contacts")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        let id = text(c, "wa_id")?;
                        let name = c.get("profile").and_then(|p| text(p, "name"))?;
                        Some((id, name))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for m in value
            .get("messages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let (Some(from), Some(id)) = (text(m, "from"), text(m, "id")) else {
                continue;
            };
            let kind = m.get("type").and_then(Value::as_str).unwrap_or_default();
            let (body, media) = match kind {
                "text" => (
                    m.get("text")
                        .and_then(|t| text(t, "body"))
                        .unwrap_or_default(),
                    None,
                ),
                "image" | "document" | "audio" | "video" | "sticker" => {
                    let Some(file) = m.get(kind) else { continue };
                    let Some(media_id) = text(file, "id") else {
                        continue;
                    };
                    (
                        text(file, "caption").unwrap_or_default(),
                        Some(InboundMedia {
                            source: MediaSource::GraphId(media_id),
                            filename: text(file, "filename"),
                            mime_type: text(file, "mime_type"),
                        }),
                    )
                }
                // Reactions, locations, contacts, interactive replies: shown as what they are.
                other => (format!("[{other}]"), None),
            };
            let name = names
                .iter()
                .find(|(n, _)| *n == from)
                .map(|(_, n)| n.clone());
            events.push(ChannelEvent::Message(InboundMessage {
                channel: Channel::Whatsapp,
                account_id: account.clone(),
                from,
                name,
                external_id: id,
                sent_at: m
                    .get("timestamp")
                    .and_then(seconds)
                    .unwrap_or_else(Utc::now),
                text: body,
                media,
            }));
        }
        for s in value
            .get("statuses")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let Some(id) = text(s, "id") else { continue };
            let Some(delivery) = s
                .get("status")
                .and_then(Value::as_str)
                .and_then(|st| st.parse::<Delivery>().ok())
                .filter(|d| *d != Delivery::Queued)
            else {
                continue;
            };
            let error = s
                .get("errors")
                .and_then(Value::as_array)
                .and_then(|errs| errs.first())
                .map(|e| {
                    let code = e.get("code").and_then(Value::as_i64).unwrap_or_default();
                    let title = text(e, "title").unwrap_or_default();
                    format!("{code} {title}").trim().to_owned()
                });
            events.push(ChannelEvent::Status(StatusReport {
                channel: Channel::Whatsapp,
                external_id: id,
                delivery,
                error,
            }));
        }
    }
    Ok(events)
}

/// A Messenger (`object` = `page`) or Instagram (`object` = `instagram`) webhook.
pub fn parse_messenger(body: &Value) -> Result<Vec<ChannelEvent>, NotThisPlatform> {
    let channel = match body.get("object").and_then(Value::as_str) {
        Some("page") => Channel::Messenger,
        Some("instagram") => Channel::Instagram,
        _ => return Err(NotThisPlatform("Messenger")),
    };
    let mut events = Vec::new();
    for entry in entries(body) {
        let account = text(entry, "id").unwrap_or_default();
        for e in entry
            .get("messaging")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let Some(sender) = e.get("sender").and_then(|s| text(s, "id")) else {
                continue;
            };
            if let Some(message) = e.get("message") {
                // Our own replies come back as echoes: they are already stored.
                if message.get("is_echo").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let Some(mid) = text(message, "mid") else {
                    continue;
                };
                let body = text(message, "text").unwrap_or_default();
                let media = message
                    .get("attachments")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                    .and_then(|a| {
                        let url = a.get("payload").and_then(|p| text(p, "url"))?;
                        Some(InboundMedia {
                            source: MediaSource::Url(url),
                            filename: None,
                            mime_type: None,
                        })
                    });
                if body.is_empty() && media.is_none() {
                    continue;
                }
                events.push(ChannelEvent::Message(InboundMessage {
                    channel,
                    account_id: account.clone(),
                    from: sender,
                    name: None,
                    external_id: mid,
                    sent_at: e.get("timestamp").and_then(millis).unwrap_or_else(Utc::now),
                    text: body,
                    media,
                }));
            } else if let Some(d) = e.get("delivery") {
                if let Some(up_to) = d.get("watermark").and_then(millis) {
                    events.push(ChannelEvent::Watermark(Watermark {
                        channel,
                        contact: sender,
                        delivery: Delivery::Delivered,
                        up_to,
                    }));
                }
            } else if let Some(r) = e.get("read") {
                if let Some(up_to) = r.get("watermark").and_then(millis) {
                    events.push(ChannelEvent::Watermark(Watermark {
                        channel,
                        contact: sender,
                        delivery: Delivery::Read,
                        up_to,
                    }));
                }
            }
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whatsapp_text_document_and_statuses() {
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "50663036361", "phone_number_id": "PN1"},
                "contacts": [{"profile": {"name": "Ana Mora"}, "wa_id": "50688887777"}],
                "messages": [
                    {"from": "50688887777", "id": "wamid.A", "timestamp": "1795737600", "type": "text", "text": {"body": "Hola"}},
                    {"from": "50688887777", "id": "wamid.B", "timestamp": "1795737601", "type": "document",
                     "document": {"id": "MEDIA1", "filename": "factura.pdf", "mime_type": "application/pdf", "caption": "La factura"}},
                    {"from": "50688887777", "id": "wamid.C", "timestamp": "1795737602", "type": "location", "location": {}}
                ],
                "statuses": [
                    {"id": "wamid.OUT", "status": "read", "timestamp": "1795737700", "recipient_id": "50688887777"},
                    {"id": "wamid.OUT2", "status": "failed", "errors": [{"code": 131047, "title": "Re-engagement message"}]}
                ]
            }}]}]
        });
        let events = parse_whatsapp(&body).unwrap();
        assert_eq!(events.len(), 5);
        let ChannelEvent::Message(first) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(first.from, "50688887777");
        assert_eq!(first.account_id, "PN1");
        assert_eq!(first.name.as_deref(), Some("Ana Mora"));
        assert_eq!(first.text, "Hola");
        assert_eq!(first.sent_at.timestamp(), 1_795_737_600);
        let ChannelEvent::Message(doc) = &events[1] else {
            panic!()
        };
        assert_eq!(doc.text, "La factura");
        let media = doc.media.as_ref().unwrap();
        assert_eq!(media.source, MediaSource::GraphId("MEDIA1".into()));
        assert_eq!(media.filename.as_deref(), Some("factura.pdf"));
        let ChannelEvent::Message(loc) = &events[2] else {
            panic!()
        };
        assert_eq!(loc.text, "[location]");
        assert_eq!(
            events[3],
            ChannelEvent::Status(StatusReport {
                channel: Channel::Whatsapp,
                external_id: "wamid.OUT".into(),
                delivery: Delivery::Read,
                error: None,
            })
        );
        let ChannelEvent::Status(failed) = &events[4] else {
            panic!()
        };
        assert_eq!(
            failed.error.as_deref(),
            Some("131047 Re-engagement message")
        );
    }

    #[test]
    fn messenger_and_instagram_messages_echoes_and_watermarks() {
        let body = json!({"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [
            {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE"}, "timestamp": 1795737600000i64,
             "message": {"mid": "m_1", "text": "Buenas"}},
            {"sender": {"id": "PAGE"}, "recipient": {"id": "PSID1"}, "timestamp": 1795737600001i64,
             "message": {"mid": "m_echo", "text": "Hola", "is_echo": true}},
            {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE"}, "timestamp": 1795737600002i64,
             "message": {"mid": "m_2", "attachments": [{"type": "image", "payload": {"url": "https://cdn.example/x.png"}}]}},
            {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE"}, "read": {"watermark": 1795737700000i64}}
        ]}]});
        let events = parse_messenger(&body).unwrap();
        assert_eq!(events.len(), 3);
        let ChannelEvent::Message(m) = &events[0] else {
            panic!()
        };
        assert_eq!(
            (m.channel, m.from.as_str(), m.text.as_str()),
            (Channel::Messenger, "PSID1", "Buenas")
        );
        let ChannelEvent::Message(img) = &events[1] else {
            panic!()
        };
        assert_eq!(
            img.media.as_ref().map(|m| &m.source),
            Some(&MediaSource::Url("https://cdn.example/x.png".into()))
        );
        assert!(
            matches!(&events[2], ChannelEvent::Watermark(w) if w.delivery == Delivery::Read && w.contact == "PSID1")
        );

        let ig = json!({"object": "instagram", "entry": [{"id": "IG", "messaging": [
            {"sender": {"id": "IGSID"}, "recipient": {"id": "IG"}, "timestamp": 1795737600000i64, "message": {"mid": "ig_1", "text": "Hi"}}
        ]}]});
        let events = parse_messenger(&ig).unwrap();
        assert!(matches!(&events[0], ChannelEvent::Message(m) if m.channel == Channel::Instagram));
    }

    #[test]
    fn other_objects_are_refused() {
        assert!(parse_whatsapp(&json!({"object": "page"})).is_err());
        assert!(parse_messenger(&json!({"object": "whatsapp_business_account"})).is_err());
        assert!(parse_messenger(&json!({})).is_err());
        assert_eq!(
            parse_whatsapp(&json!({"object": "whatsapp_business_account"})),
            Ok(vec![])
        );
    }
}
