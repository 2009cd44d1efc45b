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

/// `f` in a given language, whatever the request's (a mail to someone
/// else stays English).
pub fn in_lang<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    LANG.sync_scope(lang, f)
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

/// `t_args` as escaped HTML, with `html` variables put in unescaped
/// (markup around a value, such as `<b id="count">3</b>`).
pub fn t_html(key: &str, args: &[(&str, FluentValue<'_>)], html: &[(&str, &str)]) -> String {
    let marker = |i: usize| format!("\u{E000}{i}\u{E001}");
    let mut all: Vec<(&str, FluentValue<'_>)> = args.to_vec();
    all.extend(
        html.iter()
            .enumerate()
            .map(|(i, (k, _))| (*k, FluentValue::from(marker(i)))),
    );
    let mut text = super::html::esc(&t_args(key, &all));
    for (i, (_, value)) in html.iter().enumerate() {
        text = text.replace(&marker(i), value);
    }
    text
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

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use fluent_syntax::ast;

    /// (file, key) → the variables its text uses, for one language.
    type Catalogue = BTreeMap<(String, String), BTreeSet<String>>;

    fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr_vars(expression, out);
            }
        }
    }

    fn expr_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, out),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expr_vars(expression, out),
            _ => {}
        }
    }

    fn catalogue(lang: Lang) -> Catalogue {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang.code());
        let mut found = Catalogue::new();
        let entries = std::fs::read_dir(&dir).expect("a folder per language");
        for entry in entries {
            let path = entry.expect("entry").path();
            let file = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            assert!(file.ends_with(".ftl"), "{}", path.display());
            let text = std::fs::read_to_string(&path).expect("read");
            let resource = fluent_syntax::parser::parse(text.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
            for entry in resource.body {
                match entry {
                    ast::Entry::Message(m) => {
                        let mut vars = BTreeSet::new();
                        if let Some(value) = &m.value {
                            pattern_vars(value, &mut vars);
                        }
                        let key = (file.clone(), m.id.name.to_string());
                        assert!(
                            found.insert(key, vars).is_none(),
                            "{file}: {} twice",
                            m.id.name
                        );
                    }
                    ast::Entry::Junk { content } => {
                        panic!("{}: cannot read {content:?}", path.display())
                    }
                    _ => {}
                }
            }
        }
        found
    }

    /// Every catalogue parses, and every language has the same files, the
    /// same keys and the same variables in each (docs/languages.md).
    #[test]
    fn every_language_is_complete() {
        let en = catalogue(Lang::En);
        assert!(en.len() > 50, "{}", en.len());
        for lang in Lang::ALL {
            let other = catalogue(lang);
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{}: not in English {extra:?}",
                lang.code()
            );
            for (key, vars) in &en {
                assert_eq!(&other[key], vars, "{}: variables of {key:?}", lang.code());
            }
        }
    }

    /// Every key the code names exists (in English, so in all).
    #[test]
    fn every_key_the_code_names_exists() {
        let keys: BTreeSet<String> = catalogue(Lang::En).into_keys().map(|(_, k)| k).collect();
        let prefixes = [
            "shell-",
            "errors-",
            "size-",
            "download-",
            "login-",
            "bundle-",
            "folder-",
            "delete-",
            "activate-",
            "preview-",
            "rss-",
            "upload-",
            "recipient-",
        ];
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            root.join("src/http/html.rs"),
            root.join("src/file_send/links.rs"),
        ];
        for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages"))
            .expect("src/pages")
        {
            files.push(entry.expect("entry").path());
        }
        let mut unknown = Vec::new();
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        {
            let text = std::fs::read_to_string(path).expect("read");
            for (i, _) in text.match_indices('"') {
                let rest = &text[i + 1..];
                if i > 0 && text.as_bytes()[i - 1] == b'\\' {
                    continue;
                }
                let Some(end) = rest.find('"') else { continue };
                let word = &rest[..end];
                if prefixes.iter().any(|p| word.starts_with(p))
                    && word.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !word.ends_with('-')
                    && !keys.contains(word)
                {
                    unknown.push(format!("{}: {word}", path.display()));
                }
            }
        }
        assert!(unknown.is_empty(), "keys without a message: {unknown:?}");
    }

    #[test]
    fn the_chooser_and_sizes_speak_each_language() {
        assert_eq!(lookup(Lang::De, "shell-lang-label", None), "Sprache");
        assert_eq!(lookup(Lang::Es, "no-such-key", None), "no-such-key");
    }

    #[tokio::test]
    async fn a_scope_sets_the_language() {
        let text = scope(Lang::De, async { (lang(), decimal(1.5, 1)) }).await;
        assert_eq!(text, (Lang::De, "1,5".to_string()));
        let english = scope(Lang::Fr, async { in_lang(Lang::En, lang) }).await;
        assert_eq!(english, Lang::En);
    }
}
