//! Units: the administrative tree (province → county → district → rural district → village;
//! towns) and the offices (directorates and others) that obligations fall on.
//!
//! Pure types only; the tree itself lives in the store.

use std::fmt;

/// What kind of unit a node of the tree is. Obligations can be assigned "by position" to every
/// unit of a kind (R3: every county governorate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    /// A province governorate (استانداری).
    Province,
    /// A county governorate (فرمانداری).
    County,
    /// A district governorate (بخشداری).
    District,
    /// A rural district (دهستان).
    RuralDistrict,
    /// A village administration (دهیاری).
    Village,
    /// A town's municipality (شهرداری).
    Town,
    /// A directorate-general (اداره کل).
    Directorate,
    /// Any other office: the Fund, the broadcaster, a working group.
    Office,
}

impl UnitKind {
    /// Every kind, in tree order.
    pub const ALL: [UnitKind; 8] = [
        UnitKind::Province,
        UnitKind::County,
        UnitKind::District,
        UnitKind::RuralDistrict,
        UnitKind::Village,
        UnitKind::Town,
        UnitKind::Directorate,
        UnitKind::Office,
    ];

    /// The name used in data files and the database (`county`, `rural_district`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::County => "county",
            UnitKind::District => "district",
            UnitKind::RuralDistrict => "rural_district",
            UnitKind::Village => "village",
            UnitKind::Town => "town",
            UnitKind::Directorate => "directorate",
            UnitKind::Office => "office",
        }
    }

    /// Parses the name written by [`UnitKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unit's stable key: a lowercase ASCII slug (`a-z`, `0-9`, `-`), at most 64 characters,
/// starting with a letter or digit. Data files and invites name units by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitKey(String);

impl UnitKey {
    /// Checks that `s` is a valid key.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if s.is_empty() || s.len() > 64 {
            return Err(KeyError(s.to_owned()));
        }
        if !s.chars().all(valid_char) || s.starts_with('-') {
            return Err(KeyError(s.to_owned()));
        }
        Ok(UnitKey(s.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key that is not a lowercase ASCII slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid key (lowercase a-z, 0-9 and '-', at most 64 characters)")]
pub struct KeyError(pub String);

/// The units an administrator of unit `own` (of kind `kind`, with parent `parent`) looks
/// after: its own unit and everything under it. A province-level directorate or office serves
/// the province it belongs to, so its scope is its parent's subtree (the political affairs
/// directorate looks after every county). `tree` is every unit as (id, parent).
pub fn scope(
    own: i64,
    kind: UnitKind,
    parent: Option<i64>,
    tree: &[(i64, Option<i64>)],
) -> std::collections::BTreeSet<i64> {
    let root = match (kind, parent) {
        (UnitKind::Directorate | UnitKind::Office, Some(p)) => p,
        _ => own,
    };
    let mut children: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (id, parent) in tree {
        if let Some(p) = parent {
            children.entry(*p).or_default().push(*id);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(children.get(&id).into_iter().flatten().copied());
        }
    }
    seen
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn scopes() {
        // 1 province; 2, 3 counties; 4 a district of 2; 5 a directorate of 1; 6 an orphan.
        let tree = [
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(1)),
            (6, None),
        ];
        let ids = |v: &[i64]| {
            v.iter()
                .copied()
                .collect::<std::collections::BTreeSet<i64>>()
        };
        let cases: &[(i64, UnitKind, Option<i64>, &[i64])] = &[
            (1, UnitKind::Province, None, &[1, 2, 3, 4, 5]),
            (2, UnitKind::County, Some(1), &[2, 4]),
            (4, UnitKind::District, Some(2), &[4]),
            (5, UnitKind::Directorate, Some(1), &[1, 2, 3, 4, 5]),
            (6, UnitKind::Office, None, &[6]),
        ];
        for (own, kind, parent, want) in cases {
            assert_eq!(scope(*own, *kind, *parent, &tree), ids(want), "{own}");
        }
        // A cycle in corrupt data ends.
        assert_eq!(
            scope(7, UnitKind::County, None, &[(7, Some(8)), (8, Some(7))]),
            ids(&[7, 8])
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in UnitKind::ALL {
            assert_eq!(UnitKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(UnitKind::parse("County"), None);
    }

    #[test]
    fn keys() {
        for ok in ["amol", "north-savadkuh", "r5-quota", "v12"] {
            assert!(UnitKey::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Amol", "آمل", "-x", "a b", "a_b", &"x".repeat(65)] {
            assert!(UnitKey::parse(bad).is_err(), "{bad}");
        }
    }
}
