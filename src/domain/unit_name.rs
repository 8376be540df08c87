//! Finding a unit by the name people give it: «فرمانداری آمل», «دفتر سیاسی، انتخابات و
//! تقسیمات کشوری», «بخش مرکزی ساری», «اداره کل امور روستایی و شوراها استان مازندران».
//!
//! A name is read as words ([`normalize_text`]: Arabic letters folded, half-spaces and
//! punctuation as word boundaries), in any order. Leading words that say an office's kind
//! (فرمانداری, شهرداری, بخشداری, دهیاری, اداره کل, سازمان, دفتر, …) are set apart: they filter
//! by kind and are not needed to match. The words of a unit's ancestors (its county, the
//! province's «استانداری مازندران») are its *context*: a query may name them, to tell apart
//! the several «بخش مرکزی», but need not. What remains, the unit's *core*, must all be named
//! for a name to match outright.
//!
//! [`UnitIndex::find`] ranks the units in tiers: the same words (or the same letters without
//! spaces); the same words with a typo in a long name; every word of the query found in one
//! name; and, failing those, the closest names by words in common and spelling distance, so an
//! unknown name always gets suggestions. Pure code: the caller brings the units (from the
//! store) and decides between units of the best tier (by role).

use std::cmp::Reverse;

use crate::domain::text::{levenshtein, normalize_text};
use crate::domain::unit::UnitKind;

/// The kinds meant by an office word.
const COUNTY: &[UnitKind] = &[UnitKind::County];
const TOWN: &[UnitKind] = &[UnitKind::Town];
const DISTRICT: &[UnitKind] = &[UnitKind::District];
const RURAL: &[UnitKind] = &[UnitKind::RuralDistrict];
const VILLAGE: &[UnitKind] = &[UnitKind::Village];
const AGENCY: &[UnitKind] = &[UnitKind::Directorate, UnitKind::Office];
const PROVINCE: &[UnitKind] = &[UnitKind::Province];

/// Office words that say a kind wherever they stand (they are never part of a place name).
const STRONG: &[(&[&str], &[UnitKind])] = &[
    (&["فرمانداری"], COUNTY),
    (&["فرماندار"], COUNTY),
    (&["شهرداری"], TOWN),
    (&["شهردار"], TOWN),
    (&["بخشداری"], DISTRICT),
    (&["بخشدار"], DISTRICT),
    (&["دهیاری"], VILLAGE),
    (&["دهیار"], VILLAGE),
    (&["اداره", "کل"], AGENCY),
    (&["ادارهکل"], AGENCY),
    (&["مدیرکل"], AGENCY),
    (&["مدیر", "کل"], AGENCY),
    (&["سازمان"], AGENCY),
];

/// Words that say a kind only at the head of a name («شهر» is also the end of «خلیل‌شهر»).
const WEAK: &[(&[&str], &[UnitKind])] = &[
    (&["شهرستان"], COUNTY),
    (&["شهر"], TOWN),
    (&["بخش"], DISTRICT),
    (&["دهستان"], RURAL),
    (&["روستای"], VILLAGE),
    (&["روستا"], VILLAGE),
    (&["دفتر"], AGENCY),
    (&["اداره"], AGENCY),
    (&["استانداری"], PROVINCE),
    (&["استان"], PROVINCE),
];

/// Words that may follow any name («… استان مازندران», «بخش مرکزی شهرستان آمل»).
const SUFFIX: &[&str] = &["استان", "استانداری", "شهرستان"];

/// The most words, and letters in a word, of a query that are read.
const MAX_WORDS: usize = 24;
const MAX_WORD_LEN: usize = 40;

/// Words that carry no meaning for matching.
const STOPWORDS: &[&str] = &["و", "ی"];

/// One unit as the index needs it.
#[derive(Debug, Clone, Copy)]
pub struct NamedUnit<'a> {
    /// Its name as stored.
    pub name: &'a str,
    /// Its kind.
    pub kind: UnitKind,
    /// Its parent, as a position in the same list.
    pub parent: Option<usize>,
}

