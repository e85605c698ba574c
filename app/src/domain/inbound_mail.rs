//! Rules for email that reaches the support mailbox: which messages are automatic (and must
//! never open or feed a ticket: vacation replies, bounces, mailing lists, our own mail coming
//! back), which ticket a reply belongs to, what of a reply is new text, and which senders'
//! domains say nothing about their organisation.

/// Why a message is left alone, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// `Auto-Submitted` other than `no` (RFC 3834).
    AutoSubmitted,
    /// `Precedence: bulk | junk | list | auto_reply`.
    Precedence,
    /// Vendor headers of out-of-office responders (`X-Autoreply`, `X-Autorespond`, …).
    Autoresponder,
    /// A bounce: empty return path or a mailer daemon.
    Bounce,
    /// Sent by the portal itself: answering it would loop.
    OwnAddress,
    /// A delivery status notification (`multipart/report; report-type=delivery-status`,
    /// RFC 3464): a non-delivery report or a delay warning.
    DeliveryReport,
    /// A message disposition notification (`report-type=disposition-notification`, RFC 8098):
    /// a read receipt.
    ReadReceipt,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `Some(reason)` when the message was written by a machine and gets no ticket or reply.
pub fn automatic(headers: &[(String, String)], from: &str, own: &[&str]) -> Option<Automatic> {
    if let Some(report) = header(headers, "Content-Type").and_then(report_kind) {
        return Some(report);
    }
    if header(headers, "Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no")) {
        return Some(Automatic::AutoSubmitted);
    }
    if header(headers, "Precedence").is_some_and(|v| {
        ["bulk", "junk", "list", "auto_reply"]
            .iter()
            .any(|p| v.eq_ignore_ascii_case(p))
    }) {
        return Some(Automatic::Precedence);
    }
    if ["X-Autoreply", "X-Autorespond", "X-Auto-Reply-From"]
        .iter()
        .any(|h| header(headers, h).is_some())
        || header(headers, "X-Auto-Response-Suppress")
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("all")))
    {
        return Some(Automatic::Autoresponder);
    }
    let from = from.trim().to_ascii_lowercase();
    let local = from.split('@').next().unwrap_or_default();
    if header(headers, "Return-Path").is_some_and(|v| v == "<>")
        || matches!(local, "mailer-daemon" | "postmaster")
    {
        return Some(Automatic::Bounce);
    }
    if own.iter().any(|o| o.eq_ignore_ascii_case(&from)) {
        return Some(Automatic::OwnAddress);
    }
    None
}

/// What a `multipart/report` content type announces (RFC 6522), by its `report-type`.
fn report_kind(content_type: &str) -> Option<Automatic> {
    let lower = content_type.to_ascii_lowercase();
    let mut parts = lower.split(';').map(str::trim);
    if parts.next()? != "multipart/report" {
        return None;
    }
    let report_type = parts
        .filter_map(|p| p.split_once('='))
        .find(|(name, _)| name.trim() == "report-type")
        .map(|(_, value)| value.trim().trim_matches('"'))
        .unwrap_or_default();
    Some(match report_type {
        "disposition-notification" => Automatic::ReadReceipt,
        // delivery-status, and any other report a machine wrote
        _ => Automatic::DeliveryReport,
    })
}

/// A delivery report's facts about the portal's own mail it concerns: the outbox ids named in
/// the returned headers (`Message-ID: <outbox-42@…>`), the failed recipients and the status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BounceFacts {
    pub outbox_ids: Vec<i64>,
    pub recipients: Vec<String>,
    /// `Status:` and `Diagnostic-Code:` as reported, for the outbox.
    pub reason: String,
}

/// Reads a delivery report's text (its parts as text, in any order).
pub fn bounce_facts(report: &str) -> BounceFacts {
    let mut facts = BounceFacts::default();
    let mut rest = report;
    while let Some(at) = rest.find("<outbox-") {
        rest = &rest[at + "<outbox-".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let (Ok(id), true) = (digits.parse::<i64>(), rest[digits.len()..].starts_with('@')) {
            if !facts.outbox_ids.contains(&id) {
                facts.outbox_ids.push(id);
            }
        }
    }
    let mut reason = Vec::new();
    for line in report.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" | "original-recipient" => {
                let address = value.rsplit(';').next().unwrap_or(value).trim();
                let address = address.trim_matches(['<', '>']).to_lowercase();
                if address.contains('@') && !facts.recipients.contains(&address) {
                    facts.recipients.push(address);
                }
            }
            "status" | "diagnostic-code" if !value.is_empty() => {
                reason.push(value.chars().take(200).collect::<String>());
            }
            _ => {}
        }
    }
    facts.reason = reason.join(" · ");
    facts
}

