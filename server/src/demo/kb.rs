//! Demo knowledge-base content (`server/seed/kb`), loaded with the demo accounts.

use app::accounts::service::Accounts;
use app::error::AppError;
use app::kb::service::Kb;

const CATEGORIES: &str = include_str!("../../seed/kb/categories.txt");
const ARTICLES: &[(&str, &str)] = &[
    (
        "01-como-abrir-un-ticket.md",
        include_str!("../../seed/kb/01-como-abrir-un-ticket.md"),
    ),
    (
        "02-planes-de-soporte-y-tiempos-de-respuesta.md",
        include_str!("../../seed/kb/02-planes-de-soporte-y-tiempos-de-respuesta.md"),
    ),
    (
        "03-horario-habil-y-feriados.md",
        include_str!("../../seed/kb/03-horario-habil-y-feriados.md"),
    ),
    (
        "04-paquetes-de-horas-y-solicitudes-de-cambio.md",
        include_str!("../../seed/kb/04-paquetes-de-horas-y-solicitudes-de-cambio.md"),
    ),
    (
        "05-canales-de-contacto.md",
        include_str!("../../seed/kb/05-canales-de-contacto.md"),
    ),
    (
        "06-restablecer-contrasena-del-portal.md",
        include_str!("../../seed/kb/06-restablecer-contrasena-del-portal.md"),
    ),
    (
        "07-contrasena-microsoft-365-y-mfa.md",
        include_str!("../../seed/kb/07-contrasena-microsoft-365-y-mfa.md"),
    ),
    (
        "08-configuracion-de-la-vpn.md",
        include_str!("../../seed/kb/08-configuracion-de-la-vpn.md"),
    ),
    (
        "09-configuracion-de-correo-microsoft-365-en-outlook.md",
        include_str!("../../seed/kb/09-configuracion-de-correo-microsoft-365-en-outlook.md"),
    ),
    (
        "10-problemas-con-la-impresora.md",
        include_str!("../../seed/kb/10-problemas-con-la-impresora.md"),
    ),
    (
        "11-respaldos-y-restauraciones.md",
        include_str!("../../seed/kb/11-respaldos-y-restauraciones.md"),
    ),
    (
        "12-conceptos-basicos-de-aws.md",
        include_str!("../../seed/kb/12-conceptos-basicos-de-aws.md"),
    ),
    (
        "13-guia-interna-clasificar-escalar-y-cerrar-tickets.md",
        include_str!("../../seed/kb/13-guia-interna-clasificar-escalar-y-cerrar-tickets.md"),
    ),
    (
        "14-how-to-open-a-ticket.md",
        include_str!("../../seed/kb/14-how-to-open-a-ticket.md"),
    ),
    (
        "15-support-plans-and-response-times.md",
        include_str!("../../seed/kb/15-support-plans-and-response-times.md"),
    ),
    (
        "16-hour-packages-and-change-requests.md",
        include_str!("../../seed/kb/16-hour-packages-and-change-requests.md"),
    ),
];

/// Publishes the demo articles as the demo editor (existing ones are left alone).
pub async fn load(kb: &Kb, accounts: &Accounts) -> Result<usize, AppError> {
    let editor = accounts.user_id_by_email("editor@demo.test").await?;
    kb.seed_demo(editor, CATEGORIES, ARTICLES).await
}
