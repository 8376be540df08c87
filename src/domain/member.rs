//! Members and their roles: who may see and do what.

use std::fmt;

/// The messenger a member uses. Members are keyed by platform and user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    /// Telegram.
    Telegram,
    /// Bale (بله).
    Bale,
}

impl Platform {
    /// Both platforms.
    pub const ALL: [Platform; 2] = [Platform::Telegram, Platform::Bale];

    /// `telegram` or `bale`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Telegram => "telegram",
            Platform::Bale => "bale",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a member may do. A member belongs to one unit and sees only what its role and unit allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// A county governorate: reports on its county's obligations.
    Governor,
    /// Any other responsible office: reports on its own obligations.
    Agency,
    /// Political affairs directorate staff: summaries and exports.
    Staff,
    /// Fund managers: alerts, digests and summaries.
    Fund,
    /// Operators of the bot.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Governor,
        Role::Agency,
        Role::Staff,
        Role::Fund,
        Role::Admin,
    ];

    /// The role's name in the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Governor => "governor",
            Role::Agency => "agency",
            Role::Staff => "staff",
            Role::Fund => "fund",
            Role::Admin => "admin",
        }
    }

    /// Parses the name written by [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role reports on its own unit's obligations.
    pub fn reports(self) -> bool {
        matches!(self, Role::Governor | Role::Agency)
    }

    /// Whether the role may see summaries across units (`/summary`, `/overdue`, `/export`).
    pub fn sees_summaries(self) -> bool {
        matches!(self, Role::Staff | Role::Fund | Role::Admin)
    }

    /// Whether the role receives fund alerts (missing reports, milestones, unreachable members).
    pub fn receives_alerts(self) -> bool {
        matches!(self, Role::Fund | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a member administration (a list, an invite, a revocation, a move, a leave) was refused;
/// nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The actor's role does not administer members.
    NotAllowed,
    /// The member or unit is outside the actor's scope (or does not exist).
    OutOfScope,
    /// Only an admin gives the admin role.
    RoleTooHigh,
    /// The member was already revoked.
    AlreadyRevoked,
    /// The deputy is not an active member of the same unit, or is the member itself.
    BadDeputy,
    /// The leave ends before it starts, or has already ended.
    BadDates,
    /// The move changes nothing.
    Unchanged,
    /// The member already has a leave on some of those days.
    Overlaps,
}

/// A member as `/members` and `setad members` list it.
#[derive(Debug, Clone, Copy)]
pub struct MemberLine<'a> {
    /// The member's id.
    pub id: i64,
    /// Its name.
    pub name: &'a str,
    /// Its role.
    pub role: Role,
    /// Its unit's name.
    pub unit: &'a str,
    /// Its platform.
    pub platform: Platform,
    /// Whether the bot can reach it.
    pub reachable: bool,
    /// Its leave not yet over: the deputy's name, the first and last days.
    pub leave: Option<(
        &'a str,
        super::calendar::JalaliDate,
        super::calendar::JalaliDate,
    )>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for platform in Platform::ALL {
            assert_eq!(Platform::parse(platform.as_str()), Some(platform));
        }
        assert_eq!(Role::parse(" Staff "), Some(Role::Staff));
        assert_eq!(Role::parse("boss"), None);
    }

    #[test]
    fn permissions() {
        assert!(Role::Governor.reports() && !Role::Governor.sees_summaries());
        assert!(Role::Staff.sees_summaries() && !Role::Staff.receives_alerts());
        assert!(Role::Fund.receives_alerts());
    }
}
