//! Schedule rules: from an obligation's [`Schedule`] and a Jalali month to the days its
//! reminder, nudge, due date and escalation fall on, with weekends and holidays moved to the
//! next working day.
//!
//! Pure: the caller supplies the holidays and the time zone; nothing here reads a clock.

use std::collections::BTreeMap;

use chrono::{DateTime, LocalResult, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::calendar::{JalaliDate, Period};
use super::obligation::{DueRule, Schedule, TimeOfDay};

/// Working days: a weekend (Friday by default in Iran) and a table of official holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    weekend: Vec<Weekday>,
    holidays: BTreeMap<JalaliDate, String>,
}

/// Why a day is not a working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayOff {
    /// A weekend day.
    Weekend(Weekday),
    /// An official holiday, with its name.
    Holiday(String),
}

impl Default for WorkCalendar {
    fn default() -> Self {
        WorkCalendar::new(vec![Weekday::Fri], BTreeMap::new())
    }
}

impl WorkCalendar {
    /// A calendar with the given weekend days and holidays.
    pub fn new(weekend: Vec<Weekday>, holidays: BTreeMap<JalaliDate, String>) -> Self {
        WorkCalendar { weekend, holidays }
    }

    /// Why `date` is not a working day, or `None` if it is one.
    pub fn day_off(&self, date: JalaliDate) -> Option<DayOff> {
        if let Some(name) = self.holidays.get(&date) {
            return Some(DayOff::Holiday(name.clone()));
        }
        let weekday = date.weekday();
        self.weekend
            .contains(&weekday)
            .then_some(DayOff::Weekend(weekday))
    }

    /// `date` itself if it is a working day, else the next one. A calendar with every day off
    /// (a misconfiguration) gives up after 60 days and returns `date`.
    pub fn next_working_day(&self, date: JalaliDate) -> JalaliDate {
        (0..60)
            .map(|n| date.add_days(n))
            .find(|d| self.day_off(*d).is_none())
            .unwrap_or(date)
    }
}

/// What happens on a scheduled day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// The reminder to every responsible unit.
    Remind,
    /// A second reminder to the units that have not reported.
    Nudge,
    /// The report is due by the end of this day.
    Due,
    /// The missing units are named to the follower-up office and the fund managers.
    Escalate,
}

impl EventKind {
    /// The stored and message-id name (`remind`, `nudge`, `due`, `escalate`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Remind => "remind",
            EventKind::Nudge => "nudge",
            EventKind::Due => "due",
            EventKind::Escalate => "escalate",
        }
    }
}

/// One scheduled event: its day (after moving off weekends and holidays) and local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happens.
    pub kind: EventKind,
    /// The day it happens.
    pub date: JalaliDate,
    /// The local time it happens (for [`EventKind::Due`], the end of the day is meant).
    pub time: TimeOfDay,
    /// The day the rule gave, when it fell on a day off and was moved.
    pub moved_from: Option<JalaliDate>,
}

/// Everything one occurrence of an obligation (one unit, one period) is timed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occasions {
    /// The Jalali month the occurrence belongs to.
    pub period: Period,
    /// The reminders (one for a monthly rhythm, one per `remind_days_before` for a deadline).
    pub reminders: Vec<Event>,
    /// The nudge to those who have not reported, if any.
    pub nudge: Option<Event>,
    /// The due date.
    pub due: Event,
    /// The escalation, if any.
    pub escalate: Option<Event>,
}

impl Occasions {
    /// Every event, in time order.
    pub fn events(&self) -> Vec<&Event> {
        let mut all: Vec<&Event> = self.reminders.iter().collect();
        all.extend(self.nudge.iter());
        all.push(&self.due);
        all.extend(self.escalate.iter());
        all.sort_by_key(|e| (e.date, e.kind));
        all
    }
}

fn event(kind: EventKind, rule_day: JalaliDate, time: TimeOfDay, cal: &WorkCalendar) -> Event {
    let date = cal.next_working_day(rule_day);
    Event {
        kind,
        date,
        time,
        moved_from: (date != rule_day).then_some(rule_day),
    }
}