/// A name read as words: the office words at its head, then the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Words {
    /// The kinds the office words say (empty: any kind).
    kinds: Vec<UnitKind>,
    /// The office words themselves (`اداره`, `کل`): context of the unit they name.
    prefix: Vec<String>,
    /// The other words, in order.
    rest: Vec<String>,
}

/// The words of `text`: folded, split at spaces, half-spaces and punctuation, stopwords out.
fn words(text: &str) -> Vec<String> {
    normalize_text(text)
        .split(|c: char| {
            c.is_whitespace() || (c.is_ascii_punctuation() && c != '-') || "،؛«»()٫".contains(c)
        })
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// The office phrase of `table` that `words` starts with at `at`, if any.
fn phrase_at<'t>(
    table: &'t [(&[&str], &'t [UnitKind])],
    words: &[String],
    at: usize,
) -> Option<(usize, &'t [UnitKind])> {
    table.iter().find_map(|(phrase, kinds)| {
        let fits = words.len() >= at + phrase.len()
            && phrase.iter().zip(&words[at..]).all(|(p, w)| p == w);
        fits.then_some((phrase.len(), *kinds))
    })
}

/// Reads `text` as a name: office words at the head (any number, the first saying the kind),
/// strong office words anywhere else.
fn read(text: &str) -> Words {
    let all = words(text);
    let mut out = Words::default();
    let mut at = 0;
    while let Some((len, kinds)) = phrase_at(STRONG, &all, at).or_else(|| phrase_at(WEAK, &all, at))
    {
        if out.kinds.is_empty() {
            out.kinds = kinds.to_vec();
        }
        out.prefix.extend(all[at..at + len].iter().cloned());
        at += len;
    }
    while at < all.len() {
        if let Some((len, kinds)) = phrase_at(STRONG, &all, at) {
            if out.kinds.is_empty() {
                out.kinds = kinds.to_vec();
            }
            at += len;
        } else {
            out.rest.push(all[at].clone());
            at += 1;
        }
    }
    out
}

/// A unit in the index.
#[derive(Debug, Clone)]
struct Entry {
    kind: UnitKind,
    /// The kinds its office words say.
    prefix_kinds: Vec<UnitKind>,
    /// The words that must be named.
    core: Vec<Vec<char>>,
    /// The core without spaces.
    compact: Vec<char>,
    /// Words that may be named: its own office words and suffix, its ancestors' names.
    context: Vec<Vec<char>>,
}

/// How well a query fits a unit; lower tiers are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The same words, or the same letters without spaces.
    Same,
    /// The same words of a name of several words, with a typo.
    Typo,
    /// Every word of the query is in the name.
    Part,
    /// Only close: a suggestion.
    Near,
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// The units of the best tier that matched, best first (positions in the indexed list).
    Matching {
        /// How they matched.
        tier: Tier,
        /// Their positions, best first.
        units: Vec<usize>,
    },
    /// Nothing matched: the closest units, best first.
    Unknown(Vec<usize>),
}

/// The units' names, read once, to look many names up in.
#[derive(Debug, Clone)]
pub struct UnitIndex {
    entries: Vec<Entry>,
    /// [`SUFFIX`], as characters: context of every unit.
    suffix: Vec<Vec<char>>,
}

/// Whether two words are the same but for a typo: one edit in a word of five letters or more,
/// two in one of nine or more.
fn typo(a: &[char], b: &[char]) -> bool {
    let shorter = a.len().min(b.len());
    let allowed = match shorter {
        0..=4 => return false,
        5..=8 => 1,
        _ => 2,
    };
    a.len().abs_diff(b.len()) <= allowed && levenshtein(a, b) <= allowed
}

/// How one query word was found in a unit's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    Core,
    CoreTypo,
    Context,
    None,
}

/// The score of one unit for one query.
#[derive(Debug, Clone, Copy)]
struct Score {
    tier: Tier,
    kind_fits: bool,
    prefix_same: bool,
    /// Query words found in the core.
    common: usize,
    /// Core words not named.
    missing: usize,
    /// Spelling distance between the compact forms.
    distance: usize,
}

