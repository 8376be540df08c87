//! Reports: what a member's text means (a report on the reminder it replies to, a correction by
//! edit, the answer to a `/report` choice, or nothing), submitting and correcting a report,
//! marking it late, and the milestones a quota report crosses.
//!
//! Access: a report is accepted only from a reporting role, on its own unit's occurrence.
//!
//! # Layout
//!
//! - this file: what a text means, submitting a report, drafts, who may report;
//! - `prompt`: the `/report` prompt and its expiry;
//! - `fill`: completing a stored report by button or by a reply to its confirmation.

mod fill;
mod prompt;

pub use fill::{Corrected, Setting, correct_fact, correct_held, fill_by_reply};
pub use prompt::{AWAITING_REPORT_FOR, Begun, State, begin, choose, forget};

use chrono::{DateTime, Utc};

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::Platform;
use crate::domain::obligation::{OccurrenceStatus, Shape};
use crate::domain::report::{Reading, ReportTextError, check_report_text, read_report};
use crate::store::{MemberRow, OccurrenceInfo, ReportInput, StoreError};

use super::{Services, Work};

/// A text a member sent (or edited), with what it answers.
#[derive(Debug, Clone)]
pub struct Text<'a> {
    /// The member.
    pub member: &'a MemberRow,
    /// What the member is in the middle of.
    pub state: Option<&'a State>,
    /// Whether a state is stored at all (one this version cannot read included).
    pub has_state: bool,
    /// The text.
    pub text: &'a str,
    /// The message's chat.
    pub chat_id: i64,
    /// The message's id.
    pub message_id: i64,
    /// An edit of an earlier message (a correction).
    pub edited: bool,
    /// The bot's message it replies to.
    pub replied: Option<Replied<'a>>,
}

/// The bot's message a text replies to.
#[derive(Debug, Clone, Copy)]
pub struct Replied<'a> {
    /// Its text, as the messenger shows it.
    pub text: Option<&'a str>,
    /// The occurrence it was about, found by its id ([`super::membership::identify`]).
    pub occurrence: Option<&'a OccurrenceInfo>,
    /// The report it confirmed, when it was the bot's confirmation of one.
    pub report_id: Option<i64>,
}

/// What a report came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Stored.
    Saved(Saved),
    /// Not the member's to report on.
    NotYours,
    /// Nothing visible in it.
    Empty,
    /// Longer than accepted.
    TooLong {
        /// Its length, in characters.
        len: usize,
        /// The most accepted.
        max: usize,
    },
}

/// A stored report and what was read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The report.
    pub report_id: i64,
    /// The occurrence it reports on.
    pub occurrence: OccurrenceInfo,
    /// The occurrence's period.
    pub period: Period,
    /// What was read: the facts known (stored), those asked about (not stored until
    /// answered), and the values refused as impossible.
    pub reading: Reading,
    /// A correction of a stored report (an edit).
    pub edit: bool,
    /// After the due time.
    pub late: bool,
    /// The quota milestone it crossed, if any.
    pub milestone: Option<u8>,
}

/// What a member's text came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// It was a report (or a refused one).
    Report(Submitted),
    /// It answers nothing the bot can tie it to, and the member has nothing open to report on
    /// (or does not report).
    Untied,
    /// It answers nothing the bot can tie it to: kept as a draft until the member says which of
    /// the open occurrences it reports on, or that it is no report.
    Draft {
        /// The draft.
        draft_id: i64,
        /// What it may report on.
        open: Vec<OccurrenceInfo>,
        /// Whether the reader found a fact of a report in it (if not, it is likely just chat).
        looks_like_report: bool,
    },
    /// An edit of a message that was not a report: nothing to do.
    Ignored,
}

