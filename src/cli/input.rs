//! What the operator types on the command line, read the same way by every command: dates in
//! either calendar (saying which was read), Jalali months, and units by key or by name.

use std::io::Write;

use anyhow::bail;
use chrono::{DateTime, Duration, Utc};

use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::Role;
use crate::domain::schedule::day_start;
use crate::domain::written_date::{WrittenDate, WrittenDateError, parse_period};
use crate::service::invite::InviteError;
use crate::service::units;
use crate::store::{Store, UnitRow};
use crate::{render, t};

/// Reads a Jalali or Gregorian date and says on standard error which it read and the day in
/// the other calendar.
pub(super) fn date(lang: Lang, input: &str) -> anyhow::Result<JalaliDate> {
    let written = WrittenDate::parse(input)
        .map_err(|e| anyhow::anyhow!(t!(lang, "bad-date", date = input, reason = e.to_string())))?;
    let line = match written {
        WrittenDate::Gregorian { jalali, .. } => t!(
            lang,
            "read-date-gregorian",
            input = input.trim(),
            jalali = jalali.format(lang.digits())
        ),
        WrittenDate::Jalali(jalali) => t!(
            lang,
            "read-date-jalali",
            input = input.trim(),
            gregorian = jalali.to_gregorian().to_string()
        ),
    };
    // The note is for the operator; a closed standard error must not stop the command.
    let _ = writeln!(std::io::stderr(), "{line}");
    Ok(written.jalali())
}

/// Reads how long an invite stays valid: a duration (`7d`), or the last day it is valid (a
/// date in either calendar: valid through that day in `tz`).
pub(super) fn expiry(
    lang: Lang,
    input: &str,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> anyhow::Result<Duration> {
    if let Some(duration) = crate::service::invite::parse_duration(input) {
        return Ok(duration);
    }
    if WrittenDate::parse(input).is_err() {
        bail!(t!(lang, "invite-bad-duration", duration = input));
    }
    let last = date(lang, input)?;
    let end = last
        .checked_add_days(1)
        .ok()
        .map(|next| day_start(next, tz) - now)
        .filter(|left| *left > Duration::zero());
    match end {
        Some(left) => Ok(left),
        None => bail!(t!(
            lang,
            "invite-expiry-past",
            date = last.format(lang.digits())
        )),
    }
}

/// Reads a Jalali month; a Gregorian one is refused with the Jalali months it overlaps.
pub(super) fn period(lang: Lang, input: &str) -> anyhow::Result<Period> {
    match parse_period(input) {
        Ok(period) => Ok(period),
        Err(WrittenDateError::GregorianMonth { overlaps, .. }) => {
            let months: Vec<String> = overlaps
                .iter()
                .map(|p| crate::domain::text::localize_digits(&p.to_string(), lang.digits()))
                .collect();
            bail!(t!(
                lang,
                "bad-period-gregorian",
                period = input.trim(),
                months = months.join(&t!(lang, "list-and"))
            ))
        }
        Err(e) => bail!(t!(
            lang,
            "bad-period",
            period = input,
            reason = e.to_string()
        )),
    }
}

/// The operator's message for a unit that was not found, or `None` for another error.
pub(super) fn unit_error(lang: Lang, e: &InviteError) -> Option<String> {
    let (query, units, unknown) = match e {
        InviteError::UnknownUnit { query, closest, .. } => (query, closest, true),
        InviteError::Ambiguous { query, units, .. } => (query, units, false),
        _ => return None,
    };
    let listed: Vec<(&str, &str)> = units
        .iter()
        .map(|u| (u.name.as_str(), u.key.as_str()))
        .collect();
    Some(if unknown {
        render::units::unknown_unit(lang, query, &listed)
    } else {
        render::units::ambiguous_unit(lang, query, &listed)
    })
}

/// Finds the unit the operator named, or says why not.
pub(super) async fn unit(
    store: &Store,
    lang: Lang,
    query: &str,
    role: Option<Role>,
) -> anyhow::Result<UnitRow> {
    InviteError::one_unit(query, units::find(store, query, role).await?)
        .map_err(|e| anyhow::anyhow!(unit_error(lang, &e).unwrap_or_else(|| e.to_string())))
}
