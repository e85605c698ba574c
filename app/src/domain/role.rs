use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a signed-in person may do. Customers belong to one organisation; staff to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Agent,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Customer, Role::Agent, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Agent => "agent",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Staff work for Any2cloud; they never belong to a customer organisation.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Customer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn only_customers_are_not_staff() {
        assert!(!Role::Customer.is_staff());
        assert!(Role::Agent.is_staff() && Role::Editor.is_staff() && Role::Admin.is_staff());
    }
}
