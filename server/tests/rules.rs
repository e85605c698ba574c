//! Service rules, called directly: no HTTP server, no sleeping. Each test builds the portal's
//! services on a fresh SQLite file with the demo data and a manual clock, then moves the
//! clock where a rule depends on time. The storage and API tests keep proving the SQL on both
//! backends; these prove the rules, fast.

mod common;

use app::accounts::service::{acting_as, Principal};
use app::accounts::store::AccountStore;
use app::changes::command::{
    Estimate, EstimateInput, FinishSummary, LogWork, Reason, SubmitChange, SubmitChangeInput,
    TimeInput,
};
use app::chat::service::Caller;
use app::domain::change::ChangeStatus;
use app::domain::chat::{ChatStatus, Presence};
use app::domain::TicketStatus;
use app::error::ErrorCode;
use app::hours::command::AdjustHours;
use app::kb::command::EditArticle;
use app::kernel::ManualClock;
use app::server_ctx::Services;
use app::shop::command::PlaceOrder;
use app::shop::service::{CompletedCheckout, WebhookOutcome};
use app::tickets::command::{OpenTicket, OpenTicketInput, Reply};
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

fn incident(subject: &str, priority: &str) -> OpenTicket {
    OpenTicket::try_from(OpenTicketInput {
        subject,
        body: "El servidor de archivos no responde desde esta mañana.",
        kind: "incident",
        priority,
        on_site: false,
    })
    .expect("a valid ticket")
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
            Reply::parse("Estamos revisando el servidor de correo.", false).expect("valid"),
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
    let note = tickets
        .reply(
            &customer,
            ticket.id,
            Reply::parse("nota", true).expect("valid"),
        )
        .await;
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
            SubmitChange::try_from(SubmitChangeInput {
                title: "Nueva regla de firewall",
                description: "Abrir el puerto 443 hacia el servidor web nuevo.",
                project_id: None,
                desired_date: None,
            })
            .expect("a valid request"),
        )
        .await
        .expect("submitted")
        .summary
        .id
}

fn estimate(minutes: i64) -> Estimate {
    Estimate::try_from(EstimateInput {
        estimate: TimeInput::Typed(&as_typed(minutes)),
        risk: "low",
        planned_for: None,
        scope: "Regla, prueba y documentación.",
    })
    .expect("a valid estimate")
}

fn work(minutes: i64, note: &str) -> LogWork {
    LogWork::parse(TimeInput::Typed(&as_typed(minutes)), note).expect("valid work")
}

/// Minutes as an agent types them (`1:30`).
fn as_typed(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
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
    let early = changes.log_work(&agent, id, work(30, "inicio")).await;
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
        .adjust(
            &admin,
            org,
            AdjustHours::parse(600, "Compra de prueba", None).expect("valid adjustment"),
        )
        .await
        .expect("credited");
    changes
        .estimate(&agent, id, estimate(90))
        .await
        .expect("re-estimated");
    let approved = changes.approve(&customer, id).await.expect("approved");
    assert_eq!(approved.summary.status, ChangeStatus::Approved);
    let worked = changes
        .log_work(&agent, id, work(60, "Regla creada"))
        .await
        .expect("logged");
    assert_eq!(worked.summary.used_minutes, 60);
    let balance = h.services.hours.balance(org).await.expect("balance");
    assert_eq!(balance, start + 600 - 60);

    // Beyond the approved estimate: refused, nothing debited.
    let over = changes.log_work(&agent, id, work(31, "Más pruebas")).await;
    assert_eq!(over.err().map(|e| e.code), Some(ErrorCode::OverEstimate));
    assert_eq!(
        h.services.hours.balance(org).await.expect("balance"),
        balance
    );

    let done = changes
        .finish(&agent, id, FinishSummary::parse("Listo").expect("valid"))
        .await
        .expect("done");
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
        .adjust(
            &admin,
            org,
            AdjustHours::parse(120, "Crédito de cortesía", Some(12)).expect("valid adjustment"),
        )
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

fn edit(draft: &app::kb::ArticleDraft) -> EditArticle {
    EditArticle::try_from(draft).expect("a valid draft")
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
        .save(&editor, article.id, article.revision, edit(&mine))
        .await
        .expect("saved");
    assert_eq!(saved.revision, article.revision + 1);
    assert_eq!(saved.updated_at, monday_morning() + Duration::minutes(5));

    // A second editor still holding the old revision: a conflict, and the first save stays.
    let mut theirs = article.draft.clone();
    theirs.summary = "Otro resumen.".into();
    let stale = kb
        .save(&editor, article.id, article.revision, edit(&theirs))
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

#[tokio::test]
async fn customers_close_and_reopen_and_staff_move_tickets_along() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let agent = h.as_user("agente@demo.test").await;
    let tickets = &h.services.tickets;
    let ticket = tickets
        .create(&customer, incident("Impresora atascada", "normal"))
        .await
        .expect("opened");
    assert_eq!(ticket.status, TicketStatus::New);

    // A public staff answer opens the ticket; a customer cannot mark it resolved.
    let reply = |text: &str| Reply::parse(text, false).expect("valid");
    let answered = tickets
        .reply(&agent, ticket.id, reply("Revisamos la bandeja."))
        .await
        .expect("answered");
    assert_eq!(answered.ticket.status, TicketStatus::Open);
    let refused = tickets
        .set_status(&customer, ticket.id, TicketStatus::Resolved)
        .await;
    assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::Forbidden));

    // Resolved by staff, reopened by the customer's reply; closing is always theirs to do.
    tickets
        .set_status(&agent, ticket.id, TicketStatus::Resolved)
        .await
        .expect("resolved");
    let reopened = tickets
        .reply(&customer, ticket.id, reply("Volvió a atascarse."))
        .await
        .expect("replied");
    assert_eq!(reopened.ticket.status, TicketStatus::Open);
    let closed = tickets
        .set_status(&customer, ticket.id, TicketStatus::Closed)
        .await
        .expect("closed");
    assert_eq!(closed.ticket.status, TicketStatus::Closed);
    // Another organisation's customer cannot see it at all.
    let stranger = h.as_user("cliente2@otra.test").await;
    let hidden = tickets.get(&stranger, ticket.id).await;
    assert_eq!(hidden.err().map(|e| e.code), Some(ErrorCode::NotFound));
    h.finish().await;
}

