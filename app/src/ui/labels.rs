//! How shared domain values read in each language (for pages, mail and exports alike).

use crate::domain::{Priority, Role, SupportPlan};
use crate::i18n::*;

pub fn role_label(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Customer => td_string!(locale, role.customer),
        Role::Agent => td_string!(locale, role.agent),
        Role::Editor => td_string!(locale, role.editor),
        Role::Admin => td_string!(locale, role.admin),
    }
}

pub fn plan_label(locale: Locale, plan: SupportPlan) -> &'static str {
    match plan {
        SupportPlan::Standard => td_string!(locale, plan.estandar),
        SupportPlan::Advanced => td_string!(locale, plan.avanzado),
        SupportPlan::Premium => td_string!(locale, plan.premium),
    }
}

pub fn priority_label(locale: Locale, priority: Priority) -> &'static str {
    match priority {
        Priority::High => td_string!(locale, priority.alta),
        Priority::Medium => td_string!(locale, priority.media),
        Priority::Normal => td_string!(locale, priority.normal),
    }
}