/// The ticket id in a subject such as `Re: [T-00012] Impresora` (the portal's own subjects).
pub fn ticket_reference(subject: &str) -> Option<i64> {
    let start = subject.find("[T-")? + 3;
    let rest = &subject[start..];
    let end = rest.find(']')?;
    let digits = &rest[..end];
    if digits.is_empty() || digits.len() > 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

/// The new part of a reply: the text above the quoted message ("El … escribió:",
/// "On … wrote:", "-----Original Message-----", Outlook's "De:" block, or `>` lines).
pub fn new_text(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let quote_intro = (lower.starts_with("el ") && lower.ends_with("escribió:"))
            || (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || lower.starts_with("-----original message-----")
            || lower.starts_with("-----mensaje original-----")
            || lower.starts_with("de: ")
            || lower.starts_with("from: ");
        if quote_intro || t.starts_with('>') {
            break;
        }
        kept.push(line);
    }
    // Outlook puts a line of underscores above its "De:" block.
    while kept.last().is_some_and(|l| {
        let t = l.trim();
        t.is_empty() || (t.chars().count() >= 10 && t.chars().all(|c| c == '_'))
    }) {
        kept.pop();
    }
    let text = kept.join("\n");
    let text = text.trim();
    if text.is_empty() {
        body.trim().to_owned()
    } else {
        text.to_owned()
    }
}

/// Free mail providers: a sender's domain there says nothing about their organisation.
pub fn is_public_domain(domain: &str) -> bool {
    const PUBLIC: &[&str] = &[
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.es",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "yandex.com",
        "zoho.com",
        "ice.co.cr",
        "racsa.co.cr",
    ];
    PUBLIC.iter().any(|d| d.eq_ignore_ascii_case(domain.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn machines_are_recognised() {
        let own = ["soporte@any2cloud.com"];
        let person = "ana@empresa.cr";
        assert_eq!(automatic(&h(&[]), person, &own), None);
        assert_eq!(
            automatic(&h(&[("Auto-Submitted", "no")]), person, &own),
            None
        );
        assert_eq!(
            automatic(&h(&[("auto-submitted", "auto-replied")]), person, &own),
            Some(Automatic::AutoSubmitted)
        );
        assert_eq!(
            automatic(&h(&[("Precedence", "bulk")]), person, &own),
            Some(Automatic::Precedence)
        );
        assert_eq!(
            automatic(&h(&[("Precedence", "first-class")]), person, &own),
            None
        );
        assert_eq!(
            automatic(&h(&[("X-Autoreply", "yes")]), person, &own),
            Some(Automatic::Autoresponder)
        );
        assert_eq!(
            automatic(&h(&[("X-Auto-Response-Suppress", "DR, All")]), person, &own),
            Some(Automatic::Autoresponder)
        );
        assert_eq!(
            automatic(&h(&[("Return-Path", "<>")]), person, &own),
            Some(Automatic::Bounce)
        );
        assert_eq!(
            automatic(&h(&[]), "MAILER-DAEMON@mx.empresa.cr", &own),
            Some(Automatic::Bounce)
        );
        assert_eq!(
            automatic(&h(&[]), "Soporte@Any2cloud.com", &own),
            Some(Automatic::OwnAddress)
        );
    }

    #[test]
    fn ticket_references_come_from_the_portal_subjects() {
        assert_eq!(ticket_reference("Re: [T-00012] Impresora"), Some(12));
        assert_eq!(ticket_reference("RV: RE: [T-01234] x"), Some(1234));
        assert_eq!(ticket_reference("T-00012 sin corchetes"), None);
        assert_eq!(ticket_reference("[T-] vacío"), None);
        assert_eq!(ticket_reference("[T-12a] raro"), None);
        assert_eq!(ticket_reference("[T-00000] cero"), None);
        assert_eq!(ticket_reference("Consulta"), None);
    }

    #[test]
    fn quoted_text_is_cut() {
        let es = "Ya funciona, gracias.\n\nEl jue, 26 nov 2026 a las 10:00, Soporte escribió:\n> ¿Reinició?";
        assert_eq!(new_text(es), "Ya funciona, gracias.");
        let en = "Still broken\nOn Thu, Nov 26, 2026 at 10:00 AM Support wrote:\n> text";
        assert_eq!(new_text(en), "Still broken");
        let outlook = "Listo\r\n\r\n-----Original Message-----\r\nFrom: x";
        assert_eq!(new_text(outlook), "Listo");
        assert_eq!(new_text("> only a quote"), "> only a quote");
        assert_eq!(new_text("Hola\n> cita\nMás"), "Hola");
        let separator = "Revisado, gracias.\r\n\r\n________________________________\r\nDe: Soporte <soporte@any2cloud.com>\r\nEnviado: jueves";
        assert_eq!(new_text(separator), "Revisado, gracias.");
        assert_eq!(new_text("Firma\n__ nota __\nDe: x"), "Firma\n__ nota __");
    }

    #[test]
    fn reports_are_automatic_mail() {
        let person = "ana@empresa.cr";
        let ct = |v: &str| h(&[("Content-Type", v)]);
        assert_eq!(
            automatic(
                &ct("multipart/report; report-type=delivery-status; boundary=\"x\""),
                person,
                &[]
            ),
            Some(Automatic::DeliveryReport)
        );
        assert_eq!(
            automatic(
                &ct("Multipart/Report; boundary=x;\r\n\treport-type=\"disposition-notification\""),
                person,
                &[]
            ),
            Some(Automatic::ReadReceipt)
        );
        assert_eq!(
            automatic(&ct("multipart/mixed; boundary=x"), person, &[]),
            None
        );
    }

    #[test]
    fn bounce_facts_name_the_portal_mail_and_the_recipient() {
        let report = "Reporting-MTA: dns;mail.demo.test\r\n\r\nFinal-recipient: RFC822; Nadie@Demo.test\r\n\
                      Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n\
                      Message-ID: <outbox-42@portal.any2cloud.com>\r\nIn-Reply-To: <outbox-x@evil>\r\n";
        let facts = bounce_facts(report);
        assert_eq!(facts.outbox_ids, vec![42]);
        assert_eq!(facts.recipients, vec!["nadie@demo.test".to_owned()]);
        assert_eq!(facts.reason, "5.1.1 · smtp; 550 5.1.1 User unknown");
        assert_eq!(bounce_facts("nothing here"), BounceFacts::default());
    }

    #[test]
    fn public_domains() {
        assert!(is_public_domain("gmail.com"));
        assert!(is_public_domain("Hotmail.com"));
        assert!(!is_public_domain("any2cloud.com"));
    }
}
