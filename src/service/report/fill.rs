//! Completing a stored report: a press on a button of its confirmation (held or not, or one of
//! the two values the reader asked about) and a reply to the confirmation, which fills the
//! facts it states and is kept with the report, appended to its body.
//!
//! Access: only a member who may report on the report's occurrence ([`may_report`]) changes it.
//! A value that cannot be true (a day after today, a count below zero) is refused and changes
//! nothing. Every change writes a revision of the report (the report's trigger), with the
//! member who made it.

use chrono::{DateTime, Utc};

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::obligation::Shape;
use crate::domain::report::{
    Count, Fact, Reading, Refused, ReportTextError, check_report_text, read_report,
};
use crate::domain::text::digit_value;
use crate::store::{MemberRow, OccurrenceInfo, ReportFill, ReportRow, StoreError};

use super::super::{Services, Work};
use super::{Saved, Submitted, may_report};

/// A value a member sets on a report by a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The day the session was held (it was held, then).
    HeldOn(JalaliDate),
    /// A count, as pressed (a forged press may carry anything).
    Count(Count, i64),
}

/// What a press setting a value came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corrected {
    /// Stored.
    Set(Setting),
    /// The value cannot be true: nothing changed.
    Refused(Refused),
    /// Not the member's report (or no report, or a count out of range): nothing changed.
    NotYours,
}

