//! Email on both databases: the inbound-mail webhook (token, new tickets for known customers,
//! colleagues by domain and strangers, replies threaded by In-Reply-To and by the `[T-…]`
//! subject token, another organisation's ticket number refused, automatic mail and staff
//! addresses ignored, duplicates handled once, attachments screened), the support mailbox polled
//! from a real IMAP server (Dovecot) on loopback, and notifications leaving through a real SMTP
//! server (aiosmtpd) on loopback, kept in the outbox while that server is down.
//!
//! Dovecot and aiosmtpd are installed by `.ci/setup --test`; without them these parts are
//! skipped unless `PORTAL_REQUIRE_MAIL` is set (as the test command does).

mod common;

use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use server::config::ImapConfig;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

const TOKEN: &str = "correo-entrante-prueba";

fn mail(from: &str, subject: &str, id: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: soporte@any2cloud.com\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 -0600\r\n{extra_headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

fn with_attachments(from: &str, subject: &str, id: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: soporte@any2cloud.com\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n\
--XYZ\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>{body}</p><script>alert(1)</script>\r\n\
--XYZ\r\nContent-Type: text/plain; name=\"registro.log\"\r\nContent-Disposition: attachment; filename=\"registro.log\"\r\n\r\n\
linea 1: error de cola\r\n\
--XYZ\r\nContent-Type: application/octet-stream; name=\"setup.exe\"\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
TVqQAAMAAAAEAAAA\r\n\
--XYZ--\r\n"
    )
}

async fn deliver(app: &TestApp, raw: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url("/api/v1/webhooks/email"))
        .header("content-type", "message/rfc822")
        .body(raw.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn ticket(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, body) = app.get(&format!("/api/v1/tickets/{id}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ticket_id(body: &Value) -> i64 {
    body["ticket_id"].as_i64().expect("ticket id")
}

async fn webhook_scenario(backend: Backend) {
    // Off without a token.
    let Some(off) = TestApp::spawn(backend).await else {
        return;
    };
    let (status, body) = deliver(
        &off,
        &mail("cliente@demo.test", "x", "off@x", "", "y"),
        Some(TOKEN),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    off.stop().await;

    let Some(app) = TestApp::spawn_with(backend, vec![("INBOUND_MAIL_TOKEN", TOKEN.into())]).await
    else {
        return;
    };
    let first = mail(
        "Carlos Cliente <cliente@demo.test>",
        "Impresora",
        "a1@demo.test",
        "",
        "La impresora no imprime.",
    );
    for token in [None, Some("otro")] {
        let (status, body) = deliver(&app, &first, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, body) = deliver(&app, "no es un correo", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "mail_invalid");

    // A known customer opens a ticket under their organisation's plan; sent twice, once.
    let (status, opened) = deliver(&app, &first, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["outcome"], "opened");
    let id = ticket_id(&opened);
    let (_, again) = deliver(&app, &first, Some(TOKEN)).await;
    assert_eq!(again["outcome"], "duplicate");
    let customer = app.login_as("cliente@demo.test").await;
    let t = ticket(&app, &customer, id).await;
    assert_eq!(t["subject"], "Impresora");
    assert_eq!(t["organization"], "Demo S.A.");
    assert_eq!(t["plan"], "premium");
    assert_eq!(t["body"], "La impresora no imprime.");
    assert_eq!(t["source"], "email");
    let (_, list) = app.get("/api/v1/tickets", Some(&customer)).await;
    let tickets = list.as_array().expect("tickets").len();

    // A reply threads by In-Reply-To; the quoted text stays out.
    let reply = mail(
        "cliente@demo.test",
        "Re: Impresora",
        "a2@demo.test",
        "In-Reply-To: <a1@demo.test>\r\nReferences: <a1@demo.test>\r\n",
        "Ya probé reiniciarla.\r\n\r\nEl jue, 26 nov 2026, Soporte escribió:\r\n> ¿Reinició?",
    );
    let (_, replied) = deliver(&app, &reply, Some(TOKEN)).await;
    assert_eq!(replied["outcome"], "replied", "{replied}");
    assert_eq!(ticket_id(&replied), id);
    let t = ticket(&app, &customer, id).await;
    let messages = t["messages"].as_array().expect("messages");
    assert_eq!(
        messages.last().expect("reply")["body"],
        "Ya probé reiniciarla."
    );

    // Finding 4 of the attacker's walk: any mailbox at a customer's domain became a customer
    // of that organisation (and `%`/`_` in an address matched any domain). Now a new sender at
    // the domain is a contact of their own, asking to join, until staff approve.
    let number = t["number"].as_str().expect("number").to_owned();
    for (n, wildcard) in ["x@%.%", "x@dem_.test"].into_iter().enumerate() {
        let raw = mail(wildcard, "Hola", &format!("w{n}@x.test"), "", "Hola");
        let (_, out) = deliver(&app, &raw, Some(TOKEN)).await;
        if out["outcome"] == "opened" {
            let agent = app.login_as("agente@demo.test").await;
            let t = ticket(&app, &agent, ticket_id(&out)).await;
            assert_ne!(t["organization"], "Demo S.A.", "{wildcard}: {t}");
        }
    }
    let colleague = mail(
        "Luis Colega <luis@demo.test>",
        &format!("RE: [{number}] Impresora"),
        "b1@demo.test",
        "",
        "También me pasa en el segundo piso.",
    );
    let (_, own_ticket) = deliver(&app, &colleague, Some(TOKEN)).await;
    assert_eq!(own_ticket["outcome"], "opened", "{own_ticket}");
    assert_ne!(ticket_id(&own_ticket), id);
    let accounts = &app.state.services.accounts;
    let staff = accounts
        .authenticate(
            &app.login_as("agente@demo.test").await,
            app::accounts::SessionKind::Api,
        )
        .await
        .expect("agent");
    let agent = app.login_as("agente@demo.test").await;
    assert_eq!(
        ticket(&app, &agent, ticket_id(&own_ticket)).await["organization"],
        "Contacto correo: luis@demo.test"
    );
    let (_, list) = app.get("/api/v1/tickets", Some(&customer)).await;
    assert_eq!(
        list.as_array().expect("tickets").len(),
        tickets,
        "not visible to Demo S.A."
    );
    let requests = accounts.join_requests(&staff).await.expect("requests");
    let luis = requests
        .iter()
        .find(|r| r.email == "luis@demo.test")
        .expect("join request");
    assert_eq!(luis.org_name, "Demo S.A.");
    accounts
        .decide_join(&staff, luis.user_id, true)
        .await
        .expect("approved");
    assert_eq!(
        ticket(&app, &customer, ticket_id(&own_ticket)).await["organization"],
        "Demo S.A.",
        "approved: his ticket follows him"
    );
    // Now a member, his next reply threads by the subject token.
    let again = mail(
        "Luis Colega <luis@demo.test>",
        &format!("RE: [{number}] Impresora"),
        "b2@demo.test",
        "",
        "Sigue igual.",
    );
    let (_, by_token) = deliver(&app, &again, Some(TOKEN)).await;
    assert_eq!(by_token["outcome"], "replied", "{by_token}");
    assert_eq!(ticket_id(&by_token), id);
    // An organisation that lets its domain join by itself.
    let admin = accounts
        .authenticate(
            &app.login_as("admin@demo.test").await,
            app::accounts::SessionKind::Api,
        )
        .await
        .expect("admin");
    let demo = accounts
        .list_orgs(&admin)
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.name == "Demo S.A.")
        .expect("demo");
    accounts
        .set_auto_join(&admin, demo.id, true)
        .await
        .expect("auto-join on");
    let joiner = mail(
        "Marta Nueva <marta@demo.test>",
        &format!("RE: [{number}] Impresora"),
        "b3@demo.test",
        "",
        "A mí también.",
    );
    let (_, joined) = deliver(&app, &joiner, Some(TOKEN)).await;
    assert_eq!(joined["outcome"], "replied", "{joined}");
    let (_, list) = app.get("/api/v1/tickets", Some(&customer)).await;
    let tickets = list.as_array().expect("tickets").len();

    // Another organisation cannot write into that ticket by quoting its number.
    let intruder = mail(
        "Olga Otra <cliente2@otra.test>",
        &format!("Re: [{number}] Impresora"),
        "c1@otra.test",
        "",
        "Hola",
    );
    let (_, own) = deliver(&app, &intruder, Some(TOKEN)).await;
    assert_eq!(own["outcome"], "opened", "{own}");
    assert_ne!(ticket_id(&own), id);
    let olga = app.login_as("cliente2@otra.test").await;
    assert_eq!(
        ticket(&app, &olga, ticket_id(&own)).await["organization"],
        "Otra Empresa S.R.L."
    );
    let (status, _) = app.get(&format!("/api/v1/tickets/{id}"), Some(&olga)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Machines and staff addresses are ignored; nothing is created.
    for (n, (from, headers)) in [
        ("cliente@demo.test", "Auto-Submitted: auto-replied\r\n"),
        ("cliente@demo.test", "Precedence: bulk\r\n"),
        ("MAILER-DAEMON@mx.demo.test", ""),
        ("soporte@any2cloud.com", ""),
        ("agente@demo.test", ""),
    ]
    .into_iter()
    .enumerate()
    {
        let raw = mail(
            from,
            "Fuera de la oficina",
            &format!("auto{n}@demo.test"),
            headers,
            "Vuelvo el lunes.",
        );
        let (status, body) = deliver(&app, &raw, Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["outcome"], "ignored", "{from}: {body}");
    }
    let (_, list) = app.get("/api/v1/tickets", Some(&customer)).await;
    assert_eq!(list.as_array().expect("tickets").len(), tickets);

    // A stranger at a public provider gets a contact organisation of their own; HTML becomes
    // text and only accepted attachments are kept (the refused one is named).
    let raw = with_attachments(
        "Ana Nueva <ana.nueva@gmail.com>",
        "Consulta VPN",
        "d1@gmail.com",
        "No conecta la <b>VPN</b>",
    );
    let (_, stranger) = deliver(&app, &raw, Some(TOKEN)).await;
    assert_eq!(stranger["outcome"], "opened", "{stranger}");
    let agent = app.login_as("agente@demo.test").await;
    let t = ticket(&app, &agent, ticket_id(&stranger)).await;
    assert_eq!(t["organization"], "Contacto correo: ana.nueva@gmail.com");
    assert_eq!(t["plan"], "standard");
    assert_eq!(t["requester"], "Ana Nueva");
    let body = t["body"].as_str().expect("body");
    assert!(body.contains("No conecta la VPN"), "{body}");
    assert!(
        !body.contains("<script>") && !body.contains("alert"),
        "{body}"
    );
    assert!(
        body.contains("setup.exe (tipo de archivo no permitido)"),
        "{body}"
    );
    let files: Vec<&str> = t["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .filter_map(|a| a["filename"].as_str())
        .collect();
    assert_eq!(files, vec!["registro.log"]);

    app.stop().await;
}

#[tokio::test]
async fn email_webhook_sqlite() {
    webhook_scenario(Backend::Sqlite).await;
}

#[tokio::test]
async fn email_webhook_postgres() {
    webhook_scenario(Backend::Postgres).await;
}

/// The mail corpus (`tests/mail/*.eml`, written by `tests/mail/generate.py`): what each
/// charset case must read as once decoded.
const CHARSET_CORPUS: &[(&str, &str, &str, &str)] = &[
    (
        "gb2312",
        "打印机无法打印",
        "我们的打印机从今天早上开始无法打印。",
        "错误日志.txt",
    ),
    (
        "gbk",
        "服务器宕机了",
        "邮件服务器从昨天晚上开始没有响应。",
        "截图.txt",
    ),
    (
        "gb18030",
        "无法登录门户",
        "输入密码后页面一直显示错误。",
        "日志.txt",
    ),
    (
        "big5",
        "無法連線到伺服器",
        "今天早上開始無法連線到檔案伺服器。",
        "錯誤報告.txt",
    ),
    (
        "euc-kr",
        "프린터 오류",
        "오늘 아침부터 프린터가 작동하지 않습니다.",
        "오류 보고서.txt",
    ),
    (
        "iso-2022-jp",
        "プリンターが動きません",
        "今朝からプリンターが動きません。",
        "エラー.txt",
    ),
    (
        "shift_jis",
        "メールが届きません",
        "昨日からメールが届きません。確認してください。",
        "ログ.txt",
    ),
    (
        "koi8-r",
        "Не работает принтер",
        "С утра не работает принтер в бухгалтерии.",
        "журнал.txt",
    ),
    (
        "windows-1251",
        "Ошибка входа в систему",
        "После смены пароля не могу войти.",
        "ошибка.txt",
    ),
    (
        "windows-1252",
        "Contraseña bloqueada – urgente",
        "No puedo entrar desde el lunes… ¿Pueden ayudarme?",
        "captura–pantalla.txt",
    ),
    (
        "windows-1250",
        "Chyba tiskárny",
        "Tiskárna v účtárně nefunguje.",
        "chyba_tiskárny.txt",
    ),
    (
        "iso-8859-1",
        "Configuración de correo",
        "La configuración del correo en el teléfono falla.",
        "configuración.txt",
    ),
    (
        "iso-8859-2",
        "Błąd drukarki",
        "Drukarka w księgowości nie działa.",
        "błąd.txt",
    ),
    (
        "iso-8859-15",
        "Factura de 100 €",
        "La factura de 100 € no aparece en el portal.",
        "factura_€.txt",
    ),
];

fn corpus(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mail")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn deliver_bytes(app: &TestApp, raw: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/webhooks/email"))
        .header("content-type", "message/rfc822")
        .bearer_auth(TOKEN)
        .body(raw)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn attachment_names(t: &Value) -> Vec<String> {
    t["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .filter_map(|a| a["filename"].as_str().map(str::to_owned))
        .collect()
}

/// Real-world mail through the webhook: every charset mail clients still send decodes
/// (subject, body, attachment name); delivery and read reports open nothing, and a report on
/// the portal's own mail marks it bounced; a very long reply is kept, cut with a note, its
/// whole text attached; Outlook's separator line does not survive the cut of a reply.
async fn corpus_scenario(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, vec![("INBOUND_MAIL_TOKEN", TOKEN.into())]).await
    else {
        return;
    };
    let agent = app.login_as("agente@demo.test").await;
    for (charset, subject, body, attachment) in CHARSET_CORPUS {
        let (status, opened) = deliver_bytes(&app, corpus(&format!("charset-{charset}.eml"))).await;
        assert_eq!(status, StatusCode::OK, "{charset}: {opened}");
        assert_eq!(opened["outcome"], "opened", "{charset}: {opened}");
        let t = ticket(&app, &agent, ticket_id(&opened)).await;
        assert_eq!(t["subject"], *subject, "{charset}");
        let text = t["body"].as_str().unwrap_or_default();
        assert!(text.contains(body), "{charset}: {text}");
        assert_eq!(
            attachment_names(&t),
            vec![attachment.to_string()],
            "{charset}"
        );
    }

    // A sent notification, then Exchange's report that it could not be delivered.
    let db = common::Db::open(&app.db.as_ref().expect("database").url).await;
    db.execute_at(
        "INSERT INTO outbox (to_addr, subject, body, status, attempts, next_attempt_at, created_at, updated_at) \
         VALUES ('nadie@demo.test', '[T-00001] Recibimos su solicitud', 'Hola', 'sent', 1, $1, $1, $1)",
        chrono::Utc::now(),
    )
    .await;
    let sent = db
        .count(
            "SELECT id FROM outbox WHERE to_addr = $1",
            "nadie@demo.test",
        )
        .await;
    let (_, list) = app.get("/api/v1/tickets", Some(&agent)).await;
    let tickets = list.as_array().expect("tickets").len();
    let report = String::from_utf8(corpus("report-delivery.eml"))
        .expect("ascii")
        .replace("{OUTBOX_ID}", &sent.to_string());
    for raw in [report.into_bytes(), corpus("report-disposition.eml")] {
        let (status, body) = deliver_bytes(&app, raw).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["outcome"], "ignored", "{body}");
    }
    let (_, list) = app.get("/api/v1/tickets", Some(&agent)).await;
    assert_eq!(list.as_array().expect("tickets").len(), tickets);
    let bounced = "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND status = 'failed' AND last_error LIKE 'Rebotado: 5.1.1%'";
    assert_eq!(db.count(bounced, "nadie@demo.test").await, 1);

    // A reply of 25,000 characters to a ticket, above Outlook's separator and quote.
    let first = mail(
        "cliente@demo.test",
        "Correo lento",
        "long-1@demo.test",
        "",
        "El correo tarda.",
    );
    let (_, opened) = deliver(&app, &first, Some(TOKEN)).await;
    let id = ticket_id(&opened);
    let long: String = (0..500)
        .map(|n| format!("Línea {n:04} del registro del servidor de correo, sin cambios.\n"))
        .collect::<String>()
        .chars()
        .take(25_000)
        .collect();
    let reply_body = format!(
        "{long}\r\n\r\n________________________________\r\nDe: Soporte <soporte@any2cloud.com>\r\nEnviado: jueves\r\n\r\nEl correo tarda."
    );
    let reply = mail(
        "cliente@demo.test",
        "RE: Correo lento",
        "long-2@demo.test",
        "In-Reply-To: <long-1@demo.test>\r\n",
        &reply_body,
    );
    let (status, replied) = deliver(&app, &reply, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{replied}");
    assert_eq!(replied["outcome"], "replied", "{replied}");
    let t = ticket(&app, &agent, id).await;
    let last = t["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["body"].as_str())
        .unwrap_or_default()
        .to_owned();
    let tail: String = last
        .chars()
        .rev()
        .take(120)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        last.starts_with("Línea 0000"),
        "{}",
        last.chars().take(80).collect::<String>()
    );
    assert!(
        last.ends_with("adjunto como «mensaje-completo.txt».]"),
        "{tail}"
    );
    assert!(last.chars().count() <= 20_000);
    assert!(attachment_names(&t).contains(&"mensaje-completo.txt".to_owned()));

    // A short reply above Outlook's separator keeps only the new text.
    let short = mail(
        "cliente@demo.test",
        "RE: Correo lento",
        "long-3@demo.test",
        "In-Reply-To: <long-1@demo.test>\r\n",
        "Ya mejoró, gracias.\r\n\r\n________________________________\r\nDe: Soporte <soporte@any2cloud.com>\r\nEnviado: jueves",
    );
    let (_, replied) = deliver(&app, &short, Some(TOKEN)).await;
    assert_eq!(replied["outcome"], "replied", "{replied}");
    let t = ticket(&app, &agent, id).await;
    let last = t["messages"]
        .as_array()
        .and_then(|m| m.last())
        .expect("reply");
    assert_eq!(last["body"], "Ya mejoró, gracias.");
    db.close().await;
    app.stop().await;
}

#[tokio::test]
async fn mail_corpus_sqlite() {
    corpus_scenario(Backend::Sqlite).await;
}

#[tokio::test]
async fn mail_corpus_postgres() {
    corpus_scenario(Backend::Postgres).await;
}

fn required() -> bool {
    std::env::var("PORTAL_REQUIRE_MAIL").is_ok()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing listens on port {port}");
}

/// A Dovecot IMAP server of its own (config, mail and state in a temporary folder).
struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
}

const IMAP_USER: &str = "soporte";
const IMAP_PASSWORD: &str = "buzon-secreto";

impl Dovecot {
    async fn start() -> Option<Dovecot> {
        if Command::new("dovecot").arg("--version").output().is_err() {
            assert!(
                !required(),
                "PORTAL_REQUIRE_MAIL is set but dovecot is not installed"
            );
            eprintln!("skipping the IMAP test: dovecot is not installed");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        {
            use std::os::unix::fs::PermissionsExt;
            // Dovecot's mail processes run as the `dovecot` user.
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755))
                .expect("temp dir permissions");
        }
        for sub in ["run", "state", "mail", "home"] {
            std::fs::create_dir_all(root.join(sub)).expect("dovecot dirs");
        }
        let port = free_port();
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {r}/run\nstate_dir = {r}/state\n\
             instance_name = portal-test-{port}\nlog_path = {r}/dovecot.log\nssl = no\n\
             disable_plaintext_auth = no\nauth_mechanisms = plain login\nfirst_valid_uid = 1\n\
             mail_location = maildir:{r}/mail/%u\ndefault_internal_user = dovecot\n\
             default_login_user = dovenull\n\
             passdb {{\n  driver = static\n  args = password={IMAP_PASSWORD}\n}}\n\
             userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={r}/home/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service stats {{\n  unix_listener stats-reader {{\n    mode = 0666\n  }}\n  unix_listener stats-writer {{\n    mode = 0666\n  }}\n}}\n",
            r = root.display()
        );
        std::fs::write(root.join("dovecot.conf"), conf).expect("dovecot.conf");
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .status()
            .expect("start dovecot");
        assert!(status.success(), "dovecot did not start");
        wait_for_port(port).await;
        let dovecot = Dovecot { dir, port };
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(dovecot.maildir().join(sub)).expect("maildir");
        }
        open_up(&dovecot.dir.path().join("mail"));
        open_up(&dovecot.dir.path().join("home"));
        Some(dovecot)
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail").join(IMAP_USER)
    }

    /// Delivers a message the way a mail server does: a new file in the Maildir's `new/`.
    fn deliver(&self, name: &str, raw: &str) {
        let path = self.maildir().join("new").join(name);
        std::fs::write(&path, raw).expect("deliver");
        open_up(&path);
    }

    fn config(&self) -> ImapConfig {
        server::config::Config::from_lookup(|k| match k {
            "IMAP_HOST" => Some("127.0.0.1".into()),
            "IMAP_PORT" => Some(self.port.to_string()),
            "IMAP_TLS" => Some("none".into()),
            "IMAP_USERNAME" => Some(IMAP_USER.into()),
            "IMAP_PASSWORD" => Some(IMAP_PASSWORD.into()),
            _ => None,
        })
        .expect("config")
        .imap
        .expect("imap config")
    }
}

/// The mail user (not root) must be able to read and move what the test wrote.
fn open_up(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if path.is_dir() { 0o777 } else { 0o666 };
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for e in entries.flatten() {
                open_up(&e.path());
            }
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log =
                std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default();
            eprintln!("dovecot log:\n{log}");
        }
        let _ = Command::new("doveadm")
            .arg("-c")
            .arg(self.dir.path().join("dovecot.conf"))
            .arg("stop")
            .status();
    }
}

