//! One storage story, run on SQLite and PostgreSQL.

mod common;

use app::accounts::store::{AccountStore, NewSession, NewUser, TokenPurpose};
use app::accounts::{MailStatus, SessionKind};
use app::domain::{Role, SupportPlan};
use app::kernel::{NewMail, OutboxStore, StoreError};
use chrono::{Duration, Utc};
use common::{Backend, TestDb};
use server::storage::Db;

both_backends!(accounts_story, |backend| async move {
    let Some(test_db) = TestDb::new(backend).await else {
        return;
    };
    let db = Db::connect(&test_db.url).await.expect("connect + migrate");
    let now = Utc::now();

    // Organisations: names unique regardless of case.
    let org = db
        .create_org("Demo S.A.", SupportPlan::Premium, now)
        .await
        .expect("org");
    assert!(matches!(
        db.create_org("DEMO s.a.", SupportPlan::Standard, now).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        db.find_org_by_name("demo s.a.").await.expect("find"),
        Some(org)
    );
    let summary = db.get_org(org).await.expect("get").expect("exists");
    assert_eq!((summary.plan, summary.users), (SupportPlan::Premium, 0));
    assert!(db.get_org(org + 1000).await.expect("get").is_none());

    // Users: emails unique; customers need an organisation (enforced by the schema too).
    let user = db
        .create_user(NewUser {
            email: "c@demo.test",
            name: "C",
            role: Role::Customer,
            org_id: Some(org),
            password_hash: Some("h"),
            now,
        })
        .await
        .expect("user");
    let dup = db
        .create_user(NewUser {
            email: "c@demo.test",
            name: "D",
            role: Role::Agent,
            org_id: None,
            password_hash: None,
            now,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let orphan = db
        .create_user(NewUser {
            email: "o@demo.test",
            name: "O",
            role: Role::Customer,
            org_id: None,
            password_hash: None,
            now,
        })
        .await;
    assert!(
        orphan.is_err(),
        "a customer without organisation violates the CHECK"
    );
    let record = db
        .find_user_by_email("c@demo.test")
        .await
        .expect("find")
        .expect("exists");
    assert_eq!(
        (record.role, record.org_plan, record.org_name.as_deref()),
        (
            Role::Customer,
            Some(SupportPlan::Premium),
            Some("Demo S.A.")
        )
    );
    assert_eq!(
        db.get_org(org).await.expect("get").map(|o| o.users),
        Some(1)
    );
    db.set_password(user, "h2", now)
        .await
        .expect("set password");
    assert_eq!(
        db.get_user(user)
            .await
            .expect("get")
            .and_then(|u| u.password_hash)
            .as_deref(),
        Some("h2")
    );
    assert!(matches!(
        db.set_password(user + 999, "x", now).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.list_users().await.expect("list").len(), 1);

    // Sessions: lookup by hash, listing, revocation.
    let new_session = |hash: &'static str| NewSession {
        user_id: user,
        token_hash: hash,
        kind: SessionKind::Web,
        user_agent: Some("test"),
        ip: Some("127.0.0.1"),
        now,
        expires_at: now + Duration::hours(1),
    };
    let s1 = db.create_session(new_session("hash-1")).await.expect("s1");
    let s2 = db.create_session(new_session("hash-2")).await.expect("s2");
    let (session, owner) = db
        .session_by_token("hash-1")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!((session.id, owner.id), (s1, user));
    assert!(
        (session.expires_at - (now + Duration::hours(1)))
            .num_seconds()
            .abs()
            <= 1
    );
    assert_eq!(db.list_sessions(user, now).await.expect("list").len(), 2);
    db.touch_session(s1, now + Duration::minutes(5))
        .await
        .expect("touch");
    db.revoke_session(user, s2, now).await.expect("revoke");
    assert!(matches!(
        db.revoke_session(user, s2, now).await,
        Err(StoreError::NotFound)
    ));
    assert!(db
        .session_by_token("hash-2")
        .await
        .expect("lookup")
        .is_none());
    let s3 = db.create_session(new_session("hash-3")).await.expect("s3");
    assert_eq!(
        db.revoke_other_sessions(user, Some(s3), now)
            .await
            .expect("revoke others"),
        1
    );
    assert!(db
        .session_by_token("hash-1")
        .await
        .expect("lookup")
        .is_none());
    assert!(db
        .session_by_token("hash-3")
        .await
        .expect("lookup")
        .is_some());

    // Emailed tokens: single use, expire, bound to their purpose.
    db.create_token(
        user,
        TokenPurpose::PasswordReset,
        "tok",
        now,
        now + Duration::hours(1),
    )
    .await
    .expect("token");
    assert_eq!(
        db.consume_token(TokenPurpose::Invite, "tok", now)
            .await
            .expect("wrong purpose"),
        None
    );
    assert_eq!(
        db.consume_token(TokenPurpose::PasswordReset, "tok", now)
            .await
            .expect("consume"),
        Some(user)
    );
    assert_eq!(
        db.consume_token(TokenPurpose::PasswordReset, "tok", now)
            .await
            .expect("again"),
        None
    );
    db.create_token(
        user,
        TokenPurpose::Invite,
        "old",
        now - Duration::days(8),
        now - Duration::days(1),
    )
    .await
    .expect("old");
    assert_eq!(
        db.consume_token(TokenPurpose::Invite, "old", now)
            .await
            .expect("expired"),
        None
    );

    // Sign-in attempts inside the window.
    for _ in 0..3 {
        db.record_login_attempt("c@demo.test", Some("10.0.0.1"), false, now)
            .await
            .expect("attempt");
    }
    db.record_login_attempt("c@demo.test", Some("10.0.0.1"), true, now)
        .await
        .expect("success");
    db.record_login_attempt(
        "c@demo.test",
        Some("10.0.0.2"),
        false,
        now - Duration::hours(1),
    )
    .await
    .expect("old attempt");
    let counts = db
        .failed_attempts("c@demo.test", Some("10.0.0.1"), now - Duration::minutes(15))
        .await
        .expect("count");
    assert_eq!(counts, (3, 3));

    // Outbox: due, retried later, delivered.
    let mail = db
        .enqueue(NewMail {
            to: "c@demo.test",
            subject: "Hola",
            body: "Cuerpo",
            now,
        })
        .await
        .expect("enqueue");
    let due = db.due(now, 10).await.expect("due");
    assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), vec![mail]);
    db.mark(
        mail,
        MailStatus::Pending,
        Some("smtp down"),
        Some(now + Duration::minutes(2)),
        now,
    )
    .await
    .expect("retry");
    assert!(db
        .due(now + Duration::minutes(1), 10)
        .await
        .expect("due")
        .is_empty());
    assert_eq!(
        db.due(now + Duration::minutes(3), 10)
            .await
            .expect("due")
            .len(),
        1
    );
    db.mark(mail, MailStatus::Sent, None, None, now)
        .await
        .expect("sent");
    let listed = db.list(10).await.expect("list");
    assert_eq!(
        (
            listed[0].status,
            listed[0].attempts,
            listed[0].subject.as_str()
        ),
        (MailStatus::Sent, 2, "Hola")
    );

    db.close().await;
    test_db.cleanup().await;
});

both_backends!(migrations_are_idempotent, |backend| async move {
    let Some(test_db) = TestDb::new(backend).await else {
        return;
    };
    let first = Db::connect(&test_db.url).await.expect("first start");
    first.close().await;
    let second = Db::connect(&test_db.url)
        .await
        .expect("second start runs no migration twice");
    second.ping().await.expect("ping");
    second.close().await;
    test_db.cleanup().await;
});