/// The report `report_id` and its occurrence, when `member` may change it.
async fn own_report(
    svc: &Services,
    member: &MemberRow,
    report_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<(ReportRow, OccurrenceInfo)>, StoreError> {
    let Some(report) = svc.store.report(report_id).await? else {
        return Ok(None);
    };
    let Some(occ) = svc.store.occurrence_info(report.occurrence_id).await? else {
        return Ok(None);
    };
    Ok(may_report(svc, member, &occ, now)
        .await?
        .then_some((report, occ)))
}

/// Sets whether the session of report `report_id` was held (a correction by button), in
/// `work`. Returns false (and changes nothing) when the report is not the member's.
pub async fn correct_held(
    svc: &Services,
    work: &mut Work<'_>,
    member: &MemberRow,
    report_id: i64,
    held: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if own_report(svc, member, report_id, now).await?.is_none() {
        return Ok(false);
    }
    work.tx()
        .await?
        .correct_held(report_id, member.member_id, held, now.timestamp())
        .await?;
    Ok(true)
}

/// Sets one value of report `report_id` (a press on one of the values asked about), in
/// `work`: a day not after today (which also marks the session held), or a count from zero
/// up. A quota report whose newly insured changed is checked for milestones.
pub async fn correct_fact(
    svc: &Services,
    work: &mut Work<'_>,
    member: &MemberRow,
    report_id: i64,
    setting: Setting,
    now: DateTime<Utc>,
) -> Result<Corrected, StoreError> {
    let Some((report, occ)) = own_report(svc, member, report_id, now).await? else {
        return Ok(Corrected::NotYours);
    };
    let today = JalaliDate::today(now, svc.tz);
    let mut fill = ReportFill::default();
    match setting {
        Setting::HeldOn(day) if day > today => {
            return Ok(Corrected::Refused(Refused::FutureDate(day)));
        }
        Setting::HeldOn(day) => {
            fill.held_on = Some(day.to_gregorian().to_string());
            fill.held = (report.held != Some(true)).then_some(true);
        }
        Setting::Count(count, n) if n < 0 => {
            return Ok(Corrected::Refused(Refused::Negative(count, n)));
        }
        Setting::Count(_, n) if u32::try_from(n).is_err() => return Ok(Corrected::NotYours),
        Setting::Count(Count::Attendees, n) => fill.attendees = Some(n),
        Setting::Count(Count::Insured, n) => fill.insured = Some(n),
    }
    work.tx()
        .await?
        .fill_report(report_id, member.member_id, &fill, now.timestamp())
        .await?;
    if fill.insured.is_some() && occ.shape == Shape::Quota {
        let period = period_of(svc, &occ, now);
        super::super::alerts::milestones(work, svc.compose.as_ref(), &occ, period, now).await?;
    }
    Ok(Corrected::Set(setting))
}

/// A reply to the confirmation of report `report_id`: the facts it states fill the report (a
/// fact it states replaces what was stored, except held or not, which it only fills: the
/// buttons change that), and its text is appended to the report's body, so nothing the member
/// typed is lost, whatever was read from it. A bare number fills the one count still unknown;
/// a bare date (or any date the reader finds) fills the day. Values that cannot be true are
/// refused, and said so. `clear_state` clears what the member was in the middle of.
pub async fn fill_by_reply(
    svc: &Services,
    work: &mut Work<'_>,
    member: &MemberRow,
    report_id: i64,
    text: &str,
    clear_state: bool,
    now: DateTime<Utc>,
) -> Result<Submitted, StoreError> {
    let Some((report, occ)) = own_report(svc, member, report_id, now).await? else {
        return Ok(Submitted::NotYours);
    };
    let body = match check_report_text(text) {
        Ok(body) => body,
        Err(ReportTextError::Empty) => return Ok(Submitted::Empty),
        Err(ReportTextError::TooLong { len, max }) => return Ok(Submitted::TooLong { len, max }),
    };
    let period = period_of(svc, &occ, now);
    let today = JalaliDate::today(now, svc.tz);
    let mut reply = read_report(&body, period, today);
    let stored = stored_reading(&report);
    if reply.attendees.is_unknown()
        && reply.insured.is_unknown()
        && let Some(n) = bare_number(&body)
    {
        // A bare number answers the one count still to fill; with both unknown it is not
        // known which one it is, and it is only kept with the report.
        let open: Vec<Count> = [
            (Count::Attendees, &stored.attendees),
            (Count::Insured, &stored.insured),
        ]
        .into_iter()
        .filter(|(_, f)| f.is_unknown())
        .map(|(c, _)| c)
        .collect();
        if let [count] = open[..] {
            match u32::try_from(n) {
                Ok(n) if count == Count::Attendees => reply.attendees = Fact::Known(n),
                Ok(n) => reply.insured = Fact::Known(n),
                Err(_) if n < 0 => reply.refused.push(Refused::Negative(count, n)),
                Err(_) => {}
            }
        }
    }
    let held = stored.held.known().or(reply.held.known());
    let fill = ReportFill {
        note: Some(body),
        held: reply.held.known().filter(|_| stored.held.is_unknown()),
        held_on: reply
            .held_on
            .known()
            .filter(|_| held != Some(false))
            .map(|d| d.to_gregorian().to_string()),
        attendees: reply.attendees.known().map(i64::from),
        insured: reply.insured.known().map(i64::from),
    };
    let ts = now.timestamp();
    let tx = work.tx().await?;
    tx.fill_report(report_id, member.member_id, &fill, ts)
        .await?;
    if clear_state {
        tx.set_member_state(member.member_id, None, ts).await?;
    }
    let milestone = if fill.insured.is_some() && occ.shape == Shape::Quota {
        super::super::alerts::milestones(work, svc.compose.as_ref(), &occ, period, now).await?
    } else {
        None
    };
    let reading = Reading {
        held: known_or(held, stored.held, reply.held),
        held_on: known_or(
            fill.held_on.as_ref().and(reply.held_on.known()),
            stored.held_on,
            reply.held_on,
        ),
        attendees: known_or(reply.attendees.known(), stored.attendees, reply.attendees),
        insured: known_or(reply.insured.known(), stored.insured, reply.insured),
        refused: reply.refused,
    };
    Ok(Submitted::Saved(Saved {
        report_id,
        occurrence: occ,
        period,
        reading,
        edit: true,
        late: report.late,
        milestone,
    }))
}

/// What the report now holds for a fact: the value just set, else the one stored, else the
/// reply's question or nothing.
fn known_or<T: Copy>(set: Option<T>, stored: Fact<T>, reply: Fact<T>) -> Fact<T> {
    match (set, stored) {
        (Some(v), _) => Fact::Known(v),
        (None, Fact::Known(v)) => Fact::Known(v),
        _ => reply
            .asked()
            .map_or(Fact::Unknown, |(a, b)| Fact::Asked(a, b)),
    }
}

/// A stored report's facts: known where stored, unknown where not (a question the reader asked
/// is not stored until answered).
fn stored_reading(r: &ReportRow) -> Reading {
    let held_on = r
        .held_on
        .as_deref()
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        .and_then(|d| JalaliDate::try_from_gregorian(d).ok());
    let count = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
    Reading {
        held: r.held.into(),
        held_on: held_on.into(),
        attendees: count(r.attendees).into(),
        insured: count(r.insured).into(),
        refused: Vec::new(),
    }
}

/// A text that is one whole number and nothing else (`۲۰`, `-5`, ` 20 `), in any digits.
fn bare_number(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    if digits.is_empty() || digits.chars().count() > 12 {
        return None;
    }
    let mut n: i64 = 0;
    for c in digits.chars() {
        n = n * 10 + i64::from(digit_value(c)?);
    }
    Some(if negative { -n } else { n })
}

/// The period of an occurrence (today's, if its code does not decode).
fn period_of(svc: &Services, occ: &OccurrenceInfo, now: DateTime<Utc>) -> Period {
    Period::from_code(occ.period as i32).unwrap_or_else(|_| JalaliDate::today(now, svc.tz).period())
}

#[cfg(test)]
mod tests {
    use super::bare_number;

    #[test]
    fn a_bare_number_is_one_number_and_nothing_else() {
        for (text, expected) in [
            ("20", Some(20)),
            (" ۲۰ ", Some(20)),
            ("٢٠", Some(20)),
            ("-5", Some(-5)),
            ("− ۵", Some(-5)),
            ("0", Some(0)),
            ("۲۰ نفر", None),
            ("1404/09/10", None),
            ("1,200", None),
            ("", None),
            ("-", None),
            ("9999999999999", None),
        ] {
            assert_eq!(bare_number(text), expected, "{text:?}");
        }
    }
}
