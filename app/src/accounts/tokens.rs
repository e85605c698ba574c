//! Random bearer secrets (sessions, API tokens, emailed links) and how they are stored.
//! Only a keyed hash (HMAC-SHA-256 with `PORTAL_SECRET`) reaches the database, so a leaked
//! database alone cannot be turned into working sessions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The server's signing key. Not `Debug`, not `Serialize`.
#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl TokenKey {
    pub fn new(secret: &[u8]) -> Self {
        TokenKey(secret.to_vec())
    }

    /// Hex HMAC-SHA-256 of a token: what the database stores and looks up.
    pub fn hash(&self, token: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any size"));
        mac.update(token.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// 256 random bits from the OS generator, URL-safe base64 (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `text` with the secret of every emailed link (`token=…`) replaced: what is kept of a mail
/// once it has been delivered, and what the log shows, so no usable link stays behind.
pub fn redact_links(text: &str) -> std::borrow::Cow<'_, str> {
    const MARK: &str = "token=";
    if !text.contains(MARK) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        out.push_str(if end > 0 { "[oculto]" } else { "" });
        rest = &after[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn links_are_redacted() {
        let body = "Use https://p.test/restablecer-contrasena?token=AbC-12_x\ny ?token= vacío";
        assert_eq!(
            super::redact_links(body),
            "Use https://p.test/restablecer-contrasena?token=[oculto]\ny ?token= vacío"
        );
        assert_eq!(super::redact_links("sin enlaces"), "sin enlaces");
    }

    #[test]
    fn hash_depends_on_key_and_token() {
        let k1 = TokenKey::new(b"one");
        let k2 = TokenKey::new(b"two");
        assert_eq!(k1.hash("t"), k1.hash("t"));
        assert_ne!(k1.hash("t"), k2.hash("t"));
        assert_ne!(k1.hash("t"), k1.hash("u"));
        assert_eq!(k1.hash("t").len(), 64);
    }
}
