//! Markdown to safe HTML: pulldown-cmark renders, ammonia removes scripts, event handlers and
//! `javascript:` URLs. Used for everything people write (tickets, replies, later articles).

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

/// Prefix ammonia puts on every `id` that survives sanitizing, so article headings can never
/// clobber the page's own element ids.
pub const ID_PREFIX: &str = "kb-";

pub fn render(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, OPTIONS));
    sanitize(&unsafe_html, false)
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
    let mut events: Vec<Event> = Parser::new_ext(markdown, OPTIONS).collect();
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
