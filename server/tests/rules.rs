//! Service rules, called directly: no HTTP server, no sleeping. Each test builds the portal's
//! services on a fresh SQLite file with the demo data and a manual clock, then moves the
//! clock where a rule depends on time. The storage and API tests keep proving the SQL on both
//! backends; these prove the rules, fast.

mod common;

use app::accounts::service::{acting_as, Principal};
use app::accounts::store::AccountStore;
use app::changes::service::{ChangeInput, Estimate};
use app::domain::change::ChangeStatus;
use app::error::ErrorCode;
use app::kernel::ManualClock;
use app::server_ctx::Services;
use app::tickets::service::NewTicket;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{Backend, TestDb};

struct Harness {
    services: Services,
    clock: ManualClock,
    store: server::storage::Db,
    db: TestDb,
}

impl Harness {
    /// The portal's services with the demo data, at `now` on a manual clock.
    async fn at(now: DateTime<Utc>) -> Harness {
        let db = TestDb::new(Backend::Sqlite).await.expect("sqlite");
        let clock = ManualClock::starting_at(now);
        let mut config = db.config(true);
        config.clock = clock.clock();
        let portal = server::startup::build(&config)
            .await
            .expect("portal builds");
        Harness {
            services: portal.state.services.clone(),
            clock,
            store: portal.state.db.clone(),
            db,
        }
    }

    async fn as_user(&self, email: &str) -> Principal {
        let record = AccountStore::find_user_by_email(&self.store, email)
            .await
            .expect("lookup")
            .expect("demo user");
        acting_as(&record)
    }

    async fn finish(self) {
        self.db.cleanup().await;
    }
}

/// Monday 2 March 2026, 09:00 in Costa Rica (UTC−6): inside business hours.
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0)
        .single()
        .expect("valid time")
}

fn incident<'a>(subject: &'a str, priority: &'a str) -> NewTicket<'a> {
    NewTicket {
        subject,
        body: "El servidor de archivos no responde desde esta mañana.",
        kind: "incident",
        priority,
        on_site: false,
    }
}

#[tokio::test]
async fn a_ticket_warns_at_three_quarters_and_breaches_at_its_deadline_once_each() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let tickets = &h.services.tickets;
    let ticket = tickets
        .create(&customer, incident("Servidor caído", "alta"))
        .await
        .expect("opened");
    // Demo S.A. is Premium: a high-priority incident is due in 4 business hours.
    assert_eq!(
        ticket.first_response_due,
        monday_morning() + Duration::hours(4)
    );
    assert_eq!(tickets.watch_sla(h.clock.now()).await.expect("watch"), 0);

    h.clock.advance(Duration::minutes(179));
    assert_eq!(
        tickets.watch_sla(h.clock.now()).await.expect("watch"),
        0,
        "not yet 75 %"
    );
    h.clock.advance(Duration::minutes(1));
    assert_eq!(
        tickets.watch_sla(h.clock.now()).await.expect("watch"),
        1,
        "the warning"
    );
    assert_eq!(
        tickets.watch_sla(h.clock.now()).await.expect("watch"),
        0,
        "only once"
    );

    h.clock.advance(Duration::minutes(59));
    assert_eq!(
        tickets.watch_sla(h.clock.now()).await.expect("watch"),
        0,
        "not yet due"
    );
    h.clock.advance(Duration::minutes(1));
    assert_eq!(
        tickets.watch_sla(h.clock.now()).await.expect("watch"),
        1,
        "the breach"
    );
    assert_eq!(
        tickets.watch_sla(h.clock.now()).await.expect("watch"),
        0,
        "only once"
    );
    h.finish().await;
}

#[tokio::test]
async fn an_answered_ticket_gets_no_notices_and_keeps_its_response_time() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let agent = h.as_user("agente@demo.test").await;
    let tickets = &h.services.tickets;
    let ticket = tickets
        .create(&customer, incident("Correo no llega", "media"))
        .await
        .expect("opened");
    h.clock.advance(Duration::minutes(20));
    let answered = tickets
        .reply(
            &agent,
            ticket.id,
            "Estamos revisando el servidor de correo.",
            false,
        )
        .await
        .expect("answered");
    assert_eq!(
        answered.ticket.responded_at,
        Some(monday_morning() + Duration::minutes(20))
    );
    h.clock.advance(Duration::days(3));
    assert_eq!(tickets.watch_sla(h.clock.now()).await.expect("watch"), 0);
    // An internal note is not an answer, and a customer cannot write one.
    let note = tickets.reply(&customer, ticket.id, "nota", true).await;
    assert_eq!(note.err().map(|e| e.code), Some(ErrorCode::Forbidden));
    h.finish().await;
}

#[tokio::test]
async fn a_ticket_opened_after_hours_counts_from_the_next_business_morning() {
    // Friday 6 March 2026, 18:30 in Costa Rica; Demo S.A. is Premium (Saturdays count).
    let friday_evening = Utc
        .with_ymd_and_hms(2026, 3, 7, 0, 30, 0)
        .single()
        .expect("valid time");
    let h = Harness::at(friday_evening).await;
    let customer = h.as_user("cliente@demo.test").await;
    let ticket = h
        .services
        .tickets
        .create(&customer, incident("VPN caída", "alta"))
        .await
        .expect("opened");
    // Saturday 08:00 plus Premium's 4 hours for a high priority: 12:00 local, 18:00 UTC.
    let saturday_noon = Utc
        .with_ymd_and_hms(2026, 3, 7, 18, 0, 0)
        .single()
        .expect("valid time");
    assert_eq!(ticket.first_response_due, saturday_noon);
    h.finish().await;
}

