//! Health: the state of every platform the app serves, kept in a shared [`Health`] handle that
//! the app sets as platforms start, run and stop, and the verdict `/healthz` answers with.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::domain::member::Platform;

/// Where a platform stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformState {
    /// Configured, not yet receiving (the messenger has not answered `getMe` yet).
    Starting,
    /// Receiving and handling updates.
    Running,
    /// Stopped, and why (a rejected token, the app stopping).
    Stopped(String),
}

impl PlatformState {
    /// `starting`, `running` or `stopped: REASON`, as `/healthz` says it.
    pub fn describe(&self) -> String {
        match self {
            PlatformState::Starting => "starting".into(),
            PlatformState::Running => "running".into(),
            PlatformState::Stopped(reason) => format!("stopped: {reason}"),
        }
    }
}

/// The platforms' states, shared by the app (which sets them) and `/healthz` (which reads
/// them). Cloning shares the same states.
#[derive(Debug, Clone, Default)]
pub struct Health {
    states: Arc<Mutex<BTreeMap<Platform, PlatformState>>>,
}

impl Health {
    /// A handle with every platform of `platforms` starting.
    pub fn starting(platforms: impl IntoIterator<Item = Platform>) -> Health {
        let health = Health::default();
        for p in platforms {
            health.set(p, PlatformState::Starting);
        }
        health
    }

    /// Records where `platform` stands.
    pub fn set(&self, platform: Platform, state: PlatformState) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.insert(platform, state);
    }

    /// Every platform's state, in platform order.
    pub fn states(&self) -> Vec<(Platform, PlatformState)> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.iter().map(|(p, s)| (*p, s.clone())).collect()
    }
}

/// `/healthz`'s answer: healthy (200) when the database answered (`database` is `Ok`) and at
/// least one platform runs; otherwise unhealthy (503) with the reason. The body says the
/// database's and every platform's state either way.
pub fn verdict(
    database: Result<(), String>,
    platforms: &[(Platform, PlatformState)],
) -> (bool, Value) {
    let running = platforms.iter().any(|(_, s)| *s == PlatformState::Running);
    let states: serde_json::Map<String, Value> = platforms
        .iter()
        .map(|(p, s)| (p.as_str().to_owned(), Value::from(s.describe())))
        .collect();
    let reason = match (&database, running) {
        (Err(e), _) => Some(format!("the database does not answer: {e}")),
        (Ok(()), false) => Some("no platform is running".to_owned()),
        (Ok(()), true) => None,
    };
    let mut body = json!({
        "status": if reason.is_none() { "ok" } else { "unavailable" },
        "database": match &database {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.clone(),
        },
        "platforms": states,
    });
    if let Some(reason) = reason {
        body["reason"] = Value::from(reason);
    }
    (body["status"] == "ok", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_only_with_the_database_and_a_running_platform() {
        let running = (Platform::Telegram, PlatformState::Running);
        let stopped = (
            Platform::Bale,
            PlatformState::Stopped("token rejected".into()),
        );
        let starting = (Platform::Bale, PlatformState::Starting);
        // The reason of the verdict on `database` and `platforms`, `None` when healthy.
        let reason = |database: Result<(), &str>, platforms: &[(Platform, PlatformState)]| {
            let (ok, body) = verdict(database.map_err(str::to_owned), platforms);
            assert_eq!(ok, body["reason"].is_null(), "{body}");
            body["reason"].as_str().map(str::to_owned)
        };
        let none = Some("no platform is running".to_owned());
        assert_eq!(reason(Ok(()), &[running.clone(), stopped.clone()]), None);
        assert_eq!(reason(Ok(()), std::slice::from_ref(&stopped)), none);
        assert_eq!(reason(Ok(()), std::slice::from_ref(&starting)), none);
        assert_eq!(reason(Ok(()), &[]), none);
        assert_eq!(
            reason(Err("pool closed"), std::slice::from_ref(&running)).as_deref(),
            Some("the database does not answer: pool closed")
        );
        let (_, body) = verdict(Ok(()), &[running, stopped]);
        assert_eq!(body["platforms"]["telegram"], "running");
        assert_eq!(body["platforms"]["bale"], "stopped: token rejected");
        assert_eq!(body["database"], "ok");
    }

    #[test]
    fn a_handle_shares_its_states() {
        let health = Health::starting([Platform::Telegram, Platform::Bale]);
        let shared = health.clone();
        shared.set(Platform::Bale, PlatformState::Running);
        assert_eq!(
            health.states(),
            vec![
                (Platform::Telegram, PlatformState::Starting),
                (Platform::Bale, PlatformState::Running)
            ]
        );
    }
}
