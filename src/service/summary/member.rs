//! The summary a member may see: a period's summary (built or cached) cut to the member's
//! scope. Staff see the obligations their office follows up or is reported to (all, if it
//! follows none); fund managers and admins see everything; reporting roles see no summary.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::Role;
use crate::domain::summary::{Standing, Summary};
use crate::store::{MemberRow, StoreError};

use super::super::Services;
use super::{OutOfSpan, span};

/// Why a member gets no summary of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// The member's role sees no summaries.
    NotAllowed,
    /// The period is outside the periods summaries cover.
    OutOfSpan(OutOfSpan),
}

/// Whether `member` sees summaries at all (`/summary`, `/overdue`, `/export`, `/chart`).
pub fn allowed(member: &MemberRow) -> bool {
    member.role.sees_summaries()
}

/// The summary of `period` that `member` may see, as of `now`, read without writing anything;
/// what withholds it instead (a role that sees no summaries, a period outside the [`span`]).
pub async fn for_member(
    svc: &Services,
    member: &MemberRow,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Result<Summary, Withheld>, StoreError> {
    if !allowed(member) {
        return Ok(Err(Withheld::NotAllowed));
    }
    if let Err(out) = span(&svc.store, svc.tz, now).await?.check(period) {
        return Ok(Err(Withheld::OutOfSpan(out)));
    }
    let cal = svc.calendar().await?;
    let full = super::build_cached(&svc.summaries, &svc.store, period, &cal, svc.tz, now).await?;
    let mut s = Summary::clone(&full);
    if member.role == Role::Staff {
        let followed: HashSet<String> = svc
            .store
            .obligations()
            .await?
            .into_iter()
            .filter(|o| {
                o.follow_up_unit_id == member.unit_id || o.report_to_unit_id == member.unit_id
            })
            .map(|o| o.key)
            .collect();
        if !followed.is_empty() {
            s.obligations.retain(|o| followed.contains(&o.key));
        }
    }
    Ok(Ok(s))
}

/// An obligation-month with units missing, as `/overdue` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The obligation's key.
    pub key: String,
    /// Its title.
    pub title: String,
    /// The period.
    pub period: Period,
    /// The missing units' names.
    pub missing: Vec<String>,
}

/// What is missing in the previous and the current month, within `member`'s scope (the
/// previous month only if it is in the [`span`]: not before the data's first obligation).
pub async fn overdue_for_member(
    svc: &Services,
    member: &MemberRow,
    now: DateTime<Utc>,
) -> Result<Result<Vec<Overdue>, Withheld>, StoreError> {
    let today = JalaliDate::today(now, svc.tz);
    let mut out = Vec::new();
    for period in [today.period().prev(), today.period()] {
        let s = match for_member(svc, member, period, now).await? {
            Ok(s) => s,
            Err(Withheld::OutOfSpan(_)) => continue,
            Err(e) => return Ok(Err(e)),
        };
        for o in &s.obligations {
            let missing: Vec<String> = o
                .lines
                .iter()
                .filter(|l| l.standing == Standing::Missing)
                .map(|l| l.name.clone())
                .collect();
            if !missing.is_empty() {
                out.push(Overdue {
                    key: o.key.clone(),
                    title: o.title.clone(),
                    period,
                    missing,
                });
            }
        }
    }
    Ok(Ok(out))
}
