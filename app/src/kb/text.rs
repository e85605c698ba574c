//! Knowledge-base text rules shared by both storage backends: how words are folded (lower case,
//! accents removed), which words are too common to search (PostgreSQL's own Snowball stop
//! lists), how they are stemmed (Snowball, on the accented word, then folded, with Spanish word
//! families joined), slugs, snippets and highlights.
//!
//! Both backends index the output of [`index_text`]: SQLite with FTS5, PostgreSQL as
//! `tsvector`s with the `simple` configuration (no stemming of its own). A query is stemmed
//! here once, so both find the same articles.

use super::ArticleLang;
use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const STOP_ES: &str = include_str!("stop_es.txt");
const STOP_EN: &str = include_str!("stop_en.txt");

struct LangRules {
    stemmer: Stemmer,
    stop: HashSet<&'static str>,
}

fn rules(lang: ArticleLang) -> &'static LangRules {
    static ES: OnceLock<LangRules> = OnceLock::new();
    static EN: OnceLock<LangRules> = OnceLock::new();
    let (cell, algorithm, list) = match lang {
        ArticleLang::Es => (&ES, Algorithm::Spanish, STOP_ES),
        ArticleLang::En => (&EN, Algorithm::English, STOP_EN),
    };
    cell.get_or_init(|| LangRules {
        stemmer: Stemmer::create(algorithm),
        stop: list
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect(),
    })
}

/// Lower case without accents: "Configuración" → "configuracion", "contraseña" → "contrasena".
pub fn fold(word: &str) -> String {
    deunicode::deunicode(&word.to_lowercase())
}

/// Byte ranges of the words in `text` (runs of letters and digits).
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// The words of `text` as the index sees them: every word, and hyphenated compounds
/// (`Wi-Fi`, `e-mail`, `back-up`) also joined (`wifi`, `email`, `backup`), so either spelling
/// finds the other. Spans are byte ranges; a compound's covers all its parts.
pub fn tokens(text: &str) -> Vec<(usize, usize, Cow<'_, str>)> {
    let spans = word_spans(text);
    let mut out = Vec::with_capacity(spans.len());
    let mut i = 0;
    while i < spans.len() {
        let mut j = i;
        while j + 1 < spans.len() && &text[spans[j].1..spans[j + 1].0] == "-" {
            j += 1;
        }
        for &(s, e) in &spans[i..=j] {
            out.push((s, e, Cow::Borrowed(&text[s..e])));
        }
        if j > i {
            let (s, e) = (spans[i].0, spans[j].1);
            out.push((s, e, Cow::Owned(text[s..e].replace('-', ""))));
        }
        i = j + 1;
    }
    out
}

/// Bumped whenever [`normalize_word`] changes, so stored indexes are rebuilt at start.
pub const SEARCH_RULES_VERSION: i64 = 2;

/// A Spanish word typed without its accent gets back the accent of the suffixes Snowball's
/// rules are written with (`configuracion` → `configuración`, `tecnologia` → `tecnología`),
/// so it reaches the same stem as the accented word.
fn restore_spanish_accent(lower: &str) -> std::borrow::Cow<'_, str> {
    const ACCENTED: [char; 6] = ['á', 'é', 'í', 'ó', 'ú', 'ü'];
    if lower.contains(ACCENTED) {
        return lower.into();
    }
    for (plain, accented) in [("logias", "logías"), ("logia", "logía"), ("ion", "ión")] {
        if let Some(stem) = lower.strip_suffix(plain) {
            if !stem.is_empty() {
                return format!("{stem}{accented}").into();
            }
        }
    }
    lower.into()
}

/// Joins word families Snowball leaves apart: `clasificación`/`clasificar` (`clasif` /
/// `clasific`), `prioridad`/`prioridades` (`priorid` / `prioridad`), `conexión`/`conectar`
/// (`conexion` / `conect`).
fn spanish_family(stem: String) -> String {
    if let Some(base) = stem.strip_suffix("ific") {
        return format!("{base}if");
    }
    if let Some(base) = stem.strip_suffix("idad") {
        return format!("{base}id");
    }
    if let Some(base) = stem.strip_suffix("xion") {
        return format!("{base}ct");
    }
    stem
}

