//! Knowledge-base use cases for readers: browsing, articles, search, suggestions on the ticket
//! form, feedback. Editor use cases live in [`super::editing`].

use super::store::{ArticleRecord, KbStore, ListOrder, Readable};
use super::text::{self, Query};
use super::{
    ArticleLang, ArticleLookup, ArticleStatus, ArticleView, Audience, CategoryPage, FeedbackState,
    KbStart, SearchHit, Suggestion, TocEntry, TranslationLink, Visibility,
};
use crate::accounts::service::Principal;
use crate::domain::Role;
use crate::error::{AppError, ErrorCode};
use crate::files::BlobStore;
use crate::kernel::internal;
use crate::kernel::Clock;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Longest query used; the rest is ignored.
const MAX_QUERY_CHARS: usize = 200;
const MAX_COMMENT_CHARS: usize = 2_000;
/// Anonymous answers to "was this useful?" from one client address: per article a day, and in
/// all an hour.
pub const MAX_FEEDBACK_PER_CLIENT_ARTICLE: i64 = 3;
pub const MAX_FEEDBACK_PER_CLIENT_HOUR: i64 = 20;
/// Candidates fetched per language before ranking.
const CANDIDATES: i64 = 50;

#[derive(Clone)]
pub struct Kb {
    pub(super) store: Arc<dyn KbStore>,
    pub(super) blobs: Arc<dyn BlobStore>,
    pub(super) public_url: String,
    views: Arc<Mutex<HashMap<i64, i64>>>,
    pub(super) clock: Clock,
}

pub fn audience(principal: Option<&Principal>) -> Audience {
    match principal.map(|p| p.role()) {
        None => Audience::Anonymous,
        Some(Role::Customer) => Audience::Customer,
        Some(_) => Audience::Staff,
    }
}

pub(super) fn is_editor(principal: Option<&Principal>) -> bool {
    matches!(
        principal.map(|p| p.role()),
        Some(Role::Editor | Role::Admin)
    )
}

fn readable(principal: Option<&Principal>, now: DateTime<Utc>) -> Readable {
    Readable {
        visibilities: audience(principal).visibilities(),
        now,
    }
}

/// The visitor key feedback is recorded under: the user, or an anonymous cookie value.
pub fn visitor_key(principal: Option<&Principal>, cookie: Option<&str>) -> Option<String> {
    match (principal, cookie) {
        (Some(p), _) => Some(format!("u:{}", p.user.id)),
        (None, Some(c)) if c.len() == 32 && c.chars().all(|c| c.is_ascii_hexdigit()) => {
            Some(format!("a:{c}"))
        }
        _ => None,
    }
}

