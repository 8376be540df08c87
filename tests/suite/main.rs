//! The integration tests, as one test binary: each module is what was once a file of its own
//! (`cargo test --test suite outages::` runs one of them). One binary links the bot, sqlx and
//! teloxide once instead of twenty-odd times, and builds `common` once: the largest part of a
//! cold `cargo test`'s own build (README, "Setting up in minutes").

mod common;

mod architecture;
mod check;
mod cli;
mod conversation;
mod delivery;
mod deploy;
mod jalali_reference;
mod joining;
mod leave;
mod locales;
mod meetings;
mod members;
mod members_cli;
mod metrics;
mod migrations;
mod outages;
mod questions;
mod queue;
mod rates;
mod restore;
mod services;
mod store;
mod unit_names;
