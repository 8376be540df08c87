//! Setad: a Telegram and Bale bot that follows up the resolutions of a provincial strategic
//! headquarters: it keeps every office's obligations, reminds them on the Jalali calendar,
//! collects their reports and hands staff and fund managers the aggregated picture.
//!
//! # Layout
//! - [`domain`]: pure types and rules (units, members, obligations, the Jalali calendar,
//!   schedules, report reading, aggregation). No I/O, no clock.
//! - [`service`]: the use cases, shared by the bot and the operator CLI.
//! - [`store`]: the database (SQLite or PostgreSQL, chosen by `DATABASE_URL`).
//! - [`render`]: summaries as text, CSV and XLSX.
//! - [`cli`]: the operator commands; [`config`], [`i18n`], [`telemetry`]: the plumbing.
//!
//! The Bot API test double that [`demo`] and the tests talk to is its own crate,
//! `setad-double` (`crates/double/`).
//!
//! Dependencies point one way: `domain` ← `service` ← adapters (`store`, `cli`, `render`).

pub mod app;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod platform;
pub mod render;
pub mod scheduler;
pub mod sender;
pub mod service;
pub mod store;
pub mod telemetry;
