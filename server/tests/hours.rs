//! The hour ledger on both databases: debits take the purchase expiring first, racing debits
//! never overdraw, expired purchases are written off once.

mod common;

use app::accounts::store::AccountStore;
use app::domain::change::WorkRefusal;
use app::domain::hours::balance;
use app::hours::store::{HourStore, NewDebit};
use app::hours::EntryKind;
use chrono::{Duration, Utc};
use common::{Backend, TestApp};

both_backends!(
    debits_are_fifo_by_expiry_and_never_overdraw,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let db = app.state.db.clone();
        let org = db
            .find_org_by_name("Otra Empresa S.R.L.")
            .await
            .expect("query")
            .expect("demo org");
        let now = Utc::now();
        let later = db
            .credit_purchase(org, 600, now + Duration::days(300), None, now)
            .await
            .expect("credit");
        let sooner = db
            .credit_purchase(org, 300, now + Duration::days(60), None, now)
            .await
            .expect("credit");
        let expired = db
            .credit_purchase(
                org,
                120,
                now - Duration::days(1),
                None,
                now - Duration::days(400),
            )
            .await
            .expect("credit");
        let debit = |minutes| NewDebit {
            org_id: org,
            kind: EntryKind::Debit,
            minutes,
            change_request_id: None,
            cap: None,
            note: "Trabajo",
            actor_id: None,
            now,
        };

        // The purchase expiring first pays first; the expired one never does.
        assert_eq!(
            db.debit(debit(30)).await.expect("debit"),
            Ok(vec![(sooner, 30)])
        );
        assert_eq!(
            db.debit(debit(300)).await.expect("debit"),
            Ok(vec![(sooner, 270), (later, 30)])
        );
        assert_eq!(
            db.debit(debit(10_000)).await.expect("debit"),
            Err(WorkRefusal::Balance { available: 570 })
        );

        // 20 debits of 60 minutes race for the 570 minutes left: 9 win, none overdraws.
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.debit(NewDebit {
                    org_id: org,
                    kind: EntryKind::Debit,
                    minutes: 60,
                    change_request_id: None,
                    cap: None,
                    note: "Carrera",
                    actor_id: None,
                    now: Utc::now(),
                })
                .await
            }));
        }
        let mut won = 0;
        for task in tasks {
            match task.await.expect("join").expect("store") {
                Ok(_) => won += 1,
                Err(WorkRefusal::Balance { available }) => assert!(available < 60),
                Err(other) => panic!("unexpected refusal {other:?}"),
            }
        }
        assert_eq!(won, 9);
        let lots = db.lots(org).await.expect("lots");
        assert!(lots.iter().all(|l| l.remaining_minutes >= 0), "{lots:?}");
        assert_eq!(balance(&lots, Utc::now()), 30);

        // The expired purchase is written off once.
        assert_eq!(db.expire_due(Utc::now()).await.expect("expire"), 1);
        assert_eq!(db.expire_due(Utc::now()).await.expect("expire"), 0);
        let entries = db.entries(org).await.expect("entries");
        let expiry = entries
            .iter()
            .find(|e| e.kind == EntryKind::Expiry)
            .expect("expiry entry");
        assert_eq!((expiry.minutes, expiry.lot_id), (-120, Some(expired)));
        // Ledger: 3 purchases, 1 + 2 + 9 + (the winners may span two lots) debits, 1 expiry.
        let net: i64 = entries.iter().map(|e| e.minutes).sum();
        assert_eq!(net, 600 + 300 + 120 - 30 - 300 - 9 * 60 - 120);
        app.stop().await;
    }
);
