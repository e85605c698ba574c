//! Demo projects for "Demo S.A.", dated around today so the chart is meaningful on first run:
//! a migration to AWS (one blocked activity, one that slipped three days past its baseline)
//! and a Microsoft 365 rollout on track.

use app::accounts::service::Accounts;
use app::domain::project::{ItemKind, ItemState};
use app::error::AppError;
use app::projects::service::{today_cr, DemoProject, Projects};
use app::projects::store::ItemFields;
use app::projects::ItemPatch;
use chrono::{DateTime, Duration, NaiveDate, Utc};

struct Plan {
    today: NaiveDate,
    phase: &'static str,
    items: Vec<(ItemFields, Vec<usize>)>,
}

impl Plan {
    fn new(today: NaiveDate) -> Self {
        Plan {
            today,
            phase: "",
            items: Vec::new(),
        }
    }

    fn phase(&mut self, name: &'static str) -> &mut Self {
        self.phase = name;
        self
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        kind: ItemKind,
        name: &str,
        from: i64,
        to: i64,
        progress: u8,
        state: ItemState,
        owner: &str,
        deps: &[usize],
    ) -> &mut Self {
        let day = |offset| self.today + Duration::days(offset);
        self.items.push((
            ItemFields {
                kind,
                name: name.to_owned(),
                phase: self.phase.to_owned(),
                start: day(from),
                end: day(to),
                progress,
                state,
                blocked_reason: None,
                owner: (!owner.is_empty()).then(|| owner.to_owned()),
                depends_on: Vec::new(),
            },
            deps.to_vec(),
        ));
        self
    }

    fn activity(
        &mut self,
        name: &str,
        from: i64,
        to: i64,
        progress: u8,
        deps: &[usize],
    ) -> &mut Self {
        let state = match progress {
            100 => ItemState::Done,
            0 => ItemState::Pending,
            _ => ItemState::InProgress,
        };
        self.add(
            ItemKind::Activity,
            name,
            from,
            to,
            progress,
            state,
            "Andrés Agente",
            deps,
        )
    }

    fn milestone(&mut self, name: &str, at: i64, done: bool, deps: &[usize]) -> &mut Self {
        let (progress, state) = if done {
            (100, ItemState::Done)
        } else {
            (0, ItemState::Pending)
        };
        self.add(ItemKind::Milestone, name, at, at, progress, state, "", deps)
    }

    fn block(&mut self, reason: &str) -> &mut Self {
        if let Some((last, _)) = self.items.last_mut() {
            last.state = ItemState::Blocked;
            last.blocked_reason = Some(reason.to_owned());
        }
        self
    }
}

fn shift(today: NaiveDate, from: i64, to: i64) -> ItemPatch {
    ItemPatch {
        start: Some((today + Duration::days(from)).to_string()),
        end: Some((today + Duration::days(to)).to_string()),
        ..ItemPatch::default()
    }
}

fn aws(today: NaiveDate) -> DemoProject {
    let mut p = Plan::new(today);
    p.phase("Sprint 1 · Evaluación")
        .activity(
            "Inventario de servidores y aplicaciones",
            -42,
            -36,
            100,
            &[],
        )
        .activity("Análisis de dependencias y licencias", -35, -29, 100, &[0])
        .milestone("Evaluación aprobada", -28, true, &[1]);
    p.phase("Sprint 2 · Diseño")
        .activity("Diseño de red: VPC, subredes y VPN", -27, -17, 100, &[2])
        .activity(
            "Diseño de seguridad: IAM, cifrado y respaldos",
            -27,
            -15,
            100,
            &[2],
        )
        .milestone("Arquitectura aprobada por el cliente", -14, true, &[3, 4]);
    p.phase("Sprint 3 · Migración")
        .activity("Configurar VPN sitio a sitio", -13, -6, 100, &[5])
        .activity("Migrar servidor de archivos", -5, 6, 50, &[6])
        .activity("Migrar base de datos SQL Server", 7, 16, 0, &[7])
        .activity("Migrar ERP", -1, 12, 10, &[6])
        .block("Esperando las credenciales de administrador del proveedor del ERP");
    p.phase("Sprint 4 · Cierre")
        .activity("Pruebas de usuario y ajustes", 20, 30, 0, &[8, 9])
        .activity("Capacitación al equipo de TI", 31, 35, 0, &[10])
        .milestone("Puesta en producción", 38, false, &[10])
        .activity("Apagado del centro de datos local", 39, 45, 0, &[12]);
    DemoProject {
        name: "Migración a AWS",
        description: "Traslado de los servidores locales de Demo S.A. a Amazon Web Services \
                      con VPN sitio a sitio, respaldos y monitoreo.",
        start: today - Duration::days(42),
        target_end: today + Duration::days(50),
        items: p.items,
        // The file server slipped three days after the baseline; the database moved with it.
        later: vec![(7, shift(today, -5, 9)), (8, shift(today, 10, 19))],
    }
}

fn microsoft_365(today: NaiveDate) -> DemoProject {
    let mut p = Plan::new(today);
    p.phase("Preparación")
        .activity("Revisión de licencias y dominios", -14, -10, 100, &[])
        .activity("Configurar DNS y verificar el dominio", -9, -7, 100, &[0])
        .milestone("Inquilino de Microsoft 365 listo", -6, true, &[1]);
    p.phase("Migración de correo")
        .activity("Migrar buzones piloto (10 usuarios)", -5, 2, 70, &[2])
        .activity("Migrar buzones restantes", 3, 14, 0, &[3])
        .activity("Configurar MFA y acceso condicional", 3, 9, 0, &[2]);
    p.phase("Adopción")
        .activity("Migrar archivos a OneDrive y SharePoint", 15, 26, 0, &[4])
        .activity("Capacitación en Teams", 20, 24, 0, &[4])
        .milestone("Cierre del proyecto", 30, false, &[6, 7]);
    DemoProject {
        name: "Implementación de Microsoft 365",
        description: "Correo, Teams, OneDrive y seguridad de identidades para 45 usuarios.",
        start: today - Duration::days(14),
        target_end: today + Duration::days(40),
        items: p.items,
        later: Vec::new(),
    }
}

/// Creates the demo projects once (an organisation that has projects is left alone).
pub async fn load(
    projects: &Projects,
    accounts: &Accounts,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let admin = accounts.user_id_by_email("admin@demo.test").await?;
    let lead = accounts.user_id_by_email("agente@demo.test").await?;
    let today = today_cr(now);
    projects
        .seed_demo(
            "Demo S.A.",
            admin,
            Some(lead),
            &[aws(today), microsoft_365(today)],
        )
        .await
}