/// Lower case, stop words out, stemmed with the accents the stemmer's rules need, then folded:
/// `Configuración`, `configuracion`, `configurar` and `configura` all give `configur`.
fn normalize_uncached(word: &str, lang: ArticleLang) -> Option<String> {
    let lower = word.to_lowercase();
    let folded = fold(&lower);
    let rules = rules(lang);
    if folded.is_empty()
        || rules.stop.contains(folded.as_str())
        || rules.stop.contains(lower.as_str())
    {
        return None;
    }
    Some(match lang {
        ArticleLang::Es => {
            let accented = restore_spanish_accent(&lower);
            spanish_family(fold(&rules.stemmer.stem(&accented)))
        }
        ArticleLang::En => fold(&rules.stemmer.stem(&lower)),
    })
}

/// Words seen per thread and language; articles share a bounded vocabulary, so searches and
/// snippets mostly stem nothing new.
const MEMO_LIMIT: usize = 200_000;

thread_local! {
    static MEMO: std::cell::RefCell<[HashMap<String, Option<String>>; 2]> =
        std::cell::RefCell::new([HashMap::new(), HashMap::new()]);
}

/// The searchable form of one word, or `None` for a stop word.
pub fn normalize_word(word: &str, lang: ArticleLang) -> Option<String> {
    let slot = match lang {
        ArticleLang::Es => 0,
        ArticleLang::En => 1,
    };
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let map = &mut memo[slot];
        if let Some(hit) = map.get(word) {
            return hit.clone();
        }
        if map.len() >= MEMO_LIMIT {
            map.clear();
        }
        let normal = normalize_uncached(word, lang);
        map.insert(word.to_owned(), normal.clone());
        normal
    })
}

/// The text SQLite's index stores: every word folded and stemmed, separated by spaces.
pub fn index_text(text: &str, lang: ArticleLang) -> String {
    let mut out = String::with_capacity(text.len());
    for (_, _, word) in tokens(text) {
        if let Some(term) = normalize_word(&word, lang) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&term);
        }
    }
    out
}

/// A reader's query, prepared for one article language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Folded, stemmed terms; every one must match.
    pub terms: Vec<String>,
    /// The last word is still being typed: it matches as a prefix.
    pub prefix_last: bool,
    /// Any term may match (ticket-subject suggestions) instead of every term (search).
    pub any: bool,
}

/// At most this many words of a query are used.
const MAX_QUERY_WORDS: usize = 8;

/// The words of a query that are used (a hyphenated compound as one joined word: `wi-fi` is
/// `wifi`), and whether the last one is still being typed.
fn query_words(raw: &str) -> (Vec<Cow<'_, str>>, bool) {
    let spans = word_spans(raw);
    let mut words = Vec::new();
    let mut i = 0;
    while i < spans.len() && words.len() < MAX_QUERY_WORDS {
        let mut j = i;
        while j + 1 < spans.len() && &raw[spans[j].1..spans[j + 1].0] == "-" {
            j += 1;
        }
        let (s, e) = (spans[i].0, spans[j].1);
        words.push(if j > i {
            Cow::Owned(raw[s..e].replace('-', ""))
        } else {
            Cow::Borrowed(&raw[s..e])
        });
        i = j + 1;
    }
    (words, !raw.ends_with(char::is_whitespace))
}

impl Query {
    pub fn parse(raw: &str, lang: ArticleLang) -> Query {
        let (words, prefix_last) = query_words(raw);
        let mut terms: Vec<String> = Vec::new();
        let mut last_kept = false;
        for (i, w) in words.iter().enumerate() {
            last_kept = false;
            if let Some(t) = normalize_word(w, lang) {
                if !terms.contains(&t) {
                    terms.push(t);
                }
                last_kept = i + 1 == words.len();
            }
        }
        Query {
            terms,
            prefix_last: prefix_last && last_kept,
            any: false,
        }
    }

