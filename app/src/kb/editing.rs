//! Editor use cases: writing, publishing, revisions (history, diff, restore), categories,
//! images and the dashboard. Only editors and admins get past [`require_editor`].

use super::command::{ArticleBody, CategoryNames, EditArticle, DATETIME_LOCAL};
use super::service::{is_editor, Kb};
use super::store::{ArticleRecord, ArticleWrite, NewImage};
use super::text;
use super::{
    ArticleDraft, ArticleStatus, Category, DiffKind, DiffLine, EditorArticle, EditorDashboard,
    EditorRow, RevisionDiff, RevisionInfo,
};
use crate::accounts::service::Principal;
use crate::domain::COSTA_RICA;
use crate::error::{AppError, ErrorCode};
use crate::files::{accepted_content_type, clean_filename};
use crate::kernel::internal;
use crate::kernel::{Conflict, StoreError};
use chrono::{DateTime, Utc};

/// Article images: pictures only, at most 5 MB.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

pub fn require_editor(principal: &Principal) -> Result<(), AppError> {
    if is_editor(Some(principal)) {
        Ok(())
    } else {
        Err(ErrorCode::Forbidden.into())
    }
}

fn conflict_or(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(Conflict::Revision) => ErrorCode::RevisionConflict.into(),
        other => other.into(),
    }
}

/// Costa Rica local time as a `datetime-local` value.
pub fn to_local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&COSTA_RICA)
        .format(DATETIME_LOCAL)
        .to_string()
}

fn draft_of(record: &ArticleRecord, translation_slug: String) -> ArticleDraft {
    let s = &record.summary;
    ArticleDraft {
        title: s.title.clone(),
        summary: s.summary.clone(),
        body_md: record.body_md.clone(),
        lang: s.lang.as_str().to_owned(),
        category: s.category_slug.clone(),
        tags: record.tags.join(", "),
        status: s.status.as_str().to_owned(),
        visibility: s.visibility.as_str().to_owned(),
        publish_at: s.publish_at.map(to_local_input).unwrap_or_default(),
        translation: translation_slug,
    }
}

impl Kb {
    async fn editor_view(&self, record: ArticleRecord) -> Result<EditorArticle, AppError> {
        let translation = match record.translation_id {
            Some(id) => self
                .store
                .article_by_id(id)
                .await?
                .map(|t| t.summary.slug)
                .unwrap_or_default(),
            None => String::new(),
        };
        Ok(EditorArticle {
            id: record.summary.id,
            slug: record.summary.slug.clone(),
            path: record.summary.path(),
            draft: draft_of(&record, translation),
            revision: record.revision,
            updated_at: record.summary.updated_at,
            updated_by: record.updated_by.clone(),
        })
    }