/// The occasions of `schedule` that belong to `period`: always one for a monthly rhythm, and
/// for a deadline only in the month its due date falls in.
pub fn occasions(schedule: &Schedule, period: Period, cal: &WorkCalendar) -> Option<Occasions> {
    match schedule {
        Schedule::Monthly {
            remind_day,
            remind_time,
            due,
            nudge_days,
            escalate_days,
        } => {
            let len = period.len();
            let day_in_month = |d: u8| d.clamp(1, len);
            let first = period.first_day();
            let remind_rule = first.add_days(i64::from(day_in_month(*remind_day)) - 1);
            let due_day = match *due {
                DueRule::Day(d) => day_in_month(d),
                DueRule::BeforeEnd(n) => len.saturating_sub(n).max(1),
            };
            let due_rule = first.add_days(i64::from(due_day) - 1);
            let due = event(EventKind::Due, due_rule, *remind_time, cal);
            let remind = event(EventKind::Remind, remind_rule, *remind_time, cal);
            let nudge = (*nudge_days > 0)
                .then(|| {
                    event(
                        EventKind::Nudge,
                        due.date.add_days(-i64::from(*nudge_days)),
                        *remind_time,
                        cal,
                    )
                })
                .filter(|n| n.date > remind.date && n.date <= due.date);
            let escalate = Some(event(
                EventKind::Escalate,
                due.date.add_days(i64::from((*escalate_days).max(1))),
                *remind_time,
                cal,
            ));
            Some(Occasions {
                period,
                reminders: vec![remind],
                nudge,
                due,
                escalate,
            })
        }
        Schedule::Deadline {
            start,
            within_months,
            remind_days_before,
            remind_time,
        } => {
            let due = event(
                EventKind::Due,
                start.0.add_months(i32::from(*within_months)),
                *remind_time,
                cal,
            );
            if due.date.period() != period {
                return None;
            }
            let mut days: Vec<u8> = remind_days_before.clone();
            days.sort_unstable_by(|a, b| b.cmp(a));
            days.dedup();
            let reminders = days
                .into_iter()
                .map(|n| {
                    event(
                        EventKind::Remind,
                        due.date.add_days(-i64::from(n)),
                        *remind_time,
                        cal,
                    )
                })
                .filter(|r| r.date < due.date)
                .collect();
            let escalate = Some(event(
                EventKind::Escalate,
                due.date.add_days(1),
                *remind_time,
                cal,
            ));
            Some(Occasions {
                period,
                reminders,
                nudge: None,
                due,
                escalate,
            })
        }
    }
}

/// The UTC instant of a local date and time in `tz`. A time that does not exist locally (a
/// daylight-saving gap, which Tehran no longer has) is taken an hour later; an ambiguous one
/// as the earlier instant.
pub fn instant(date: JalaliDate, time: TimeOfDay, tz: Tz) -> DateTime<Utc> {
    let naive = date
        .to_gregorian()
        .and_time(NaiveTime::from_hms_opt(time.hour(), time.minute(), 0).unwrap_or(NaiveTime::MIN));
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            let later = naive + chrono::Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        }
    }
}

/// The first instant of `date` in `tz`.
pub fn day_start(date: JalaliDate, tz: Tz) -> DateTime<Utc> {
    instant(date, TimeOfDay::MIDNIGHT, tz)
}

/// The end of `date` in `tz`: the first instant of the next day. A report is on time when it
/// arrives before this.
pub fn end_of_day(date: JalaliDate, tz: Tz) -> DateTime<Utc> {
    instant(
        date.add_days(1),
        TimeOfDay::new(0, 0).unwrap_or(TimeOfDay::NINE),
        tz,
    )
}