/// Reads a member's text: an edit of a report corrects it; a reply to the bot's confirmation
/// of a report fills that report ([`fill_by_reply`]); a reply to a reminder or nudge reports
/// on its occurrence (recognised by the message's id, or, when that was not recorded yet, by
/// its text: `sent_as` gives a queued text as the messenger shows it); after a `/report` choice
/// the text is the report, unless the prompt expired ([`AWAITING_REPORT_FOR`]: the text then
/// goes the way of any other, and the prompt is dropped). Any report clears what the member
/// was in the middle of.
pub async fn receive(
    svc: &Services,
    work: &mut Work<'_>,
    platform: Platform,
    text: &Text<'_>,
    sent_as: &(dyn Fn(&str) -> String + Sync),
    now: DateTime<Utc>,
) -> Result<Received, StoreError> {
    let store = &svc.store;
    let clear = text.has_state;
    let submission = |occurrence, edit, clear_state| Submission {
        member: text.member,
        occurrence,
        text: text.text,
        source: (platform, text.chat_id, text.message_id),
        edit,
        clear_state,
    };
    if text.edited {
        let Some(report) = store
            .report_of_message(platform, text.chat_id, text.message_id)
            .await?
        else {
            // An edit of a text kept as a draft: the draft is what it says now.
            if let Ok(body) = check_report_text(text.text) {
                let source = (platform, text.chat_id, text.message_id);
                let ts = now.timestamp();
                work.tx().await?.edit_draft(source, &body, ts).await?;
            }
            return Ok(Received::Ignored);
        };
        let Some(occ) = store.occurrence_info(report.occurrence_id).await? else {
            return Ok(Received::Ignored);
        };
        let submission = submission(&occ, true, clear);
        let done = submit(svc, work, &submission, now).await?;
        return Ok(Received::Report(done));
    }
    if let Some(replied) = text.replied {
        let mut report_id = replied.report_id;
        if report_id.is_none()
            && replied.occurrence.is_none()
            && let Some(replied_text) = replied.text
        {
            // The confirmation's id may not be recorded yet (the member answered it at once):
            // recognise it by its text, as a reminder is below.
            report_id = store
                .recent_confirmations(platform, text.chat_id)
                .await?
                .into_iter()
                .find(|(_, body)| sent_as(body).trim() == replied_text.trim())
                .map(|(id, _)| id);
        }
        if let Some(report_id) = report_id {
            let done = fill_by_reply(svc, work, text.member, report_id, text.text, clear, now);
            return Ok(Received::Report(done.await?));
        }
        let mut occurrence = replied.occurrence.cloned();
        if occurrence.is_none()
            && let Some(replied_text) = replied.text
        {
            // The reminder's id may not be recorded yet (its answer was being written, or was
            // lost to a crash and the reminder sent again): recognise it by its text.
            let found = store
                .recent_notices(platform, text.chat_id)
                .await?
                .into_iter()
                .find(|(_, body)| sent_as(body).trim() == replied_text.trim());
            if let Some((occurrence_id, _)) = found {
                occurrence = store.occurrence_info(occurrence_id).await?;
            }
        }
        if let Some(occ) = occurrence {
            let submission = submission(&occ, false, clear);
            let done = submit(svc, work, &submission, now).await?;
            return Ok(Received::Report(done));
        }
    }
    let awaiting = text.state.map(|s| s.awaiting(now));
    if let Some(Some(occurrence_id)) = awaiting
        && let Some(occ) = store.occurrence_info(occurrence_id).await?
    {
        let submission = submission(&occ, false, true);
        let done = submit(svc, work, &submission, now).await?;
        return Ok(Received::Report(done));
    }
    let received = untied(svc, work, platform, text, now).await?;
    // An expired prompt: the text was read as if there had been none, and it is dropped
    // (after: `untied` may write through the pool, which must come before the unit of work
    // takes SQLite's writer lock).
    if let Some(None) = awaiting {
        forget(work, text.member, now).await?;
    }
    Ok(received)
}

