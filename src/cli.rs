//! The operator commands (`setad migrate`, `import`, `invite`, `schedule`, `summary`,
//! `members`, `backup`, `check`). Each parses its arguments, calls a service and prints the result in
//! the configured language; dates, months and units are read the same way by every command
//! (`cli::input`). `anyhow` is used here only, for start-up and operator errors.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use crate::app::App;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::Lang;
use crate::domain::calendar::JalaliDate;
use crate::domain::member::{Platform, Role};
use crate::domain::schedule::{DayOff, EventKind};
use crate::service::import::{Changes, ImportError};
use crate::service::invite::InviteError;
use crate::service::schedule::{ScheduleLine, ScheduleQuery};
use crate::service::{self, work_calendar};
use crate::store::Store;
use crate::{render, t};

mod check;
mod input;
mod members;
mod serve;

/// Setad: follow-up of the strategic headquarters' resolutions on Telegram and Bale.
#[derive(Debug, Parser)]
#[command(name = "setad", version, about)]
pub struct Cli {
    /// Pretend the current time is this RFC 3339 instant (for rehearsals and tests).
    #[arg(long, global = true, env = "SETAD_NOW", hide = true)]
    now: Option<DateTime<Utc>>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve every configured platform: the scheduler and the send queue (SIGINT or SIGTERM
    /// stops it cleanly).
    Run,
    /// Show a whole month of the Mazandaran data against a simulated messenger: no token, no
    /// network, a temporary database.
    Demo {
        /// Imitate Bale instead of Telegram.
        #[arg(long)]
        bale: bool,
    },
    /// Apply the database migrations.
    Migrate,
    /// Import a TOML data file: meetings, units, obligations, assignments, quotas, holidays
    /// (idempotent); prints the obligations it adds, changes and retires.
    Import {
        /// The data file, e.g. data/mazandaran-1397.toml.
        file: PathBuf,
        /// Show what the import would do, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Create a join code for a unit and role, and print its deep links.
    Invite {
        /// The unit, by key (`amol`) or name (`آمل`).
        #[arg(long)]
        unit: String,
        /// governor, agency, staff, fund or admin.
        #[arg(long)]
        role: String,
        /// How many people may join with it.
        #[arg(long, default_value_t = 1)]
        uses: u32,
        /// How long it stays valid (30m, 48h, 7d, 2w), or the last day it is valid, Jalali
        /// (1404/03/01) or Gregorian (2025-05-22).
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the coming reminders, nudges, due dates and escalations.
    Schedule {
        /// The first day, Jalali (1405/09/01) or Gregorian (2026-11-22); today by default.
        #[arg(long)]
        from: Option<String>,
        /// How many Jalali months, starting with the first day's.
        #[arg(long, default_value_t = 1)]
        months: u32,
        /// Only this obligation (R3).
        #[arg(long)]
        obligation: Option<String>,
        /// Only this unit, by key (`amol`) or name (`فرمانداری آمل`).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Print or write the summary of a Jalali month.
    Summary {
        /// The Jalali month, e.g. 1405-09; the current one by default.
        #[arg(long)]
        period: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write to this file instead of standard output (required for xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the members (of one unit), or revoke, move or send one on leave with a deputy.
    Members {
        /// Only this unit, by key or name.
        #[arg(long)]
        unit: Option<String>,
        #[command(subcommand)]
        action: Option<members::MembersAction>,
    },
    /// Write a consistent copy of the SQLite database while the bot runs.
    Backup {
        /// The copy to write (must not exist).
        file: PathBuf,
    },
    /// Check that this installation is ready to go live: configuration, database, migrations
    /// (without applying them), each token, the webhook and the send queue; changes nothing
    /// and exits non-zero when something must be fixed.
    Check {
        /// Leave out the messengers (tokens, webhook): only what is on this machine, as before
        /// each start of the service, which must not wait for a messenger that is away.
        #[arg(long)]
        offline: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Csv,
    Xlsx,
}

/// Parses the command line and runs the command.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env();
    // `check` reports a configuration it cannot read as its first failed line.
    if let Command::Check { offline } = cli.command {
        return check::main(config, cli.now, offline);
    }
    let config = config.context("configuration")?;
    // The demo prints a transcript: only warnings and errors go to the log unless asked.
    let default_filter = if matches!(cli.command, Command::Demo { .. }) {
        "warn"
    } else {
        "info"
    };
    crate::telemetry::init(config.log_format, default_filter);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.worker_threads)
        .enable_all()
        .build()?;
    match runtime.block_on(run(cli, config)) {
        // The reader of standard output went away (`setad schedule | head`): nothing more is
        // wanted, so stop quietly, as a command-line tool does.
        Err(e) if reader_gone(&e) => Ok(()),
        other => other,
    }
}

/// Standard output, whose writes fail with [`ReaderGone`] when its reader has gone away (a
/// closed pipe), so that [`main`] can tell that apart from any other broken pipe, such as a
/// database connection's.
struct Stdout<W>(W);

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(mark_reader_gone)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(mark_reader_gone)
    }
}

/// The reader of standard output has gone away.
#[derive(Debug, thiserror::Error)]
#[error("the reader of standard output has gone away")]
struct ReaderGone;

fn mark_reader_gone(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, ReaderGone)
    } else {
        e
    }
}

/// A command's error as the operator reads it: the error and every cause it does not already
/// say (anyhow's `{:#}` without the repetitions of errors that say their cause, as
/// `StoreError` and sqlx's do).
pub fn error_text(e: &anyhow::Error) -> String {
    crate::domain::error::Chain(e.as_ref()).to_string()
}

/// Whether `e` is (or was caused by) a write to standard output after its reader went away.
fn reader_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .is_some_and(|inner| inner.is::<ReaderGone>())
    })
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database ({})",
                redact(&config.database_url)
            )
        })?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// An invite's (or a unit look-up's) error, in words.
