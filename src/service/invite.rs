//! Invites: the codes with which people join (`/start CODE`), bound to a unit and a role.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use crate::domain::member::Role;
use crate::domain::text::to_ascii_digits;
use crate::service::units::{self, Found};
use crate::store::{InviteRow, Store, StoreError, UnitRow};

/// The characters of a code: lowercase letters and digits without look-alikes (no i, l, o, 0, 1),
/// so a code read aloud or typed from paper works.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// The length of a code (31^10 ≈ 8·10^14 codes).
pub const CODE_LEN: usize = 10;

/// Why an invite could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// No unit has that key or name; the closest units are offered.
    #[error("no unit named `{query}`")]
    UnknownUnit {
        /// What was asked for.
        query: String,
        /// The closest units' names, best first.
        suggestions: Vec<String>,
        /// The closest units, best first.
        closest: Vec<UnitRow>,
    },
    /// More than one unit fits that name.
    #[error("more than one unit is named `{query}`")]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// The fitting units' keys, best first.
        keys: Vec<String>,
        /// The fitting units, best first.
        units: Vec<UnitRow>,
    },
    /// `--uses` must be at least 1.
    #[error("an invite must allow at least one use")]
    NoUses,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl InviteError {
    /// The unit `query` found, or the error saying it found several or none.
    pub fn one_unit(query: &str, found: Found) -> Result<UnitRow, InviteError> {
        let query = query.trim().to_owned();
        Err(match found {
            Found::One(unit) => return Ok(unit),
            Found::Several(units) => InviteError::Ambiguous {
                query,
                keys: units.iter().map(|u| u.key.clone()).collect(),
                units,
            },
            Found::Unknown { closest } => InviteError::UnknownUnit {
                query,
                suggestions: closest.iter().map(|u| u.name.clone()).collect(),
                closest,
            },
        })
    }
}

/// A created invite.
#[derive(Debug, Clone)]
pub struct Invite {
    /// The code.
    pub code: String,
    /// The unit's key and name.
    pub unit: UnitRow,
    /// The role.
    pub role: Role,
    /// Uses allowed.
    pub uses: u32,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Finds a unit by key or by name as people type it (see [`crate::service::units`]). Units
/// that share a name are told apart by the role, when given; an unknown name gives the closest
/// units.
pub async fn find_unit(
    store: &Store,
    query: &str,
    role: Option<Role>,
) -> Result<UnitRow, InviteError> {
    InviteError::one_unit(query, units::find(store, query, role).await?)
}

/// Makes a random code.
pub fn new_code(rng: &mut impl Rng) -> String {
    (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Parses a duration like `7d`, `48h`, `30m` or `2w` (any digits).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = to_ascii_digits(s.trim());
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok().filter(|n| *n > 0 && *n <= 100_000)?;
    match unit.trim() {
        "m" | "min" => Some(Duration::minutes(n)),
        "h" => Some(Duration::hours(n)),
        "d" => Some(Duration::days(n)),
        "w" => Some(Duration::weeks(n)),
        _ => None,
    }
}

/// Creates an invite to `unit_query` (a key or name) with `role`.
pub async fn create(
    store: &Store,
    unit_query: &str,
    role: Role,
    uses: u32,
    expires_in: Option<Duration>,
    now: DateTime<Utc>,
    rng: &mut impl Rng,
) -> Result<Invite, InviteError> {
    if uses == 0 {
        return Err(InviteError::NoUses);
    }
    let unit = find_unit(store, unit_query, Some(role)).await?;
    issue(store, unit, role, (uses, expires_in), now, rng, "cli").await
}

/// Makes an invite to `unit` with `role`, `uses` times until `expires_in`, created `by`
/// (`cli` or `member:ID`), and audits it.
pub async fn issue(
    store: &Store,
    unit: UnitRow,
    role: Role,
    (uses, expires_in): (u32, Option<Duration>),
    now: DateTime<Utc>,
    rng: &mut impl Rng,
    by: &str,
) -> Result<Invite, InviteError> {
    if uses == 0 {
        return Err(InviteError::NoUses);
    }
    let code = new_code(rng);
    let expires_at = expires_in.map(|d| now + d);
    let row = InviteRow {
        code: code.clone(),
        unit_id: unit.unit_id,
        role,
        max_uses: i64::from(uses),
        uses: 0,
        expires_at: expires_at.map(|t| t.timestamp()),
        created_at: now.timestamp(),
    };
    let mut tx = store.begin().await?;
    tx.insert_invite(&row, by).await?;
    tx.audit(
        &crate::store::AuditEntry {
            actor: by,
            action: "invite",
            entity: "invite",
            entity_key: &unit.key,
            detail: serde_json::json!({ "role": role.as_str(), "uses": uses, "expires_at": row.expires_at }).to_string(),
        },
        now.timestamp(),
    )
    .await?;
    tx.commit().await?;
    Ok(Invite {
        code,
        unit,
        role,
        uses,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Some(Duration::days(7)));
        assert_eq!(parse_duration("۴۸h"), Some(Duration::hours(48)));
        assert_eq!(parse_duration("2w"), Some(Duration::weeks(2)));
        for bad in ["", "d", "7", "7y", "-1d", "0d", "99999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_use_the_alphabet() {
        let mut rng = rand::rng();
        let code = new_code(&mut rng);
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
    }
}
