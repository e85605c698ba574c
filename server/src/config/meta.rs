//! Meta settings: WhatsApp, Messenger and Instagram through Meta's webhooks and Graph API.

use super::{bad, ConfigError, Secret};

/// WhatsApp, Messenger and Instagram through Meta's webhooks and Graph API.
#[derive(Debug, Clone)]
pub struct MetaConfig {
    pub graph_base: String,
    pub app_secret: Secret,
    pub verify_token: Secret,
    pub access_token: Secret,
    /// Our WhatsApp phone number id: verification codes are sent from it (unset: staff
    /// confirm the numbers customers give).
    pub whatsapp_phone_id: Option<String>,
    /// The approved authentication template that carries the code.
    pub code_template: String,
}

/// All three Meta secrets or none: half a configuration would receive messages nobody can
/// answer, or accept webhooks nobody can verify.
pub(super) fn meta_config(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<MetaConfig>, ConfigError> {
    let names = ["META_APP_SECRET", "META_VERIFY_TOKEN", "META_ACCESS_TOKEN"];
    let values: Vec<Option<String>> = names.iter().map(|n| var(n)).collect();
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(i) = values.iter().position(Option::is_none) {
        return Err(bad(
            names[i],
            "is needed with the other META_* settings (META_APP_SECRET, META_VERIFY_TOKEN, META_ACCESS_TOKEN)",
        ));
    }
    let graph_base = var("META_GRAPH_BASE")
        .unwrap_or_else(|| "https://graph.facebook.com/v21.0".into())
        .trim_end_matches('/')
        .to_owned();
    if !(graph_base.starts_with("https://") || graph_base.starts_with("http://")) {
        return Err(bad(
            "META_GRAPH_BASE",
            "must start with https:// or http://",
        ));
    }
    let mut v = values.into_iter().flatten().map(Secret);
    match (v.next(), v.next(), v.next()) {
        (Some(app_secret), Some(verify_token), Some(access_token)) => Ok(Some(MetaConfig {
            graph_base,
            app_secret,
            verify_token,
            access_token,
            whatsapp_phone_id: var("META_WHATSAPP_PHONE_ID").filter(|v| !v.trim().is_empty()),
            code_template: var("META_CODE_TEMPLATE")
                .unwrap_or_else(|| "codigo_verificacion".into()),
        })),
        _ => Ok(None),
    }
}