impl UnitIndex {
    /// Reads every unit's name. `units[i].parent` is a position in `units`.
    pub fn new(units: &[NamedUnit<'_>]) -> Self {
        let read: Vec<Words> = units.iter().map(|u| read(u.name)).collect();
        let suffix: Vec<Vec<char>> = SUFFIX.iter().map(|w| w.chars().collect()).collect();
        // The province's own words («استانداری مازندران») end the names of its offices; they
        // are context through the parent, or for an office without a parent, from every
        // province.
        let province_words: Vec<Vec<char>> = units
            .iter()
            .filter(|u| u.kind == UnitKind::Province)
            .flat_map(|u| words(u.name))
            .map(|w| w.chars().collect())
            .collect();
        let entries = units
            .iter()
            .enumerate()
            .map(|(i, unit)| {
                // An office without a parent is taken to be the province's.
                let mut context: Vec<Vec<char>> =
                    if unit.parent.is_none() && unit.kind != UnitKind::Province {
                        province_words.clone()
                    } else {
                        Vec::new()
                    };
                let mut parent = unit.parent;
                // Bounded, so a cycle in bad data cannot loop.
                for _ in 0..8 {
                    let Some(p) = parent.filter(|p| *p < units.len()) else {
                        break;
                    };
                    context.extend(read[p].rest.iter().map(|w| w.chars().collect()));
                    parent = units[p].parent;
                }
                context.extend(read[i].prefix.iter().map(|w| w.chars().collect()));
                let is_context = |w: &String| {
                    let w: Vec<char> = w.chars().collect();
                    context.contains(&w) || suffix.contains(&w)
                };
                let own = &read[i].rest;
                // The suffix («استانداری مازندران») is context; the core is what is left, or the
                // whole name when nothing is (the province itself).
                let mut core: Vec<&String> = own.iter().filter(|w| !is_context(w)).collect();
                if core.is_empty() {
                    core = own.iter().collect();
                }
                let core: Vec<Vec<char>> = core.iter().map(|w| w.chars().collect()).collect();
                Entry {
                    kind: unit.kind,
                    prefix_kinds: read[i].kinds.clone(),
                    compact: core.concat(),
                    core,
                    context,
                }
            })
            .collect();
        UnitIndex { entries, suffix }
    }

    /// How many units the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no unit.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The units that `query` names, or the `limit` closest ones.
    pub fn find(&self, query: &str, limit: usize) -> NameMatch {
        let query = read(query);
        // No unit's name is longer: a pasted paragraph costs no more than a name.
        let words: Vec<Vec<char>> = query
            .rest
            .iter()
            .take(MAX_WORDS)
            .map(|w| w.chars().take(MAX_WORD_LEN).collect())
            .collect();
        let compact: Vec<char> = words.concat();
        let mut scored: Vec<(Score, usize)> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (score(e, &self.suffix, &query, &words, &compact), i))
            .collect();
        let best = scored
            .iter()
            .filter(|(s, _)| s.kind_fits && s.tier < Tier::Near)
            .map(|(s, _)| s.tier)
            .min();
        let rank = |s: &Score| {
            (
                s.tier,
                Reverse(s.kind_fits),
                Reverse(s.prefix_same),
                Reverse(s.common),
                s.distance,
                s.missing,
            )
        };
        let measure = |scored: &mut Vec<(Score, usize)>| {
            for (s, i) in scored.iter_mut() {
                s.distance = levenshtein(&compact, &self.entries[*i].compact);
            }
        };
        match best {
            Some(tier) => {
                scored.retain(|(s, _)| s.kind_fits && s.tier == tier);
                measure(&mut scored);
                scored.sort_by_key(|(s, i)| (rank(s), *i));
                NameMatch::Matching {
                    tier,
                    units: scored.into_iter().map(|(_, i)| i).collect(),
                }
            }
            None => {
                measure(&mut scored);
                scored.sort_by_key(|(s, i)| (rank(s), *i));
                scored.truncate(limit);
                NameMatch::Unknown(scored.into_iter().map(|(_, i)| i).collect())
            }
        }
    }
}

