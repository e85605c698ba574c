//! What admins ask of the directory, parsed once from form or JSON input: creating an
//! organisation and inviting a person. Whether the named organisation exists or the address is
//! already taken needs the directory: the service checks.

use crate::domain::{Email, OrgName, PersonName, Role, SupportPlan};
use crate::error::{AppError, ErrorCode};

/// A new organisation: its name and support plan (`standard|advanced|premium`, the Spanish
/// codes too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrg {
    pub name: OrgName,
    pub plan: SupportPlan,
}

impl CreateOrg {
    pub fn parse(name: &str, plan: &str) -> Result<Self, AppError> {
        let name =
            OrgName::parse(name).ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
        let plan = plan
            .trim()
            .parse()
            .map_err(|_| AppError::field(ErrorCode::PlanInvalid, "plan"))?;
        Ok(CreateOrg { name, plan })
    }
}

/// A person invited by an admin. Customers belong to an organisation; staff never do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteUser {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub org_id: Option<i64>,
}

impl InviteUser {
    pub fn parse(
        email: &str,
        name: &str,
        role: &str,
        org_id: Option<i64>,
    ) -> Result<Self, AppError> {
        let email =
            Email::parse(email).ok_or_else(|| AppError::field(ErrorCode::EmailInvalid, "email"))?;
        let name = PersonName::parse(name)
            .ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
        let role: Role = role
            .trim()
            .parse()
            .map_err(|_| AppError::field(ErrorCode::RoleInvalid, "role"))?;
        match (role, org_id) {
            (Role::Customer, None) => {
                Err(AppError::field(ErrorCode::OrgRequired, "organization_id"))
            }
            (Role::Customer, Some(_)) | (_, None) => Ok(InviteUser {
                email,
                name,
                role,
                org_id,
            }),
            (_, Some(_)) => Err(AppError::field(ErrorCode::OrgNotAllowed, "organization_id")),
        }
    }

    /// The form's organisation field: empty for staff, an id for customers.
    pub fn parse_form(
        email: &str,
        name: &str,
        role: &str,
        organization_id: &str,
    ) -> Result<Self, AppError> {
        let org_id = match organization_id.trim() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .map_err(|_| AppError::field(ErrorCode::OrgRequired, "organization_id"))?,
            ),
        };
        Self::parse(email, name, role, org_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<impl std::fmt::Debug, AppError>) -> (ErrorCode, Option<String>) {
        let e = result.expect_err("refused");
        (e.code, e.field)
    }

    #[test]
    fn an_organisation_needs_a_name_and_a_known_plan_in_either_vocabulary() {
        let org = CreateOrg::parse("  Acme S.A. ", "premium").expect("valid");
        assert_eq!(
            (org.name.as_str(), org.plan),
            ("Acme S.A.", SupportPlan::Premium)
        );
        assert_eq!(
            CreateOrg::parse("Acme", "avanzado").map(|o| o.plan),
            Ok(SupportPlan::Advanced)
        );
        assert_eq!(
            field(CreateOrg::parse("  ", "standard")),
            (ErrorCode::NameRequired, Some("name".into()))
        );
        assert_eq!(
            field(CreateOrg::parse("Acme", "gold")),
            (ErrorCode::PlanInvalid, Some("plan".into()))
        );
    }

    #[test]
    fn customers_need_an_organisation_and_staff_may_not_have_one() {
        let customer = InviteUser::parse_form("Ana@Acme.test", "Ana", "customer", " 7 ")
            .expect("valid customer");
        assert_eq!((customer.role, customer.org_id), (Role::Customer, Some(7)));
        assert_eq!(
            InviteUser::parse_form("b@any2cloud.test", "Beto", "agent", "").map(|u| u.org_id),
            Ok(None)
        );
        assert_eq!(
            field(InviteUser::parse_form("a@acme.test", "Ana", "customer", "")),
            (ErrorCode::OrgRequired, Some("organization_id".into()))
        );
        assert_eq!(
            field(InviteUser::parse_form(
                "a@acme.test",
                "Ana",
                "customer",
                "siete"
            )),
            (ErrorCode::OrgRequired, Some("organization_id".into()))
        );
        assert_eq!(
            field(InviteUser::parse(
                "b@any2cloud.test",
                "Beto",
                "agent",
                Some(3)
            )),
            (ErrorCode::OrgNotAllowed, Some("organization_id".into()))
        );
        assert_eq!(
            field(InviteUser::parse(
                "no-es-correo",
                "Ana",
                "customer",
                Some(1)
            )),
            (ErrorCode::EmailInvalid, Some("email".into()))
        );
        assert_eq!(
            field(InviteUser::parse("a@acme.test", "Ana", "jefe", Some(1))),
            (ErrorCode::RoleInvalid, Some("role".into()))
        );
    }
}
