//! Projects and their Gantt plan over HTTP, on both databases: visibility across organisations,
//! the demo plan, validation, dependency warnings, baselines, deviations and comments.

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::storage::Db;

fn today() -> NaiveDate {
    app::projects::service::today_cr(Utc::now())
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

fn find<'a>(items: &'a Value, name: &str) -> &'a Value {
    items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == name))
        .unwrap_or_else(|| panic!("{name} not in {items}"))
}

async fn count_changes(db: &Db, project: i64) -> i64 {
    let sql = "SELECT COUNT(*) FROM project_changes WHERE project_id = $1";
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).bind(project).fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).bind(project).fetch_one(pool).await,
    }
    .expect("count")
}

both_backends!(
    demo_plan_is_visible_to_its_organisation_only,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let customer = app.login_as("cliente@demo.test").await;
        let (status, list) = app.get("/api/v1/projects", Some(&customer)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
        let aws = find(&list, "Migración a AWS");
        assert_eq!(aws["organization"], "Demo S.A.");
        assert_eq!(aws["health"], "at_risk");
        assert_eq!(aws["blocked"], 1);
        assert_eq!(aws["deviated"], 2);
        assert_eq!(aws["next_milestone"]["name"], "Puesta en producción");
        assert_eq!(
            find(&list, "Implementación de Microsoft 365")["health"],
            "on_track"
        );
        let id = aws["id"].as_i64().expect("id");

        let (status, project) = app
            .get(&format!("/api/v1/projects/{id}"), Some(&customer))
            .await;
        assert_eq!(status, StatusCode::OK);
        let items = &project["items"];
        assert!(items.as_array().map_or(0, Vec::len) >= 14);
        let erp = find(items, "Migrar ERP");
        assert_eq!(erp["state"], "blocked");
        assert!(erp["blocked_reason"]
            .as_str()
            .is_some_and(|r| r.contains("credenciales")));
        let files = find(items, "Migrar servidor de archivos");
        assert_eq!(files["deviation_days"], 3);
        assert_eq!(files["baseline_end"], day(6));
        assert_eq!(files["end"], day(9));
        let db = find(items, "Migrar base de datos SQL Server");
        assert_eq!(db["depends_on"], json!([files["id"]]));
        let go_live = find(items, "Puesta en producción");
        assert_eq!(go_live["kind"], "milestone");
        assert_eq!(go_live["start"], go_live["end"]);

        // Another organisation's customer: no projects listed, the id is "not found".
        let other = app.login_as("cliente2@otra.test").await;
        let (status, list) = app.get("/api/v1/projects", Some(&other)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list, json!([]));
        let (status, body) = app
            .get(&format!("/api/v1/projects/{id}"), Some(&other))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");
        let (status, _) = app
            .post(
                &format!("/api/v1/projects/{id}/items/{}/comments", erp["id"]),
                Some(&other),
                json!({"body": "hola"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Editors have no projects; anonymous callers must sign in.
        let editor = app.login_as("editor@demo.test").await;
        assert_eq!(
            app.get("/api/v1/projects", Some(&editor)).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("/api/v1/projects/{id}"), Some(&editor))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/v1/projects", None).await.0,
            StatusCode::UNAUTHORIZED
        );

        // Customers read and comment, never plan.
        let (status, _) = app
            .patch(
                &format!("/api/v1/projects/{id}/items/{}", erp["id"]),
                Some(&customer),
                json!({"progress": 90}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.post(
                &format!("/api/v1/projects/{id}/baseline"),
                Some(&customer),
                json!({})
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        let (status, comment) = app
            .post(
                &format!("/api/v1/projects/{id}/items/{}/comments", erp["id"]),
                Some(&customer),
                json!({"body": "Ya pedimos las credenciales."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{comment}");
        assert_eq!(comment["staff"], false);
        let (status, body) = app
            .post(
                &format!("/api/v1/projects/{id}/items/{}/comments", erp["id"]),
                Some(&customer),
                json!({"body": "   "}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "body_required");

        // Demo data is loaded once: a restart on the same database adds nothing.
        let again = app
            .state
            .services
            .projects
            .org_has_projects(aws["organization_id"].as_i64().unwrap_or_default())
            .await;
        assert_eq!(again, Ok(true));
        app.stop().await;
    }
);

both_backends!(
    staff_plan_warns_on_broken_dependencies_and_tracks_deviations,
    |backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let agent = app.login_as("agente@demo.test").await;
        let (_, orgs) = app.get("/api/v1/organizations", Some(&agent)).await;
        let org = find(&orgs, "Otra Empresa S.R.L.")["id"].clone();

        let (status, body) = app
        .post("/api/v1/projects", Some(&agent), json!({"organization_id": org, "name": "Renovación de red", "start": day(0), "target_end": day(-1)}))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "date_range_invalid");
        assert_eq!(
            body["error"]["message"],
            "La fecha final no puede ser anterior a la inicial."
        );
        let (status, body) = app
        .post("/api/v1/projects", Some(&agent), json!({"organization_id": org, "name": "  ", "start": day(0), "target_end": day(30)}))
        .await;
        assert_eq!(
            (status, body["error"]["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("name"))
        );

        let (status, project) = app
        .post("/api/v1/projects", Some(&agent), json!({"organization_id": org, "name": "Renovación de red", "status": "active", "start": day(0), "target_end": day(30)}))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{project}");
        let pid = project["id"].as_i64().expect("id");
        let items = format!("/api/v1/projects/{pid}/items");

        let (status, a) = app
            .post(
                &items,
                Some(&agent),
                json!({"name": "Cableado", "phase": "Obra", "start": day(1), "end": day(5)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        let (_, b) = app
        .post(&items, Some(&agent), json!({"name": "Configurar switches", "phase": "Obra", "start": day(6), "end": day(9), "depends_on": [a["id"]]}))
        .await;
        assert_eq!(b["conflicts"], json!([]));
        let (status, m) = app
        .post(&items, Some(&agent), json!({"kind": "milestone", "name": "Red en producción", "end": day(12), "depends_on": [b["id"]]}))
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(m["start"], day(12));

        // Validation: blocked needs a reason, loops and unknown items are refused, progress 0–100.
        let a_path = format!("{items}/{}", a["id"]);
        let (status, body) = app
            .patch(&a_path, Some(&agent), json!({"state": "blocked"}))
            .await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("reason_required"))
        );
        let (_, body) = app
            .patch(&a_path, Some(&agent), json!({"depends_on": [m["id"]]}))
            .await;
        assert_eq!(body["error"]["code"], "dependency_invalid");
        let (_, body) = app
            .patch(&a_path, Some(&agent), json!({"depends_on": [999_999]}))
            .await;
        assert_eq!(body["error"]["code"], "dependency_invalid");
        let (_, body) = app
            .patch(&a_path, Some(&agent), json!({"progress": 120}))
            .await;
        assert_eq!(body["error"]["code"], "progress_invalid");
        // Dates are bounded around the project's start (5 years before, 20 after): a plan item
        // from year 1 to 9999 once made the day view take gigabytes.
        let (status, body) = app
            .post(
                &items,
                Some(&agent),
                json!({"name": "Eterna", "start": "0001-01-01", "end": "9999-12-31"}),
            )
            .await;
        assert_eq!(
            (
                status,
                body["error"]["code"].clone(),
                body["error"]["field"].clone()
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("date_out_of_range"),
                json!("start")
            )
        );
        let (status, body) = app
            .patch(&a_path, Some(&agent), json!({"end": "9999-12-31"}))
            .await;
        assert_eq!(
            (
                status,
                body["error"]["code"].clone(),
                body["error"]["field"].clone()
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("date_out_of_range"),
                json!("end")
            )
        );
        let (status, body) = app
            .post("/api/v1/projects", Some(&agent), json!({"organization_id": org, "name": "Siglos", "start": day(0), "target_end": "9999-12-31"}))
            .await;
        assert_eq!(
            (
                status,
                body["error"]["code"].clone(),
                body["error"]["field"].clone()
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("date_out_of_range"),
                json!("target_end")
            )
        );
        let (status, body) = app
            .patch(
                &format!("{items}/999999"),
                Some(&agent),
                json!({"progress": 10}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::NOT_FOUND, json!("not_found"))
        );

        // Baseline, then slip the first activity past its successor's start: saved, with a warning.
        let (status, with_baseline) = app
            .post(
                &format!("/api/v1/projects/{pid}/baseline"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(with_baseline["baseline_at"].is_string());
        let (status, moved) = app
            .patch(
                &a_path,
                Some(&agent),
                json!({"start": day(3), "end": day(7)}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        assert_eq!(
            moved["conflicts"],
            json!([{"item": b["id"], "depends_on": a["id"]}])
        );
        assert_eq!(moved["deviation_days"], 2);

        let (_, plan) = app
            .get(&format!("/api/v1/projects/{pid}"), Some(&agent))
            .await;
        assert_eq!(plan["deviated"], 1);
        assert_eq!(plan["health"], "at_risk");
        let cabling = find(&plan["items"], "Cableado");
        assert_eq!(cabling["baseline_end"], day(5));
        assert_eq!(cabling["end"], day(7));
        // Emptying the dependencies is distinguishable from leaving them alone.
        let (_, freed) = app
            .patch(
                &format!("{items}/{}", b["id"]),
                Some(&agent),
                json!({"depends_on": []}),
            )
            .await;
        assert_eq!(freed["depends_on"], json!([]));
        assert_eq!(freed["conflicts"], json!([]));

        // Blocked with a reason, and the reason goes when it is unblocked.
        let (_, blocked) = app
            .patch(
                &a_path,
                Some(&agent),
                json!({"state": "blocked", "blocked_reason": "Falta el permiso del edificio"}),
            )
            .await;
        assert_eq!(blocked["blocked_reason"], "Falta el permiso del edificio");
        let (_, resumed) = app
            .patch(&a_path, Some(&agent), json!({"state": "done"}))
            .await;
        assert_eq!(
            (
                resumed["blocked_reason"].clone(),
                resumed["progress"].clone()
            ),
            (Value::Null, json!(100))
        );

        // Every step is in the change log (created, 3 items, baseline, dates, deps, state ×2 + progress).
        assert!(count_changes(&app.state.db, pid).await >= 8);

        // The customer of that organisation sees it; Demo S.A.'s customer does not.
        let olga = app.login_as("cliente2@otra.test").await;
        let (status, seen) = app
            .get(&format!("/api/v1/projects/{pid}"), Some(&olga))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen["items"].as_array().map(Vec::len), Some(3));
        let carlos = app.login_as("cliente@demo.test").await;
        assert_eq!(
            app.get(&format!("/api/v1/projects/{pid}"), Some(&carlos))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        app.stop().await;
    }
);