    /// The same query, matching articles that contain any of its terms.
    pub fn any_term(mut self) -> Query {
        self.any = true;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// FTS5 syntax: quoted terms (implicit AND), the last one as a prefix when still typed.
    pub fn fts5(&self) -> String {
        let n = self.terms.len();
        self.terms
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let star = if self.prefix_last && i + 1 == n {
                    "*"
                } else {
                    ""
                };
                format!("\"{}\"{star}", t.replace('"', ""))
            })
            .collect::<Vec<_>>()
            .join(if self.any { " OR " } else { " " })
    }

    /// `to_tsquery('simple', …)` input for PostgreSQL: the same stems SQLite searches for
    /// (PostgreSQL indexes the text [`index_text`] produced), letters and digits only so no
    /// operator can be injected; the last one as a prefix while typed.
    pub fn tsquery(&self) -> String {
        let n = self.terms.len();
        self.terms
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let clean: String = t.chars().filter(char::is_ascii_alphanumeric).collect();
                let star = if self.prefix_last && i + 1 == n {
                    ":*"
                } else {
                    ""
                };
                (!clean.is_empty()).then(|| format!("{clean}{star}"))
            })
            .collect::<Vec<_>>()
            .join(if self.any { " | " } else { " & " })
    }

    /// Whether a normalized word matches term `i` (the last one as a prefix while typed).
    fn term_matches(&self, i: usize, word: &str) -> bool {
        let t = &self.terms[i];
        if self.prefix_last && i + 1 == self.terms.len() {
            word.starts_with(t.as_str())
        } else {
            word == t
        }
    }

    fn matches(&self, word: &str) -> bool {
        (0..self.terms.len()).any(|i| self.term_matches(i, word))
    }
}

/// Byte ranges of the words of `text` that match the query.
pub fn matches(text: &str, query: &Query, lang: ArticleLang) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = tokens(text)
        .into_iter()
        .filter(|(_, _, word)| normalize_word(word, lang).is_some_and(|t| query.matches(&t)))
        .map(|(s, e, _)| (s, e))
        .collect();
    // A compound and its parts may both match: keep the widest, in text order.
    found.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(found.len());
    for (s, e) in found {
        if out.last().is_none_or(|&(_, end)| s >= end) {
            out.push((s, e));
        }
    }
    out
}

/// How many distinct query terms the text contains (title matches rank above body matches).
pub fn term_hits(text: &str, query: &Query, lang: ArticleLang) -> usize {
    let found: Vec<String> = tokens(text)
        .into_iter()
        .filter_map(|(_, _, word)| normalize_word(&word, lang))
        .collect();
    (0..query.terms.len())
        .filter(|&i| found.iter().any(|f| query.term_matches(i, f)))
        .count()
}