async fn submitted_change(h: &Harness, customer: &Principal) -> i64 {
    h.services
        .changes
        .submit(
            customer,
            ChangeInput {
                title: "Nueva regla de firewall",
                description: "Abrir el puerto 443 hacia el servidor web nuevo.",
                project_id: None,
                desired_date: None,
            },
        )
        .await
        .expect("submitted")
        .summary
        .id
}

fn estimate(minutes: i64) -> Estimate<'static> {
    Estimate {
        minutes,
        risk: "low",
        planned_for: None,
        scope: "Regla, prueba y documentación.",
    }
}

#[tokio::test]
async fn a_change_request_spends_hours_only_within_what_was_approved() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let agent = h.as_user("agente@demo.test").await;
    let admin = h.as_user("admin@demo.test").await;
    let changes = &h.services.changes;
    let org = customer.org_id().expect("customer org");
    let start = h.services.hours.balance(org).await.expect("balance");

    let id = submitted_change(&h, &customer).await;
    // Work cannot be logged before an approval, and approval waits for an estimate.
    let early = changes.log_work(&agent, id, 30, "inicio").await;
    assert_eq!(
        early.err().map(|e| e.code),
        Some(ErrorCode::ChangeStateInvalid)
    );
    let early = changes.approve(&customer, id).await;
    assert_eq!(
        early.err().map(|e| e.code),
        Some(ErrorCode::ChangeStateInvalid)
    );

    // An estimate beyond the balance cannot be approved.
    changes
        .estimate(&agent, id, estimate(start + 60))
        .await
        .expect("estimated");
    let short = changes.approve(&customer, id).await;
    assert_eq!(short.err().map(|e| e.code), Some(ErrorCode::BalanceShort));

    // Bought hours cover it: approved, then work is debited as it is logged.
    h.services
        .hours
        .adjust(&admin, org, 600, "Compra de prueba", None)
        .await
        .expect("credited");
    changes
        .estimate(&agent, id, estimate(90))
        .await
        .expect("re-estimated");
    let approved = changes.approve(&customer, id).await.expect("approved");
    assert_eq!(approved.summary.status, ChangeStatus::Approved);
    let worked = changes
        .log_work(&agent, id, 60, "Regla creada")
        .await
        .expect("logged");
    assert_eq!(worked.summary.used_minutes, 60);
    let balance = h.services.hours.balance(org).await.expect("balance");
    assert_eq!(balance, start + 600 - 60);

    // Beyond the approved estimate: refused, nothing debited.
    let over = changes.log_work(&agent, id, 31, "Más pruebas").await;
    assert_eq!(over.err().map(|e| e.code), Some(ErrorCode::OverEstimate));
    assert_eq!(
        h.services.hours.balance(org).await.expect("balance"),
        balance
    );

    let done = changes.finish(&agent, id, "Listo").await.expect("done");
    assert_eq!(done.summary.status, ChangeStatus::Done);
    h.finish().await;
}

#[tokio::test]
async fn purchased_hours_expire_after_twelve_months_on_the_clock() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let admin = h.as_user("admin@demo.test").await;
    let org = customer.org_id().expect("customer org");
    let before = h.services.hours.balance(org).await.expect("balance");
    h.services
        .hours
        .adjust(&admin, org, 120, "Crédito de cortesía", Some(12))
        .await
        .expect("credited");
    assert_eq!(
        h.services.hours.balance(org).await.expect("balance"),
        before + 120
    );
    h.clock.advance(Duration::days(366));
    let run = h.services.hours.run_job(h.clock.now()).await.expect("job");
    assert!(run.expired_lots >= 1, "{} lots expired", run.expired_lots);
    let after = h.services.hours.balance(org).await.expect("balance");
    assert!(after <= before, "the credit expired: {before} → {after}");
    h.finish().await;
}

#[tokio::test]
async fn a_stale_article_save_is_a_conflict_and_never_an_overwrite() {
    let h = Harness::at(monday_morning()).await;
    let editor = h.as_user("editor@demo.test").await;
    let kb = &h.services.kb;
    let article = kb.editor_article(&editor, 1).await.expect("a demo article");
    let mut mine = article.draft.clone();
    mine.summary = "Resumen revisado por la editora.".into();
    h.clock.advance(Duration::minutes(5));
    let saved = kb
        .save(&editor, article.id, article.revision, &mine)
        .await
        .expect("saved");
    assert_eq!(saved.revision, article.revision + 1);
    assert_eq!(saved.updated_at, monday_morning() + Duration::minutes(5));

    // A second editor still holding the old revision: a conflict, and the first save stays.
    let mut theirs = article.draft.clone();
    theirs.summary = "Otro resumen.".into();
    let stale = kb
        .save(&editor, article.id, article.revision, &theirs)
        .await;
    assert_eq!(
        stale.err().map(|e| e.code),
        Some(ErrorCode::RevisionConflict)
    );
    let now = kb
        .editor_article(&editor, article.id)
        .await
        .expect("article");
    assert_eq!(now.draft.summary, "Resumen revisado por la editora.");
    assert_eq!(now.revision, saved.revision);
    h.finish().await;
}
