//! The wording of member administration: a member as a line of `/members` and
//! `setad members`, and why a change was refused.

use crate::domain::Lang;
pub use crate::domain::member::MemberLine as Line;
use crate::domain::member::Refused;
use crate::t;

/// One member as a line: id, name, role, unit, platform, and its state.
pub fn line(lang: Lang, l: &Line<'_>) -> String {
    let mut text = t!(
        lang,
        "members-line",
        id = l.id,
        name = l.name,
        role = l.role.as_str(),
        unit = l.unit,
        platform = l.platform.as_str()
    );
    if !l.reachable {
        text.push_str(&t!(lang, "members-unreachable"));
    }
    if let Some((deputy, from, until)) = l.leave {
        text.push_str(&t!(
            lang,
            "members-on-leave",
            deputy = deputy,
            from = from.format(lang.digits()),
            until = until.format(lang.digits())
        ));
    }
    text
}

/// Why a member change was refused, in words.
pub fn refusal(lang: Lang, r: Refused) -> String {
    match r {
        Refused::NotAllowed => t!(lang, "members-refused-not-allowed"),
        Refused::OutOfScope => t!(lang, "members-refused-out-of-scope"),
        Refused::RoleTooHigh => t!(lang, "members-refused-role"),
        Refused::AlreadyRevoked => t!(lang, "members-refused-revoked"),
        Refused::BadDeputy => t!(lang, "members-refused-deputy"),
        Refused::BadDates => t!(lang, "members-refused-dates"),
        Refused::Unchanged => t!(lang, "members-refused-unchanged"),
        Refused::Overlaps => t!(lang, "members-refused-overlap"),
    }
}
