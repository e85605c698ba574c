//! Reading the knowledge base: start page, categories, articles (server-rendered with meta
//! tags for search engines and link previews).

use super::feedback::FeedbackWidget;
use super::search::SearchBox;
use super::{category_name, reader_lang};
use crate::domain::format_cr;
use crate::error::ErrorCode;
use crate::i18n::*;
use crate::kb::api::{kb_article, kb_category, kb_home};
use crate::kb::{ArticleLang, ArticleLookup, ArticleSummary, ArticleView};
use crate::ui::{DataTitle, PageTitle};
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_meta::{Link, Meta};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// Sets the HTTP status of a server-rendered page (404 for a missing article, 301 for a moved one).
#[allow(unused_variables)]
fn respond(status: u16, location: Option<&str>) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(status) {
            res.set_status(code);
        }
        if let Some(v) = location.and_then(|l| http::HeaderValue::from_str(l).ok()) {
            res.insert_header(http::header::LOCATION, v);
        }
    }
}

#[component]
pub fn ArticleList(
    articles: Vec<ArticleSummary>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="article-list" data-testid=testid>
            {articles.into_iter().map(|a| {
                let path = a.path();
                let lang = a.lang;
                view! {
                    <li>
                        <A href=path>{a.title.clone()}</A>
                        {(lang != reader_lang(i18n.get_locale_untracked())).then(|| view! { <span class="lang-tag">{lang.as_str().to_uppercase()}</span> })}
                        {(!a.summary.is_empty()).then(|| view! { <p class="muted">{a.summary.clone()}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn KbHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let home = Resource::new(move || reader_lang(i18n.get_locale()), kb_home);
    view! {
        <PageTitle text=move || td_string!(i18n.get_locale(), kb.title)/>
        <Meta name="description" content=move || td_string!(i18n.get_locale(), kb.lead)/>
        <section class="kb-hero">
            <h1>{t!(i18n, kb.title)}</h1>
            <p class="muted">{t!(i18n, kb.lead)}</p>
            <SearchBox/>
        </section>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match home.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(home) if home.categories.is_empty() => view! {
                        <p class="empty">{t!(i18n, kb.empty)}</p>
                    }.into_any(),
                    Ok(home) => {
                        let english = i18n.get_locale_untracked() == Locale::en;
                        view! {
                            <section aria-labelledby="kb-categories">
                                <h2 id="kb-categories">{t!(i18n, kb.categories)}</h2>
                                <ul class="category-grid" data-testid="categories">
                                    {home.categories.into_iter().map(|c| { let n = c.article_count; view! {
                                        <li class="card">
                                            <A href=format!("/kb/{}", c.slug)>{c.name(english).to_owned()}</A>
                                            <span class="muted">{n}" "{move || if n == 1 { td_string!(i18n.get_locale(), kb.article_one) } else { td_string!(i18n.get_locale(), kb.article_many) }}</span>
                                        </li>
                                    }}).collect_view()}
                                </ul>
                            </section>
                            <div class="kb-columns">
                                <section class="card">
                                    <h2>{t!(i18n, kb.most_read)}</h2>
                                    <ArticleList articles=home.most_read testid="most-read"/>
                                </section>
                                <section class="card">
                                    <h2>{t!(i18n, kb.recent)}</h2>
                                    <ArticleList articles=home.recent testid="recent"/>
                                </section>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn KbCategoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let page = Resource::new(
        move || {
            (
                params.read().get("category").unwrap_or_default(),
                reader_lang(i18n.get_locale()),
            )
        },
        |(slug, lang)| kb_category(slug, lang),
    );
    view! {
        <nav class="breadcrumbs"><A href="/kb">{t!(i18n, kb.title)}</A></nav>
        <SearchBox/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => {
                        if e.code == ErrorCode::NotFound { respond(404, None); }
                        view! { <ErrorNotice error=e/> }.into_any()
                    }
                    Ok(p) => {
                        let english = i18n.get_locale_untracked() == Locale::en;
                        let name = p.category.name(english).to_owned();
                        view! {
                            <DataTitle text=name.clone()/>
                            <h1>{name}</h1>
                            {if p.articles.is_empty() {
                                view! { <p class="empty">{t!(i18n, kb.category_empty)}</p> }.into_any()
                            } else {
                                view! { <ArticleList articles=p.articles testid="category-articles"/> }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn KbArticlePage() -> impl IntoView {
    let params = use_params_map();
    let article = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("category").unwrap_or_default(),
                p.get("slug").unwrap_or_default(),
            )
        },
        |(category, slug)| kb_article(category, slug),
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match article.await {
                    Err(e) => {
                        match e.code {
                            ErrorCode::NotFound => respond(404, None),
                            ErrorCode::Unauthenticated => respond(401, None),
                            _ => {}
                        }
                        view! { <SearchBox/><ErrorNotice error=e/> }.into_any()
                    }
                    Ok(ArticleLookup::Moved(path)) => {
                        respond(301, Some(&path));
                        view! { <leptos_router::components::Redirect path=path/> }.into_any()
                    }
                    Ok(ArticleLookup::Found(view)) => {
                        // Lets the page cache count views of cached copies.
                        #[cfg(feature = "ssr")]
                        if let (Some(res), Ok(id)) = (
                            use_context::<leptos_axum::ResponseOptions>(),
                            http::HeaderValue::from_str(&view.article.id.to_string()),
                        ) {
                            res.insert_header(http::HeaderName::from_static("x-kb-article"), id);
                        }
                        view! { <ArticleBody view=*view/> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ArticleBody(view: ArticleView) -> impl IntoView {
    let i18n = use_i18n();
    let a = view.article;
    let english = i18n.get_locale_untracked() == Locale::en;
    let category = category_name(&a, english);
    let category_path = format!("/kb/{}", a.category_slug);
    let updated = format_cr(a.updated_at);
    let toc = view.toc;
    let has_toc = !toc.is_empty();
    view! {
        <DataTitle text=a.title.clone()/>
        <Meta name="description" content=view.description.clone()/>
        <Link rel="canonical" href=view.canonical_url.clone()/>
        <Meta property="og:type" content="article"/>
        <Meta property="og:title" content=a.title.clone()/>
        <Meta property="og:description" content=view.description.clone()/>
        <Meta property="og:url" content=view.canonical_url.clone()/>
        <Meta property="og:locale" content=if a.lang.as_str() == "en" { "en_US" } else { "es_CR" }/>
        <nav class="breadcrumbs">
            <A href="/kb">{t!(i18n, kb.title)}</A>" › "<A href=category_path>{category}</A>
        </nav>
        <SearchBox/>
        <div class="article-layout" class:with-toc=has_toc>
            <article class="card article" lang=a.lang.as_str() data-testid="article">
                <h1>{a.title.clone()}</h1>
                <p class="muted article-meta">
                    {t!(i18n, kb.updated)}" "<time datetime=a.updated_at.to_rfc3339()>{updated}</time>
                </p>
                {view.translation.clone().map(|t| {
                    let lang = t.lang;
                    // The reader's own language gets a visible notice; the other one a quiet link.
                    let mine = lang == super::reader_lang(i18n.get_locale_untracked());
                    view! {
                        <p class:notice=mine class:muted=!mine>
                            {move || match lang {
                                ArticleLang::En => td_string!(i18n.get_locale(), kb.version_en),
                                ArticleLang::Es => td_string!(i18n.get_locale(), kb.version_es),
                            }}" "
                            <a href=t.path hreflang=lang.as_str() data-testid="translation">{t.title}</a>
                        </p>
                    }
                })}
                <div class="rendered article-body" inner_html=view.body_html></div>
                {(!view.tags.is_empty()).then(|| view! {
                    <p class="tags">{view.tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}</p>
                })}
                <FeedbackWidget article_id=a.id/>
            </article>
            {has_toc.then(|| view! {
                <nav class="toc card" aria-labelledby="toc-title" data-testid="toc">
                    <h2 id="toc-title">{t!(i18n, kb.toc)}</h2>
                    <ol>
                        {toc.into_iter().map(|h| view! {
                            <li class=format!("toc-l{}", h.level)><a href=format!("#{}", h.id)>{h.text}</a></li>
                        }).collect_view()}
                    </ol>
                </nav>
            })}
        </div>
        {(!view.related.is_empty()).then(|| view! {
            <section class="card related">
                <h2>{t!(i18n, kb.related)}</h2>
                <ArticleList articles=view.related testid="related"/>
            </section>
        })}
    }
}
