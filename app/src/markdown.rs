//! Markdown to safe HTML: pulldown-cmark renders, ammonia removes scripts, event handlers and
//! `javascript:` URLs. Used for everything people write (tickets, replies, later articles).

use pulldown_cmark::{html, Options, Parser};

pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

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
