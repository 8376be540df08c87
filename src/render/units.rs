//! The wording of a unit look-up that failed, the same in the CLI and the bot.

use crate::domain::Lang;
use crate::t;

/// How many units a message lists.
const LISTED: usize = 20;

/// Units (name, key) as a list for a message: `name (key)`, comma-separated, the first
/// [`LISTED`] and a count of the rest.
pub fn unit_list<'a>(lang: Lang, units: &[(&'a str, &'a str)]) -> String {
    if units.is_empty() {
        return "—".to_owned();
    }
    // A name shared across a country («بخش مرکزی») fits hundreds of units: the first few say
    // enough to refine it.
    let mut list = units
        .iter()
        .take(LISTED)
        .map(|(name, key)| format!("{name} ({key})"))
        .collect::<Vec<_>>()
        .join(&t!(lang, "list-comma"));
    if units.len() > LISTED {
        let more = units.len() - LISTED;
        list.push_str(&t!(lang, "list-more", count = more));
    }
    list
}

/// No unit is named `query`; `closest` (name, key) are the nearest.
pub fn unknown_unit(lang: Lang, query: &str, closest: &[(&str, &str)]) -> String {
    t!(
        lang,
        "invite-unknown-unit",
        query = query.to_owned(),
        suggestions = unit_list(lang, closest)
    )
}

/// Several units (name, key) are named `query`.
pub fn ambiguous_unit(lang: Lang, query: &str, units: &[(&str, &str)]) -> String {
    t!(
        lang,
        "invite-ambiguous",
        query = query.to_owned(),
        keys = unit_list(lang, units)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut() {
        let keys: Vec<String> = (0..25).map(|i| format!("d{i}")).collect();
        let units: Vec<(&str, &str)> = keys.iter().map(|k| ("بخش مرکزی", k.as_str())).collect();
        let list = unit_list(Lang::En, &units);
        assert!(list.starts_with("بخش مرکزی (d0), بخش مرکزی (d1)"), "{list}");
        assert!(list.contains("(d19)") && !list.contains("(d20)"), "{list}");
        assert!(list.ends_with(" and 5 more"), "{list}");
        assert_eq!(unit_list(Lang::En, &units[..2]).matches("بخش").count(), 2);
        assert_eq!(unit_list(Lang::En, &[]), "—");
    }
}
