//! Finding a unit as an operator or a member names it: by key (`amol`) or by name
//! («فرمانداری آمل», «دفتر سیاسی، انتخابات و تقسیمات کشوری»), for every adapter that takes a
//! unit (the CLI's `invite` and `schedule --unit`, the bot's `/invite`, the dashboard).
//!
//! The matching itself is the domain's ([`crate::domain::unit_name`]); this service brings the
//! units from the store and tells units that share a name apart by the role a member would
//! have there.

use std::collections::HashMap;

use crate::domain::member::Role;
use crate::domain::unit::UnitKind;
use crate::domain::unit_name::{NameMatch, NamedUnit, UnitIndex};
use crate::store::{Store, StoreError, UnitRow};

/// How many closest units an unknown name gets.
pub const SUGGESTIONS: usize = 5;

/// What a name found.
#[derive(Debug, Clone)]
pub enum Found {
    /// Exactly one unit.
    One(UnitRow),
    /// Several units fit the name equally: the caller asks which, best first.
    Several(Vec<UnitRow>),
    /// No unit has that name; the closest ones, best first (never empty while there are units).
    Unknown {
        /// The closest units, best first.
        closest: Vec<UnitRow>,
    },
}

/// Whether a member with `role` would normally belong to a unit of `kind`: used to choose
/// between units that share a name (the county of Sari and the town of Sari).
pub fn role_fits(role: Role, kind: UnitKind) -> bool {
    match role {
        Role::Governor => kind == UnitKind::County,
        Role::Agency => kind != UnitKind::County && kind != UnitKind::Province,
        Role::Staff | Role::Fund | Role::Admin => matches!(
            kind,
            UnitKind::Directorate | UnitKind::Office | UnitKind::Province
        ),
    }
}

/// Finds the unit `query` names (a key or a name as people type it) among `units`. Units that
/// share a name are told apart by `role`, when given.
pub fn find_among(mut units: Vec<UnitRow>, query: &str, role: Option<Role>) -> Found {
    let query = query.trim();
    if let Some(i) = units.iter().position(|u| u.key == query) {
        return Found::One(units.swap_remove(i));
    }
    let position: HashMap<i64, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.unit_id, i))
        .collect();
    let named: Vec<NamedUnit<'_>> = units
        .iter()
        .map(|u| NamedUnit {
            name: &u.name,
            kind: u.kind,
            parent: u.parent_id.and_then(|p| position.get(&p).copied()),
        })
        .collect();
    let found = UnitIndex::new(&named).find(query, SUGGESTIONS);
    let mut slots: Vec<Option<UnitRow>> = units.into_iter().map(Some).collect();
    let mut take = |picks: Vec<usize>| -> Vec<UnitRow> {
        picks
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take))
            .collect()
    };
    match found {
        NameMatch::Matching { units, .. } => {
            let mut rows = take(units);
            if rows.len() > 1
                && let Some(role) = role
            {
                let fitting: Vec<usize> = (0..rows.len())
                    .filter(|i| role_fits(role, rows[*i].kind))
                    .collect();
                if let [only] = fitting[..] {
                    return Found::One(rows.swap_remove(only));
                }
            }
            match rows.len() {
                0 => Found::Unknown { closest: rows },
                1 => Found::One(rows.remove(0)),
                _ => Found::Several(rows),
            }
        }
        NameMatch::Unknown(closest) => Found::Unknown {
            closest: take(closest),
        },
    }
}

/// Finds the unit `query` names in the store: see [`find_among`].
#[tracing::instrument(skip(store))]
pub async fn find(store: &Store, query: &str, role: Option<Role>) -> Result<Found, StoreError> {
    if let Some(unit) = store.unit_by_key(query.trim()).await? {
        return Ok(Found::One(unit));
    }
    Ok(find_among(store.units().await?, query, role))
}
