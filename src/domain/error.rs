//! An error with its whole cause chain, for logs and the operator: `Chain(&e)` displays `e`
//! and then each of its sources (`std::error::Error::source`), joined by `: `.
//!
//! Many errors already say their cause in their own message (`StoreError::Database` says
//! sqlx's, which says the driver's) and return it as their source as well; a cause whose text
//! is already written is not written again, so the line reads like anyhow's `{:#}` without the
//! repetitions.

use std::error::Error;
use std::fmt;

/// Displays an error followed by the causes its message does not already say.
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut source = self.0.source();
        // A bound, should a source ever point back into its own chain.
        for _ in 0..32 {
            let Some(cause) = source else { break };
            let said = cause.to_string();
            if !said.is_empty() && !text.contains(&said) {
                text.push_str(": ");
                text.push_str(&said);
            }
            source = cause.source();
        }
        f.write_str(&text)
    }
}

impl fmt::Debug for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that says `message` and, when `says_cause`, its cause's message too.
    #[derive(Debug)]
    struct Layer {
        message: &'static str,
        says_cause: bool,
        cause: Option<Box<Layer>>,
    }

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match (&self.cause, self.says_cause) {
                (Some(cause), true) => write!(f, "{}: {cause}", self.message),
                _ => f.write_str(self.message),
            }
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.cause.as_deref().map(|c| c as &(dyn Error + 'static))
        }
    }

    fn layer(message: &'static str, says_cause: bool, cause: Option<Layer>) -> Layer {
        Layer {
            message,
            says_cause,
            cause: cause.map(Box::new),
        }
    }

    #[test]
    fn every_cause_is_said_once() {
        let locked = || layer("database is locked", false, None);
        for (name, error, expected) in [
            ("no cause", locked(), "database is locked"),
            (
                "a cause not said",
                layer("migration failed", false, Some(locked())),
                "migration failed: database is locked",
            ),
            (
                "a cause said",
                layer("database error", true, Some(locked())),
                "database error: database is locked",
            ),
            (
                "three levels, the middle one said",
                layer(
                    "tick failed",
                    false,
                    Some(layer("database error", true, Some(locked()))),
                ),
                "tick failed: database error: database is locked",
            ),
        ] {
            assert_eq!(Chain(&error).to_string(), expected, "{name}");
        }
    }
}
