//! Markdown to safe HTML: pulldown-cmark renders, ammonia removes scripts, event handlers and
//! `javascript:` URLs. Used for everything people write (tickets, replies, later articles).

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

/// Prefix ammonia puts on every `id` that survives sanitizing, so article headings can never
/// clobber the page's own element ids.
pub const ID_PREFIX: &str = "kb-";

/// The most containers (block quotes, list items) one line may open. Deeper nesting is never
/// needed in a ticket or an article, and rendering it costs more than linear time (a
/// 20,000-character line of `>` took a second of CPU): the markers beyond it are dropped.
pub const MAX_NESTING: usize = 8;

/// `markdown` with every line's run of container markers (`>`, `-`, `*`, `+`, `1.`, `1)`)
/// cut to [`MAX_NESTING`]; the text itself is kept.
pub fn bound_nesting(markdown: &str) -> std::borrow::Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut start = 0;
    for line in markdown.split_inclusive('\n') {
        match (excess_markers(line), out.as_mut()) {
            (None, None) => {}
            (None, Some(o)) => o.push_str(line),
            (Some((from, to)), _) => {
                let o = out.get_or_insert_with(|| markdown[..start].to_owned());
                o.push_str(&line[..from]);
                o.push_str(&line[to..]);
            }
        }
        start += line.len();
    }
    match out {
        Some(o) => std::borrow::Cow::Owned(o),
        None => std::borrow::Cow::Borrowed(markdown),
    }
}

/// The byte range of a line's container markers beyond the first [`MAX_NESTING`], if any.
fn excess_markers(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let (mut i, mut markers, mut cut_from) = (0, 0, None);
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let len = match bytes.get(i) {
            Some(b'>') => 1,
            Some(b'-' | b'*' | b'+') if matches!(bytes.get(i + 1), Some(b' ' | b'\t')) => 1,
            Some(b'0'..=b'9') => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                match (bytes.get(i + digits), bytes.get(i + digits + 1)) {
                    (Some(b'.' | b')'), Some(b' ' | b'\t')) if digits <= 9 => digits + 1,
                    _ => 0,
                }
            }
            _ => 0,
        };
        if len == 0 {
            break;
        }
        markers += 1;
        if markers == MAX_NESTING + 1 {
            cut_from = Some(i);
        }
        i += len;
    }
    cut_from.map(|from| (from, i))
}

pub fn render(markdown: &str) -> String {
    let markdown = bound_nesting(markdown);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(&markdown, OPTIONS));
    sanitize(&unsafe_html, false)
}

/// [`render`] for texts shown again and again (ticket bodies and replies): each text is
/// rendered once per process and then served from a bounded cache keyed by its digest.
#[cfg(feature = "ssr")]
pub fn render_cached(markdown: &str) -> std::sync::Arc<str> {
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    /// Rendered bytes kept at most; the cache starts over when they are exceeded.
    const MAX_CACHED_BYTES: usize = 32 * 1024 * 1024;
    type Cache = (HashMap<[u8; 32], Arc<str>>, usize);
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new((HashMap::new(), 0)));
    let key: [u8; 32] = Sha256::digest(markdown.as_bytes()).into();
    if let Some(hit) = cache.lock().ok().and_then(|c| c.0.get(&key).cloned()) {
        return hit;
    }
    let html: Arc<str> = Arc::from(render(markdown));
    if let Ok(mut c) = cache.lock() {
        if c.1 + html.len() > MAX_CACHED_BYTES {
            c.0.clear();
            c.1 = 0;
        }
        c.1 += html.len();
        c.0.insert(key, html.clone());
    }
    html
}

fn sanitize(unsafe_html: &str, heading_ids: bool) -> String {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("noopener noreferrer nofollow"));
    if heading_ids {
        builder
            .add_tag_attributes("h2", &["id"])
            .add_tag_attributes("h3", &["id"])
            .id_prefix(Some(ID_PREFIX));
    }
    builder.clean(unsafe_html).to_string()
}

/// A heading of an article, for its table of contents (`id` already carries [`ID_PREFIX`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// An article: sanitized HTML whose `##`/`###` headings carry ids, and those headings.
pub fn render_article(markdown: &str) -> (String, Vec<Heading>) {
    let markdown = bound_nesting(markdown);
    let mut events: Vec<Event> = Parser::new_ext(&markdown, OPTIONS).collect();
    let mut headings = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[i] {
            let level = *level;
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                let base = crate::kb::text::slugify(&text);
                let base = if base.is_empty() {
                    "seccion".to_owned()
                } else {
                    base
                };
                let mut id = base.clone();
                let mut n = 2;
                while !used.insert(id.clone()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                    *slot = Some(CowStr::from(id.clone()));
                }
                headings.push(Heading {
                    level: if level == HeadingLevel::H2 { 2 } else { 3 },
                    id: format!("{ID_PREFIX}{id}"),
                    text: text.trim().to_owned(),
                });
            }
            i = j;
        }
        i += 1;
    }
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    (sanitize(&unsafe_html, true), headings)
}

/// The words of a markdown text without its syntax (for search, snippets and descriptions).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, OPTIONS) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn nesting_is_bounded_before_rendering() {
        // A 20,000-character body of nested quotes: 20,000 block quotes before the bound.
        let quotes = format!("{} hola", ">".repeat(20_000));
        let html = render(&quotes);
        assert_eq!(
            html.matches("<blockquote>").count(),
            super::MAX_NESTING,
            "{}",
            &html[..200]
        );
        assert!(html.contains("hola"));
        let lists = format!("{}fin", "- ".repeat(5_000));
        assert!(render(&lists).matches("<ul>").count() <= super::MAX_NESTING);
        let mixed = format!("{}x", "> 1. ".repeat(3_000));
        let html = render(&mixed);
        assert!(
            html.matches("<blockquote>").count() + html.matches("<ol>").count()
                <= super::MAX_NESTING
        );
        // Ordinary nesting is left alone.
        let normal = "> cita\n> > respuesta\n\n- uno\n  - dos\n";
        assert_eq!(super::bound_nesting(normal), normal);
        let (article, _) = super::render_article(&quotes);
        assert_eq!(article.matches("<blockquote>").count(), super::MAX_NESTING);
    }

    #[test]
    fn article_headings_get_safe_unique_ids() {
        let (html, toc) = super::render_article(
            "# T\n\n## Configuración\n\ntext\n\n### Paso `1`\n\n## Configuración\n\n<h2 id=\"hydrated\">x</h2>",
        );
        assert_eq!(toc.len(), 3);
        assert_eq!(toc[0].id, "kb-configuracion");
        assert_eq!(toc[1].text, "Paso 1");
        assert_eq!(toc[2].id, "kb-configuracion-2");
        assert!(html.contains("id=\"kb-configuracion\""), "{html}");
        assert!(html.contains("id=\"kb-hydrated\""), "{html}");
    }

    #[test]
    fn plain_text_drops_syntax() {
        let text = super::plain_text("## Título\n\n**Negrita** y `código`.\n\n- uno\n- dos");
        assert_eq!(text, "Título\nNegrita y código.\nuno\ndos\n");
    }

    #[test]
    fn renders_markdown() {
        assert_eq!(render("**hola**").trim(), "<p><strong>hola</strong></p>");
    }

    #[test]
    fn strips_scripts_handlers_and_javascript_urls() {
        let html = render("<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        let link = render("[x](javascript:alert(1)) and [ok](https://any2cloud.com)");
        assert!(!link.contains("javascript:"), "{link}");
        assert!(link.contains("href=\"https://any2cloud.com\""), "{link}");
    }
}
