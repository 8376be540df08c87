//! `setad demo`: a whole month of the Mazandaran data in one command, with no token and no
//! network. A temporary SQLite database, the Bot API double on loopback as the messenger, the
//! real bot (send queue, handlers, polling) talking to it over HTTP, and a clock that the demo
//! moves from one event of Azar 1405 to the next. Simulated officials join, get the reminder,
//! reply in Persian, correct, forget, are nudged, are escalated, report late; the staff asks for
//! the summary. The conversation is printed as it happens.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use setad_double::{Double, DoubleConfig, Flavour, User};

use crate::app::App;
use crate::clock::Clock;
use crate::config::{Config, PlatformConfig};
use crate::domain::Lang;
use crate::domain::calendar::JalaliDate;
use crate::domain::member::{Platform, Role};
use crate::domain::obligation::TimeOfDay;
use crate::domain::schedule::instant;
use crate::domain::text::localize_digits;
use crate::platform::SendRates;
use crate::service::tick::{TickConfig, tick};
use crate::service::{import, invite};
use crate::store::Store;
use crate::t;

/// The data file, built in, so the demo runs from anywhere.
const DATA: &str = include_str!("../data/mazandaran-1397.toml");

/// One simulated official.
struct Person {
    user: User,
    name: String,
}

struct Demo<'a> {
    /// Where the transcript goes.
    out: &'a mut dyn Write,
    double: Double,
    clock: Clock,
    store: Store,
    tick: TickConfig,
    lang: Lang,
    printed: usize,
    names: std::collections::HashMap<i64, String>,
}

