//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`, as Meta
//! signs every webhook POST. Missing, malformed or not matching is rejected; the comparison is
//! constant-time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no X-Hub-Signature-256 header")]
    Missing,
    #[error("malformed X-Hub-Signature-256 header")]
    Malformed,
    #[error("signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(body);
    mac
}

/// The header value Meta would send (tests and the fake Graph server use it).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

pub fn verify(header: Option<&str>, body: &[u8], secret: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_sig = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let raw = hex::decode(hex_sig).map_err(|_| SignatureError::Malformed)?;
    mac(secret, body)
        .verify_slice(&raw)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_its_own_signature_and_nothing_else() {
        let body = br#"{"object":"page"}"#;
        let header = sign(b"app-secret", body);
        assert_eq!(verify(Some(&header), body, b"app-secret"), Ok(()));
        assert_eq!(
            verify(None, body, b"app-secret"),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some(&header), br#"{"object":"pagf"}"#, b"app-secret"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), body, b"other-secret"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some("sha1=abcd"), body, b"app-secret"),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("sha256=zz"), body, b"app-secret"),
            Err(SignatureError::Malformed)
        );
    }
}
