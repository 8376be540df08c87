//! Obligations: what a resolution asks an office to do, in one of four shapes, and the rule
//! that says when each unit is reminded and when it is due.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::calendar::JalaliDate;

/// The four shapes an obligation takes (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// A recurring meeting with a report (R1, R3, R5).
    Meeting,
    /// A numeric target per unit with progress reports (R2, R5's quota).
    Quota,
    /// A one-off deadline (R9: "within one month").
    Deadline,
    /// A continuous duty reported on monthly (R4, R6, R7, R8).
    Continuous,
}

impl Shape {
    /// Every shape.
    pub const ALL: [Shape; 4] = [
        Shape::Meeting,
        Shape::Quota,
        Shape::Deadline,
        Shape::Continuous,
    ];

    /// The shape's name in data files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Meeting => "meeting",
            Shape::Quota => "quota",
            Shape::Deadline => "deadline",
            Shape::Continuous => "continuous",
        }
    }

    /// Parses the name written by [`Shape::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an office takes part in an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Involvement {
    /// Must act and report; gets reminders.
    Responsible,
    /// Cooperates; sees the obligation, gets no reminders.
    Collaborating,
}

impl Involvement {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Involvement::Responsible => "responsible",
            Involvement::Collaborating => "collaborating",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "responsible" => Some(Involvement::Responsible),
            "collaborating" => Some(Involvement::Collaborating),
            _ => None,
        }
    }
}

/// Where an occurrence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OccurrenceStatus {
    /// Not reported yet.
    Open,
    /// Reported by its due time.
    Reported,
    /// Reported after its due time.
    Late,
    /// Never reported (kept for history).
    Missed,
}

impl OccurrenceStatus {
    /// Every status.
    pub const ALL: [OccurrenceStatus; 4] = [
        OccurrenceStatus::Open,
        OccurrenceStatus::Reported,
        OccurrenceStatus::Late,
        OccurrenceStatus::Missed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OccurrenceStatus::Open => "open",
            OccurrenceStatus::Reported => "reported",
            OccurrenceStatus::Late => "late",
            OccurrenceStatus::Missed => "missed",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A local time of day, minutes after midnight (0..1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// 09:00, the default reminder time.
    pub const NINE: TimeOfDay = TimeOfDay(9 * 60);
    /// 00:00, the start of a day.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);

    /// Builds a time from hours and minutes.
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then(|| TimeOfDay(u16::from(hour) * 60 + u16::from(minute)))
    }

    /// Parses `HH:MM` (any digits).
    pub fn parse(s: &str) -> Option<Self> {
        let s = super::text::to_ascii_digits(s.trim());
        let (h, m) = s.split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        Self::new(h.parse().ok()?, m.parse().ok()?)
    }

    /// The hour.
    pub fn hour(self) -> u32 {
        u32::from(self.0 / 60)
    }

    /// The minute.
    pub fn minute(self) -> u32 {
        u32::from(self.0 % 60)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        TimeOfDay::parse(&s).ok_or_else(|| format!("`{s}` is not a time of day (HH:MM)"))
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        t.to_string()
    }
}

/// When, within a Jalali month, a recurring obligation is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueRule {
    /// Day N of the month (clamped to the month's length).
    Day(u8),
    /// N days before the month's last day (0 = the last day).
    BeforeEnd(u8),
}

/// The rule that times an obligation's reminders. Stored as JSON in `obligation.schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rhythm", rename_all = "snake_case")]
pub enum Schedule {
    /// Every Jalali month: remind, nudge the silent ones, escalate the missing ones.
    Monthly {
        /// Day of the month the reminder goes out (1..=31, clamped to the month's length).
        remind_day: u8,
        /// Local time of the reminder, the nudge and the escalation.
        remind_time: TimeOfDay,
        /// When the report is due.
        due: DueRule,
        /// Nudge those who have not reported this many days before the due date (0: no nudge).
        nudge_days: u8,
        /// Escalate the missing ones this many days after the due date.
        escalate_days: u8,
    },
    /// Once: due `within_months` Jalali months after `start`.
    Deadline {
        /// The day the clock starts.
        start: JalaliDateText,
        /// Months allowed.
        within_months: u8,
        /// Reminders this many days before the due date.
        remind_days_before: Vec<u8>,
        /// Local time of the reminders.
        remind_time: TimeOfDay,
    },
}

/// A Jalali date kept as `1404/02/23` text inside stored JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JalaliDateText(pub JalaliDate);

impl TryFrom<String> for JalaliDateText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        JalaliDate::parse(&s)
            .map(JalaliDateText)
            .map_err(|e| e.to_string())
    }
}

impl From<JalaliDateText> for String {
    fn from(d: JalaliDateText) -> String {
        d.0.to_string()
    }
}

/// The default monthly rhythm of PRODUCT.md: the 1st at 09:00, due on the 25th, a nudge three
/// days before, the escalation a day after.
pub const DEFAULT_MONTHLY: Schedule = Schedule::Monthly {
    remind_day: 1,
    remind_time: TimeOfDay::NINE,
    due: DueRule::Day(25),
    nudge_days: 3,
    escalate_days: 1,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day() {
        assert_eq!(TimeOfDay::parse("09:00"), Some(TimeOfDay::NINE));
        assert_eq!(
            TimeOfDay::parse("۰۹:۳۰").map(|t| t.to_string()),
            Some("09:30".into())
        );
        for bad in ["", "24:00", "9", "09:60", "a:b", "123:00", "09:0"] {
            assert_eq!(TimeOfDay::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn schedule_round_trips_as_json() {
        let json = serde_json::to_string(&DEFAULT_MONTHLY).unwrap();
        assert_eq!(
            serde_json::from_str::<Schedule>(&json).unwrap(),
            DEFAULT_MONTHLY
        );
        let deadline = Schedule::Deadline {
            start: JalaliDateText(JalaliDate::new(1397, 5, 3).unwrap()),
            within_months: 1,
            remind_days_before: vec![14, 3],
            remind_time: TimeOfDay::NINE,
        };
        let json = serde_json::to_string(&deadline).unwrap();
        assert!(json.contains("1397/05/03"), "{json}");
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), deadline);
    }
}
