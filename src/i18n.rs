//! Messages: every user-visible text, from the Fluent files in `locales/` (Persian first,
//! English second), embedded in the binary.
//!
//! Use the [`t!`](crate::t) macro: `t!(lang, "message-id", name = value)`. Message ids are
//! checked at compile time against `locales/fa/setad.ftl`. Bidi isolation marks are off
//! (Bale and Telegram render them as visible boxes on some phones), and numbers passed as
//! arguments are written with Persian digits in Persian.

use std::sync::OnceLock;

use fluent::FluentValue;
use i18n_embed::fluent::{FluentLanguageLoader, fluent_language_loader};
use i18n_embed::{LanguageLoader, unic_langid::LanguageIdentifier};
use intl_memoizer::concurrent::IntlLangMemoizer;
use rust_embed::RustEmbed;

use crate::domain::Lang;
use crate::domain::error::Chain;
use crate::domain::text::{Digits, localize_digits};

#[derive(RustEmbed)]
#[folder = "locales/"]
struct Localizations;

static LOADERS: OnceLock<[FluentLanguageLoader; 2]> = OnceLock::new();

fn language(lang: Lang) -> LanguageIdentifier {
    lang.code().parse().unwrap_or_default()
}

/// Writes Fluent number arguments with Persian digits.
fn persian_numbers(value: &FluentValue<'_>, _: &IntlLangMemoizer) -> Option<String> {
    match value {
        FluentValue::Number(n) => Some(localize_digits(&n.as_string(), Digits::Persian)),
        _ => None,
    }
}

fn build(lang: Lang) -> FluentLanguageLoader {
    let loader: FluentLanguageLoader = fluent_language_loader!();
    // The files are embedded and checked by the `locales` test, so a failure here is a build
    // defect; the loader then falls back to showing message ids rather than panicking.
    if let Err(e) = loader.load_languages(&Localizations, &[language(lang)]) {
        tracing::error!(error = %Chain(&e), lang = lang.code(), "could not load the messages");
    }
    loader.set_use_isolating(false);
    if lang == Lang::Fa {
        loader.with_bundles_mut(|bundle| bundle.set_formatter(Some(persian_numbers)));
    }
    loader
}

/// The message loader of `lang`.
pub fn loader(lang: Lang) -> &'static FluentLanguageLoader {
    let loaders = LOADERS.get_or_init(|| [build(Lang::Fa), build(Lang::En)]);
    match lang {
        Lang::Fa => &loaders[0],
        Lang::En => &loaders[1],
    }
}

/// The raw text of every embedded locale file, by language code, for the locale tests.
pub fn sources() -> Vec<(String, String)> {
    Localizations::iter()
        .filter_map(|path| {
            let file = Localizations::get(&path)?;
            let code = path.split('/').next()?.to_owned();
            Some((code, String::from_utf8_lossy(&file.data).into_owned()))
        })
        .collect()
}

/// Translates a message: `t!(lang, "id")` or `t!(lang, "id", name = value, …)`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:literal) => {
        i18n_embed_fl::fl!($crate::i18n::loader($lang), $id)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        i18n_embed_fl::fl!($crate::i18n::loader($lang), $id, $($name = $value),+)
    };
}