/// A text nothing ties to an occurrence. A reply to one of the bot's messages (the task list,
/// an old reminder) in which the reader finds a fact of a report, while exactly one occurrence
/// is open for the member, reports on it. Any other text of a member with something open is
/// kept as a draft, to be tied by the member; it never becomes a report by itself.
async fn untied(
    svc: &Services,
    work: &mut Work<'_>,
    platform: Platform,
    text: &Text<'_>,
    now: DateTime<Utc>,
) -> Result<Received, StoreError> {
    let Some(open) = open_tasks(svc, text.member, now).await? else {
        return Ok(Received::Untied);
    };
    if open.is_empty() {
        return Ok(Received::Untied);
    }
    let body = match check_report_text(text.text) {
        Ok(body) => body,
        Err(ReportTextError::Empty) => return Ok(Received::Report(Submitted::Empty)),
        Err(ReportTextError::TooLong { len, max }) => {
            return Ok(Received::Report(Submitted::TooLong { len, max }));
        }
    };
    let today = JalaliDate::today(now, svc.tz);
    let looks_like_report = read_report(&body, today.period(), today).found_anything();
    if let ([only], Some(_), true) = (&open[..], text.replied, looks_like_report) {
        let submission = Submission {
            member: text.member,
            occurrence: only,
            text: text.text,
            source: (platform, text.chat_id, text.message_id),
            edit: false,
            clear_state: text.has_state,
        };
        let done = submit(svc, work, &submission, now).await?;
        return Ok(Received::Report(done));
    }
    let source = (platform, text.chat_id, text.message_id);
    let ts = now.timestamp();
    let draft_id = work
        .tx()
        .await?
        .insert_draft(text.member.member_id, &body, source, ts)
        .await?;
    Ok(Received::Draft {
        draft_id,
        open,
        looks_like_report,
    })
}

/// What tying a draft came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tied {
    /// It became a report (or was refused as one).
    Report {
        /// What the report came to.
        submitted: Submitted,
        /// The message the draft came from.
        message_id: i64,
    },
    /// The member said it is no report: it stays kept, as a draft set aside.
    SetAside,
    /// Not the member's draft, or settled already: nothing changed.
    Gone,
}

/// The member says which occurrence draft `draft_id` reports on (`Some`), or that it is no
/// report (`None`), in `work`.
pub async fn tie_draft(
    svc: &Services,
    work: &mut Work<'_>,
    member: &MemberRow,
    draft_id: i64,
    occurrence_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Tied, StoreError> {
    let Some(draft) = svc.store.draft(draft_id).await? else {
        return Ok(Tied::Gone);
    };
    if draft.member_id != member.member_id || draft.settled_at.is_some() {
        return Ok(Tied::Gone);
    }
    let ts = now.timestamp();
    let Some(occurrence_id) = occurrence_id else {
        let settled = work.tx().await?.settle_draft(draft_id, None, ts).await?;
        return Ok(if settled { Tied::SetAside } else { Tied::Gone });
    };
    let Some(occ) = svc.store.occurrence_info(occurrence_id).await? else {
        return Ok(Tied::Gone);
    };
    if !may_report(svc, member, &occ, now).await? {
        return Ok(Tied::Report {
            submitted: Submitted::NotYours,
            message_id: draft.message_id,
        });
    }
    // Settled first, so that of two presses only one ties it.
    if !work.tx().await?.settle_draft(draft_id, None, ts).await? {
        return Ok(Tied::Gone);
    }
    let submission = Submission {
        member,
        occurrence: &occ,
        text: &draft.body,
        source: (draft.platform, draft.chat_id, draft.message_id),
        edit: false,
        clear_state: false,
    };
    let done = submit(svc, work, &submission, now).await?;
    if let Submitted::Saved(saved) = &done {
        let tx = work.tx().await?;
        tx.draft_became(draft_id, saved.report_id, ts).await?;
    }
    Ok(Tied::Report {
        submitted: done,
        message_id: draft.message_id,
    })
}

/// The member's open occurrences (this month's and last month's); `None` for a role that does
/// not report.
async fn open_tasks(
    svc: &Services,
    member: &MemberRow,
    now: DateTime<Utc>,
) -> Result<Option<Vec<OccurrenceInfo>>, StoreError> {
    Ok(tasks(svc, member, now).await?.map(|all| {
        all.into_iter()
            .filter(|o| o.status == OccurrenceStatus::Open)
            .collect()
    }))
}

/// A report to store.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    /// Who reports.
    pub member: &'a MemberRow,
    /// On what.
    pub occurrence: &'a OccurrenceInfo,
    /// The text as sent.
    pub text: &'a str,
    /// The message it came from: platform, chat, message id.
    pub source: (Platform, i64, i64),
    /// It corrects an earlier report (an edit).
    pub edit: bool,
    /// Clear what the member was in the middle of.
    pub clear_state: bool,
}

