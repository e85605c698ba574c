//! Demo content: categories and articles written as markdown files with a small front matter
//! (`key: value` lines between `---`). Loading is idempotent: existing slugs are left alone.

use super::service::Kb;
use super::store::ArticleWrite;
use super::{text, ArticleLang, ArticleStatus, Visibility};
use crate::error::AppError;
use std::collections::HashMap;

/// One article file, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedArticle {
    pub key: String,
    pub title: String,
    pub category: String,
    pub lang: ArticleLang,
    pub visibility: Visibility,
    pub tags: Vec<String>,
    pub summary: String,
    pub translation: Option<String>,
    pub body_md: String,
}

/// Parses `NN-key.md` content; `Err` names what is missing.
pub fn parse_article(file_name: &str, content: &str) -> Result<SeedArticle, String> {
    let key = file_name
        .trim_end_matches(".md")
        .split_once('-')
        .map(|(_, k)| k.to_owned())
        .ok_or_else(|| format!("{file_name}: name must be NN-key.md"))?;
    let rest = content
        .strip_prefix("---\n")
        .ok_or_else(|| format!("{file_name}: no front matter"))?;
    let (front, body) = rest
        .split_once("\n---\n")
        .ok_or_else(|| format!("{file_name}: front matter not closed"))?;
    let fields: HashMap<&str, &str> = front
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.to_string())
            .ok_or_else(|| format!("{file_name}: missing {k}"))
    };
    Ok(SeedArticle {
        key,
        title: get("title")?,
        category: get("category")?,
        lang: get("lang")?
            .parse()
            .map_err(|_| format!("{file_name}: bad lang"))?,
        visibility: get("visibility")?
            .parse()
            .map_err(|_| format!("{file_name}: bad visibility"))?,
        tags: text::parse_tags(&get("tags").unwrap_or_default()),
        summary: get("summary").unwrap_or_default(),
        translation: fields
            .get("translation")
            .filter(|t| !t.is_empty())
            .map(|t| t.to_string()),
        body_md: body.trim().to_owned(),
    })
}

impl Kb {
    /// Loads demo categories (`slug|Nombre|Name` lines) and articles, published by `author_id`.
    pub async fn seed_demo(
        &self,
        author_id: i64,
        categories: &str,
        files: &[(&str, &str)],
    ) -> Result<usize, AppError> {
        let now = self.clock.now();
        let existing = self.store.all_categories().await?;
        for line in categories.lines().filter(|l| !l.trim().is_empty()) {
            let mut parts = line.split('|').map(str::trim);
            let (Some(slug), Some(es), Some(en)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(crate::kernel::internal(format!(
                    "bad category line {line:?}"
                )));
            };
            if !existing.iter().any(|c| c.slug == slug) {
                self.store.create_category(slug, es, en, now).await?;
            }
        }
        let categories = self.store.all_categories().await?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        let mut created = 0;
        for (name, content) in files {
            let a = parse_article(name, content).map_err(crate::kernel::internal)?;
            let slug = text::slugify(&a.title);
            if let Some(existing) = self.store.article_by_slug(&slug).await? {
                ids.insert(a.key.clone(), existing.summary.id);
                continue;
            }
            let category = categories
                .iter()
                .find(|c| c.slug == a.category)
                .ok_or_else(|| crate::kernel::internal(format!("{name}: unknown category")))?;
            let write = ArticleWrite {
                slug,
                category_id: category.id,
                lang: a.lang,
                body_text: crate::markdown::plain_text(&a.body_md),
                title: a.title,
                summary: a.summary,
                body_md: a.body_md,
                tags: a.tags,
                status: ArticleStatus::Published,
                visibility: a.visibility,
                publish_at: Some(now),
                translation_id: a.translation.as_ref().and_then(|t| ids.get(t).copied()),
                author_id,
                now,
            };
            let id = self.store.create_article(&write).await?;
            ids.insert(a.key, id);
            created += 1;
        }
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter() {
        let a = parse_article(
            "01-hola.md",
            "---\ntitle: Hola: mundo\ncategory: c\nlang: es\nvisibility: customers\ntags: a, B\nsummary: s\n---\n## Cuerpo\n",
        )
        .expect("parses");
        assert_eq!(a.key, "hola");
        assert_eq!(a.title, "Hola: mundo");
        assert_eq!(a.visibility, Visibility::Customers);
        assert_eq!(a.tags, vec!["a", "b"]);
        assert_eq!(a.translation, None);
        assert_eq!(a.body_md, "## Cuerpo");
        assert!(parse_article("x.md", "no").is_err());
    }
}
