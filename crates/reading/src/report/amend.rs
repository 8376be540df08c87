//! What the rest of a report says about the counts already read: a correction in the same
//! message (`ببخشید ۱۶ نفر بودن نه ۱۸`, `بیمه جدید ۱۲ نفر — اصلاح: ۲۱ نفر`), the members who
//! stayed away (`از ۲۰ عضو ستاد، ۳ نفر غایب بودند`), and an attendance no session has.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::reader::{CountItem, Reader, Scan};
use super::reading::Fact;
use super::tokens::Tok;

/// More people than any county's headquarters seats: not an attendance to state.
const MAX_ATTENDEES: u32 = 200;

/// Words that announce a correction of what was just written.
const CORRECTION: &[&str] = &["اصلاح", "اصلاحیه", "تصحیح", "ببخشید", "correction", "sorry"];

/// Words between a corrected count and `نه` (`۱۶ نفر بودن نه ۱۸`).
const WAS: &[&str] = &["بود", "بودن", "بودند", "بودیم", "است", "هست", "were", "was"];

/// Words after a number that make it the members who stayed away.
const ABSENT: &[&str] = &["غایب", "غایبین", "غائب", "absent"];

impl Reader<'_> {
    /// The attendees and the people insured, as the rest of the report amends them.
    pub(super) fn amend(&self, scan: &Scan, attendees: &mut Fact<u32>, insured: &mut Fact<u32>) {
        for (said, meant) in self.corrections(scan) {
            for fact in [&mut *attendees, &mut *insured] {
                if fact.known() == Some(said) {
                    *fact = Fact::Known(meant);
                }
            }
        }
        // `۲۵ نفر ثبت نام کردند که ۱۸ نفر بیمه شدند`: those insured, not those who applied.
        let registered = |c: &CountItem| self.word_in(c.end, &["ثبت", "ثبتنام", "registered"]);
        let insured_now = |c: &CountItem| {
            self.word(c.end).is_some_and(|w| w.starts_with("بیمه"))
                && self.word_in(c.end + 1, &["شدند", "شدن", "شدهاند", "شده"])
        };
        if let Some(n) = insured.known()
            && scan
                .counts
                .iter()
                .any(|c| c.value == Some(n) && registered(c))
            && let [done] = scan
                .counts
                .iter()
                .filter(|c| insured_now(c))
                .collect::<Vec<_>>()[..]
            && let Some(done) = done.value
        {
            *insured = Fact::Known(done);
        }
        if let Some(absent) = scan.counts.iter().find(|c| self.word_in(c.end, ABSENT))
            && attendees.known().is_some_and(|n| Some(n) == absent.value)
        {
            *attendees = self
                .present_of(scan, absent)
                .map_or(Fact::Unknown, Fact::Known);
        }
        if attendees.known().is_some_and(|n| n > MAX_ATTENDEES) {
            *attendees = Fact::Unknown;
        }
    }

    /// Each correction written in the report, as (the value it replaces, the value meant).
    fn corrections(&self, scan: &Scan) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for (k, c) in scan.counts.iter().enumerate() {
            let Some(meant) = c.value else { continue };
            // `۱۶ نفر بودن نه ۱۸`: what follows `نه` is what was written before.
            let mut j = c.end;
            while self.word_in(j, WAS) {
                j += 1;
            }
            if self.word(j) == Some("نه")
                && let Some(said) = scan.counts[k + 1..].iter().find(|n| n.start == j + 1)
                && let Some(said) = said.value
            {
                out.push((said, meant));
                continue;
            }
            // `اصلاح: ۲۱ نفر`: it replaces the count written last before it.
            let announced = (c.start.saturating_sub(3)..c.start).any(|t| {
                self.word_in(t, CORRECTION)
                    && self.toks[t + 1..c.start].iter().all(|x| *x != Tok::Break)
            });
            if announced && let Some(said) = k.checked_sub(1).and_then(|p| scan.counts[p].value) {
                out.push((said, meant));
            }
        }
        out
    }

    /// `از ۲۰ عضو ستاد، ۳ نفر غایب`: the members less those away, when both are written.
    fn present_of(&self, scan: &Scan, absent: &CountItem) -> Option<u32> {
        let members = scan.counts.iter().find(|c| {
            c.start >= 1
                && self.word_in(c.start - 1, &["از", "of"])
                && (c.unit || self.word_in(c.end, &["عضو", "members"]))
                && c.start < absent.start
        })?;
        members.value?.checked_sub(absent.value?)
    }
}
