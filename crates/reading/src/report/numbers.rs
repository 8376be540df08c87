//! Numbers in a report: the value of a run of digits, the number words (`بیست و پنج`,
//! `twenty five`, `پانزدهم`), and [`NumPhrase`], a number read at a token with its ordinal
//! suffix or `هزار` multiplier ([`Reader::number_at`]). Whether a number is a count, a day or
//! neither is decided by its callers.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::lexicon::{Class, EN_NUMBERS, FA_NUMBERS, ORDINAL_SUFFIXES, THOUSAND};
use super::reader::Reader;
use super::tokens::Tok;

/// The value of a run of ASCII digits, `None` when it does not fit a `u32`.
pub(super) fn digits_value(digits: &str) -> Option<u32> {
    digits.bytes().try_fold(0u32, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(u32::from(b.checked_sub(b'0')?))
    })
}

/// A number word: its value, class, whether it is an ordinal, and whether it is Persian.
pub(super) fn number_word(word: &str) -> Option<(u32, Class, bool, bool)> {
    let cardinal = |w: &str| {
        FA_NUMBERS
            .iter()
            .map(|e| (e, true))
            .chain(EN_NUMBERS.iter().map(|e| (e, false)))
            .find(|((name, ..), _)| *name == w)
            .map(|(&(_, v, class), fa)| (v, class, fa))
    };
    if let Some((v, class, fa)) = cardinal(word) {
        return Some((v, class, false, fa));
    }
    if let Some(joined) = joined_number(word) {
        return Some(joined);
    }
    // Persian ordinals: اول, سوم, and the cardinal + م / ام / مین / امین (پانزدهم, سی‌ام).
    match word {
        "اول" | "یکم" => return Some((1, Class::Unit, true, true)),
        "سوم" => return Some((3, Class::Unit, true, true)),
        _ => {}
    }
    for suffix in ["امین", "مین", "ام", "م"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && let Some((v, class, true)) = cardinal(stem)
        {
            return Some((v, class, true, true));
        }
    }
    None
}

/// Persian number words typed without the space around و (`بیستوسه`, `سیودوم`,
/// `صدوبیست`): the parts must compose as when written apart, each smaller in class.
fn joined_number(word: &str) -> Option<(u32, Class, bool, bool)> {
    // The longest joined number (`نهصدونودونههزارونهصدونودونه`) is far shorter; a longer word
    // is not one, and is not searched (each split would be tried again in the rest).
    const LONGEST: usize = 64;
    if word.len() > LONGEST {
        return None;
    }
    let (left, right) = word
        .split_once('و')
        .filter(|(l, r)| !l.is_empty() && !r.is_empty())?;
    // `دو`, `نود`, `دویست` hold a و of their own: try every split.
    let mut split = Some((left, right));
    while let Some((l, r)) = split {
        // The left part first: only when it is a word of the vocabulary is the rest read.
        if let Some((lv, lc, false, true)) = simple_word(l)
            && let Some((rv, rc, ord, true)) = number_word(r)
            && rc < lc
            && !(lc == Class::Ten && rc != Class::Unit)
            && lc != Class::Unit
            && lc != Class::Teen
        {
            return Some((lv + rv, rc, ord, true));
        }
        let at = l.len() + 'و'.len_utf8();
        split = word[at..].find('و').map(|k| {
            let k = at + k;
            (&word[..k], &word[k + 'و'.len_utf8()..])
        });
        if split.is_some_and(|(_, r)| r.is_empty()) {
            break;
        }
    }
    None
}

/// A number word that is one word of the vocabulary (no joined parts).
fn simple_word(word: &str) -> Option<(u32, Class, bool, bool)> {
    FA_NUMBERS
        .iter()
        .find(|(name, ..)| *name == word)
        .map(|&(_, v, class)| (v, class, false, true))
}

/// A number read from the text.
#[derive(Debug, Clone, Copy)]
pub(super) struct NumPhrase {
    /// The value, `None` when too large for a `u32`.
    pub(super) value: Option<u32>,
    /// The index of its first token.
    pub(super) start: usize,
    /// The index after its last token (after an ordinal suffix or a multiplier).
    pub(super) end: usize,
    /// Whether it is an ordinal (`۱۵ام`, `پانزدهم`, `15th`).
    pub(super) ordinal: bool,
    /// Whether it is written in words.
    pub(super) words: bool,
}