/// Where one query word is in `e`, marking the core words it names.
fn hit(e: &Entry, suffix: &[Vec<char>], word: &[char], named: &mut [bool]) -> Hit {
    let exact = |w: &[char], named: &mut [bool]| {
        if let Some(j) = (0..e.core.len()).find(|&j| e.core[j] == w) {
            named[j] = true;
            return true;
        }
        // Two words typed as one: «عباسآباد» for «عباس آباد».
        for j in 1..e.core.len() {
            if e.core[j - 1].len() + e.core[j].len() == w.len()
                && w.starts_with(&e.core[j - 1])
                && w.ends_with(&e.core[j])
            {
                named[j - 1] = true;
                named[j] = true;
                return true;
            }
        }
        false
    };
    // «وتجارت»: the conjunction typed without a space.
    let bare = (word.len() > 3 && word[0] == 'و').then(|| &word[1..]);
    for w in std::iter::once(word).chain(bare) {
        if exact(w, named) {
            return Hit::Core;
        }
    }
    for w in std::iter::once(word).chain(bare) {
        if e.context.iter().chain(suffix).any(|c| c == w) {
            return Hit::Context;
        }
    }
    for w in std::iter::once(word).chain(bare) {
        if let Some(j) = (0..e.core.len()).find(|&j| typo(&e.core[j], w)) {
            named[j] = true;
            return Hit::CoreTypo;
        }
    }
    if e.context.iter().any(|c| typo(c, word)) {
        return Hit::Context;
    }
    Hit::None
}

