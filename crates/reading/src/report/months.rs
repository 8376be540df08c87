//! A report that tells of two months at once (`گزارش دو ماه مهر و آبان: جلسه مهرماه ... جلسه
//! آبان ماه ...`): the parts that are only about another month than the report's are set
//! aside before it is read.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::lexicon::month_of;
use super::reader::Reader;
use super::tokens::{Tok, tokenize};
use crate::calendar::{JalaliDate, Period};

/// Where a part of a report ends.
const PART_ENDS: &[char] = &['.', '\n', '\r', ':', '؟', '?', '!', '؛', ';'];

/// The months one part of a report is about: those it names (`جلسه مرداد`) and those of its
/// dates; and whether it names one as its subject (a name that is not a date's).
fn months_of(part: &str, period: Period, today: JalaliDate) -> (Vec<u8>, bool) {
    let toks = tokenize(part);
    let reader = Reader {
        toks: &toks,
        period,
        today,
    };
    let mut months: Vec<u8> = reader.scan().dates.iter().map(|d| d.date.month()).collect();
    let mut named = false;
    for (i, tok) in toks.iter().enumerate() {
        let Tok::Word(w) = tok else { continue };
        if let Some(m) = month_of(w) {
            months.push(m);
            let dated =
                i >= 1 && (matches!(toks[i - 1], Tok::Num(_)) || reader.number_at(i - 1).is_some());
            named |= !dated;
        }
    }
    (months, named)
}

/// The text without its parts about another month only, when some part is about the
/// report's month; `None` when nothing is set aside.
pub(super) fn own_month(text: &str, period: Period, today: JalaliDate) -> Option<String> {
    // Each part keeps the character that ends it, so the parts kept read as they were written.
    let parts: Vec<&str> = text.split_inclusive(PART_ENDS).collect();
    if parts.len() < 2 {
        return None;
    }
    let about: Vec<(Vec<u8>, bool)> = parts.iter().map(|p| months_of(p, period, today)).collect();
    let own = |months: &[u8]| months.contains(&period.month());
    let elsewhere =
        |(months, named): &(Vec<u8>, bool)| *named && !months.is_empty() && !own(months);
    if !about.iter().any(|(m, _)| own(m)) || !about.iter().any(elsewhere) {
        return None;
    }
    let kept: Vec<&str> = parts
        .iter()
        .zip(&about)
        .filter(|(_, a)| !elsewhere(a))
        .map(|(p, _)| *p)
        .collect();
    Some(kept.concat())
}