impl Reader<'_> {
    /// The number starting at token `i`: digits (with an optional ordinal suffix and `هزار`)
    /// or number words (`بیست و پنج`, `twenty five`, `پانزدهم`).
    pub(super) fn number_at(&self, i: usize) -> Option<NumPhrase> {
        match self.toks.get(i)? {
            Tok::Num(digits) => {
                let mut value = digits_value(digits);
                let mut end = i + 1;
                let mut ordinal = false;
                if self.word_in(end, ORDINAL_SUFFIXES) {
                    ordinal = true;
                    end += 1;
                } else if self.word_in(end, THOUSAND) {
                    value = value.and_then(|v| v.checked_mul(1000));
                    end += 1;
                }
                Some(NumPhrase {
                    value,
                    start: i,
                    end,
                    ordinal,
                    words: false,
                })
            }
            Tok::Word(w) => {
                let (first, mut class, mut ordinal, fa) = number_word(w)?;
                let mut value = first;
                let mut end = i + 1;
                // Compose: Persian joins with و (صد و بیست و پنج), English juxtaposes
                // (twenty five); each part smaller in class than the one before.
                while !ordinal {
                    let glued_and = |w: &str| {
                        w.strip_prefix('و')
                            .is_some_and(|r| !r.is_empty() && number_word(r).is_some())
                    };
                    let next = if fa && self.word(end) == Some("و") {
                        end + 1
                    } else if !fa || self.word(end).is_some_and(glued_and) {
                        end
                    } else {
                        break;
                    };
                    // `بیست وسه`: the و typed glued to the next word.
                    let glued = fa && next == end;
                    let word = match self.word(next) {
                        Some(w) if glued => w.strip_prefix('و').filter(|r| !r.is_empty()),
                        other => other,
                    };
                    let Some((v, c, o, next_fa)) = word.and_then(number_word) else {
                        break;
                    };
                    let fits = next_fa == fa
                        && c < class
                        && !(class == Class::Ten && c != Class::Unit)
                        && class != Class::Unit
                        && class != Class::Teen;
                    if !fits {
                        break;
                    }
                    value += v;
                    class = c;
                    ordinal = o;
                    end = next + 1;
                }
                let mut value = Some(value);
                if !ordinal && self.word_in(end, THOUSAND) {
                    value = value.and_then(|v| v.checked_mul(1000));
                    end += 1;
                }
                if !ordinal && self.word(end) == Some("ام") {
                    // سی ام: the ordinal suffix written apart.
                    ordinal = true;
                    end += 1;
                }
                Some(NumPhrase {
                    value,
                    start: i,
                    end,
                    ordinal,
                    words: true,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Period;
    use crate::report::tokens::tokenize;

    #[test]
    fn number_words_compose() {
        let cases: [(&str, Option<u32>); 19] = [
            ("یک", Some(1)),
            ("دوازده", Some(12)),
            ("بیست و پنج", Some(25)),
            ("صد و بیست و سه", Some(123)),
            ("سیصد و پنج", Some(305)),
            ("پانصد و دوازده", Some(512)),
            ("دو هزار", Some(2000)),
            ("twenty five", Some(25)),
            ("ninety nine", Some(99)),
            ("eleven", Some(11)),
            ("بیست و بیست", Some(20)),
            ("پنج و شش", Some(5)),
            ("بیستوسه", Some(23)),
            ("سیودو", Some(32)),
            ("بیست وسه", Some(23)),
            ("صدوبیستوپنج", Some(125)),
            ("دویست", Some(200)),
            ("نود", Some(90)),
            ("صفر", Some(0)),
        ];
        for (text, expected) in cases {
            let tokens = tokenize(text);
            let reader = Reader {
                toks: &tokens,
                period: Period::new(1404, 2).unwrap(),
                today: Period::new(1404, 3).unwrap().first_day(),
            };
            assert_eq!(
                reader.number_at(0).and_then(|n| n.value),
                expected,
                "{text}"
            );
        }
    }
}
