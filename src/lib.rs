//! Setad: a Telegram and Bale bot that follows up the resolutions of a provincial strategic
//! headquarters.
//!
//! # Layout
//! - [`domain`]: pure types and rules (units, obligations, the Jalali calendar, schedules,
//!   report parsing, aggregation). No I/O, no clock.
//! - `service`: the use cases, shared by the bot and the operator CLI.
//! - `store`: the database (SQLite or PostgreSQL, chosen by `DATABASE_URL`).
//! - `cli`: the operator commands.

pub mod domain;
pub mod store;
