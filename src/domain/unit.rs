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
