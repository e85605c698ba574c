use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a new password was refused (NIST SP 800-63B: length and a blocklist, no composition rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooCommon,
}

/// A password that satisfies the policy. Deliberately neither `Debug` nor `Serialize`.
pub struct Password(String);

fn blocklist() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

impl Password {
    /// Checks a password chosen by a person. Length counts characters, not bytes.
    pub fn new(raw: String) -> Result<Password, PasswordProblem> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        if blocklist().contains(raw.trim().to_lowercase().as_str()) {
            return Err(PasswordProblem::TooCommon);
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_length_in_characters() {
        assert_eq!(
            Password::new("short".into()).err(),
            Some(PasswordProblem::TooShort)
        );
        assert!(
            Password::new("ñññññññú".into()).is_ok(),
            "8 characters, 16 bytes"
        );
        assert_eq!(
            Password::new("x".repeat(129)).err(),
            Some(PasswordProblem::TooLong)
        );
        assert!(Password::new("x".repeat(128)).is_ok());
    }

    #[test]
    fn refuses_common_passwords_case_insensitively() {
        for common in [
            "password",
            "Password1",
            "12345678",
            "Contraseña",
            "PuraVida1",
        ] {
            assert_eq!(
                Password::new(common.into()).err(),
                Some(PasswordProblem::TooCommon),
                "{common}"
            );
        }
    }

    #[test]
    fn no_composition_rules() {
        assert!(Password::new("correct horse battery staple".into()).is_ok());
        assert!(Password::new("Demo-2026!".into()).is_ok());
    }
}
