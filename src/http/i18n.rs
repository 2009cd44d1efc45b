//! The pages' languages (docs/languages.md): the message catalogues
//! `locales/{lang}/*.ftl` embedded at compile time, the request's language
//! in a task-local (set once per request by the shell middleware,
//! `pages::shell::frame`), and locale-aware numbers. Only the front ends'
//! HTML speaks languages; the domain and the APIs stay language-free.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;

use fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Bidi isolation marks would end up inside attributes and JSON.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the pages are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Es];

    /// The BCP 47 code: `<html lang>`, the cookie and the catalogue's folder.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    /// The language's name in itself, as the chooser shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Fr => "Français",
            Lang::Es => "Español",
        }
    }

    /// A language tag's language (`de-AT` → German), ignoring case.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The decimal separator of the language's numbers.
    pub fn decimal_comma(self) -> bool {
        self != Lang::En
    }

    fn id(self) -> LanguageIdentifier {
        // The four codes are valid identifiers.
        self.code().parse().unwrap_or_default()
    }
}

/// The best of our languages for an `Accept-Language` header: the highest
/// q-value wins, the earlier one on a tie; `*` and unknown tags are
/// skipped; nothing known → English.
pub fn from_accept_language(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',').take(32) {
        let mut fields = part.split(';');
        let Some(lang) = fields.next().and_then(Lang::parse) else {
            continue;
        };
        let q = fields
            .filter_map(|f| f.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if !(q > 0.0 && q <= 1.0) {
            continue;
        }
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::En, |(_, l)| l)
}

tokio::task_local! {
    static LANG: Lang;
}

/// Runs a request's handler in its language.
pub async fn scope<F: Future>(lang: Lang, f: F) -> F::Output {
    LANG.scope(lang, f).await
}

/// The current request's language; English outside a request (background
/// jobs, unit tests).
pub fn lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// The message `key` in the request's language (English if the language
/// lacks it; the key itself if no catalogue has it).
pub fn t(key: &str) -> String {
    lookup(lang(), key, None)
}

/// `t` with variables: `t_args("key", &[("name", name.into())])`.
pub fn t_args(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_string()), v.clone()))
        .collect();
    lookup(lang(), key, Some(&map))
}

/// A message in a given language (tests, and the chooser's labels).
pub fn lookup(
    lang: Lang,
    key: &str,
    args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>,
) -> String {
    LOCALES
        .try_lookup_complete(&lang.id(), key, args)
        .unwrap_or_else(|| key.to_string())
}

/// `value` with `places` decimals and the language's separator.
pub fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if lang().decimal_comma() {
        text.replace('.', ",")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_by_q_value() {
        assert_eq!(from_accept_language("de-DE,de;q=0.9"), Lang::De);
        assert_eq!(from_accept_language("fr;q=0.1, es;q=0.8"), Lang::Es);
        assert_eq!(from_accept_language("xx"), Lang::En);
        assert_eq!(from_accept_language(""), Lang::En);
        assert_eq!(from_accept_language("de-AT"), Lang::De);
        assert_eq!(from_accept_language("xx, FR-ca;q=0.5, en;q=0.4"), Lang::Fr);
        assert_eq!(from_accept_language("es;q=0, de;q=abc"), Lang::De);
        assert_eq!(from_accept_language("*;q=0.9, es;q=0.5"), Lang::Es);
        assert_eq!(from_accept_language("fr, es"), Lang::Fr);
    }

    #[test]
    fn outside_a_request_the_pages_speak_english() {
        assert_eq!(lang(), Lang::En);
        assert_eq!(decimal(1.25, 1), "1.2");
    }

    #[tokio::test]
    async fn a_scope_sets_the_language() {
        let text = scope(Lang::De, async { (lang(), decimal(1.5, 1)) }).await;
        assert_eq!(text, (Lang::De, "1,5".to_string()));
    }
}
