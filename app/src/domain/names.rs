use serde::{Deserialize, Serialize};
use std::fmt;

const MAX_NAME_CHARS: usize = 120;

fn clean(raw: &str) -> Option<String> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = collapsed.chars().count();
    (len > 0 && len <= MAX_NAME_CHARS && !collapsed.chars().any(char::is_control))
        .then_some(collapsed)
}

/// A person's display name: 1–120 characters, inner whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

/// An organisation's name: 1–120 characters, inner whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Option<Self> {
        clean(raw).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl OrgName {
    pub fn parse(raw: &str) -> Option<Self> {
        clean(raw).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_whitespace_and_limits_length() {
        assert_eq!(
            OrgName::parse("  Demo   S.A. ").map(|n| n.0),
            Some("Demo S.A.".into())
        );
        assert!(PersonName::parse("   ").is_none());
        assert!(PersonName::parse(&"á".repeat(121)).is_none());
        assert!(PersonName::parse(&"á".repeat(120)).is_some());
    }
}