fn score(
    e: &Entry,
    suffix: &[Vec<char>],
    query: &Words,
    words: &[Vec<char>],
    compact: &[char],
) -> Score {
    let mut named = vec![false; e.core.len()];
    let hits: Vec<Hit> = words
        .iter()
        .map(|w| hit(e, suffix, w, &mut named))
        .collect();
    let all_found = hits.iter().all(|h| *h != Hit::None);
    let typos = hits.contains(&Hit::CoreTypo);
    let common = hits
        .iter()
        .filter(|h| matches!(h, Hit::Core | Hit::CoreTypo))
        .count();
    let missing = named.iter().filter(|n| !**n).count();
    // The spelling distance is the costly part: here only where a typo could make the tier;
    // for ranking, [`UnitIndex::find`] measures it for the units it keeps.
    // The words found in the context (the province, the county) are left out of the letters
    // compared with the core's: «صدا و سیمای مرکز مازندران» is «صداوسیمای مرکز» with a space.
    let own: Vec<char>;
    let compact = if hits.contains(&Hit::Context) {
        own = words
            .iter()
            .zip(&hits)
            .filter(|(_, h)| **h != Hit::Context)
            .flat_map(|(w, _)| w.iter().copied())
            .collect();
        own.as_slice()
    } else {
        compact
    };
    let distance = if e.compact.len() >= 10 && e.compact.len().abs_diff(compact.len()) <= 1 {
        levenshtein(compact, &e.compact)
    } else {
        usize::MAX
    };
    let tier = if words.is_empty() {
        Tier::Near
    } else if (all_found && !typos && missing == 0) || compact == e.compact.as_slice() {
        Tier::Same
    } else if (all_found && missing == 0 && e.core.len() >= 2)
        || (e.compact.len() >= 10 && distance <= 1)
    {
        Tier::Typo
    } else if (all_found && !typos && common > 0)
        || (compact.len() >= 4 && contains(&e.compact, compact))
    {
        Tier::Part
    } else {
        Tier::Near
    };
    Score {
        tier,
        kind_fits: query.kinds.is_empty() || query.kinds.contains(&e.kind),
        prefix_same: !query.kinds.is_empty() && query.kinds == e.prefix_kinds,
        common,
        missing,
        distance,
    }
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[char], needle: &[char]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small tree: the province, two counties and their towns, two central districts, two
    /// directorates and an office with the same word.
    fn units() -> Vec<NamedUnit<'static>> {
        let u = |name, kind, parent| NamedUnit { name, kind, parent };
        vec![
            u("استانداری مازندران", UnitKind::Province, None),
            u("آمل", UnitKind::County, Some(0)),
            u("ساری", UnitKind::County, Some(0)),
            u("آمل", UnitKind::Town, Some(1)),
            u("ساری", UnitKind::Town, Some(2)),
            u("بخش مرکزی", UnitKind::District, Some(1)),
            u("بخش مرکزی", UnitKind::District, Some(2)),
            u(
                "اداره کل سیاسی، انتخابات و تقسیمات کشوری استانداری مازندران",
                UnitKind::Directorate,
                Some(0),
            ),
            u(
                "معاونت سیاسی، امنیتی و اجتماعی استانداری مازندران",
                UnitKind::Office,
                Some(0),
            ),
            u(
                "اداره کل امور روستایی و شوراهای استانداری مازندران",
                UnitKind::Directorate,
                Some(0),
            ),
            u("عباس‌آباد", UnitKind::County, Some(0)),
            u("بابلسر", UnitKind::County, Some(0)),
        ]
    }

    fn found(query: &str) -> NameMatch {
        UnitIndex::new(&units()).find(query, 5)
    }

    #[test]
    fn names_read_as_people_type_them() {
        let one = |tier, unit| NameMatch::Matching {
            tier,
            units: vec![unit],
        };
        for (query, expected) in [
            ("فرمانداری آمل", one(Tier::Same, 1)),
            ("شهرداری ساري", one(Tier::Same, 4)),
            ("بخش مرکزی ساری", one(Tier::Same, 6)),
            ("بخشداری مرکزی شهرستان آمل", one(Tier::Same, 5)),
            (
                "اداره کل سیاسی، انتخابات و تقسیمات کشوری",
                one(Tier::Same, 7),
            ),
            ("دفتر سیاسی، انتخابات و تقسیمات کشوری", one(Tier::Same, 7)),
            ("تقسیمات کشوری و انتخابات سیاسی", one(Tier::Same, 7)),
            (
                "اداره‌کل سیاسی انتخابات وتقسیمات كشوري استان مازندران",
                one(Tier::Same, 7),
            ),
            ("اداره کل امور روستایی و شوراها", one(Tier::Typo, 9)),
            ("معاونت سیاسی", one(Tier::Part, 8)),
            ("عباسآباد", one(Tier::Same, 10)),
            ("فرمانداری عباس آباد", one(Tier::Same, 10)),
            ("استانداری مازندران", one(Tier::Same, 0)),
        ] {
            assert_eq!(found(query), expected, "{query}");
        }
    }

    #[test]
    fn shared_names_list_every_unit() {
        assert_eq!(
            found("ساری"),
            NameMatch::Matching {
                tier: Tier::Same,
                units: vec![2, 4]
            }
        );
        assert_eq!(
            found("بخش مرکزی"),
            NameMatch::Matching {
                tier: Tier::Same,
                units: vec![5, 6]
            }
        );
        // The office word ranks the directorate first.
        let NameMatch::Matching { units, .. } = found("اداره کل سیاسی") else {
            panic!("no match")
        };
        assert_eq!(units[0], 7);
    }

    #[test]
    fn unknown_names_get_the_closest_first() {
        for (query, first) in [("بابلسار", 11), ("فرمانداری آمول", 1), ("سیاسی انتخاب", 7)]
        {
            match found(query) {
                NameMatch::Unknown(closest) => assert_eq!(closest.first(), Some(&first), "{query}"),
                NameMatch::Matching { units, .. } => assert_eq!(units[0], first, "{query}"),
            }
        }
        assert!(matches!(found("بابلسار"), NameMatch::Unknown(_)));
        let NameMatch::Unknown(closest) = found("زززز") else {
            panic!("matched nonsense")
        };
        assert_eq!(closest.len(), 5, "an unknown name always gets suggestions");
        for nothing in ["", "   ", "فرمانداری", "،،"] {
            assert!(
                matches!(found(nothing), NameMatch::Unknown(_)),
                "{nothing:?}"
            );
        }
    }

    /// A country-sized tree: 31 provinces, each with its directorate of rural affairs, 14
    /// counties and 90 villages per county (39,000 units in all), with made-up names.
    #[test]
    fn a_national_tree_tells_provinces_apart() {
        let syllables = [
            "کل", "آب", "دار", "سر", "رود", "کوه", "بن", "ده", "شیر", "گل",
        ];
        let name = |n: usize| -> String {
            let mut n = n;
            let mut out = String::new();
            for _ in 0..5 {
                out.push_str(syllables[n % 10]);
                n /= 10;
            }
            out
        };
        let mut names: Vec<(String, UnitKind, Option<usize>)> = Vec::new();
        for p in 0..31 {
            let province = names.len();
            names.push((
                format!("استانداری {}", name(p * 7 + 1000)),
                UnitKind::Province,
                None,
            ));
            let suffix = names[province].0.clone();
            names.push((
                format!("اداره کل امور روستایی و شوراهای {suffix}"),
                UnitKind::Directorate,
                Some(province),
            ));
            for c in 0..14 {
                let county = names.len();
                names.push((name(p * 14 + c + 2000), UnitKind::County, Some(province)));
                for v in 0..90 {
                    names.push((name(p * 1260 + c * 90 + v), UnitKind::Village, Some(county)));
                }
            }
        }
        let units: Vec<NamedUnit<'_>> = names
            .iter()
            .map(|(name, kind, parent)| NamedUnit {
                name,
                kind: *kind,
                parent: *parent,
            })
            .collect();
        let index = UnitIndex::new(&units);
        assert!(index.len() > 39_000, "{}", index.len());
        let province = names
            .iter()
            .position(|(n, ..)| n == &format!("استانداری {}", name(17 * 7 + 1000)))
            .unwrap();
        let query = format!("اداره کل امور روستایی استان {}", name(17 * 7 + 1000));
        assert_eq!(
            index.find(&query, 5),
            NameMatch::Matching {
                tier: Tier::Part,
                units: vec![province + 1]
            }
        );
        let NameMatch::Matching { units: all, .. } = index.find("اداره کل امور روستایی", 5)
        else {
            panic!("no match")
        };
        assert_eq!(all.len(), 31, "one per province");
        let village = 31 * 1261 + 5;
        assert_eq!(
            index.find(&format!("دهیاری {}", names[village].0), 5),
            NameMatch::Matching {
                tier: Tier::Same,
                units: vec![village]
            }
        );
    }

    #[test]
    fn odd_input_is_never_a_panic() {
        let long = "اداره کل ".repeat(5_000);
        for odd in [
            "\u{200c}",
            "اداره کل",
            "و",
            "-",
            "(((",
            "وو",
            "ووووو",
            "a b c d",
            "۱۲۳۴",
            long.as_str(),
        ] {
            let _ = found(odd);
        }
        assert!(matches!(
            UnitIndex::new(&[]).find("آمل", 5),
            NameMatch::Unknown(v) if v.is_empty()
        ));
    }

    #[test]
    fn bad_parents_do_not_loop() {
        let looped = [
            NamedUnit {
                name: "الف",
                kind: UnitKind::County,
                parent: Some(1),
            },
            NamedUnit {
                name: "ب",
                kind: UnitKind::County,
                parent: Some(0),
            },
            NamedUnit {
                name: "پ",
                kind: UnitKind::County,
                parent: Some(99),
            },
        ];
        let index = UnitIndex::new(&looped);
        assert_eq!(index.len(), 3);
        assert!(matches!(index.find("الف", 5), NameMatch::Matching { .. }));
    }
}
