//! `setad members`: list a unit's members, revoke one, move one, record a leave with a deputy.
//! Each parses its arguments, calls [`crate::service::membership::admin`] as the operator (every
//! unit, every role) and prints the outcome in the configured language.

use std::io::Write;

use anyhow::bail;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::Subcommand;

use crate::config::Config;
use crate::domain::Lang;
use crate::domain::calendar::JalaliDate;
use crate::domain::member::Role;
use crate::render::members::{line, refusal};
use crate::service::membership::admin::{self, Actor, Refused};
use crate::service::{Services, Work, invite};
use crate::store::Store;
use crate::{render, t};

/// What `setad members` does besides listing.
#[derive(Debug, Subcommand)]
pub enum MembersAction {
    /// Revoke a member: it can no longer use the bot; its reports stay, attributed to it.
    Revoke {
        /// The member's id (the first column of `setad members`).
        member: i64,
    },
    /// Move a member to another unit or role.
    Move {
        /// The member's id.
        member: i64,
        /// The new unit, by key or name; the member's own by default.
        #[arg(long)]
        unit: Option<String>,
        /// The new role; the member's own by default.
        #[arg(long)]
        role: Option<String>,
    },
    /// Record a leave: from one day to another (inclusive) the deputy, a member of the same
    /// unit, receives the unit's reminders and may report; the member is told when it ends.
    Leave {
        /// The member going on leave.
        member: i64,
        /// The member standing in.
        #[arg(long)]
        deputy: i64,
        /// The first day: Jalali (1405/09/10) or Gregorian ISO (2026-12-01).
        #[arg(long)]
        from: String,
        /// The last day, in the same forms.
        #[arg(long)]
        until: String,
    },
}

/// A day as an operator writes it: Jalali `1405/09/10` (any digits) or Gregorian ISO
/// `2026-12-01` (a year from 1700 on is Gregorian). Returns the day and whether it was read as
/// Gregorian.
pub fn parse_day(s: &str) -> Option<(JalaliDate, bool)> {
    let ascii = crate::domain::text::to_ascii_digits(s.trim());
    if let Ok(d) = NaiveDate::parse_from_str(&ascii, "%Y-%m-%d")
        && d.year() >= 1700
    {
        return Some((JalaliDate::from_gregorian(d), true));
    }
    JalaliDate::parse(s).ok().map(|d| (d, false))
}

/// Runs `setad members`.
pub async fn run(
    config: &Config,
    store: Store,
    (unit, action): (Option<String>, Option<MembersAction>),
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let lang = config.locale;
    let svc = Services::new(store, config.tz, config.weekend.clone(), render::composer());
    let Some(action) = action else {
        let unit_id = match unit {
            Some(u) => Some(find(&svc, &u, None, lang).await?),
            None => None,
        };
        let listed = refused(lang, admin::list(&svc, Actor::Cli, unit_id, now).await?)?;
        if listed.is_empty() {
            writeln!(out, "{}", t!(lang, "members-none"))?;
        }
        for l in &listed {
            writeln!(out, "{}", line(lang, &l.line()))?;
        }
        return Ok(());
    };
    let mut work = Work::new(&svc.store);
    let text = match action {
        MembersAction::Revoke { member } => {
            let m = refused(
                lang,
                admin::revoke(&svc, &mut work, Actor::Cli, member, now).await?,
            )?;
            t!(
                lang,
                "members-revoked",
                name = m.display_name,
                id = m.member_id
            )
        }
        MembersAction::Move { member, unit, role } => {
            let Some(current) = svc.store.active_member(member).await? else {
                bail!(refusal(lang, Refused::OutOfScope));
            };
            let role = match role {
                Some(r) => Role::parse(&r)
                    .ok_or_else(|| anyhow::anyhow!(t!(lang, "invite-bad-role", role = r)))?,
                None => current.role,
            };
            let unit_id = match unit {
                Some(u) => find(&svc, &u, Some(role), lang).await?,
                None => current.unit_id,
            };
            let target = (unit_id, role);
            let m = refused(
                lang,
                admin::move_member(&svc, &mut work, Actor::Cli, member, target, now).await?,
            )?;
            t!(
                lang,
                "members-moved",
                name = m.display_name,
                unit = svc.unit_name(unit_id).await?,
                role = role.as_str()
            )
        }
        MembersAction::Leave {
            member,
            deputy,
            from,
            until,
        } => {
            let mut days = Vec::new();
            for s in [&from, &until] {
                let Some((day, gregorian)) = parse_day(s) else {
                    bail!(t!(lang, "members-bad-day", day = s.clone()));
                };
                if gregorian {
                    let read = t!(
                        lang,
                        "members-read-gregorian",
                        day = s.clone(),
                        jalali = day.format(lang.digits())
                    );
                    writeln!(out, "{read}")?;
                }
                days.push(day);
            }
            let (people, dates) = ((member, deputy), (days[0], days[1]));
            let l = refused(
                lang,
                admin::leave(&svc, &mut work, Actor::Cli, people, dates, now).await?,
            )?;
            t!(
                lang,
                "members-leave-recorded",
                name = l.member.display_name,
                deputy = l.deputy.display_name,
                from = dates.0.format(lang.digits()),
                until = dates.1.format(lang.digits())
            )
        }
    };
    work.commit().await?;
    writeln!(out, "{text}")?;
    Ok(())
}

async fn find(svc: &Services, query: &str, role: Option<Role>, lang: Lang) -> anyhow::Result<i64> {
    match invite::find_unit(&svc.store, query, role).await {
        Ok(u) => Ok(u.unit_id),
        Err(e) => Err(super::invite_error(lang, e)),
    }
}

fn refused<T>(lang: Lang, r: Result<T, Refused>) -> anyhow::Result<T> {
    r.map_err(|r| anyhow::anyhow!(refusal(lang, r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_as_operators_write_them() {
        let j = |y, m, d| JalaliDate::new(y, m, d).unwrap();
        let cases = [
            ("1405/09/10", Some((j(1405, 9, 10), false))),
            ("۱۴۰۵/۰۹/۱۰", Some((j(1405, 9, 10), false))),
            ("1405-09-10", Some((j(1405, 9, 10), false))),
            ("2026-12-01", Some((j(1405, 9, 10), true))),
            ("2026/12/01", None),
            ("tomorrow", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_day(s), want, "{s}");
        }
    }
}