async fn imap_scenario(backend: Backend) {
    let Some(dovecot) = Dovecot::start().await else {
        return;
    };
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let intake = app.state.inbound_mail.clone();
    let config = dovecot.config();
    dovecot.deliver(
        "1.mail",
        &mail(
            "cliente@demo.test",
            "Correo desde el buzón",
            "m1@demo.test",
            "",
            "No abre el ERP.",
        ),
    );
    dovecot.deliver(
        "2.mail",
        &mail(
            "cliente@demo.test",
            "Respuesta automática",
            "m2@demo.test",
            "Auto-Submitted: auto-replied\r\n",
            "Fuera",
        ),
    );
    let polled = server::mail_imap::poll_once(&config, &intake)
        .await
        .expect("poll");
    assert_eq!((polled.handled, polled.failed), (2, 0));
    // Everything was flagged seen: the next poll finds nothing.
    let polled = server::mail_imap::poll_once(&config, &intake)
        .await
        .expect("poll");
    assert_eq!(polled.handled, 0);
    let customer = app.login_as("cliente@demo.test").await;
    let (_, list) = app.get("/api/v1/tickets", Some(&customer)).await;
    let subjects: Vec<&str> = list
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["subject"].as_str())
        .collect();
    assert_eq!(subjects, vec!["Correo desde el buzón"]);

    // A wrong password is an error the poller reports, not a crash.
    let mut wrong = config.clone();
    wrong.password = server::config::Config::from_lookup(|k| match k {
        "IMAP_HOST" => Some("h".into()),
        "IMAP_USERNAME" => Some("u".into()),
        "IMAP_PASSWORD" => Some("incorrecta".into()),
        _ => None,
    })
    .expect("config")
    .imap
    .expect("imap")
    .password;
    assert!(server::mail_imap::poll_once(&wrong, &intake).await.is_err());
    app.stop().await;
}

