use super::Role;

/// A navigation entry: the path and the i18n key (under `nav.`) of its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub path: &'static str,
    pub key: &'static str,
}

const fn item(path: &'static str, key: &'static str) -> NavItem {
    NavItem { path, key }
}

/// The navigation each role sees once signed in (anonymous visitors see none of these).
pub fn nav_items(role: Role) -> Vec<NavItem> {
    let mut items = vec![item("/panel", "dashboard")];
    match role {
        Role::Customer => items.extend([
            item("/tickets", "tickets"),
            item("/proyectos", "projects"),
            item("/cambios", "changes"),
            item("/horas", "hours"),
            item("/tienda", "store"),
            item("/kb", "kb"),
            item("/organizacion", "organization"),
        ]),
        Role::Agent => items.extend([
            item("/tickets", "queue"),
            item("/agente/chat", "live_chat"),
            item("/proyectos", "projects"),
            item("/cambios", "changes"),
            item("/kb", "kb"),
            item("/admin/reportes/sla", "report"),
            item("/admin/organizaciones", "organizations"),
        ]),
        Role::Editor => items.extend([item("/kb", "kb"), item("/editor/articulos", "articles")]),
        Role::Admin => items.extend([
            item("/tickets", "queue"),
            item("/agente/chat", "live_chat"),
            item("/proyectos", "projects"),
            item("/cambios", "changes"),
            item("/kb", "kb"),
            item("/editor/articulos", "articles"),
            item("/admin/reportes/sla", "report"),
            item("/admin/calendario", "calendar"),
            item("/admin/organizaciones", "organizations"),
            item("/admin/usuarios", "users"),
            item("/admin/tienda", "store_admin"),
            item("/admin/correo", "outbox"),
            item("/admin/respuestas", "canned"),
        ]),
    }
    items.push(item("/cuenta", "account"));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_see_administration_customers_do_not() {
        let paths = |r| nav_items(r).into_iter().map(|i| i.path).collect::<Vec<_>>();
        assert!(paths(Role::Admin).contains(&"/admin/usuarios"));
        assert!(!paths(Role::Customer)
            .iter()
            .any(|p| p.starts_with("/admin")));
        assert!(!paths(Role::Editor).iter().any(|p| p.starts_with("/admin")));
        for role in Role::ALL {
            assert_eq!(paths(role).last(), Some(&"/cuenta"));
        }
    }
}
