use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised (trimmed, lower-case) email address with a plausible shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Option<Email> {
        let value = raw.trim().to_lowercase();
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let (local, domain) = value.split_once('@')?;
        let domain_ok = !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return None;
        }
        Some(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        let email = Email::parse("  Cliente@Demo.TEST ").map(|e| e.to_string());
        assert_eq!(email.as_deref(), Some("cliente@demo.test"));
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "", "a", "a@", "@b.c", "a@b", "a@@b.c", "a b@c.d", "a@b..c", "a@.b.c", "a@b.c.",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn exposes_domain() {
        assert_eq!(
            Email::parse("x@otra.test")
                .map(|e| e.domain().to_owned())
                .as_deref(),
            Some("otra.test")
        );
    }
}