/// The day a due time (UTC seconds, the first instant after the due day, as [`end_of_day`]
/// makes it) falls at the end of: the last day to report, as people are told it.
pub fn due_day(due_at: i64, tz: Tz) -> JalaliDate {
    let last_second = DateTime::from_timestamp(due_at - 1, 0).unwrap_or_default();
    JalaliDate::today(last_second, tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::obligation::{DEFAULT_MONTHLY, JalaliDateText};

    fn d(y: i32, m: u8, day: u8) -> JalaliDate {
        JalaliDate::new(y, m, day).unwrap()
    }

    fn cal_with(holidays: &[(JalaliDate, &str)]) -> WorkCalendar {
        WorkCalendar::new(
            vec![Weekday::Fri],
            holidays.iter().map(|(d, n)| (*d, n.to_string())).collect(),
        )
    }

    #[test]
    fn fridays_and_holidays_move_to_the_next_working_day() {
        // 1404/01/01 (2025-03-21) is a Friday and Nowruz; 01/02..01/04 are holidays too.
        let cal = cal_with(&[
            (d(1404, 1, 1), "نوروز"),
            (d(1404, 1, 2), "نوروز"),
            (d(1404, 1, 3), "نوروز"),
            (d(1404, 1, 4), "نوروز"),
        ]);
        assert_eq!(d(1404, 1, 1).weekday(), Weekday::Fri);
        assert_eq!(cal.next_working_day(d(1404, 1, 1)), d(1404, 1, 5));
        let occ = occasions(&DEFAULT_MONTHLY, Period::new(1404, 1).unwrap(), &cal).unwrap();
        assert_eq!(occ.reminders[0].date, d(1404, 1, 5));
        assert_eq!(occ.reminders[0].moved_from, Some(d(1404, 1, 1)));
        // 1404/01/25 is a Monday: not moved.
        assert_eq!(occ.due.date, d(1404, 1, 25));
        assert_eq!(occ.due.moved_from, None);
        // The nudge (three days before) falls on Friday 1404/01/22 and moves to Saturday.
        let nudge = occ.nudge.as_ref().unwrap();
        assert_eq!(
            (nudge.date, nudge.moved_from),
            (d(1404, 1, 23), Some(d(1404, 1, 22)))
        );
        assert_eq!(occ.escalate.as_ref().unwrap().date, d(1404, 1, 26));
    }

    #[test]
    fn due_before_end_follows_esfand_length() {
        let rule = Schedule::Monthly {
            remind_day: 20,
            remind_time: TimeOfDay::NINE,
            due: DueRule::BeforeEnd(0),
            nudge_days: 0,
            escalate_days: 1,
        };
        let cal = WorkCalendar::new(vec![], BTreeMap::new());
        let leap = occasions(&rule, Period::new(1403, 12).unwrap(), &cal).unwrap();
        assert_eq!(leap.due.date, d(1403, 12, 30));
        let common = occasions(&rule, Period::new(1404, 12).unwrap(), &cal).unwrap();
        assert_eq!(common.due.date, d(1404, 12, 29));
        assert_eq!(common.escalate.unwrap().date, d(1405, 1, 1));
        assert!(common.nudge.is_none());
    }

    #[test]
    fn days_past_the_month_end_are_clamped() {
        let rule = Schedule::Monthly {
            remind_day: 31,
            remind_time: TimeOfDay::NINE,
            due: DueRule::Day(31),
            nudge_days: 0,
            escalate_days: 0,
        };
        let cal = WorkCalendar::new(vec![], BTreeMap::new());
        let occ = occasions(&rule, Period::new(1404, 7).unwrap(), &cal).unwrap();
        assert_eq!(occ.due.date, d(1404, 7, 30));
        // escalate_days = 0 still escalates the day after the due date.
        assert_eq!(occ.escalate.unwrap().date, d(1404, 8, 1));
    }

    #[test]
    fn a_deadline_belongs_to_the_month_it_is_due_in() {
        let rule = Schedule::Deadline {
            start: JalaliDateText(d(1397, 5, 3)),
            within_months: 1,
            remind_days_before: vec![3, 14, 3],
            remind_time: TimeOfDay::NINE,
        };
        let cal = WorkCalendar::new(vec![], BTreeMap::new());
        assert!(occasions(&rule, Period::new(1397, 5).unwrap(), &cal).is_none());
        let occ = occasions(&rule, Period::new(1397, 6).unwrap(), &cal).unwrap();
        assert_eq!(occ.due.date, d(1397, 6, 3));
        let days: Vec<_> = occ.reminders.iter().map(|r| r.date).collect();
        assert_eq!(days, vec![d(1397, 5, 20), d(1397, 5, 31)]);
    }

    #[test]
    fn instants_are_in_tehran_time() {
        let tz: Tz = "Asia/Tehran".parse().unwrap();
        let t = instant(d(1404, 2, 23), TimeOfDay::NINE, tz);
        assert_eq!(t.to_rfc3339(), "2025-05-13T05:30:00+00:00");
        assert_eq!(
            end_of_day(d(1404, 2, 23), tz).to_rfc3339(),
            "2025-05-13T20:30:00+00:00"
        );
    }
}