/// Stores a report, or refuses it: the facts read, the occurrence marked reported or late,
/// the member's state cleared when asked, and the quota's milestones checked.
pub async fn submit(
    svc: &Services,
    work: &mut Work<'_>,
    s: &Submission<'_>,
    now: DateTime<Utc>,
) -> Result<Submitted, StoreError> {
    let (member, occ, edit) = (s.member, s.occurrence, s.edit);
    if !may_report(svc, member, occ, now).await? {
        return Ok(Submitted::NotYours);
    }
    let body = match check_report_text(s.text) {
        Ok(body) => body,
        Err(ReportTextError::Empty) => return Ok(Submitted::Empty),
        Err(ReportTextError::TooLong { len, max }) => return Ok(Submitted::TooLong { len, max }),
    };
    let period = Period::from_code(occ.period as i32)
        .unwrap_or_else(|_| JalaliDate::today(now, svc.tz).period());
    let reading = read_report(&body, period, JalaliDate::today(now, svc.tz));
    let facts = reading.facts();
    let input = ReportInput {
        member_id: Some(member.member_id),
        body,
        held: facts.held,
        held_on: facts.held_on.map(|d| d.to_gregorian().to_string()),
        attendees: facts.attendees.map(i64::from),
        insured: facts.insured.map(i64::from),
        source: Some(s.source),
    };
    let ts = now.timestamp();
    let tx = work.tx().await?;
    let report_id = tx.save_report(occ.occurrence_id, &input, ts).await?;
    if s.clear_state {
        tx.set_member_state(member.member_id, None, ts).await?;
    }
    let milestone = if occ.shape == Shape::Quota {
        super::alerts::milestones(work, svc.compose.as_ref(), occ, period, now).await?
    } else {
        None
    };
    Ok(Submitted::Saved(Saved {
        report_id,
        occurrence: occ.clone(),
        period,
        reading,
        edit,
        late: occ.due_at < ts,
        milestone,
    }))
}

/// Whether `member` may report on `occ`: a reporting role, on its own unit's occurrence, or the
/// deputy of a member of the occurrence's unit on leave at `now`.
pub async fn may_report(
    svc: &Services,
    member: &MemberRow,
    occ: &OccurrenceInfo,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(occ.unit_id == member.unit_id
        && (member.role.reports() || is_deputy(svc, member, now).await?))
}

/// Whether `member` stands in, at `now`, for a member of its unit on leave.
async fn is_deputy(svc: &Services, m: &MemberRow, now: DateTime<Utc>) -> Result<bool, StoreError> {
    svc.store
        .is_deputy(m.member_id, m.unit_id, now.timestamp())
        .await
}

/// The occurrences of the member's unit in the previous and the current month (created first
/// if they were not yet), by period and key; `None` for a role that does not report.
pub async fn tasks(
    svc: &Services,
    member: &MemberRow,
    now: DateTime<Utc>,
) -> Result<Option<Vec<OccurrenceInfo>>, StoreError> {
    if !member.role.reports() && !is_deputy(svc, member, now).await? {
        return Ok(None);
    }
    let today = JalaliDate::today(now, svc.tz);
    let cal = svc.calendar().await?;
    for period in [today.period().prev(), today.period()] {
        super::occurrence::ensure_period(&svc.store, period, &cal, svc.tz, now).await?;
    }
    let from = i64::from(today.period().prev().code());
    let to = i64::from(today.period().code());
    Ok(Some(
        svc.store.unit_occurrences(member.unit_id, from, to).await?,
    ))
}
