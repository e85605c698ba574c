use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The support plan an organisation has contracted (service model: "Niveles de soporte").
///
/// One vocabulary on the wire: serde, REST, server functions, forms and links use the English
/// name ([`SupportPlan::as_str`]); the Spanish code the database stores is
/// [`SupportPlan::db_code`]. Parsing accepts both, so old links and API clients keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportPlan {
    #[serde(alias = "estandar")]
    Standard,
    #[serde(alias = "avanzado")]
    Advanced,
    Premium,
}

/// Ticket priority as the service model classifies it (Alta / Media / Normal), named in English
/// on the wire like [`SupportPlan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[serde(alias = "alta")]
    High,
    #[serde(alias = "media")]
    Medium,
    Normal,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Normal];

    /// The wire name: `high`, `medium`, `normal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Normal => "normal",
        }
    }

    /// The code the database stores: `alta`, `media`, `normal`.
    pub fn db_code(self) -> &'static str {
        match self {
            Priority::High => "alta",
            Priority::Medium => "media",
            Priority::Normal => "normal",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = ();
    /// The wire name or the stored (Spanish) code.
    fn from_str(s: &str) -> Result<Self, ()> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == s || p.db_code() == s)
            .ok_or(())
    }
}

impl SupportPlan {
    pub const ALL: [SupportPlan; 3] = [
        SupportPlan::Standard,
        SupportPlan::Advanced,
        SupportPlan::Premium,
    ];

    /// The wire name: `standard`, `advanced`, `premium`.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportPlan::Standard => "standard",
            SupportPlan::Advanced => "advanced",
            SupportPlan::Premium => "premium",
        }
    }

    /// The code the database stores: `estandar`, `avanzado`, `premium`.
    pub fn db_code(self) -> &'static str {
        match self {
            SupportPlan::Standard => "estandar",
            SupportPlan::Advanced => "avanzado",
            SupportPlan::Premium => "premium",
        }
    }

    /// First-response target in business hours, straight from the service model's tables.
    pub fn first_response_hours(self, priority: Priority) -> u32 {
        use Priority::*;
        use SupportPlan::*;
        match (self, priority) {
            (Standard, High) => 8,
            (Standard, Medium) => 12,
            (Advanced, High) => 6,
            (Advanced, Medium) => 10,
            (Premium, High) => 4,
            (Premium, Medium) => 8,
            (_, Normal) => 24,
        }
    }

    /// Premium also counts Saturdays 08:00–17:00 as business hours.
    pub fn includes_saturday(self) -> bool {
        matches!(self, SupportPlan::Premium)
    }

    /// Estándar is remote only; Avanzado and Premium may request on-site support.
    pub fn allows_on_site(self) -> bool {
        !matches!(self, SupportPlan::Standard)
    }
}

impl fmt::Display for SupportPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SupportPlan {
    type Err = ();
    /// The wire name or the stored (Spanish) code.
    fn from_str(s: &str) -> Result<Self, ()> {
        SupportPlan::ALL
            .into_iter()
            .find(|p| p.as_str() == s || p.db_code() == s)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_match_the_service_model() {
        let table = [
            (SupportPlan::Standard, [8, 12, 24]),
            (SupportPlan::Advanced, [6, 10, 24]),
            (SupportPlan::Premium, [4, 8, 24]),
        ];
        for (plan, hours) in table {
            for (priority, expected) in Priority::ALL.into_iter().zip(hours) {
                assert_eq!(
                    plan.first_response_hours(priority),
                    expected,
                    "{plan} {priority:?}"
                );
            }
        }
    }

    #[test]
    fn modality_and_saturdays() {
        assert!(!SupportPlan::Standard.allows_on_site());
        assert!(SupportPlan::Advanced.allows_on_site());
        assert!(SupportPlan::Premium.includes_saturday());
        assert!(!SupportPlan::Advanced.includes_saturday());
    }

    #[test]
    fn one_wire_vocabulary_in_serde_and_as_str() {
        for plan in SupportPlan::ALL {
            assert_eq!(serde_json::to_value(plan).unwrap(), plan.as_str());
            let old: SupportPlan = serde_json::from_value(plan.db_code().into()).unwrap();
            assert_eq!(old, plan);
        }
        for priority in Priority::ALL {
            assert_eq!(serde_json::to_value(priority).unwrap(), priority.as_str());
            let old: Priority = serde_json::from_value(priority.db_code().into()).unwrap();
            assert_eq!(old, priority);
        }
    }

    #[test]
    fn parses_only_known_plans() {
        assert_eq!("premium".parse(), Ok(SupportPlan::Premium));
        assert_eq!("advanced".parse(), Ok(SupportPlan::Advanced));
        assert_eq!("avanzado".parse(), Ok(SupportPlan::Advanced));
        assert_eq!("high".parse(), Ok(Priority::High));
        assert_eq!("alta".parse(), Ok(Priority::High));
        assert!("urgent".parse::<Priority>().is_err());
        assert!("gold".parse::<SupportPlan>().is_err());
    }
}