#[tokio::test]
async fn a_finished_change_reopens_for_seven_days_only() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let agent = h.as_user("agente@demo.test").await;
    let changes = &h.services.changes;
    let admin = h.as_user("admin@demo.test").await;
    let org = customer.org_id().expect("customer org");
    h.services
        .hours
        .adjust(
            &admin,
            org,
            AdjustHours::parse(120, "Compra de prueba", None).expect("valid adjustment"),
        )
        .await
        .expect("credited");
    let id = submitted_change(&h, &customer).await;
    changes
        .estimate(&agent, id, estimate(30))
        .await
        .expect("estimated");
    changes.approve(&customer, id).await.expect("approved");
    changes
        .log_work(&agent, id, work(30, "Regla creada y probada"))
        .await
        .expect("logged");
    let summary = || FinishSummary::parse("Listo").expect("valid");
    changes.finish(&agent, id, summary()).await.expect("done");
    let reason = || Reason::parse("El puerto sigue cerrado").expect("valid");

    // Within seven days the customer reopens it and work goes on.
    h.clock.advance(Duration::days(6));
    let reopened = changes
        .reopen(&customer, id, reason())
        .await
        .expect("reopened");
    assert_eq!(reopened.summary.status, ChangeStatus::InProgress);
    changes
        .finish(&agent, id, summary())
        .await
        .expect("done again");

    // Eight days after the second finish it stays closed.
    h.clock.advance(Duration::days(8));
    let late = changes.reopen(&customer, id, reason()).await;
    assert_eq!(late.err().map(|e| e.code), Some(ErrorCode::ReopenExpired));
    h.finish().await;
}

#[tokio::test]
async fn a_transfer_credits_hours_once_and_replayed_payment_events_do_nothing() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let admin = h.as_user("admin@demo.test").await;
    let shop = &h.services.shop;
    let org = customer.org_id().expect("customer org");
    let before = h.services.hours.balance(org).await.expect("balance");
    let placed = shop
        .place_order(
            &customer,
            PlaceOrder::parse("sc-basico", "transfer").expect("valid order"),
        )
        .await
        .expect("ordered");
    assert!(placed.checkout_url.is_none());
    shop.confirm_transfer(&admin, placed.order.id)
        .await
        .expect("confirmed");
    let again = shop.confirm_transfer(&admin, placed.order.id).await;
    assert_eq!(
        again.err().map(|e| e.code),
        Some(ErrorCode::OrderNotPending)
    );
    assert_eq!(
        h.services.hours.balance(org).await.expect("balance"),
        before + 10 * 60,
        "SC Básico credits 10 hours, once"
    );

    // A card event naming this (transfer) order credits nothing, and its replay is known.
    let reference = placed.order.id.to_string();
    let event = CompletedCheckout {
        event_id: "evt_rule_1",
        event_type: "checkout.session.completed",
        client_reference_id: Some(&reference),
        payment_status: Some("paid"),
        amount_total: Some(placed.order.price_cents),
        currency: Some("usd"),
        payment_intent: Some("pi_rule_1"),
    };
    assert!(matches!(
        shop.checkout_completed(event).await.expect("handled"),
        WebhookOutcome::Ignored(_)
    ));
    let replay = CompletedCheckout {
        event_id: "evt_rule_1",
        ..event
    };
    assert_eq!(
        shop.checkout_completed(replay).await.expect("handled"),
        WebhookOutcome::Duplicate
    );
    assert_eq!(
        h.services.hours.balance(org).await.expect("balance"),
        before + 10 * 60
    );
    h.finish().await;
}

#[tokio::test]
async fn a_chat_is_offered_to_the_agent_online_and_taken_once() {
    let h = Harness::at(monday_morning()).await;
    let customer = h.as_user("cliente@demo.test").await;
    let agent = h.as_user("agente@demo.test").await;
    let admin = h.as_user("admin@demo.test").await;
    let chats = &h.services.chats;
    chats
        .set_presence(&agent, Presence::Online)
        .await
        .expect("online");
    let caller = Caller::User(customer.clone());
    let (chat, token) = chats.start(&caller, "", "", None).await.expect("started");
    assert!(token.is_none(), "signed-in customers need no chat token");
    assert_eq!(chat.status, ChatStatus::Waiting);
    assert_eq!(
        chat.agent_id,
        Some(agent.user.id),
        "offered to the only agent online"
    );

    // Starting again returns the same open conversation.
    let (same, _) = chats.start(&caller, "", "", None).await.expect("started");
    assert_eq!(same.id, chat.id);

    let taken = chats.accept(&agent, chat.id).await.expect("accepted");
    assert_eq!(taken.status, ChatStatus::Active);
    let late = chats.accept(&admin, chat.id).await;
    assert_eq!(late.err().map(|e| e.code), Some(ErrorCode::ChatTaken));
    h.finish().await;
}