impl Demo<'_> {
    fn at(&self, date: (i32, u8, u8), time: (u8, u8)) -> DateTime<Utc> {
        let day = JalaliDate::new(date.0, date.1, date.2)
            .unwrap_or_else(|_| JalaliDate::today(Utc::now(), self.tick.tz));
        instant(
            day,
            TimeOfDay::new(time.0, time.1).unwrap_or(TimeOfDay::NINE),
            self.tick.tz,
        )
    }

    /// Moves the clock and prints the new moment.
    fn go(&mut self, date: (i32, u8, u8), time: (u8, u8), what: String) -> std::io::Result<()> {
        let at = self.at(date, time);
        self.clock.set(at);
        let day = JalaliDate::today(at, self.tick.tz);
        let clock = localize_digits(&format!("{:02}:{:02}", time.0, time.1), self.lang.digits());
        writeln!(
            self.out,
            "\n═══ {} ({}) {clock} · {what}",
            day.format_long(self.lang),
            day.to_gregorian()
        )
    }

    async fn run_tick(&self) -> anyhow::Result<()> {
        tick(&self.store, &self.tick, self.clock.now()).await?;
        Ok(())
    }

    /// Waits until the double holds at least `count` messages, then prints those not yet
    /// printed: all of them, or (`summarise`) the first that starts with `prefer` and a count
    /// of the others.
    async fn show(&mut self, count: usize, summarise: bool) -> std::io::Result<()> {
        self.show_like(count, summarise, "").await
    }

    async fn show_like(
        &mut self,
        count: usize,
        summarise: bool,
        prefer: &str,
    ) -> std::io::Result<()> {
        let ok = self
            .double
            .wait_for(|v| v.messages().len() >= count, Duration::from_secs(30))
            .await;
        if !ok {
            writeln!(self.out, "  (…)")?;
        }
        // Let stragglers of the same step arrive.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let messages = self.double.messages();
        let mut new: Vec<_> = messages[self.printed.min(messages.len())..].to_vec();
        if let Some(i) = new
            .iter()
            .position(|m| m.text.as_deref().is_some_and(|t| t.starts_with(prefer)))
        {
            let first = new.remove(i);
            new.insert(0, first);
        }
        for (i, m) in new.iter().enumerate() {
            if summarise && i == 1 {
                let more = new.len() - 1;
                writeln!(
                    self.out,
                    "  🤖 … {}",
                    t!(self.lang, "demo-more", count = more)
                )?;
                break;
            }
            let who = self
                .names
                .get(&m.chat_id)
                .cloned()
                .unwrap_or_else(|| m.chat_id.to_string());
            let text = match (&m.text, &m.file) {
                (_, Some(file)) => format!(
                    "📎 {} ({} bytes)",
                    file.file_name.clone().unwrap_or_default(),
                    file.size
                ),
                (Some(text), None) => text.clone(),
                _ => String::new(),
            };
            writeln!(self.out, "  🤖 → {who}:\n{}", indent(&text))?;
        }
        self.printed = messages.len();
        Ok(())
    }

    fn says(&mut self, person: &Person, text: &str) -> std::io::Result<()> {
        writeln!(
            self.out,
            "  👤 {}: {}",
            person.name,
            text.replace('\n', " ")
        )
    }

    fn messages(&self) -> usize {
        self.double.messages().len()
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the demo, writing the transcript to `out`. `flavour` chooses the messenger imitated.
pub async fn run(lang: Lang, platform: Platform, out: &mut dyn Write) -> anyhow::Result<()> {
    let flavour = match platform {
        Platform::Telegram => Flavour::Telegram,
        Platform::Bale => Flavour::Bale,
    };
    let dir = std::env::temp_dir().join(format!("setad-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run_in(&dir, lang, flavour, out).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_in(
    dir: &std::path::Path,
    lang: Lang,
    flavour: Flavour,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let tz = chrono_tz::Asia::Tehran;
    let tick_config = TickConfig {
        tz,
        weekend: vec![chrono::Weekday::Fri],
        compose: crate::render::composer(),
    };
    let clock = Clock::manual(Utc::now());
    let double = Double::start(DoubleConfig::flavoured(flavour)).await?;
    let platform = match flavour {
        Flavour::Telegram => Platform::Telegram,
        Flavour::Bale => Platform::Bale,
    };
    let mut demo = Demo {
        out,
        double,
        clock: clock.clone(),
        store: store.clone(),
        tick: tick_config,
        lang,
        printed: 0,
        names: Default::default(),
    };

    writeln!(
        demo.out,
        "{}",
        t!(lang, "demo-title", platform = platform.as_str())
    )?;
    demo.go((1405, 8, 28), (10, 0), t!(lang, "demo-step-import"))?;
    let imported = import::import(&store, DATA, clock.now().timestamp()).await?;
    writeln!(
        demo.out,
        "  {}",
        t!(
            lang,
            "demo-imported",
            units = imported.units.inserted,
            obligations = imported.obligations.inserted,
            holidays = imported.holidays.inserted
        )
    )?;

    // The bot, as `setad run` starts it, against the double.
    let mut config = Config::from_vars(|_| None)?;
    config.locale = lang;
    config.poll_timeout = Duration::from_secs(1);
    config.platforms = vec![PlatformConfig {
        platform,
        token: "123456:DEMO".to_owned().into(),
        api_url: demo.double.url(),
        username: Some("setad_demo_bot".into()),
        rates: SendRates {
            overall: f64::INFINITY,
            per_chat: 100.0,
        },
    }];
    let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let app = App::start(&config, store.clone(), clock.clone(), stop_rx).await?;

    // Invites, and everyone joins.
    demo.go((1405, 8, 29), (11, 0), t!(lang, "demo-step-join"))?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(1405);
    let counties: Vec<_> = store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.kind == crate::domain::unit::UnitKind::County)
        .collect();
    let mut governors = Vec::new();
    for (i, county) in counties.iter().enumerate() {
        let code = invite::create(
            &store,
            &county.key,
            Role::Governor,
            1,
            None,
            clock.now(),
            &mut rng,
        )
        .await?
        .code;
        let name = t!(lang, "demo-governor", county = county.name.clone());
        let user = demo
            .double
            .user(1000 + i as i64, &name)
            .with_language(lang.code());
        demo.names.insert(user.chat_id(), name.clone());
        demo.double.send_text(&user, &format!("/start {code}"));
        governors.push((county.key.clone(), Person { user, name }));
    }
    let staff_code = invite::create(
        &store,
        "dg-political",
        Role::Staff,
        1,
        None,
        clock.now(),
        &mut rng,
    )
    .await?
    .code;
    let fund_code = invite::create(&store, "fund", Role::Fund, 1, None, clock.now(), &mut rng)
        .await?
        .code;
    let staff = Person {
        user: demo.double.user(2000, "staff").with_language(lang.code()),
        name: t!(lang, "demo-staff"),
    };
    let fund = Person {
        user: demo.double.user(3000, "fund").with_language(lang.code()),
        name: t!(lang, "demo-fund"),
    };
    for p in [&staff, &fund] {
        demo.names.insert(p.user.chat_id(), p.name.clone());
    }
    let first = &governors[0].1;
    demo.says(first, &format!("/start {}", "…"))?;
    demo.double
        .send_text(&staff.user, &format!("/start {staff_code}"));
    demo.double
        .send_text(&fund.user, &format!("/start {fund_code}"));
    demo.show(24, true).await?;

    let person = |key: &str| {
        &governors
            .iter()
            .find(|(k, _)| k == key)
            .expect("a county of the data file")
            .1
    };

    // The 1st of Azar, 09:00: the reminders.
    demo.go((1405, 9, 1), (9, 0), t!(lang, "demo-step-remind"))?;
    let before = demo.messages();
    demo.run_tick().await?;
    app.wake_senders();
    demo.show_like(before + 22, true, "📌").await?;

    // Replies, in Persian, in all digit systems.
    demo.go((1405, 9, 4), (10, 30), t!(lang, "demo-step-replies"))?;
    let replies = [
        (
            "amol",
            "جلسه ستاد راهبردی شهرستان در تاریخ ۱۴۰۵/۰۹/۰۳ با حضور ۱۸ نفر برگزار شد و ۴۲ نفر بیمه شدند.",
        ),
        ("sari", "برگزار شد. حاضرین: ١٢، بیمه شده جدید: 30"),
        (
            "babol",
            "جلسه این ماه به دلیل سفر استانی فرماندار برگزار نشد؛ به هفتهٔ بعد موکول شد.",
        ),
        ("nowshahr", "جلسه برگزار شد با ۹ نفر"),
    ];
    for (key, text) in replies {
        let p = person(key);
        let reminder = demo
            .double
            .messages_to(p.user.chat_id())
            .into_iter()
            .rev()
            .find(|m| m.text.as_deref().is_some_and(|t| t.contains("(R3)")));
        let Some(reminder) = reminder else { continue };
        demo.says(p, text)?;
        let before = demo.messages();
        demo.double.reply(&p.user, reminder.message_id, text);
        demo.show(before + 1, false).await?;
    }
    // Nowshahr corrects the number by editing its message.
    let p = person("nowshahr");
    if let Some(last) = demo
        .double
        .view(|v| {
            v.calls()
                .iter()
                .rev()
                .find(|c| c.is("sendMessage") && c.chat_id == Some(p.user.chat_id()))
                .map(|c| {
                    c.params["reply_parameters"]["message_id"]
                        .as_i64()
                        .or(c.params["reply_to_message_id"].as_i64())
                })
        })
        .flatten()
    {
        let corrected = "جلسه برگزار شد با حضور ۱۱ نفر؛ ۵ نفر بیمه شدند";
        writeln!(demo.out, "  ✏️ {}: {corrected}", p.name)?;
        let before = demo.messages();
        demo.double.edit(&p.user, last, corrected);
        demo.show(before + 1, false).await?;
    }

    // The nudge, three days before the 25th.
    demo.go((1405, 9, 22), (9, 0), t!(lang, "demo-step-nudge"))?;
    let before = demo.messages();
    demo.run_tick().await?;
    app.wake_senders();
    demo.show_like(before + 18, true, "⏰").await?;

    // Chalus reports through /report.
    demo.go((1405, 9, 24), (12, 0), t!(lang, "demo-step-report-command"))?;
    let p = person("chalus");
    demo.says(p, "/report")?;
    let before = demo.messages();
    demo.double.send_text(&p.user, "/report");
    demo.show(before + 1, false).await?;
    // The bot offers the open obligations as buttons (last month's too, as late); the governor
    // presses this month's.
    let choice = demo
        .double
        .messages_to(p.user.chat_id())
        .into_iter()
        .last()
        .and_then(|m| {
            let buttons = m.reply_markup.clone()?;
            let rows = buttons["inline_keyboard"].as_array()?.clone();
            let azar = JalaliDate::today(demo.clock.now(), demo.tick.tz)
                .period()
                .name(lang);
            let pick = rows
                .iter()
                .find(|r| r[0]["text"].as_str().is_some_and(|t| t.contains(&azar)))
                .or(rows.last())?;
            Some((
                m.message_id,
                pick[0]["text"].as_str()?.to_owned(),
                pick[0]["callback_data"].as_str()?.to_owned(),
            ))
        });
    if let Some((message_id, label, data)) = choice {
        writeln!(demo.out, "  👆 {}: [{label}]", p.name)?;
        let before = demo.messages();
        demo.double.press(&p.user, message_id, &data);
        demo.show(before + 1, false).await?;
    }
    let text = "ستاد راهبردی شهرستان روز ۲۳ آذر تشکیل شد؛ ۱۴ نفر حاضر بودند و ۲۰ نفر بیمه شدند";
    demo.says(p, text)?;
    let before = demo.messages();
    demo.double.send_text(&p.user, text);
    demo.show(before + 1, false).await?;

    // After the due date: the escalation.
    demo.go((1405, 9, 26), (9, 0), t!(lang, "demo-step-escalate"))?;
    let before = demo.messages();
    demo.run_tick().await?;
    app.wake_senders();
    demo.show(before + 2, false).await?;

    // A late report.
    demo.go((1405, 9, 27), (9, 30), t!(lang, "demo-step-late"))?;
    let p = person("nur");
    let reminder = demo
        .double
        .messages_to(p.user.chat_id())
        .into_iter()
        .find(|m| m.text.as_deref().is_some_and(|t| t.contains("(R3)")));
    if let Some(reminder) = reminder {
        let text = "با عرض پوزش، جلسه در ۲۶ آذر با ۱۰ نفر برگزار شد.";
        demo.says(p, text)?;
        let before = demo.messages();
        demo.double.reply(&p.user, reminder.message_id, text);
        demo.show(before + 1, false).await?;
    }

    // The staff's summary and the fund's digest.
    demo.go((1405, 9, 27), (10, 0), t!(lang, "demo-step-summary"))?;
    demo.says(&staff, "/summary")?;
    let before = demo.messages();
    demo.double.send_text(&staff.user, "/summary");
    demo.show(before + 1, false).await?;
    demo.go((1405, 9, 27), (20, 0), t!(lang, "demo-step-digest"))?;
    let before = demo.messages();
    demo.run_tick().await?;
    app.wake_senders();
    demo.show(before + 1, false).await?;

    let counts = store.queue_counts().await?;
    writeln!(
        demo.out,
        "\n{}",
        t!(
            lang,
            "demo-end",
            sent = counts.sent,
            reports = store.count("report").await?
        )
    )?;
    app.stop().await?;
    demo.double.shutdown().await;
    Ok(())
}