#[tokio::test]
async fn imap_mailbox_sqlite() {
    imap_scenario(Backend::Sqlite).await;
}

#[tokio::test]
async fn imap_mailbox_postgres() {
    imap_scenario(Backend::Postgres).await;
}

/// aiosmtpd (Python) writing what it receives into a Maildir.
struct Smtpd {
    child: Child,
    maildir: tempfile::TempDir,
}

impl Smtpd {
    async fn start(port: u16) -> Option<Smtpd> {
        let maildir = tempfile::tempdir().expect("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .spawn();
        let Ok(child) = child else {
            assert!(
                !required(),
                "PORTAL_REQUIRE_MAIL is set but python3 is missing"
            );
            return None;
        };
        let mut smtpd = Smtpd { child, maildir };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(smtpd);
            }
            if let Ok(Some(_)) = smtpd.child.try_wait() {
                assert!(
                    !required(),
                    "PORTAL_REQUIRE_MAIL is set but aiosmtpd did not start"
                );
                eprintln!("skipping the SMTP test: aiosmtpd is not installed");
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    fn received(&self) -> Vec<String> {
        let new = self.maildir.path().join("box").join("new");
        std::fs::read_dir(new)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn smtp_scenario(backend: Backend) {
    let port = free_port();
    let Some(app) = TestApp::spawn_with(
        backend,
        vec![
            ("SMTP_HOST", "127.0.0.1".into()),
            ("SMTP_PORT", port.to_string()),
            ("SMTP_TLS", "none".into()),
            ("INBOUND_MAIL_TOKEN", TOKEN.into()),
        ],
    )
    .await
    else {
        return;
    };
    // The SMTP server is down: the agent's answer waits in the outbox with the error.
    let (_, opened) = deliver(
        &app,
        &mail(
            "cliente@demo.test",
            "Sin internet",
            "s1@demo.test",
            "",
            "No hay internet en la sucursal.",
        ),
        Some(TOKEN),
    )
    .await;
    let id = ticket_id(&opened);
    let agent = app.login_as("agente@demo.test").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/tickets/{id}/replies"),
            Some(&agent),
            serde_json::json!({"body": "Estamos revisando el enlace."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let failed = wait_until(|| async {
        let row: Option<(i64, Option<String>)> = outbox_row(&app, "cliente@demo.test").await;
        row.filter(|(attempts, error)| *attempts > 0 && error.is_some())
    })
    .await;
    assert!(failed.1.is_some_and(|e| !e.is_empty()));

    // It comes back: the retry delivers the same mail, with the ticket token in the subject.
    let Some(smtpd) = Smtpd::start(port).await else {
        app.stop().await;
        return;
    };
    retry_now(&app).await;
    let delivered = wait_until(|| async {
        smtpd
            .received()
            .into_iter()
            .find(|m| m.contains("Estamos revisando el enlace."))
    })
    .await;
    let number = ticket(&app, &agent, id).await["number"]
        .as_str()
        .expect("number")
        .to_owned();
    assert!(delivered.contains(&format!("[{number}]")), "{delivered}");
    assert!(
        delivered.contains("To: cliente@demo.test")
            || delivered.contains("To: <cliente@demo.test>"),
        "{delivered}"
    );

    // Finding 10 of the attacker's walk: usable reset links stayed in the outbox (and the
    // admin's outbox page) after delivery. The mail carries the link; the kept copy does not.
    app.state
        .services
        .accounts
        .request_password_reset("cliente2@otra.test")
        .await
        .expect("reset requested");
    app.state.services.accounts.settle_reset_requests().await;
    let sent = wait_until(|| async {
        smtpd
            .received()
            .into_iter()
            .find(|m| m.contains("cliente2@otra.test"))
    })
    .await;
    assert!(!sent.contains("oculto"), "the mail itself carries the link");
    let kept = wait_until(|| async {
        let admin = app
            .state
            .services
            .accounts
            .authenticate(
                &app.login_as("admin@demo.test").await,
                app::accounts::SessionKind::Api,
            )
            .await
            .ok()?;
        app.state
            .services
            .accounts
            .outbox(&admin)
            .await
            .ok()?
            .into_iter()
            .find(|m| m.to == "cliente2@otra.test" && m.status == app::accounts::MailStatus::Sent)
    })
    .await;
    assert!(kept.body.contains("token=[oculto]"), "{}", kept.body);

    // The customer answers that mail from their mail program: the reply lands in the ticket.
    let answer = mail(
        "cliente@demo.test",
        &format!("Re: [{number}] Sin internet"),
        "s2@demo.test",
        "",
        "Gracias, ya volvió.",
    );
    let (_, replied) = deliver(&app, &answer, Some(TOKEN)).await;
    assert_eq!(replied["outcome"], "replied", "{replied}");
    assert_eq!(ticket_id(&replied), id);
    app.stop().await;
}

async fn wait_until<T, F, Fut>(mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(v) = probe().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting");
}

async fn outbox_row(app: &TestApp, to: &str) -> Option<(i64, Option<String>)> {
    let sql = "SELECT CAST(attempts AS BIGINT), last_error FROM outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1";
    match &app.state.db {
        server::storage::Db::Sqlite(pool) => sqlx::query_as(sql)
            .bind(to)
            .fetch_optional(pool)
            .await
            .ok()
            .flatten(),
        server::storage::Db::Postgres(pool) => sqlx::query_as(sql)
            .bind(to)
            .fetch_optional(pool)
            .await
            .ok()
            .flatten(),
    }
}

/// Time passes: every pending mail is due now (the backoff would wait a minute).
async fn retry_now(app: &TestApp) {
    let sql = "UPDATE outbox SET next_attempt_at = $1 WHERE status = 'pending'";
    let now = chrono::Utc::now();
    match &app.state.db {
        server::storage::Db::Sqlite(pool) => {
            sqlx::query(sql).bind(now).execute(pool).await.map(|_| ())
        }
        server::storage::Db::Postgres(pool) => {
            sqlx::query(sql).bind(now).execute(pool).await.map(|_| ())
        }
    }
    .expect("retry now");
}

#[tokio::test]
async fn smtp_outbox_sqlite() {
    smtp_scenario(Backend::Sqlite).await;
}

#[tokio::test]
async fn smtp_outbox_postgres() {
    smtp_scenario(Backend::Postgres).await;
}