impl Kb {
    pub fn new(
        store: Arc<dyn KbStore>,
        blobs: Arc<dyn BlobStore>,
        public_url: String,
        clock: Clock,
    ) -> Self {
        Kb {
            clock,
            store,
            blobs,
            public_url: public_url.trim_end_matches('/').to_owned(),
            views: Arc::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn KbStore> {
        &self.store
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub async fn home(
        &self,
        principal: Option<&Principal>,
        reader: ArticleLang,
    ) -> Result<KbStart, AppError> {
        let readable = readable(principal, self.clock.now());
        let categories = self.store.categories(&readable).await?;
        let prefer = Some(reader);
        let most_read = self
            .store
            .list(&readable, None, prefer, ListOrder::MostRead, 6)
            .await?;
        let recent = self
            .store
            .list(&readable, None, prefer, ListOrder::Recent, 6)
            .await?;
        Ok(KbStart {
            categories: categories
                .into_iter()
                .filter(|c| c.article_count > 0)
                .collect(),
            most_read,
            recent,
        })
    }

    pub async fn category(
        &self,
        principal: Option<&Principal>,
        slug: &str,
        reader: ArticleLang,
    ) -> Result<CategoryPage, AppError> {
        let readable = readable(principal, self.clock.now());
        let category = self
            .store
            .categories(&readable)
            .await?
            .into_iter()
            .find(|c| c.slug == slug)
            .ok_or(ErrorCode::NotFound)?;
        let articles = self
            .store
            .list(
                &readable,
                Some(category.id),
                Some(reader),
                ListOrder::Title,
                500,
            )
            .await?;
        Ok(CategoryPage { category, articles })
    }

    /// Whether this reader may open the article now; anonymous readers of a customers-only
    /// article are asked to sign in, anything else they may not see does not exist for them.
    fn check_readable(
        &self,
        principal: Option<&Principal>,
        article: &ArticleRecord,
    ) -> Result<(), AppError> {
        if is_editor(principal) {
            return Ok(());
        }
        let s = &article.summary;
        let live = s.status == ArticleStatus::Published
            && s.publish_at.is_none_or(|at| at <= self.clock.now());
        let audience = audience(principal);
        if !live {
            return Err(ErrorCode::NotFound.into());
        }
        if audience.can_read(s.visibility) {
            Ok(())
        } else if s.visibility == Visibility::Customers {
            Err(ErrorCode::Unauthenticated.into())
        } else {
            Err(ErrorCode::NotFound.into())
        }
    }

    /// An article by id, if this reader may open it (errors as [`Kb::check_readable`]).
    async fn readable_article(
        &self,
        principal: Option<&Principal>,
        id: i64,
    ) -> Result<ArticleRecord, AppError> {
        let article = self
            .store
            .article_by_id(id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        self.check_readable(principal, &article)?;
        Ok(article)
    }

    /// An article by slug for a reader; old slugs and wrong categories answer `Moved`.
    pub async fn article(
        &self,
        principal: Option<&Principal>,
        category: Option<&str>,
        slug: &str,
    ) -> Result<ArticleLookup, AppError> {
        let record = match self.store.article_by_slug(slug).await? {
            Some(r) => r,
            None => {
                let id = self
                    .store
                    .redirect(slug)
                    .await?
                    .ok_or(ErrorCode::NotFound)?;
                let moved = self.readable_article(principal, id).await?;
                return Ok(ArticleLookup::Moved(moved.summary.path()));
            }
        };
        self.check_readable(principal, &record)?;
        if category.is_some_and(|c| c != record.summary.category_slug) {
            return Ok(ArticleLookup::Moved(record.summary.path()));
        }
        self.count_view(record.summary.id);
        Ok(ArticleLookup::Found(Box::new(
            self.view(principal, record).await?,
        )))
    }

    async fn view(
        &self,
        principal: Option<&Principal>,
        record: ArticleRecord,
    ) -> Result<ArticleView, AppError> {
        let readable = readable(principal, self.clock.now());
        let (body_html, headings) = crate::markdown::render_article(&record.body_md);
        let translation = match record.translation_id {
            Some(id) => self
                .store
                .article_by_id(id)
                .await?
                .filter(|t| self.check_readable(principal, t).is_ok())
                .map(|t| TranslationLink {
                    lang: t.summary.lang,
                    path: t.summary.path(),
                    title: t.summary.title,
                }),
            None => None,
        };
        let related = self.store.related(&record, &readable, 5).await?;
        let description = if record.summary.summary.is_empty() {
            text::excerpt(&record.body_text.replace('\n', " "), 160)
        } else {
            record.summary.summary.clone()
        };
        Ok(ArticleView {
            canonical_url: format!("{}{}", self.public_url, record.summary.path()),
            description,
            toc: if headings.len() >= 3 {
                headings
                    .into_iter()
                    .map(|h| TocEntry {
                        level: h.level,
                        id: h.id,
                        text: h.text,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            body_html,
            tags: record.tags,
            translation,
            related,
            article: record.summary,
        })
    }

    /// Counts a page view (kept in memory, written by [`Kb::flush_views`]).
    pub fn count_view(&self, article_id: i64) {
        if let Ok(mut views) = self.views.lock() {
            *views.entry(article_id).or_default() += 1;
        }
    }

    /// Writes the page views counted since the last flush (called by a periodic job).
    pub async fn flush_views(&self) -> Result<usize, AppError> {
        let counts: Vec<(i64, i64)> = match self.views.lock() {
            Ok(mut views) => views.drain().collect(),
            Err(_) => return Ok(0),
        };
        if counts.is_empty() {
            return Ok(0);
        }
        if let Err(e) = self.store.add_views(&counts).await {
            // Keep them for the next flush rather than losing them.
            if let Ok(mut views) = self.views.lock() {
                for (id, n) in counts {
                    *views.entry(id).or_default() += n;
                }
            }
            return Err(e.into());
        }
        Ok(counts.len())
    }

    /// Rebuilds the search index when the word rules changed since it was built (at start,
    /// before anyone searches); a no-op otherwise.
    pub async fn ensure_search_index(&self) -> Result<(), AppError> {
        let built = self.store.search_rules_version().await?;
        if built != super::text::SEARCH_RULES_VERSION {
            let n = self
                .store
                .reindex_search(super::text::SEARCH_RULES_VERSION)
                .await?;
            tracing::info!(
                articles = n,
                from = built,
                to = super::text::SEARCH_RULES_VERSION,
                "knowledge-base search index rebuilt"
            );
        }
        Ok(())
    }

    /// Full-text search. `only` restricts to one language; otherwise both languages are
    /// searched and the reader's language comes first. Title matches rank above body matches.
    pub async fn search(
        &self,
        principal: Option<&Principal>,
        raw: &str,
        only: Option<ArticleLang>,
        reader: ArticleLang,
        limit: usize,
    ) -> Result<Vec<SearchHit>, AppError> {
        self.find(principal, raw, only, reader, limit, false).await
    }

    async fn find(
        &self,
        principal: Option<&Principal>,
        raw: &str,
        only: Option<ArticleLang>,
        reader: ArticleLang,
        limit: usize,
        any: bool,
    ) -> Result<Vec<SearchHit>, AppError> {
        struct Candidate {
            lang: ArticleLang,
            query: Arc<Query>,
            row: super::store::SearchRow,
            passage: String,
            coverage: usize,
            score: f64,
        }
        let raw: String = raw.chars().take(MAX_QUERY_CHARS).collect();
        let readable = readable(principal, self.clock.now());
        let langs = match only {
            Some(lang) => vec![lang],
            None => vec![reader, reader.other()],
        };
        let mut ranked: Vec<Candidate> = Vec::new();
        for lang in langs {
            let mut query = Query::parse(&raw, lang);
            if query.is_empty() {
                continue;
            }
            if any {
                query = query.any_term();
            }
            let rows = self
                .store
                .search(&query, lang, &readable, CANDIDATES)
                .await?;
            // The database chose the candidates; the ranking is computed here, identically for
            // both backends: title hits first, then BM25 over summary and text.
            let passages: Vec<String> = rows
                .iter()
                .map(|row| {
                    let body = row.body_text.replace('\n', " ");
                    if row.article.summary.is_empty() {
                        body
                    } else {
                        format!("{} — {body}", row.article.summary)
                    }
                })
                .collect();
            let refs: Vec<&str> = passages.iter().map(String::as_str).collect();
            let relevance = text::bm25(&refs, &query, lang);
            let query = Arc::new(query);
            for ((row, passage), relevance) in rows.into_iter().zip(passages).zip(relevance) {
                let hits = text::term_hits(&row.article.title, &query, lang);
                // With any-term matching, how many of the query's terms the article has.
                let coverage = if any {
                    text::term_hits(&format!("{} {passage}", row.article.title), &query, lang)
                } else {
                    0
                };
                ranked.push(Candidate {
                    lang,
                    query: query.clone(),
                    // Title hits first, then the text's relevance squashed into [0, 1).
                    score: hits as f64 + relevance / (1.0 + relevance),
                    row,
                    passage,
                    coverage,
                });
            }
        }
        // Suggestions only keep the articles covering the most terms: precise beats plenty.
        if let Some(best) = ranked.iter().map(|c| c.coverage).max() {
            ranked.retain(|c| c.coverage == best);
        }
        ranked.sort_by(|a, b| {
            (b.lang == reader)
                .cmp(&(a.lang == reader))
                .then(b.score.total_cmp(&a.score))
                .then(a.row.article.title.cmp(&b.row.article.title))
        });
        ranked.truncate(limit);
        // Highlighting only for what is shown.
        Ok(ranked
            .into_iter()
            .map(|c| {
                let a = c.row.article;
                SearchHit {
                    id: a.id,
                    title_html: text::highlight(&a.title, &c.query, c.lang),
                    category: if reader == ArticleLang::En {
                        a.category_en.clone()
                    } else {
                        a.category_es.clone()
                    },
                    category_slug: a.category_slug.clone(),
                    lang: c.lang,
                    snippet: text::snippet(&c.passage, &c.query, c.lang, 180),
                    score: c.score,
                    path: a.path(),
                    slug: a.slug,
                    title: a.title,
                }
            })
            .collect())
    }

    /// Up to five articles for a ticket subject being typed ("Quizás esto te ayude").
    pub async fn suggest(
        &self,
        principal: Option<&Principal>,
        subject: &str,
        reader: ArticleLang,
    ) -> Result<Vec<Suggestion>, AppError> {
        let hits = self.find(principal, subject, None, reader, 5, true).await?;
        Ok(hits
            .into_iter()
            .map(|hit| Suggestion {
                id: hit.id,
                title: hit.title,
                path: hit.path,
            })
            .collect())
    }

    /// A suggestion on the ticket form was opened (`draft` identifies that form).
    pub async fn suggestion_opened(
        &self,
        principal: &Principal,
        draft: &str,
        article_id: i64,
    ) -> Result<(), AppError> {
        let draft = clean_draft(draft)?;
        self.readable_article(Some(principal), article_id).await?;
        self.store
            .record_suggestion_open(&draft, principal.user.id, article_id, self.clock.now())
            .await?;
        Ok(())
    }

    /// The ticket form `draft` became ticket `ticket_id`: its opened suggestions did not
    /// deflect it.
    pub async fn ticket_created(
        &self,
        principal: &Principal,
        draft: &str,
        ticket_id: i64,
    ) -> Result<(), AppError> {
        let draft = clean_draft(draft)?;
        self.store
            .attach_ticket_to_draft(&draft, principal.user.id, ticket_id)
            .await?;
        Ok(())
    }

    pub async fn feedback_state(
        &self,
        visitor: Option<&str>,
        article_id: i64,
    ) -> Result<FeedbackState, AppError> {
        let Some(visitor) = visitor else {
            return Ok(FeedbackState::Open);
        };
        Ok(match self.store.feedback_of(article_id, visitor).await? {
            Some(helpful) => FeedbackState::Given { helpful },
            None => FeedbackState::Open,
        })
    }

    /// "Was this useful?": once per visitor per article. Anonymous visitors (who can drop their
    /// cookie and come back) are also limited per client address: a few answers per article a
    /// day, and [`MAX_FEEDBACK_PER_CLIENT_HOUR`] in all an hour.
    pub async fn give_feedback(
        &self,
        principal: Option<&Principal>,
        visitor: &str,
        client: Option<&str>,
        article_id: i64,
        helpful: bool,
        comment: &str,
    ) -> Result<(), AppError> {
        self.readable_article(principal, article_id).await?;
        let comment = crate::kernel::text::optional(
            comment,
            MAX_COMMENT_CHARS,
            ErrorCode::InvalidInput,
            "comment",
        )?
        .unwrap_or_default();
        let now = self.clock.now();
        if let (None, Some(client)) = (principal, client) {
            let on_article = self
                .store
                .feedback_from_client(client, Some(article_id), now - chrono::Duration::days(1))
                .await?;
            let in_all = self
                .store
                .feedback_from_client(client, None, now - chrono::Duration::hours(1))
                .await?;
            if on_article >= MAX_FEEDBACK_PER_CLIENT_ARTICLE
                || in_all >= MAX_FEEDBACK_PER_CLIENT_HOUR
            {
                tracing::warn!(client, article_id, "anonymous feedback rate limited");
                return Err(ErrorCode::RateLimited.into());
            }
        }
        match self
            .store
            .add_feedback(article_id, visitor, helpful, &comment, client, now)
            .await
        {
            Err(crate::kernel::StoreError::Conflict(_)) => Err(ErrorCode::FeedbackGiven.into()),
            other => Ok(other?),
        }
    }

    /// An image uploaded by an editor, by its public name: 128 random bits, so images of
    /// internal or unpublished articles cannot be found by counting.
    pub async fn image(&self, name: &str) -> Result<(String, Vec<u8>), AppError> {
        if name.len() != 32 || !name.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ErrorCode::NotFound.into());
        }
        let image = self.store.image(name).await?.ok_or(ErrorCode::NotFound)?;
        let bytes = self.blobs.get(&image.storage_key).await.map_err(internal)?;
        Ok((image.content_type, bytes))
    }

    /// `sitemap.xml`: the KB start page, its categories and every public published article.
    pub async fn sitemap(&self) -> Result<String, AppError> {
        let readable = Readable {
            visibilities: vec![Visibility::Public],
            now: self.clock.now(),
        };
        let categories = self.store.categories(&readable).await?;
        let articles = self
            .store
            .list(&readable, None, None, ListOrder::Recent, 50_000)
            .await?;
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut url = |path: &str, lastmod: Option<String>| {
            xml.push_str("  <url><loc>");
            xml.push_str(&text::escape_html(&format!("{}{path}", self.public_url)));
            xml.push_str("</loc>");
            if let Some(day) = lastmod {
                xml.push_str("<lastmod>");
                xml.push_str(&day);
                xml.push_str("</lastmod>");
            }
            xml.push_str("</url>\n");
        };
        url("/kb", None);
        for c in categories.iter().filter(|c| c.article_count > 0) {
            url(&format!("/kb/{}", c.slug), None);
        }
        for a in &articles {
            url(&a.path(), Some(a.updated_at.format("%Y-%m-%d").to_string()));
        }
        xml.push_str("</urlset>\n");
        Ok(xml)
    }
}

/// Draft keys come from the browser: a UUID-like token, nothing else.
fn clean_draft(draft: &str) -> Result<String, AppError> {
    let draft = draft.trim();
    if draft.is_empty()
        || draft.len() > 64
        || !draft.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(AppError::field(ErrorCode::InvalidInput, "draft"));
    }
    Ok(draft.to_owned())
}