    pub async fn editor_article(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<EditorArticle, AppError> {
        require_editor(principal)?;
        let record = self
            .store
            .article_by_id(id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        self.editor_view(record).await
    }

    pub async fn editor_article_by_slug(
        &self,
        principal: &Principal,
        slug: &str,
    ) -> Result<EditorArticle, AppError> {
        require_editor(principal)?;
        let record = self
            .store
            .article_by_slug(slug)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        self.editor_view(record).await
    }

    /// Checks a draft and turns it into the row to write. `current` is the saved article when
    /// editing (its slug is kept unless the title changed; publishing keeps its date).
    async fn validate(
        &self,
        principal: &Principal,
        cmd: EditArticle,
        current: Option<&ArticleRecord>,
    ) -> Result<ArticleWrite, AppError> {
        let now = self.clock.now();
        let EditArticle {
            title,
            summary,
            body_md,
            lang,
            category,
            tags,
            status,
            visibility,
            publish_at,
            translation,
        } = cmd;
        let (title, summary, body_md) = (
            title.into_inner(),
            summary.into_inner(),
            body_md.into_inner(),
        );
        let category = self
            .store
            .all_categories()
            .await?
            .into_iter()
            .find(|c| c.slug == category)
            .ok_or_else(|| AppError::field(ErrorCode::CategoryInvalid, "category"))?;
        let publish_at = match (status, publish_at) {
            (ArticleStatus::Published, Some(at)) => Some(at),
            // Published without a date: keep the original publication date, or now.
            (ArticleStatus::Published, None) => Some(
                current
                    .and_then(|c| c.summary.publish_at)
                    .filter(|at| *at <= now)
                    .unwrap_or(now),
            ),
            (_, at) => at,
        };
        let translation_id = match translation {
            None => None,
            Some(slug) => {
                let other = self
                    .store
                    .article_by_slug(&slug)
                    .await?
                    .filter(|t| t.summary.lang != lang)
                    .filter(|t| current.is_none_or(|c| c.summary.id != t.summary.id))
                    .ok_or_else(|| AppError::field(ErrorCode::TranslationInvalid, "translation"))?;
                Some(other.summary.id)
            }
        };
        let slug = match current {
            Some(c) if c.summary.title == title => c.summary.slug.clone(),
            _ => {
                self.unique_slug(&title, current.map(|c| c.summary.id))
                    .await?
            }
        };
        Ok(ArticleWrite {
            slug,
            category_id: category.id,
            lang,
            body_text: crate::markdown::plain_text(&body_md),
            title,
            summary,
            body_md,
            tags,
            status,
            visibility,
            publish_at,
            translation_id,
            author_id: principal.user.id,
            now,
        })
    }

    async fn unique_slug(&self, title: &str, article: Option<i64>) -> Result<String, AppError> {
        let base = match text::slugify(title) {
            s if s.is_empty() => "articulo".to_owned(),
            s => s,
        };
        let mut slug = base.clone();
        let mut n = 2;
        while self.store.slug_in_use(&slug, article).await? {
            slug = format!("{base}-{n}");
            n += 1;
        }
        Ok(slug)
    }

    pub async fn create(
        &self,
        principal: &Principal,
        cmd: EditArticle,
    ) -> Result<EditorArticle, AppError> {
        require_editor(principal)?;
        let write = self.validate(principal, cmd, None).await?;
        let id = self.store.create_article(&write).await?;
        tracing::info!(article.id = id, slug = %write.slug, "article created");
        self.editor_article(principal, id).await
    }

    /// Saves over `base_revision`; someone else's save in between is a conflict, never an
    /// overwrite.
    pub async fn save(
        &self,
        principal: &Principal,
        id: i64,
        base_revision: i64,
        cmd: EditArticle,
    ) -> Result<EditorArticle, AppError> {
        require_editor(principal)?;
        let current = self
            .store
            .article_by_id(id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        if current.revision != base_revision {
            return Err(ErrorCode::RevisionConflict.into());
        }
        let write = self.validate(principal, cmd, Some(&current)).await?;
        let revision = self
            .store
            .update_article(id, base_revision, &write)
            .await
            .map_err(conflict_or)?;
        tracing::info!(article.id = id, revision, "article saved");
        self.editor_article(principal, id).await
    }

    pub async fn revisions(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<Vec<RevisionInfo>, AppError> {
        require_editor(principal)?;
        Ok(self.store.revisions(id).await?)
    }

    /// Line diff of the markdown between two revisions.
    pub async fn diff(
        &self,
        principal: &Principal,
        id: i64,
        from: i64,
        to: i64,
    ) -> Result<RevisionDiff, AppError> {
        require_editor(principal)?;
        let a = self
            .store
            .revision(id, from)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let b = self
            .store
            .revision(id, to)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let diff = similar::TextDiff::from_lines(&a.body_md, &b.body_md);
        let lines = diff
            .iter_all_changes()
            .map(|change| DiffLine {
                kind: match change.tag() {
                    similar::ChangeTag::Equal => DiffKind::Same,
                    similar::ChangeTag::Insert => DiffKind::Added,
                    similar::ChangeTag::Delete => DiffKind::Removed,
                },
                text: change.value().trim_end_matches('\n').to_owned(),
            })
            .collect();
        Ok(RevisionDiff {
            from,
            to,
            title_from: a.info.title,
            title_to: b.info.title,
            lines,
        })
    }

    /// Brings back an old revision's content (title, summary, text, tags, category) as a new
    /// revision; status and visibility stay as they are now.
    pub async fn restore(
        &self,
        principal: &Principal,
        id: i64,
        number: i64,
        base_revision: i64,
    ) -> Result<EditorArticle, AppError> {
        require_editor(principal)?;
        let old = self
            .store
            .revision(id, number)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let current = self.editor_article(principal, id).await?;
        let category = self
            .store
            .all_categories()
            .await?
            .into_iter()
            .find(|c| c.id == old.category_id)
            .map(|c| c.slug)
            .unwrap_or(current.draft.category.clone());
        let draft = ArticleDraft {
            title: old.info.title,
            summary: old.summary,
            body_md: old.body_md,
            tags: old.tags,
            category,
            ..current.draft
        };
        let cmd = EditArticle::try_from(&draft)?;
        self.save(principal, id, base_revision, cmd).await
    }

    /// The article page's rendering of markdown being written (live preview).
    pub fn preview(&self, principal: &Principal, body_md: &str) -> Result<String, AppError> {
        require_editor(principal)?;
        if body_md.chars().count() > ArticleBody::MAX_CHARS {
            return Err(AppError::field(ErrorCode::BodyRequired, "body_md"));
        }
        Ok(crate::markdown::render_article(body_md).0)
    }

    pub async fn dashboard(&self, principal: &Principal) -> Result<EditorDashboard, AppError> {
        require_editor(principal)?;
        let articles = self.store.editor_list().await?;
        let stats: std::collections::HashMap<i64, _> =
            self.store.stats().await?.into_iter().collect();
        let totals = self.store.deflection_totals().await?;
        Ok(EditorDashboard {
            rows: articles
                .into_iter()
                .map(|article| {
                    let s = stats.get(&article.id).cloned().unwrap_or_default();
                    EditorRow {
                        article,
                        helpful: s.helpful,
                        not_helpful: s.not_helpful,
                        deflections: s.deflections,
                    }
                })
                .collect(),
            comments: self.store.recent_comments(20).await?,
            deflections: totals.abandoned,
            opened_then_ticket: totals.ticket_anyway,
        })
    }

    pub async fn editor_categories(
        &self,
        principal: &Principal,
    ) -> Result<Vec<Category>, AppError> {
        require_editor(principal)?;
        Ok(self.store.all_categories().await?)
    }

    pub async fn create_category(
        &self,
        principal: &Principal,
        names: CategoryNames,
    ) -> Result<i64, AppError> {
        require_editor(principal)?;
        let (es, en) = (names.es.into_inner(), names.en.into_inner());
        let slug = text::slugify(&es);
        if slug.is_empty() {
            return Err(AppError::field(ErrorCode::CategoryNameRequired, "name_es"));
        }
        match self
            .store
            .create_category(&slug, &es, &en, self.clock.now())
            .await
        {
            Err(StoreError::Conflict(_)) => {
                Err(AppError::field(ErrorCode::CategoryTaken, "name_es"))
            }
            other => Ok(other?),
        }
    }

    pub async fn rename_category(
        &self,
        principal: &Principal,
        id: i64,
        names: CategoryNames,
    ) -> Result<(), AppError> {
        require_editor(principal)?;
        Ok(self
            .store
            .rename_category(id, names.es.as_str(), names.en.as_str())
            .await?)
    }

    pub async fn move_category(
        &self,
        principal: &Principal,
        id: i64,
        up: bool,
    ) -> Result<(), AppError> {
        require_editor(principal)?;
        Ok(self.store.move_category(id, up).await?)
    }

    /// Stores an article image (PNG, JPEG, GIF or WebP judged by content, ≤ 5 MB) and returns
    /// its public path.
    pub async fn upload_image(
        &self,
        principal: &Principal,
        filename: &str,
        bytes: &[u8],
    ) -> Result<String, AppError> {
        require_editor(principal)?;
        if bytes.is_empty() {
            return Err(AppError::field(ErrorCode::FileEmpty, "file"));
        }
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(AppError::field(ErrorCode::FileTooLarge, "file"));
        }
        let filename = clean_filename(filename);
        let content_type = accepted_content_type(bytes, &filename)
            .filter(|t| t.starts_with("image/"))
            .ok_or_else(|| AppError::field(ErrorCode::FileTypeNotAllowed, "file"))?;
        let name = uuid::Uuid::new_v4().simple().to_string();
        let key = format!("kb/{name}");
        self.blobs.put(&key, bytes).await.map_err(internal)?;
        self.store
            .add_image(NewImage {
                filename: &filename,
                content_type,
                size: bytes.len() as i64,
                storage_key: &key,
                uploaded_by: principal.user.id,
                now: self.clock.now(),
            })
            .await?;
        Ok(format!("/imagenes/{name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_dates_show_in_costa_rica_local_time() {
        let at = super::super::command::parse_local_input("2026-12-01T08:30")
            .expect("valid")
            .expect("some");
        assert_eq!(to_local_input(at), "2026-12-01T08:30");
    }
}