fn invite_error(lang: Lang, e: InviteError) -> anyhow::Error {
    match e {
        e @ (InviteError::UnknownUnit { .. } | InviteError::Ambiguous { .. }) => {
            anyhow::anyhow!(input::unit_error(lang, &e).unwrap_or_else(|| e.to_string()))
        }
        InviteError::NoUses => anyhow::anyhow!(t!(lang, "invite-no-uses")),
        e => e.into(),
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    let now = cli.now.unwrap_or_else(Utc::now);
    let lang = config.locale;
    let mut stdout = Stdout(std::io::stdout().lock());
    match cli.command {
        Command::Run => {
            let clock = match cli.now {
                Some(start) => Clock::starting_at(start),
                None => Clock::System,
            };
            let store = open(&config).await?;
            serve::serve(&config, store, clock).await?;
        }
        Command::Demo { bale } => {
            let platform = if bale {
                Platform::Bale
            } else {
                Platform::Telegram
            };
            crate::demo::run(lang, platform, &mut stdout).await?;
        }
        Command::Migrate => {
            let store = open(&config).await?;
            writeln!(
                stdout,
                "{}",
                t!(lang, "migrate-done", backend = store.backend())
            )?;
        }
        Command::Import { file, dry_run } => {
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let store = open(&config).await?;
            let ts = now.timestamp();
            let outcome = if dry_run {
                service::import::dry_run(&store, &source, ts).await
            } else {
                service::import::import(&store, &source, ts).await
            };
            match outcome {
                Ok(s) => {
                    if dry_run {
                        writeln!(stdout, "{}", t!(lang, "import-dry-run"))?;
                    }
                    for line in render::import_plan(lang, &s.plan) {
                        writeln!(stdout, "{line}")?;
                    }
                    let meetings = (s.meetings != Changes::default())
                        .then(|| (t!(lang, "import-meetings"), s.meetings));
                    for (what, c) in meetings.into_iter().chain([
                        (t!(lang, "import-units"), s.units),
                        (t!(lang, "import-obligations"), s.obligations),
                        (t!(lang, "import-assignments"), s.assignments),
                        (t!(lang, "import-holidays"), s.holidays),
                    ]) {
                        writeln!(
                            stdout,
                            "{}",
                            t!(
                                lang,
                                "import-changes",
                                what = what,
                                inserted = c.inserted,
                                updated = c.updated,
                                unchanged = c.unchanged
                            )
                        )?;
                    }
                    if !s.changed_anything() {
                        writeln!(stdout, "{}", t!(lang, "import-nothing-changed"))?;
                    }
                }
                Err(ImportError::Invalid(problems)) => {
                    let mut stderr = std::io::stderr().lock();
                    for p in &problems {
                        writeln!(
                            stderr,
                            "{}:{}: {}",
                            file.display(),
                            p.line,
                            render::problem(lang, &p.kind)
                        )?;
                    }
                    bail!(t!(lang, "import-refused", count = problems.len()));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Invite {
            unit,
            role,
            uses,
            expires,
        } => {
            let Some(role) = Role::parse(&role) else {
                bail!(t!(lang, "invite-bad-role", role = role));
            };
            let expires = match expires {
                Some(e) => Some(input::expiry(lang, &e, now, config.tz)?),
                None => None,
            };
            let store = open(&config).await?;
            let invite = match service::invite::create(
                &store,
                &unit,
                role,
                uses,
                expires,
                now,
                &mut rand::rng(),
            )
            .await
            {
                Ok(invite) => invite,
                Err(e) => return Err(invite_error(lang, e)),
            };
            writeln!(
                stdout,
                "{}",
                t!(
                    lang,
                    "invite-created",
                    unit = invite.unit.name.clone(),
                    role = invite.role.as_str(),
                    code = invite.code.clone()
                )
            )?;
            match invite.expires_at {
                Some(at) => writeln!(
                    stdout,
                    "{}",
                    t!(
                        lang,
                        "invite-expires",
                        date = JalaliDate::today(at, config.tz).format(lang.digits()),
                        time = at.with_timezone(&config.tz).format("%H:%M").to_string()
                    )
                )?,
                None => writeln!(stdout, "{}", t!(lang, "invite-never-expires"))?,
            }
            let mut unknown = config.platforms.is_empty();
            for p in &config.platforms {
                let bot = crate::app::bot_username(p).await;
                unknown |= bot.is_none();
                let bot = bot.unwrap_or_else(|| "BOT".to_owned());
                let link = crate::platform::deep_link(p.platform, &bot, &invite.code);
                writeln!(stdout, "{link}")?;
            }
            if unknown {
                writeln!(
                    stdout,
                    "{}",
                    t!(lang, "invite-link-hint", code = invite.code.clone())
                )?;
            }
        }
        Command::Schedule {
            from,
            months,
            obligation,
            unit,
        } => {
            let from = match from {
                Some(s) => input::date(lang, &s)?,
                None => JalaliDate::today(now, config.tz),
            };
            if months == 0 || months > 120 {
                bail!(t!(lang, "schedule-bad-months"));
            }
            let store = open(&config).await?;
            let unit = match unit {
                Some(u) => Some(input::unit(&store, lang, &u, None).await?.key),
                None => None,
            };
            let cal = work_calendar(&store, &config.weekend).await?;
            let lines = service::schedule::upcoming(
                &store,
                &cal,
                from,
                months,
                &ScheduleQuery { obligation, unit },
            )
            .await?;
            if lines.is_empty() {
                writeln!(stdout, "{}", t!(lang, "schedule-empty"))?;
            }
            for line in &lines {
                writeln!(stdout, "{}", schedule_line(lang, line, &cal))?;
            }
        }
        Command::Summary {
            period,
            format,
            out,
        } => {
            let period = match period {
                Some(s) => input::period(lang, &s)?,
                None => JalaliDate::today(now, config.tz).period(),
            };
            let store = open(&config).await?;
            let span = service::summary::span(&store, config.tz, now).await?;
            if let Err(out) = span.check(period) {
                let covered = (out.span.first, out.span.last);
                bail!(render::out_of_span(lang, period, covered));
            }
            let cal = work_calendar(&store, &config.weekend).await?;
            let summary = service::summary::build(&store, period, &cal, config.tz, now).await?;
            let bytes = match format {
                Format::Text => render::summary_text(&summary, lang).into_bytes(),
                Format::Csv => render::summary_csv(&summary, lang).into_bytes(),
                Format::Xlsx => render::summary_xlsx(&summary, lang)?,
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    writeln!(
                        stdout,
                        "{}",
                        t!(lang, "written", path = path.display().to_string())
                    )?;
                }
                None if format == Format::Xlsx => bail!(t!(lang, "summary-xlsx-needs-out")),
                None => {
                    stdout.write_all(&bytes)?;
                    writeln!(stdout)?;
                }
            }
        }
        Command::Members { unit, action } => {
            let store = open(&config).await?;
            members::run(&config, store, (unit, action), now, &mut stdout).await?;
        }
        Command::Check { .. } => unreachable!("handled in main"),
        Command::Backup { file } => {
            if file.exists() {
                bail!(t!(lang, "backup-exists", path = file.display().to_string()));
            }
            let store = open(&config).await?;
            let path = file
                .to_str()
                .context("the backup path is not valid UTF-8")?;
            store.backup(path).await?;
            writeln!(stdout, "{}", t!(lang, "written", path = path.to_owned()))?;
        }
    }
    // Written out here, where a failure is still an error, rather than at exit.
    stdout.flush()?;
    Ok(())
}

fn schedule_line(
    lang: Lang,
    line: &ScheduleLine,
    cal: &crate::domain::schedule::WorkCalendar,
) -> String {
    let e = &line.event;
    let kind = match e.kind {
        EventKind::Remind => t!(lang, "event-remind"),
        EventKind::Nudge => t!(lang, "event-nudge"),
        EventKind::Due => t!(lang, "event-due"),
        EventKind::Escalate => t!(lang, "event-escalate"),
    };
    let mut text = t!(
        lang,
        "schedule-line",
        jalali = e.date.format(lang.digits()),
        weekday = weekday(lang, e.date.weekday()),
        gregorian = e.date.to_gregorian().to_string(),
        time = crate::domain::text::localize_digits(&e.time.to_string(), lang.digits()),
        kind = kind,
        obligation = line.obligation.clone(),
        unit = line.unit.clone()
    );
    if e.kind != EventKind::Due {
        text.push_str(&t!(
            lang,
            "schedule-due-part",
            jalali = line.due.format(lang.digits()),
            gregorian = line.due.to_gregorian().to_string()
        ));
    }
    if let Some(from) = e.moved_from {
        let reason = match cal.day_off(from) {
            Some(DayOff::Holiday(name)) => name,
            Some(DayOff::Weekend(day)) => weekday(lang, day),
            None => String::new(),
        };
        text.push_str(&t!(
            lang,
            "schedule-moved",
            jalali = from.format(lang.digits()),
            reason = reason
        ));
    }
    text
}

fn weekday(lang: Lang, day: chrono::Weekday) -> String {
    use chrono::Weekday::*;
    match day {
        Sat => t!(lang, "weekday-sat"),
        Sun => t!(lang, "weekday-sun"),
        Mon => t!(lang, "weekday-mon"),
        Tue => t!(lang, "weekday-tue"),
        Wed => t!(lang, "weekday-wed"),
        Thu => t!(lang, "weekday-thu"),
        Fri => t!(lang, "weekday-fri"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://setad:hunter2@db:5432/setad"),
            "postgres://…@db:5432/setad"
        );
        assert_eq!(redact("sqlite://setad.db"), "sqlite://setad.db");
    }
}
