//! What the bot says on its own initiative: reminders, nudges, escalations, alerts and digests.
//!
//! The services decide them as typed [`Notice`] values (what, about which obligation and
//! unit); the text is made in one place on the adapters' side, by an implementation of
//! [`Compose`] handed to the services, when the notice is queued (inside the transaction that
//! decided it). The services never see a message catalogue.
//!
//! Pure types only: no I/O, no clock; it must not import `sqlx`, `teloxide` or `tokio`.

use super::Lang;
use super::calendar::{JalaliDate, Period};
use super::member::Platform;

/// The kind of a queued message (the outbox's `kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    /// A monthly reminder (a reply to it reports on its occurrence).
    Remind,
    /// A nudge before the due date.
    Nudge,
    /// An escalation of the missing units to the follower-up and the fund.
    Escalate,
    /// An alert to fund managers and admins (milestones, unreachable members).
    Alert,
    /// The fund's daily digest.
    Digest,
    /// An answer to what a member sent.
    Notice,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Remind,
        MessageKind::Nudge,
        MessageKind::Escalate,
        MessageKind::Alert,
        MessageKind::Digest,
        MessageKind::Notice,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Remind => "remind",
            MessageKind::Nudge => "nudge",
            MessageKind::Escalate => "escalate",
            MessageKind::Alert => "alert",
            MessageKind::Digest => "digest",
            MessageKind::Notice => "notice",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The queue's priority of this kind: lower goes first. Answers to what a member just sent
    /// go before alerts, alerts before escalations, escalations before nudges, nudges before
    /// the monthly reminders (a fan-out of thousands must not hold up an answer).
    pub fn priority(self) -> i64 {
        match self {
            MessageKind::Notice => -10,
            MessageKind::Alert | MessageKind::Digest => 0,
            MessageKind::Escalate => 10,
            MessageKind::Nudge => 20,
            MessageKind::Remind => 30,
        }
    }
}

/// How long a message other than a reminder or a nudge stays worth sending after it fell due.
pub const USEFUL_FOR_MS: i64 = 24 * 3600 * 1000;

/// Until when a message is worth sending (UTC milliseconds), by one rule whatever delayed it
/// (the messenger away, the bot down, a member joining late): a reminder or a nudge until its
/// occurrence's due time (`due_at`, UTC seconds), anything else for a day after it fell due
/// (`fell_due`, UTC milliseconds). A message still unsent then is given up.
pub fn useful_until(kind: MessageKind, fell_due: i64, due_at: Option<i64>) -> i64 {
    match (kind, due_at) {
        (MessageKind::Remind | MessageKind::Nudge, Some(due)) => due * 1000,
        _ => fell_due + USEFUL_FOR_MS,
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An obligation as a notice names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObligationName {
    /// Its key ("R3").
    pub key: String,
    /// Its title.
    pub title: String,
}

/// One report in the fund's daily digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    /// The obligation's key.
    pub key: String,
    /// The unit's name.
    pub unit: String,
    /// Held?
    pub held: Option<bool>,
    /// Newly insured.
    pub insured: Option<i64>,
    /// Reported late.
    pub late: bool,
}

/// Something the bot tells a member without being asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The monthly reminder of an occurrence, to the members of its unit.
    Reminder {
        /// The obligation.
        obligation: ObligationName,
        /// The unit's name.
        unit: String,
        /// The period.
        period: Period,
        /// The last day to report.
        due: JalaliDate,
    },
    /// A nudge to a unit that has not reported, a few days before the due date.
    Nudge {
        /// The obligation.
        obligation: ObligationName,
        /// The unit's name.
        unit: String,
        /// The period.
        period: Period,
        /// The last day to report.
        due: JalaliDate,
    },
    /// The units that did not report by the due date, to the follower-up and the fund.
    Escalation {
        /// The obligation.
        obligation: ObligationName,
        /// The period.
        period: Period,
        /// The due date that passed.
        due: JalaliDate,
        /// The missing units' names, sorted.
        missing: Vec<String>,
    },
    /// A unit's quota progress crossed 50, 75 or 100% this year.
    Milestone {
        /// The obligation.
        obligation: ObligationName,
        /// The unit's name.
        unit: String,
        /// The level crossed (50, 75 or 100).
        level: u8,
        /// Newly insured this year.
        achieved: i64,
        /// The target.
        target: i64,
    },
    /// The reports first received in the 24 hours before the digest's time.
    Digest {
        /// The day of the digest.
        date: JalaliDate,
        /// The reports, by obligation and unit.
        reports: Vec<DigestLine>,
    },
    /// A member the bot can no longer reach (it blocked the bot).
    Unreachable {
        /// The member's name.
        name: String,
        /// The member's unit's name.
        unit: String,
        /// The platform it was on.
        platform: Platform,
    },
    /// A member's leave ended: it receives its unit's reminders again, and the deputy no more.
    LeaveEnded {
        /// The unit's name.
        unit: String,
        /// The deputy's name.
        deputy: String,
        /// The leave's first day.
        from: JalaliDate,
        /// The leave's last day.
        until: JalaliDate,
    },
    /// Messages that could not be sent while they were useful were given up (to the admins).
    GivenUp {
        /// The platform they were for.
        platform: Platform,
        /// How many of each kind.
        counts: Vec<(MessageKind, u64)>,
        /// The last error their sends met, if any was tried.
        last_error: Option<String>,
    },
}

impl Notice {
    /// The kind of message it is queued as.
    pub fn kind(&self) -> MessageKind {
        match self {
            Notice::Reminder { .. } => MessageKind::Remind,
            Notice::Nudge { .. } => MessageKind::Nudge,
            Notice::Escalation { .. } => MessageKind::Escalate,
            Notice::Milestone { .. }
            | Notice::Unreachable { .. }
            | Notice::LeaveEnded { .. }
            | Notice::GivenUp { .. } => MessageKind::Alert,
            Notice::Digest { .. } => MessageKind::Digest,
        }
    }
}

/// Turns notices into text in a language: the one place where what the bot says on its own is
/// worded (implemented by the adapters' rendering, with the message catalogue).
pub trait Compose: Send + Sync + std::fmt::Debug {
    /// The text of `notice` in `lang` (it may be longer than one message: the queue splits it).
    fn compose(&self, notice: &Notice, lang: Lang) -> String;
}
