//! Setad: a Telegram and Bale bot that follows up the resolutions of a provincial strategic
//! headquarters: it keeps every office's obligations, reminds them on the Jalali calendar,
//! collects their reports and hands staff and fund managers the aggregated picture.
//!
//! # Layout
//! Layers, from the bottom; each may use only the layers below it, and
//! `tests/suite/architecture.rs` fails when a module uses another against this direction (`use`
//! lines, inline paths, macros and re-exports alike):
//!
//! 1. [`domain`]: pure types and rules (units and the names people give them, members,
//!    obligations, the Jalali calendar and dates as operators write them, schedules, report
//!    reading, aggregation, the notices the bot sends on its own). No I/O, no
//!    clock. [`clock`]: the injected clock (real or manual). Both import nothing of the crate.
//! 2. [`store`]: the database (SQLite or PostgreSQL, chosen by `DATABASE_URL`), split by what
//!    it holds; rows decode into the domain's types. Uses `domain` only.
//! 3. [`service`]: every use case (membership, reports, alerts, a member's summary, the tick,
//!    import, invites, the schedule), called the same way by every adapter. Uses `domain`,
//!    `store` and `clock`; never rendering, the message catalogue or a messenger.
//! 4. Presentation and plumbing beside the adapters: [`i18n`] (the message catalogue and `t!`;
//!    uses `domain`), [`render`] (summaries as text, CSV, XLSX; the wording of notices; uses
//!    `domain`, `i18n`), [`platform`] (every Telegram/Bale difference; uses `domain`),
//!    [`config`] (the environment; uses `domain`, `platform`), [`telemetry`] (logging; uses
//!    `config`), [`ops`] (health and metrics: the recorder the adapters count into, the
//!    gauges read from the store, `/healthz` and `/metrics`; uses `domain`, `store`).
//! 5. Adapters: [`bot`] (the conversation; reaches the store only through services),
//!    [`sender`] (the send queue's worker), [`scheduler`] (timers that fire the tick),
//!    [`cli`] (the operator commands). Each uses the layers above, never another adapter.
//! 6. Assembly: [`app`] (starts the adapters of `setad run`), [`demo`] (`setad demo`, with
//!    the Bot API test double, the `setad-double` crate); [`cli`] calls both.
//!
//! `main.rs` only calls [`cli`].

pub mod app;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod ops;
pub mod platform;
pub mod render;
pub mod scheduler;
pub mod sender;
pub mod service;
pub mod store;
pub mod telemetry;
