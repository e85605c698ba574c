//! Stripe webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`
//! computed over `{t}.{raw body}` with the endpoint's signing secret. Anything missing, malformed,
//! older than the tolerance or not matching is rejected; the comparison is constant-time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own default: five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("malformed Stripe-Signature header")]
    Malformed,
    #[error("signature timestamp outside the tolerance")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value Stripe would send (used by tests and the fake Stripe server).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Checks `header` for `body` at `now` (unix seconds); returns the signed timestamp.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &[u8],
    now: i64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => {
                timestamp = Some(t.parse::<i64>().map_err(|_| SignatureError::Malformed)?)
            }
            Some(("v1", sig)) => candidates.push(sig),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let matches = candidates.iter().any(|sig| {
        hex::decode(sig)
            .map(|raw| mac(secret, timestamp, body).verify_slice(&raw).is_ok())
            .unwrap_or(false)
    });
    if matches {
        Ok(timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;

    #[test]
    fn accepts_a_fresh_valid_signature() {
        let header = sign(SECRET, 1_800_000_000, BODY);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_800_000_100),
            Ok(1_800_000_000)
        );
        // Several v1 values (secret rotation): one matching is enough.
        let rotated = format!("{header},v1=00ff");
        assert_eq!(
            verify(Some(&rotated), BODY, SECRET, 1_800_000_000),
            Ok(1_800_000_000)
        );
    }

    #[test]
    fn rejects_forged_stale_missing_and_malformed() {
        let header = sign(SECRET, 1_800_000_000, BODY);
        assert_eq!(
            verify(None, BODY, SECRET, 1_800_000_000),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some(&header), b"{}", SECRET, 1_800_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, b"other", 1_800_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_800_000_301),
            Err(SignatureError::Stale)
        );
        for bad in ["", "t=abc,v1=00", "v1=00", "t=1800000000", "garbage"] {
            assert_eq!(
                verify(Some(bad), BODY, SECRET, 1_800_000_000),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let not_hex = "t=1800000000,v1=zz";
        assert_eq!(
            verify(Some(not_hex), BODY, SECRET, 1_800_000_000),
            Err(SignatureError::Mismatch)
        );
    }
}