/// BM25 relevance of each text for the query, computed the same way whichever database found
/// the candidates (so both backends rank them identically). Document frequencies come from the
/// candidates themselves.
pub fn bm25(texts: &[&str], query: &Query, lang: ArticleLang) -> Vec<f64> {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let n_terms = query.terms.len();
    // Candidates share most of their vocabulary: stem each distinct word once. Per word: is it
    // a (non-stop) word, and which query terms it matches.
    let mut memo: HashMap<Cow<'_, str>, Option<Vec<usize>>> = HashMap::new();
    // Per text: its length in words and the frequency of each query term.
    let stats: Vec<(usize, Vec<usize>)> = texts
        .iter()
        .map(|text| {
            let mut tf = vec![0_usize; n_terms];
            let mut len = 0;
            for (_, _, raw) in tokens(text) {
                let matched = memo.entry(raw).or_insert_with_key(|raw| {
                    normalize_word(raw, lang).map(|word| {
                        (0..n_terms)
                            .filter(|&i| query.term_matches(i, &word))
                            .collect()
                    })
                });
                if let Some(terms) = matched {
                    len += 1;
                    for &i in terms.iter() {
                        tf[i] += 1;
                    }
                }
            }
            (len, tf)
        })
        .collect();
    let n = stats.len() as f64;
    let avg_len = (stats.iter().map(|(l, _)| *l).sum::<usize>() as f64 / n.max(1.0)).max(1.0);
    let idf: Vec<f64> = (0..n_terms)
        .map(|i| {
            let df = stats.iter().filter(|(_, tf)| tf[i] > 0).count() as f64;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        })
        .collect();
    stats
        .iter()
        .map(|(len, tf)| {
            let norm = K1 * (1.0 - B + B * *len as f64 / avg_len);
            tf.iter()
                .zip(&idf)
                .map(|(&f, idf)| {
                    let f = f as f64;
                    idf * f * (K1 + 1.0) / (f + norm)
                })
                .sum()
        })
        .collect()
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// HTML-escaped text with the matched words wrapped in `<mark>`.
pub fn highlight(text: &str, query: &Query, lang: ArticleLang) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for (s, e) in matches(text, query, lang) {
        out.push_str(&escape_html(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&escape_html(&text[at..]));
    out
}

/// A window of about `width` characters around the first match (or the start), highlighted.
pub fn snippet(text: &str, query: &Query, lang: ArticleLang, width: usize) -> String {
    let first = matches(text, query, lang).first().map(|m| m.0).unwrap_or(0);
    let char_start = text[..first].chars().count().saturating_sub(width / 3);
    let mut start = text
        .char_indices()
        .nth(char_start)
        .map(|(i, _)| i)
        .unwrap_or(0);
    // Begin at a word boundary.
    if start > 0 {
        if let Some(space) = text[start..first.max(start)].find(char::is_whitespace) {
            start += space + 1;
        }
    }
    let end = text[start..]
        .char_indices()
        .nth(width)
        .map(|(i, _)| start + i)
        .unwrap_or(text.len());
    let end = if end < text.len() {
        text[start..end]
            .rfind(char::is_whitespace)
            .map(|i| start + i)
            .filter(|&e| e > first)
            .unwrap_or(end)
    } else {
        end
    };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&highlight(text[start..end].trim(), query, lang));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// URL slug from a title: accents stripped, lower case, words joined by hyphens, ≤ 80 chars.
pub fn slugify(title: &str) -> String {
    let folded = deunicode::deunicode(title).to_lowercase();
    let mut slug = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 80 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// Tags as typed ("VPN, Acceso remoto") → `["vpn", "acceso remoto"]`: trimmed, lower case,
/// unique, at most 10 of at most 40 characters.
pub fn parse_tags(raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(',') {
        let tag: String = tag.trim().to_lowercase().chars().take(40).collect();
        if !tag.is_empty() && !tags.contains(&tag) && tags.len() < 10 {
            tags.push(tag);
        }
    }
    tags
}

/// First `max` characters of a text, cut at a word, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rfind(' ').map(|i| &cut[..i]).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleLang::{En, Es};

    fn q(s: &str) -> Query {
        Query::parse(s, Es)
    }

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("Configuración"), "configuracion");
        assert_eq!(fold("CONTRASEÑA"), "contrasena");
    }

    #[test]
    fn spanish_stemming_matches_forms_people_type() {
        let n = |w| normalize_word(w, Es).expect("not a stop word");
        assert_eq!(n("impresoras"), n("impresora"));
        assert_eq!(n("contrasena"), n("contraseña"));
        assert_eq!(n("configuracion"), n("Configuración"));
        assert_eq!(n("reinicié"), n("reiniciar"));
        assert_eq!(normalize_word("de", Es), None);
        assert_eq!(normalize_word("cómo", Es), None, "stop words after folding");
    }

    #[test]
    fn english_is_stemmed_in_english() {
        assert_eq!(
            normalize_word("printers", En),
            normalize_word("printer", En)
        );
        assert_eq!(normalize_word("the", En), None);
    }

    #[test]
    fn queries_drop_stop_words_and_keep_prefix_of_last_word() {
        let query = q("cómo configurar la impre");
        assert_eq!(query.terms.len(), 2);
        assert!(query.prefix_last);
        assert_eq!(query.fts5(), "\"configur\" \"impre\"*");
        assert!(!q("vpn ").prefix_last);
        assert!(q("de la").is_empty());
        assert!(q("\"); DROP TABLE x; --")
            .fts5()
            .matches('"')
            .count()
            .is_multiple_of(2));
        assert_eq!(q("vpn lenta ").any_term().fts5(), "\"vpn\" OR \"lent\"");
    }

    #[test]
    fn tsquery_has_only_words_and_operators() {
        assert_eq!(q("contraseña olvid").tsquery(), "contrasen & olvid:*");
        assert_eq!(
            q("a|b & !c:*").tsquery(),
            "b & c:*",
            "operators are dropped, stop words too"
        );
        assert_eq!(q("vpn ").tsquery(), "vpn");
        assert_eq!(q("vpn lenta ").any_term().tsquery(), "vpn | lent");
        assert_eq!(q(" '").tsquery(), "");
    }

    #[test]
    fn hyphenated_and_joined_spellings_meet() {
        for (text, query) in [
            ("Conecte el equipo al Wi-Fi de la oficina", "wifi "),
            ("La red wifi de invitados", "wi-fi "),
            ("Reenvíe el e-mail", "email "),
            ("Revise el email recibido", "e-mail "),
            ("Haga un back-up semanal", "backup "),
        ] {
            assert_eq!(term_hits(text, &q(query), Es), 1, "{text} / {query}");
            assert!(highlight(text, &q(query), Es).contains("<mark>"), "{text}");
        }
        assert_eq!(
            highlight("El Wi-Fi", &q("wifi "), Es),
            "El <mark>Wi-Fi</mark>"
        );
        assert!(index_text("Wi-Fi", Es).split(' ').any(|t| t == "wifi"));
    }

    #[test]
    fn word_families_meet_with_and_without_accents() {
        let n = |w| normalize_word(w, Es).expect("not a stop word");
        for family in [
            &[
                "configuración",
                "configuracion",
                "configurar",
                "configura",
                "configurado",
            ][..],
            &["instalación", "instalacion", "instalar", "instala"],
            &[
                "actualización",
                "actualizacion",
                "actualizar",
                "actualizaciones",
            ],
            &["conexión", "conexion", "conectar", "conectarse"],
            &["clasificación", "clasificacion", "clasificar"],
            &["verificación", "verificar", "verificacion"],
            &["prioridad", "prioridades"],
            &["restauración", "restauracion", "restaurar"],
            &["facturación", "facturacion", "facturar"],
            &["tecnología", "tecnologia", "tecnologías"],
        ] {
            let stems: Vec<String> = family.iter().map(|w| n(w)).collect();
            assert!(
                stems.iter().all(|s| s == &stems[0]),
                "{family:?} → {stems:?}"
            );
        }
        assert_eq!(n("región"), n("region"));
        assert_ne!(n("configuración"), n("conexión"));
    }

    #[test]
    fn highlights_matches_whatever_the_accents() {
        let html = highlight("Cambiar la contraseña <ahora>", &q("contrasena "), Es);
        assert_eq!(html, "Cambiar la <mark>contraseña</mark> &lt;ahora&gt;");
        assert_eq!(
            term_hits("Impresora sin conexión", &q("impresoras conexion "), Es),
            2
        );
    }

    #[test]
    fn snippets_centre_on_the_first_match() {
        let text = "Uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce \
                    quince dieciséis impresora diecisiete dieciocho diecinueve veinte";
        let s = snippet(text, &q("impresora "), Es, 40);
        assert!(s.starts_with('…'), "{s}");
        assert!(s.contains("<mark>impresora</mark>"), "{s}");
        assert_eq!(snippet("corto", &q("nada "), Es, 40), "corto");
    }

    #[test]
    fn bm25_prefers_more_and_rarer_matches() {
        let texts = [
            "La impresora no imprime. Reinicie la impresora y la cola.",
            "Configurar la VPN y la impresora.",
            "Respaldos diarios.",
        ];
        let scores = bm25(&texts, &q("impresora "), Es);
        assert!(scores[0] > scores[1], "{scores:?}");
        assert_eq!(scores[2], 0.0);
    }

    #[test]
    fn slugs_are_ascii_and_readable() {
        assert_eq!(
            slugify("¿Cómo configurar la VPN en Windows 11?"),
            "como-configurar-la-vpn-en-windows-11"
        );
        assert_eq!(slugify("Contraseña olvidada"), "contrasena-olvidada");
        assert!(slugify(&"palabra ".repeat(40)).len() <= 80);
        assert_eq!(slugify("¡¿?!"), "");
    }

    #[test]
    fn tags_are_clean_and_unique() {
        assert_eq!(
            parse_tags(" VPN, acceso remoto,vpn,, "),
            vec!["vpn", "acceso remoto"]
        );
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("uno dos tres cuatro", 9), "uno dos…");
        assert_eq!(excerpt("corto", 9), "corto");
    }
}
