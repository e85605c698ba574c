use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The support plan an organisation has contracted (service model: "Niveles de soporte").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportPlan {
    Estandar,
    Avanzado,
    Premium,
}

/// Ticket priority as the service model classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Alta,
    Media,
    Normal,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Alta, Priority::Media, Priority::Normal];
}

impl SupportPlan {
    pub const ALL: [SupportPlan; 3] = [
        SupportPlan::Estandar,
        SupportPlan::Avanzado,
        SupportPlan::Premium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportPlan::Estandar => "estandar",
            SupportPlan::Avanzado => "avanzado",
            SupportPlan::Premium => "premium",
        }
    }

    /// First-response target in business hours, straight from the service model's tables.
    pub fn first_response_hours(self, priority: Priority) -> u32 {
        use Priority::*;
        use SupportPlan::*;
        match (self, priority) {
            (Estandar, Alta) => 8,
            (Estandar, Media) => 12,
            (Avanzado, Alta) => 6,
            (Avanzado, Media) => 10,
            (Premium, Alta) => 4,
            (Premium, Media) => 8,
            (_, Normal) => 24,
        }
    }

    /// Premium also counts Saturdays 08:00–17:00 as business hours.
    pub fn includes_saturday(self) -> bool {
        matches!(self, SupportPlan::Premium)
    }

    /// Estándar is remote only; Avanzado and Premium may request on-site support.
    pub fn allows_on_site(self) -> bool {
        !matches!(self, SupportPlan::Estandar)
    }
}

impl fmt::Display for SupportPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SupportPlan {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        SupportPlan::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_match_the_service_model() {
        let table = [
            (SupportPlan::Estandar, [8, 12, 24]),
            (SupportPlan::Avanzado, [6, 10, 24]),
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
        assert!(!SupportPlan::Estandar.allows_on_site());
        assert!(SupportPlan::Avanzado.allows_on_site());
        assert!(SupportPlan::Premium.includes_saturday());
        assert!(!SupportPlan::Avanzado.includes_saturday());
    }

    #[test]
    fn parses_only_known_plans() {
        assert_eq!("premium".parse(), Ok(SupportPlan::Premium));
        assert!("gold".parse::<SupportPlan>().is_err());
    }
}
