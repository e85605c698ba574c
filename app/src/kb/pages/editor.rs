//! Editors: the dashboard (articles, feedback, deflection) and the article form with live
//! preview, image upload and conflict handling (a stale save shows both versions; nothing is
//! overwritten and the editor's text stays in the form).

use super::debounced;
use crate::domain::{format_cr, Role};
use crate::error::{AppError, ErrorCode};
use crate::i18n::*;
use crate::kb::api::{
    kb_dashboard, kb_editor_article, kb_editor_categories, KbCreateArticle, KbPreview,
    KbSaveArticle,
};
pub use crate::kb::labels::{status_label, visibility_label};
use crate::kb::{
    ArticleDraft, ArticleLang, ArticleStatus, Category, EditorArticle, EditorDashboard, Visibility,
};
use crate::ui::PageTitle;
use crate::ui::{Authorized, ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

const EDITORS: &[Role] = &[Role::Editor, Role::Admin];

fn lang_label(locale: Locale, lang: ArticleLang) -> &'static str {
    match lang {
        ArticleLang::Es => td_string!(locale, kb.lang_es),
        ArticleLang::En => td_string!(locale, kb.lang_en),
    }
}

#[component]
pub fn KbDashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.editor_title)/>
        <Authorized roles=EDITORS let:_user>
            <Dashboard/>
        </Authorized>
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| kb_dashboard());
    view! {
        <div class="page-head">
            <h1>{t!(i18n, kb.editor_title)}</h1>
            <div class="button-row">
                <A href="/editor/articulos/nuevo" attr:class="button primary">{t!(i18n, kb.new_article)}</A>
                <A href="/editor/categorias" attr:class="button">{t!(i18n, kb.categories)}</A>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(d) => view! { <DashboardBody d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardBody(d: EditorDashboard) -> impl IntoView {
    let i18n = use_i18n();
    let now = chrono::Utc::now();
    let rows = d.rows.into_iter().map(|r| {
        let a = r.article;
        let scheduled = a.status == ArticleStatus::Published && a.publish_at.is_some_and(|at| at > now);
        let status = a.status;
        let visibility = a.visibility;
        let lang = a.lang;
        view! {
            <tr data-testid="article-row">
                <td><A href=format!("/editor/articulos/{}", a.id)>{a.title.clone()}</A></td>
                <td>{a.lang.as_str().to_uppercase()}<span class="visually-hidden">{move || lang_label(i18n.get_locale(), lang)}</span></td>
                <td>
                    <span class=format!("badge status-{}", status.as_str())>{move || status_label(i18n.get_locale(), status)}</span>
                    {scheduled.then(|| view! { " "<span class="badge">{t!(i18n, kb.scheduled)}</span> })}
                </td>
                <td>{move || visibility_label(i18n.get_locale(), visibility)}</td>
                <td class="num">{a.views}</td>
                <td class="num" data-testid="helpful">{r.helpful}" / "{r.not_helpful}</td>
                <td class="num" data-testid="deflections">{r.deflections}</td>
                <td>{format_cr(a.updated_at)}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <section class="stats">
            <div class="card stat" data-testid="deflection-total">
                <strong>{d.deflections}</strong>
                <span>{t!(i18n, kb.deflections_total)}</span>
            </div>
            <div class="card stat">
                <strong>{d.opened_then_ticket}</strong>
                <span>{t!(i18n, kb.opened_then_ticket)}</span>
            </div>
        </section>
        <div class="table-wrap card">
            <table class="data">
                <thead><tr>
                    <th>{t!(i18n, kb.field_title)}</th>
                    <th>{t!(i18n, kb.field_lang)}</th>
                    <th>{t!(i18n, kb.field_status)}</th>
                    <th>{t!(i18n, kb.field_visibility)}</th>
                    <th>{t!(i18n, kb.views)}</th>
                    <th>{t!(i18n, kb.helpful_counts)}</th>
                    <th>{t!(i18n, kb.deflections)}</th>
                    <th>{t!(i18n, kb.updated)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <section class="card">
            <h2>{t!(i18n, kb.comments)}</h2>
            {if d.comments.is_empty() {
                view! { <p class="empty">{t!(i18n, kb.no_comments)}</p> }.into_any()
            } else {
                view! {
                    <ul class="comments">
                        {d.comments.into_iter().map(|c| view! {
                            <li>
                                <span class="badge">{move || if c.helpful { td_string!(i18n.get_locale(), kb.yes) } else { td_string!(i18n.get_locale(), kb.no) }}</span>" "
                                <A href=format!("/editor/articulos/{}", c.article_id)>{c.article_title.clone()}</A>
                                <span class="muted">" · "{format_cr(c.created_at)}</span>
                                <p>{c.comment.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn KbNewPage() -> impl IntoView {
    let i18n = use_i18n();
    let categories = Resource::new(|| (), |_| kb_editor_categories());
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.new_article)/>
        <Authorized roles=EDITORS let:_user>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match categories.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(categories) => view! { <ArticleForm initial=None categories/> }.into_any(),
                    }
                })}
            </Suspense>
        </Authorized>
    }
}

#[component]
pub fn KbEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::use_id_param();
    let data = Resource::new(id, |id| async move {
        let article = kb_editor_article(id).await?;
        let categories = kb_editor_categories().await?;
        Ok::<_, AppError>((article, categories))
    });
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.edit_article)/>
        <Authorized roles=EDITORS let:_user>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok((article, categories)) => view! { <ArticleForm initial=Some(article) categories/> }.into_any(),
                    }
                })}
            </Suspense>
        </Authorized>
    }
}

/// The form's fields as signals.
#[derive(Clone, Copy)]
struct Fields {
    title: RwSignal<String>,
    summary: RwSignal<String>,
    body_md: RwSignal<String>,
    lang: RwSignal<String>,
    category: RwSignal<String>,
    tags: RwSignal<String>,
    status: RwSignal<String>,
    visibility: RwSignal<String>,
    publish_at: RwSignal<String>,
    translation: RwSignal<String>,
}

impl Fields {
    fn new(d: ArticleDraft) -> Self {
        Fields {
            title: RwSignal::new(d.title),
            summary: RwSignal::new(d.summary),
            body_md: RwSignal::new(d.body_md),
            lang: RwSignal::new(d.lang),
            category: RwSignal::new(d.category),
            tags: RwSignal::new(d.tags),
            status: RwSignal::new(d.status),
            visibility: RwSignal::new(d.visibility),
            publish_at: RwSignal::new(d.publish_at),
            translation: RwSignal::new(d.translation),
        }
    }

    fn set(&self, d: ArticleDraft) {
        self.title.set(d.title);
        self.summary.set(d.summary);
        self.body_md.set(d.body_md);
        self.lang.set(d.lang);
        self.category.set(d.category);
        self.tags.set(d.tags);
        self.status.set(d.status);
        self.visibility.set(d.visibility);
        self.publish_at.set(d.publish_at);
        self.translation.set(d.translation);
    }

    fn draft(&self) -> ArticleDraft {
        ArticleDraft {
            title: self.title.get_untracked(),
            summary: self.summary.get_untracked(),
            body_md: self.body_md.get_untracked(),
            lang: self.lang.get_untracked(),
            category: self.category.get_untracked(),
            tags: self.tags.get_untracked(),
            status: self.status.get_untracked(),
            visibility: self.visibility.get_untracked(),
            publish_at: self.publish_at.get_untracked(),
            translation: self.translation.get_untracked(),
        }
    }
}

fn text_input(
    id: &'static str,
    label: impl IntoView + 'static,
    value: RwSignal<String>,
    max: &'static str,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id name=id maxlength=max prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

#[component]
fn ArticleForm(initial: Option<EditorArticle>, categories: Vec<Category>) -> impl IntoView {
    let i18n = use_i18n();
    let english = i18n.get_locale_untracked() == Locale::en;
    let id = initial.as_ref().map(|a| a.id);
    let fields = Fields::new(
        initial
            .as_ref()
            .map(|a| a.draft.clone())
            .unwrap_or(ArticleDraft {
                lang: "es".into(),
                status: "draft".into(),
                visibility: "public".into(),
                category: categories
                    .first()
                    .map(|c| c.slug.clone())
                    .unwrap_or_default(),
                ..ArticleDraft::default()
            }),
    );
    let revision = RwSignal::new(initial.as_ref().map(|a| a.revision).unwrap_or(0));
    let path = RwSignal::new(initial.as_ref().map(|a| a.path.clone()));
    let conflict = RwSignal::new(None::<EditorArticle>);
    // Arriving right after creating the article: say it was saved.
    let just_created = use_query_map().read_untracked().get("creado").is_some();
    let saved = RwSignal::new(
        initial
            .as_ref()
            .filter(|_| just_created)
            .map(|a| a.revision),
    );
    let error = RwSignal::new(None::<AppError>);
    let save = ServerAction::<KbSaveArticle>::new();
    let create = ServerAction::<KbCreateArticle>::new();
    let preview = ServerAction::<KbPreview>::new();
    let navigate = use_navigate();

    // Live preview: the server's article renderer, a moment after typing stops.
    let render = debounced(move |body_md: String| {
        preview.dispatch(KbPreview { body_md });
    });
    Effect::new(move |_| render(fields.body_md.get()));

    let on_saved = move |result: Option<Result<EditorArticle, AppError>>| match result {
        Some(Ok(a)) => {
            error.set(None);
            conflict.set(None);
            revision.set(a.revision);
            path.set(Some(a.path.clone()));
            saved.set(Some(a.revision));
            fields.set(a.draft);
            Some(a.id)
        }
        Some(Err(e)) => {
            saved.set(None);
            if e.code == ErrorCode::RevisionConflict {
                if let Some(id) = id {
                    leptos::task::spawn_local(async move {
                        if let Ok(theirs) = kb_editor_article(id).await {
                            // `try_`: the editor may have been left before the answer came.
                            let _ = conflict.try_set(Some(theirs));
                        }
                    });
                }
            }
            error.set(Some(e));
            None
        }
        None => None,
    };
    Effect::new(move |_| {
        on_saved(save.value().get());
    });
    Effect::new(move |_| {
        if let Some(new_id) = on_saved(create.value().get()) {
            navigate(
                &format!("/editor/articulos/{new_id}?creado=1"),
                Default::default(),
            );
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = fields.draft();
        match id {
            Some(id) => {
                save.dispatch(KbSaveArticle {
                    id,
                    revision: revision.get_untracked(),
                    draft,
                });
            }
            None => {
                create.dispatch(KbCreateArticle { draft });
            }
        }
    };
    let pending = move || save.pending().get() || create.pending().get();
    let body_ref = NodeRef::<leptos::html::Textarea>::new();

    view! {
        <div class="page-head">
            <h1>{move || if id.is_some() { td_string!(i18n.get_locale(), kb.edit_article) } else { td_string!(i18n.get_locale(), kb.new_article) }}</h1>
            <div class="button-row">
                <A href="/editor/articulos" attr:class="button">{t!(i18n, kb.back_to_articles)}</A>
                {id.map(|id| view! { <A href=format!("/editor/articulos/{id}/historial") attr:class="button">{t!(i18n, kb.history)}</A> })}
                {move || path.get().map(|p| view! { <a href=p class="button" target="_blank" rel="noopener">{t!(i18n, kb.view_article)}</a> })}
            </div>
        </div>
        <form class="form article-form" on:submit=submit data-testid="article-form" novalidate>
            <div class="form-grid">
                <div class="form-main">
                    {text_input("title", t!(i18n, kb.field_title), fields.title, "200")}
                    {text_input("summary", t!(i18n, kb.field_summary), fields.summary, "300")}
                    <div class="editor-panes">
                        <div>
                            <label for="body_md">{t!(i18n, kb.field_body)}</label>
                            <textarea id="body_md" name="body_md" rows="22" node_ref=body_ref spellcheck="true"
                                prop:value=move || fields.body_md.get()
                                on:input=move |ev| fields.body_md.set(event_target_value(&ev))></textarea>
                            <ImageUpload body=fields.body_md body_ref/>
                        </div>
                        <div>
                            <p class="label">{t!(i18n, kb.preview)}</p>
                            <div class="card rendered article-body preview" data-testid="preview"
                                inner_html=move || match preview.value().get() {
                                    Some(Ok(html)) => html,
                                    _ => String::new(),
                                }></div>
                        </div>
                    </div>
                </div>
                <div class="form-side card">
                    <label for="category">{t!(i18n, kb.field_category)}</label>
                    <select id="category" prop:value=move || fields.category.get()
                        on:change=move |ev| fields.category.set(event_target_value(&ev))>
                        {categories.into_iter().map(|c| {
                            let slug = c.slug.clone();
                            view! { <option value=c.slug.clone() selected=move || fields.category.get() == slug>{c.name(english).to_owned()}</option> }
                        }).collect_view()}
                    </select>
                    <label for="lang">{t!(i18n, kb.field_lang)}</label>
                    <select id="lang" prop:value=move || fields.lang.get()
                        on:change=move |ev| fields.lang.set(event_target_value(&ev))>
                        {ArticleLang::ALL.iter().map(|l| { let l = *l; view! {
                            <option value=l.as_str() selected=move || fields.lang.get() == l.as_str()>{move || lang_label(i18n.get_locale(), l)}</option>
                        }}).collect_view()}
                    </select>
                    <label for="status">{t!(i18n, kb.field_status)}</label>
                    <select id="status" prop:value=move || fields.status.get()
                        on:change=move |ev| fields.status.set(event_target_value(&ev))>
                        {ArticleStatus::ALL.iter().map(|s| { let s = *s; view! {
                            <option value=s.as_str() selected=move || fields.status.get() == s.as_str()>{move || status_label(i18n.get_locale(), s)}</option>
                        }}).collect_view()}
                    </select>
                    <label for="publish_at">{t!(i18n, kb.field_publish_at)}</label>
                    <input id="publish_at" type="datetime-local" prop:value=move || fields.publish_at.get()
                        on:input=move |ev| fields.publish_at.set(event_target_value(&ev))/>
                    <small class="muted">{t!(i18n, kb.publish_at_help)}</small>
                    <label for="visibility">{t!(i18n, kb.field_visibility)}</label>
                    <select id="visibility" prop:value=move || fields.visibility.get()
                        on:change=move |ev| fields.visibility.set(event_target_value(&ev))>
                        {Visibility::ALL.iter().map(|v| { let v = *v; view! {
                            <option value=v.as_str() selected=move || fields.visibility.get() == v.as_str()>{move || visibility_label(i18n.get_locale(), v)}</option>
                        }}).collect_view()}
                    </select>
                    {text_input("tags", t!(i18n, kb.field_tags), fields.tags, "400")}
                    {text_input("translation", t!(i18n, kb.field_translation), fields.translation, "100")}
                    <small class="muted">{t!(i18n, kb.translation_help)}</small>
                    {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
                    {move || saved.get().map(|n| view! { <p class="notice ok" role="status" data-testid="saved">{t!(i18n, kb.saved)}" "{n}</p> })}
                    <button type="submit" class="primary" disabled=pending>{t!(i18n, kb.save)}</button>
                </div>
            </div>
        </form>
        {move || conflict.get().map(|theirs| view! { <ConflictPanel theirs fields revision/> })}
    }
}

/// Both versions side by side after a stale save: keep mine (save over theirs) or take theirs.
#[component]
fn ConflictPanel(theirs: EditorArticle, fields: Fields, revision: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let theirs = StoredValue::new(theirs);
    let take_theirs = move |_| {
        let t = theirs.get_value();
        revision.set(t.revision);
        fields.set(t.draft);
    };
    let keep_mine = move |_| {
        // The next save goes over their revision, knowingly.
        revision.set(theirs.get_value().revision);
    };
    let t = theirs.get_value();
    view! {
        <section class="card conflict" role="alert" data-testid="conflict">
            <h2>{t!(i18n, kb.conflict_title)}</h2>
            <p>{t!(i18n, kb.conflict_by)}" "<strong>{t.updated_by.clone()}</strong>" · "{format_cr(t.updated_at)}</p>
            <div class="editor-panes">
                <div>
                    <p class="label">{t!(i18n, kb.conflict_theirs)}</p>
                    <p><strong data-testid="their-title">{t.draft.title.clone()}</strong></p>
                    <textarea readonly rows="10" data-testid="their-body" prop:value=t.draft.body_md.clone()></textarea>
                </div>
                <div>
                    <p class="label">{t!(i18n, kb.conflict_mine)}</p>
                    <p><strong>{move || fields.title.get()}</strong></p>
                    <textarea readonly rows="10" prop:value=move || fields.body_md.get()></textarea>
                </div>
            </div>
            <div class="button-row">
                <button type="button" on:click=keep_mine data-testid="keep-mine">{t!(i18n, kb.conflict_keep_mine)}</button>
                <button type="button" on:click=take_theirs>{t!(i18n, kb.conflict_take_theirs)}</button>
            </div>
        </section>
    }
}

/// Uploads an image and inserts its markdown at the cursor.
#[component]
#[allow(unused_variables)]
fn ImageUpload(body: RwSignal<String>, body_ref: NodeRef<leptos::html::Textarea>) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    #[allow(unused_variables)]
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                let result = upload(file).await;
                // The editor may have been left while the image uploaded.
                if busy.is_disposed() {
                    return;
                }
                match result {
                    Ok(markdown) => {
                        let at = body_ref
                            .get_untracked()
                            .and_then(|t| t.selection_start().ok().flatten())
                            .map(|n| n as usize);
                        body.update(|text| {
                            let chars: Vec<char> = text.chars().collect();
                            let at = at.unwrap_or(chars.len()).min(chars.len());
                            let before: String = chars[..at].iter().collect();
                            let after: String = chars[at..].iter().collect();
                            *text = format!("{before}\n{markdown}\n{after}");
                        });
                    }
                    Err(e) => error.set(Some(e)),
                }
                input.set_value("");
                busy.set(false);
            });
        }
    };
    view! {
        <div class="image-upload">
            <label for="kb-image">{t!(i18n, kb.insert_image)}</label>
            <input id="kb-image" type="file" accept="image/png,image/jpeg,image/gif,image/webp"
                disabled=move || busy.get() on:change=on_change/>
            <small class="muted">{t!(i18n, kb.image_help)}</small>
            {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
async fn upload(file: web_sys::File) -> Result<String, AppError> {
    let network = || AppError::new(ErrorCode::Network);
    let form = web_sys::FormData::new().map_err(|_| network())?;
    form.append_with_blob_and_filename("file", &file, &file.name())
        .map_err(|_| network())?;
    let response = gloo_net::http::Request::post("/editor/imagenes")
        .body(form)
        .map_err(|_| network())?
        .send()
        .await
        .map_err(|_| network())?;
    let json: serde_json::Value = response.json().await.map_err(|_| network())?;
    if response.ok() {
        json.get("markdown")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .ok_or_else(network)
    } else {
        let code = json
            .pointer("/error/code")
            .cloned()
            .and_then(|c| serde_json::from_value::<ErrorCode>(c).ok())
            .unwrap_or(ErrorCode::Internal);
        Err(AppError::new(code))
    }
}
