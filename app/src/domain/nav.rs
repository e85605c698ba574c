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

/// The sign-in page, and the query parameter naming where to go once signed in.
pub const SIGN_IN: &str = "/ingresar";
pub const RETURN_PARAM: &str = "volver";

/// Where to go after signing in, when `raw` is a path on this site: it starts with one `/`
/// (not `//` or `/\\`, which browsers read as another host), holds no control characters or
/// backslashes, is not the sign-in page itself, and is of a sane length. Anything else
/// (another site, a scheme, garbage) is refused, so the link can never send anyone away.
pub fn return_path(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 2_000
        && !raw.chars().any(|c| c.is_control() || c == '\\')
        && raw != SIGN_IN
        && !raw.starts_with("/ingresar?");
    ok.then_some(raw)
}

/// The sign-in page with `path` (a page's path and query) to return to.
pub fn sign_in_returning_to(path: &str) -> String {
    match return_path(path) {
        Some(path) if path != "/" => {
            let encoded =
                percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
            format!("{SIGN_IN}?{RETURN_PARAM}={encoded}")
        }
        _ => SIGN_IN.to_owned(),
    }
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

/// One place in the header: a link, or a menu of links (under the `nav.` key of its label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavEntry {
    Link(NavItem),
    Menu {
        key: &'static str,
        items: Vec<NavItem>,
    },
}

/// Pages admins use now and then, gathered in one "Administración" menu so the header keeps
/// one row at 1366 px.
const ADMIN_MENU: [&str; 8] = [
    "articles",
    "report",
    "calendar",
    "organizations",
    "users",
    "store_admin",
    "outbox",
    "canned",
];

/// The header for a role: [`nav_items`], with an admin's administration pages in one menu
/// placed before "Mi cuenta".
pub fn nav_entries(role: Role) -> Vec<NavEntry> {
    let items = nav_items(role);
    if role != Role::Admin {
        return items.into_iter().map(NavEntry::Link).collect();
    }
    let (menu, mut links): (Vec<NavItem>, Vec<NavItem>) =
        items.into_iter().partition(|i| ADMIN_MENU.contains(&i.key));
    let account = links.pop();
    let mut entries: Vec<NavEntry> = links.into_iter().map(NavEntry::Link).collect();
    entries.push(NavEntry::Menu {
        key: "admin",
        items: menu,
    });
    entries.extend(account.map(NavEntry::Link));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        assert_eq!(return_path("/tickets/nuevo"), Some("/tickets/nuevo"));
        assert_eq!(
            return_path("/tickets?estado=abierto"),
            Some("/tickets?estado=abierto")
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "javascript:alert(1)",
            "tickets",
            "",
            "/ingresar",
            "/ingresar?volver=/x",
            "/a\nb",
        ] {
            assert_eq!(return_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            sign_in_returning_to("/tickets/12?x=1&y=2"),
            "/ingresar?volver=%2Ftickets%2F12%3Fx%3D1%26y%3D2"
        );
        assert_eq!(sign_in_returning_to("/"), "/ingresar");
        assert_eq!(sign_in_returning_to("//evil.test"), "/ingresar");
    }

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

    #[test]
    fn admins_get_one_administration_menu_and_nothing_is_lost() {
        let entries = nav_entries(Role::Admin);
        assert!(entries.len() <= 9, "{entries:?}");
        let mut seen: Vec<&str> = Vec::new();
        for e in &entries {
            match e {
                NavEntry::Link(i) => seen.push(i.path),
                NavEntry::Menu { items, .. } => seen.extend(items.iter().map(|i| i.path)),
            }
        }
        let all: Vec<&str> = nav_items(Role::Admin).iter().map(|i| i.path).collect();
        assert_eq!(seen.len(), all.len());
        assert!(all.iter().all(|p| seen.contains(p)));
        assert_eq!(
            entries.last(),
            Some(&NavEntry::Link(item("/cuenta", "account")))
        );
        assert!(nav_entries(Role::Customer)
            .iter()
            .all(|e| matches!(e, NavEntry::Link(_))));
    }
}
