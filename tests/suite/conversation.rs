//! The conversation on Telegram and Bale, end to end: the real `setad run` binary against the
//! Bot API double in each flavour. invite → /start → reminder → reply in Persian digits →
//! the confirmation → corrections by button and by edit → /summary → /export → escalation;
//! then access, bad input, and a kill while replies arrive.

use crate::common;

use std::collections::BTreeSet;
use std::io::Cursor;
use std::time::Duration;

use calamine::{Reader, Xlsx};
use common::chat::{button_data, next_to, platform_of, platform_var, text, wait_for_text};
use common::{at, run_env_for, spawn};
use setad::domain::member::Role;
use setad::service::import::import;
use setad::service::invite;
use setad::store::Store;
use setad_double::{Double, DoubleConfig, Flavour, ReplyField, User};

/// 1405/09/01 09:00:05 Tehran: the reminders go out.
const FIRST: &str = "2026-11-22T05:30:05Z";
/// 1405/09/26 09:00:05: the escalation.
const ESCALATE: &str = "2026-12-17T05:30:05Z";

async fn invite_code(store: &Store, unit: &str, role: Role, uses: u32) -> String {
    invite::create(store, unit, role, uses, None, at(FIRST), &mut rand::rng())
        .await
        .unwrap()
        .code
}

async fn report_rows(store: &Store) -> (i64, i64) {
    (
        store.count("report").await.unwrap(),
        store.count("report_revision").await.unwrap(),
    )
}

async fn conversation(flavour: Flavour) {
    let db = common::sqlite().await;
    import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    let governor_code = invite_code(&db.store, "آمل", Role::Governor, 1).await;
    let staff_code = invite_code(&db.store, "dg-political", Role::Staff, 5).await;
    let fund_code = invite_code(&db.store, "fund", Role::Fund, 5).await;

    let double = Double::start(DoubleConfig::flavoured(flavour))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = run_env_for(platform_var(flavour), &db.url, &double.url(), FIRST);
    let bot = spawn(dir.path(), "first", &env);

    // Joining. A stranger first: told how to get access, nothing stored.
    let stranger = double.user(9001, "ناشناس").with_language("fa");
    double.send_text(&stranger, "/summary");
    let answer = next_to(&double, stranger.chat_id(), 0).await;
    assert!(
        text(&answer).contains("عضو این ربات نیستید"),
        "{}",
        text(&answer)
    );
    let governor = double
        .user(5001, "علی")
        .with_last_name("رضایی")
        .with_language("fa");
    let staff = double.user(5002, "مریم").with_language("fa");
    let fund = double.user(5003, "Sara").with_language("en");
    double.send_text(&governor, &format!("/start {governor_code}"));
    double.send_text(&staff, &format!("/start {staff_code}"));
    double.send_text(&fund, &format!("/start {}", fund_code.to_uppercase()));
    for (user, seen) in [(&staff, 0), (&fund, 0)] {
        let welcome = next_to(&double, user.chat_id(), seen).await;
        assert!(
            text(&welcome).contains("خوش آمدید") || text(&welcome).contains("Welcome"),
            "{}",
            text(&welcome)
        );
    }
    // The governor joined after 09:00, when the month's reminders went out: it gets those of
    // its county first (to reply to), then the welcome.
    let (welcome_at, to_governor) = wait_for_text(&double, governor.chat_id(), "خوش آمدید").await;
    assert!(text(&to_governor[welcome_at]).contains("آمل"));
    assert!(welcome_at >= 1, "no reminder before the welcome");
    assert!(
        to_governor[..welcome_at]
            .iter()
            .all(|m| text(m).starts_with("📌") && text(m).contains("آمل")),
        "{to_governor:#?}"
    );
    // The command menus, per language (Bale refuses them; the bot works all the same).
    let menus = double.view(|v| {
        (
            v.my_commands(None).cloned(),
            v.my_commands(Some("en")).cloned(),
        )
    });
    match flavour {
        Flavour::Telegram => {
            let (fa, en) = (
                menus.0.expect("a Persian menu"),
                menus.1.expect("an English menu"),
            );
            assert!(fa.to_string().contains("خلاصهٔ ماه"), "{fa}");
            assert!(en.to_string().contains("The month's summary"), "{en}");
        }
        Flavour::Bale => assert!(menus.0.is_none()),
    }
    // The used code is refused to someone else.
    let latecomer = double.user(5009, "حسن").with_language("fa");
    double.send_text(&latecomer, &format!("/start {governor_code}"));
    assert!(text(&next_to(&double, latecomer.chat_id(), 0).await).contains("معتبر نیست"));
    assert!(
        db.store
            .member_by_user(platform_of(flavour), 5009)
            .await
            .unwrap()
            .is_none()
    );

    // The reminder of R3, among those sent before the welcome (and never again by the tick).
    let reminder = double
        .messages_to(governor.chat_id())
        .into_iter()
        .find(|m| text(m).starts_with("📌") && text(m).contains("(R3)"))
        .unwrap();

    // The governor replies with Persian digits.
    let reply_id = double.reply(
        &governor,
        reminder.message_id,
        "جلسه ستاد در تاریخ ۱۴۰۵/۰۹/۱۰ با حضور ۱۲ نفر برگزار شد و ۳۵ نفر بیمه شدند",
    );
    let seen = double.messages_to(governor.chat_id()).len();
    let confirmation = next_to(&double, governor.chat_id(), seen).await;
    let c = text(&confirmation);
    assert!(
        c.contains("ثبت شد") && c.contains("۱۲") && c.contains("۳۵") && c.contains("۱۴۰۵/۰۹/۱۰"),
        "{c}"
    );
    let reply_to = confirmation
        .reply_to
        .as_ref()
        .expect("the confirmation answers the report");
    assert_eq!(reply_to.message_id, reply_id);
    // Ticks ran meanwhile: the reminder the governor got on joining was not sent again.
    let r3_reminders = double
        .messages_to(governor.chat_id())
        .iter()
        .filter(|m| text(m).starts_with("📌") && text(m).contains("(R3)"))
        .count();
    assert_eq!(r3_reminders, 1);
    let expected_field = if flavour == Flavour::Bale {
        ReplyField::ReplyToMessageId
    } else {
        ReplyField::ReplyParameters
    };
    assert_eq!(reply_to.via, expected_field);
    assert!(confirmation.parse_mode.is_none());
    let buttons = confirmation
        .reply_markup
        .clone()
        .expect("buttons to correct");
    let not_held = buttons["inline_keyboard"][0][1]["callback_data"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(not_held.ends_with(":0"), "{buttons}");
    assert_eq!(report_rows(&db.store).await, (1, 1));

    // Correction by button.
    let seen = double.messages_to(governor.chat_id()).len();
    double.press(&governor, confirmation.message_id, &not_held);
    assert!(text(&next_to(&double, governor.chat_id(), seen).await).contains("برگزار نشد"));
    assert!(
        double
            .wait_for(
                |v| v.unanswered_callbacks().is_empty(),
                Duration::from_secs(5)
            )
            .await,
        "every press is answered"
    );
    let report = db
        .store
        .report_of_message(platform_of(flavour), governor.chat_id(), reply_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.held, Some(false));

    // Correction by edit.
    let seen = double.messages_to(governor.chat_id()).len();
    double.edit(
        &governor,
        reply_id,
        "جلسه در تاریخ ۱۴۰۵/۰۹/۱۱ با حضور ۱۵ نفر برگزار شد؛ ۴۰ نفر بیمه شدند",
    );
    let updated = next_to(&double, governor.chat_id(), seen).await;
    assert!(
        text(&updated).contains("به‌روز شد") && text(&updated).contains("۱۵"),
        "{}",
        text(&updated)
    );
    let report = db
        .store
        .report_of_message(platform_of(flavour), governor.chat_id(), reply_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (report.held, report.attendees, report.insured),
        (Some(true), Some(15), Some(40))
    );
    assert_eq!(
        report_rows(&db.store).await,
        (1, 3),
        "one report, three versions kept"
    );

    // The staff's summary: Amol reported, the others not yet.
    let seen = double.messages_to(staff.chat_id()).len();
    double.send_text(&staff, "/summary");
    let summary = next_to(&double, staff.chat_id(), seen).await;
    let s = text(&summary);
    // Scoped to what the political directorate follows up: R3 (and R5's quota), not R2's villages.
    assert!(s.contains("(R3)") || s.contains("R3 —"), "{s}");
    assert!(!s.contains("R2 —"), "{s}");
    assert!(
        s.contains("✅ آمل") && s.contains("⏳ بابل") && s.contains("گزارش: ۱ از ۲۲"),
        "{s}"
    );
    assert!(s.chars().count() <= 4096);
    // The export is a workbook with a row per county.
    double.send_text(&staff, "/export ۱۴۰۵-۰۹");
    let ok = double
        .wait_for(
            |v| v.messages_to(staff.chat_id()).any(|m| m.file.is_some()),
            Duration::from_secs(20),
        )
        .await;
    assert!(ok, "no document");
    let document = double
        .messages_to(staff.chat_id())
        .into_iter()
        .find(|m| m.file.is_some())
        .unwrap();
    let bytes = document.file.unwrap().bytes.to_vec();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("the export opens");
    assert_eq!(workbook.worksheet_range("R3").unwrap().rows().count(), 23);
    // The governor may not see it.
    let seen = double.messages_to(governor.chat_id()).len();
    double.send_text(&governor, "/summary");
    assert!(text(&next_to(&double, governor.chat_id(), seen).await).contains("برای نقش شما نیست"));
    bot.stop();

    // After the due date, the fund manager (in English) gets the escalation: 21 counties.
    let bot = spawn(
        dir.path(),
        "escalation",
        &run_env_for(platform_var(flavour), &db.url, &double.url(), ESCALATE),
    );
    let ok = double
        .wait_for(
            |v| {
                v.messages_to(fund.chat_id())
                    .any(|m| text(m).starts_with("⚠️") && text(m).contains("(R3)"))
            },
            Duration::from_secs(20),
        )
        .await;
    assert!(ok, "{}", bot.log_tail());
    bot.stop();
    let escalation = double
        .messages_to(fund.chat_id())
        .into_iter()
        .find(|m| text(m).contains("(R3)"))
        .unwrap();
    let named: BTreeSet<&str> = text(&escalation)
        .lines()
        .filter_map(|l| l.strip_prefix("• "))
        .collect();
    assert_eq!(named.len(), 21, "{}", text(&escalation));
    assert!(!named.contains("آمل"));
    assert!(
        text(&escalation).contains("21 units have not reported"),
        "{}",
        text(&escalation)
    );
    // On Bale nothing was lost to unreadable objects.
    assert!(
        !std::fs::read_to_string(dir.path().join("first.log"))
            .unwrap()
            .contains("unreadable update")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_on_telegram() {
    conversation(Flavour::Telegram).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_on_bale() {
    conversation(Flavour::Bale).await;
}

/// A governor of Amol who has joined, and the running bot.
struct Joined {
    db: common::TestDb,
    double: Double,
    dir: tempfile::TempDir,
    bot: Option<common::Process>,
    governor: User,
    reminder_id: i64,
}

async fn joined_governor() -> Joined {
    let db = common::sqlite().await;
    import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    let code = invite_code(&db.store, "amol", Role::Governor, 1).await;
    let double = Double::start(DoubleConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bot = spawn(
        dir.path(),
        "bot",
        &run_env_for("TELEGRAM", &db.url, &double.url(), FIRST),
    );
    let governor = double.user(5001, "علی").with_language("fa");
    double.send_text(&governor, &format!("/start {code}"));
    next_to(&double, governor.chat_id(), 1).await;
    let reminder_id = double
        .messages_to(governor.chat_id())
        .into_iter()
        .find(|m| text(m).contains("(R3)"))
        .unwrap()
        .message_id;
    Joined {
        db,
        double,
        dir,
        bot: Some(bot),
        governor,
        reminder_id,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_is_refused_and_nothing_is_stored_or_shown() {
    let j = joined_governor().await;
    let (double, g) = (&j.double, &j.governor);
    // Another county's occurrence, by a forged button.
    let babol =
        j.db.store
            .units()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.key == "babol")
            .unwrap()
            .unit_id;
    let occurrence =
        j.db.store
            .period_rows(140509)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.unit_id == babol)
            .unwrap()
            .occurrence_id;
    double.press(g, j.reminder_id, &format!("rep:{occurrence}"));
    assert!(
        double
            .wait_for(
                |v| v.unanswered_callbacks().is_empty()
                    && v.calls_to("answerCallbackQuery").count() == 1,
                Duration::from_secs(10)
            )
            .await
    );
    let answer = double
        .calls()
        .into_iter()
        .find(|c| c.is("answerCallbackQuery"))
        .unwrap();
    assert!(
        answer.params["text"]
            .as_str()
            .unwrap()
            .contains("واحد شما نیست"),
        "{:?}",
        answer.params
    );
    // Then its text would be taken as a report on Babol: it is not. It is kept as a draft,
    // offered to Amol's open obligations only, and is no report until one is chosen.
    let babol_button = format!(":{occurrence}");
    for replied in [None, Some("خوش آمدید")] {
        let seen = double.messages_to(g.chat_id()).len();
        match replied {
            None => double.send_text(g, "برگزار شد"),
            Some(welcome) => {
                // A reply to a message that is not a reminder (the welcome).
                let welcome = double
                    .messages_to(g.chat_id())
                    .into_iter()
                    .find(|m| text(m).contains(welcome))
                    .unwrap()
                    .message_id;
                double.reply(g, welcome, "برگزار شد")
            }
        };
        let kept = next_to(double, g.chat_id(), seen).await;
        assert!(text(&kept).contains("نگه داشتم"), "{}", text(&kept));
        let buttons = button_data(&kept);
        assert!(buttons.len() >= 2, "{buttons:?}");
        assert!(
            !buttons.iter().any(|d| d.ends_with(&babol_button)),
            "{buttons:?}"
        );
    }
    // A governor asks for the summary, the overdue list and the export.
    for command in ["/summary", "/overdue", "/export"] {
        let seen = double.messages_to(g.chat_id()).len();
        double.send_text(g, command);
        let answer = next_to(double, g.chat_id(), seen).await;
        assert!(
            text(&answer).contains("برای نقش شما نیست"),
            "{command}: {}",
            text(&answer)
        );
        assert!(!text(&answer).contains("بابل"));
    }
    // An unknown user: nothing but how to join.
    let stranger = double.user(777, "x");
    for command in ["/tasks", "/summary", "سلام", "/start wrongcode"] {
        let seen = double.messages_to(stranger.chat_id()).len();
        double.send_text(&stranger, command);
        let answer = next_to(double, stranger.chat_id(), seen).await;
        assert!(
            !text(&answer).contains("آمل") && !text(&answer).contains("بابل"),
            "{}",
            text(&answer)
        );
    }
    assert_eq!(report_rows(&j.db.store).await, (0, 0));
    assert_eq!(j.db.store.members().await.unwrap().len(), 1);
    j.bot.unwrap().stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let j = joined_governor().await;
    let (double, g) = (&j.double, &j.governor);
    let long = "گزارش ".repeat(2000);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", "   ".into(), "خالی"),
        (
            "control characters only",
            "\u{0001}\u{0007}\u{001b}".into(),
            "خالی",
        ),
        ("10,000 characters", long, "نویسه"),
    ];
    for (name, input, expected) in &cases {
        let seen = double.messages_to(g.chat_id()).len();
        double.reply(g, j.reminder_id, input);
        let answer = next_to(double, g.chat_id(), seen).await;
        assert!(
            text(&answer).contains(expected),
            "{name}: {}",
            text(&answer)
        );
        assert_eq!(
            report_rows(&j.db.store).await,
            (0, 0),
            "{name} stored something"
        );
    }
    // Odd but valid reports are stored as written (controls removed) and read.
    let odd = [
        "برگزار شد \u{202E}RLO\u{202C} with English 12 attendees و ۳۵ بیمه 🎉🇮🇷",
        "برگزار شد. حاضرین: ١٢ (عربی)، بیمه شده: 35",
        "جلسه در 1404/12/30 برگزار شد با ۱۲ نفر",
        "برگزار\u{0000} شد\u{0008} با حضور ۱۲ نفر",
    ];
    for (n, input) in odd.iter().enumerate() {
        let seen = double.messages_to(g.chat_id()).len();
        double.reply(g, j.reminder_id, input);
        let answer = next_to(double, g.chat_id(), seen).await;
        assert!(
            text(&answer).contains("ثبت شد") || text(&answer).contains("به‌روز"),
            "{input}: {}",
            text(&answer)
        );
        assert_eq!(report_rows(&j.db.store).await, (1, n as i64 + 1));
    }
    let report = j.db.store.report(1).await.unwrap().unwrap();
    assert!(!report.body.contains('\u{0000}') && !report.body.contains('\u{0008}'));
    assert_eq!(report.attendees, Some(12));
    // The impossible date was not taken.
    let revisions = j.db.store.count("report_revision").await.unwrap();
    assert_eq!(revisions, 4);
    // Every digit system in a period argument, and a bad one.
    let staff_code = invite_code(&j.db.store, "dg-political", Role::Staff, 1).await;
    let staff = double.user(5002, "مریم");
    double.send_text(&staff, &format!("/start {staff_code}"));
    next_to(double, staff.chat_id(), 0).await;
    for (arg, ok) in [
        ("۱۴۰۵-۰۹", true),
        ("١٤٠٥/٠٩", true),
        ("1405.9", true),
        ("1405-13", false),
        ("x", false),
    ] {
        let seen = double.messages_to(staff.chat_id()).len();
        double.send_text(&staff, &format!("/summary {arg}"));
        let answer = next_to(double, staff.chat_id(), seen).await;
        assert_eq!(
            text(&answer).contains("آذر ۱۴۰۵"),
            ok,
            "{arg}: {}",
            text(&answer)
        );
    }
    // A photo without a caption, a sticker: asked for text.
    let seen = double.messages_to(g.chat_id()).len();
    double.push_raw_update(serde_json::json!({
        "message": {"message_id": 900, "date": 0, "chat": {"id": g.chat_id(), "type": "private", "first_name": "علی"},
                    "from": {"id": g.id, "is_bot": false, "first_name": "علی"},
                    "sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}}
    }));
    assert!(text(&next_to(double, g.chat_id(), seen).await).contains("متن"));
    // An update teloxide cannot read is logged with its JSON, not dropped silently.
    double.push_raw_update(serde_json::json!({"message": {"message_id": "not a number"}}));
    let seen = double.messages_to(g.chat_id()).len();
    double.send_text(g, "/whoami");
    next_to(double, g.chat_id(), seen).await;
    let log = j.bot.unwrap().stop();
    assert!(
        log.contains("unreadable update") && log.contains("not a number"),
        "the unreadable update was not logged"
    );
    let _ = &j.dir;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_while_replies_arrive_stores_every_reply_exactly_once() {
    let db = common::sqlite().await;
    let chats = common::populate(&db.store, 46).await; // 1,012 governors
    let double = Double::start(DoubleConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut env = run_env_for("TELEGRAM", &db.url, &double.url(), FIRST);
    env.push(("SETAD_TELEGRAM_RATE".into(), "0".into()));
    let bot = spawn(dir.path(), "before", &env);
    let governors: Vec<i64> = chats.values().flatten().copied().take(1000).collect();
    let ok = double
        .wait_for(
            |v| governors.iter().all(|c| v.messages_to(*c).next().is_some()),
            Duration::from_secs(60),
        )
        .await;
    assert!(ok, "the reminders did not arrive:\n{}", bot.log_tail());
    // A thousand replies arrive; the bot is killed while it works through them.
    for (n, chat) in governors.iter().enumerate() {
        let user = double.user(*chat, "فرماندار");
        let reminder = double.messages_to(*chat)[0].message_id;
        double.reply(
            &user,
            reminder,
            &format!("گزارش شماره {n}: جلسه برگزار شد با ۱۲ نفر"),
        );
    }
    let ok = double
        .wait_for(|v| v.confirmed_offset() > 300, Duration::from_secs(60))
        .await;
    assert!(ok, "{}", bot.log_tail());
    bot.kill();
    let bot = spawn(dir.path(), "after", &env);
    // Every reply is acknowledged, then handled.
    let ok = double
        .wait_for(|v| v.pending_updates() == 0, Duration::from_secs(60))
        .await;
    assert!(ok, "{}", bot.log_tail());
    let mut stored = 0;
    for _ in 0..600 {
        stored = db.store.count("report_revision").await.unwrap();
        if stored >= 1000 && db.store.count("inbox").await.unwrap() >= 1000 {
            let Some(pool) = db.store.sqlite_pool() else {
                unreachable!()
            };
            let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inbox WHERE state = 'new'")
                .fetch_one(pool)
                .await
                .unwrap();
            if open == 0 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.stop();
    let Some(pool) = db.store.sqlite_pool() else {
        unreachable!()
    };
    let bodies: Vec<(String,)> = sqlx::query_as("SELECT body FROM report_revision")
        .fetch_all(pool)
        .await
        .unwrap();
    let distinct: BTreeSet<&str> = bodies.iter().map(|b| b.0.as_str()).collect();
    eprintln!(
        "kill while replying: {stored} revisions stored, {} distinct",
        distinct.len()
    );
    assert_eq!(bodies.len(), 1000, "every reply stored exactly once");
    assert_eq!(distinct.len(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_milestone_alerts_the_fund() {
    let db = common::sqlite().await;
    import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    let r2 = db
        .store
        .obligations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.key == "R2")
        .unwrap();
    let quota = db
        .store
        .assignments()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.obligation_id == r2.obligation_id && a.quota_target.is_some())
        .unwrap();
    let village = db.store.unit(quota.unit_id).await.unwrap().unwrap();
    let target = quota.quota_target.unwrap();
    let admin_code = invite_code(&db.store, &village.key, Role::Agency, 1).await;
    let fund_code = invite_code(&db.store, "fund", Role::Fund, 1).await;
    let double = Double::start(DoubleConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bot = spawn(
        dir.path(),
        "bot",
        &run_env_for("TELEGRAM", &db.url, &double.url(), FIRST),
    );
    let administrator = double.user(6001, "دهیار");
    let fund = double.user(6002, "صندوق");
    double.send_text(&fund, &format!("/start {fund_code}"));
    next_to(&double, fund.chat_id(), 0).await;
    double.send_text(&administrator, &format!("/start {admin_code}"));
    next_to(&double, administrator.chat_id(), 1).await;
    let reminder = double
        .messages_to(administrator.chat_id())
        .into_iter()
        .find(|m| text(m).contains("(R2)"))
        .expect("the R2 reminder");
    double.reply(
        &administrator,
        reminder.message_id,
        &format!("{target} نفر بیمه شدند"),
    );
    let ok = double
        .wait_for(
            |v| {
                v.messages_to(fund.chat_id())
                    .any(|m| text(m).starts_with("🎯"))
            },
            Duration::from_secs(20),
        )
        .await;
    assert!(ok, "{}", bot.log_tail());
    bot.stop();
    let alert = double
        .messages_to(fund.chat_id())
        .into_iter()
        .find(|m| text(m).starts_with("🎯"))
        .unwrap();
    assert!(
        text(&alert).contains(&village.name) && text(&alert).contains("۱۰۰٪"),
        "{}",
        text(&alert)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_work_with_and_without_the_secret_header() {
    for flavour in [Flavour::Telegram, Flavour::Bale] {
        let db = common::sqlite().await;
        import(&db.store, &common::mazandaran_source(), 0)
            .await
            .unwrap();
        let code = invite_code(&db.store, "sari", Role::Governor, 1).await;
        let double = Double::start(DoubleConfig::flavoured(flavour))
            .await
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let mut env = run_env_for(platform_var(flavour), &db.url, &double.url(), FIRST);
        env.push((
            "SETAD_WEBHOOK_URL".into(),
            format!("http://127.0.0.1:{port}"),
        ));
        env.push(("SETAD_LISTEN".into(), format!("127.0.0.1:{port}")));
        let bot = spawn(dir.path(), "webhook", &env);
        assert!(
            double
                .wait_for(|v| v.webhook_url().is_some(), Duration::from_secs(20))
                .await,
            "{}",
            bot.log_tail()
        );
        let governor = double.user(7001, "رضا");
        double.send_text(&governor, &format!("/start {code}"));
        let welcome = next_to(&double, governor.chat_id(), 0).await;
        assert!(
            text(&welcome).contains("ساری"),
            "{flavour:?}: {}",
            text(&welcome)
        );
        // The double records an attempt once the bot's answer is back, which may be after the
        // bot has already handled the update and answered it.
        double
            .wait_for(
                |v| v.webhook_attempts().iter().any(|a| a.succeeded()),
                Duration::from_secs(10),
            )
            .await;
        let attempts = double.webhook_attempts();
        assert!(
            attempts
                .iter()
                .all(|a| a.secret_sent == (flavour == Flavour::Telegram)),
            "{attempts:?}"
        );
        assert!(attempts.iter().any(|a| a.succeeded()));
        bot.stop();
    }
}

/// What a bot's answers may have changed: every table but the inbox and the outbox (which
/// record the updates and the answers themselves).
async fn changeable(store: &Store) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in Store::TABLES {
        if !["inbox", "outbox"].contains(&table) {
            out.push((table, store.count(table).await.unwrap()));
        }
    }
    out
}

/// Presses `data` as `from` on message `message_id` of the private chat `chat` (crafted: a
/// messenger sends presses only on the presser's own chats), and waits until the press is
/// answered; returns the answer's text.
async fn press_on_chat(
    double: &Double,
    flavour: Flavour,
    from: &User,
    chat: i64,
    (message_id, id, data): (i64, &str, &str),
) -> String {
    let mut query = serde_json::json!({
        "id": id,
        "from": {"id": from.id, "is_bot": false, "first_name": "علی", "language_code": "fa"},
        "message": {
            "message_id": message_id, "date": 1_764_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "x"},
            "from": {"id": 123_456, "is_bot": true, "first_name": "Setad"},
            "text": "📌"
        },
        "data": data,
    });
    if matches!(flavour, Flavour::Telegram) {
        query["chat_instance"] = serde_json::json!("17");
    }
    double.push_raw_update(serde_json::json!({ "callback_query": query }));
    let answered = |v: &setad_double::DoubleView<'_>| {
        v.calls_to("answerCallbackQuery")
            .find(|c| c.params["callback_query_id"] == id)
            .map(|c| c.params["text"].as_str().unwrap_or("").to_owned())
    };
    assert!(
        double
            .wait_for(|v| answered(v).is_some(), Duration::from_secs(20))
            .await,
        "the press {id} was not answered"
    );
    double.view(answered).unwrap()
}

/// Summaries of months outside the data are refused in words, and a press on a message of
/// another member's chat answers nothing there and changes nothing: on each messenger.
async fn refusals_and_presses_from_another_chat(flavour: Flavour) {
    let db = common::sqlite().await;
    import(
        &db.store,
        &common::mazandaran_source(),
        at(FIRST).timestamp(),
    )
    .await
    .unwrap();
    let governor_code = invite_code(&db.store, "amol", Role::Governor, 1).await;
    let staff_code = invite_code(&db.store, "dg-political", Role::Staff, 1).await;
    let double = Double::start(DoubleConfig::flavoured(flavour))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = run_env_for(platform_var(flavour), &db.url, &double.url(), FIRST);
    let bot = spawn(dir.path(), "bot", &env);
    let governor = double.user(5001, "علی").with_language("fa");
    let staff = double.user(5002, "مریم").with_language("fa");
    double.send_text(&governor, &format!("/start {governor_code}"));
    wait_for_text(&double, governor.chat_id(), "خوش آمدید").await;
    double.send_text(&staff, &format!("/start {staff_code}"));
    wait_for_text(&double, staff.chat_id(), "خوش آمدید").await;
    // The tick has created last, this and next month's occurrences.
    for code in [140508, 140509, 140510] {
        let mut waited = 0;
        while db.store.period_rows(code).await.unwrap().is_empty() {
            assert!(waited < 100, "the tick did not create {code}");
            tokio::time::sleep(Duration::from_millis(200)).await;
            waited += 1;
        }
    }
    // And is idle: a tick creates nothing more.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = changeable(&db.store).await;

    // Before the data's first obligation (1397/05/03), after next month: refused in words,
    // for the summary and the export alike; the months in the span answer.
    for (command, expected) in [
        (
            "/summary 1300-01",
            "برای فروردین ۱۳۰۰ خلاصه‌ای نیست: پیش از نخستین تکلیف داده‌ها (مرداد ۱۳۹۷) است.",
        ),
        ("/export ۱۳۹۷-۰۴", "برای تیر ۱۳۹۷ خلاصه‌ای نیست"),
        (
            "/summary 1405-11",
            "برای بهمن ۱۴۰۵ هنوز خلاصه‌ای نیست: خلاصه‌ها از مرداد ۱۳۹۷ تا دی ۱۴۰۵",
        ),
        ("/export 1600-12", "برای اسفند ۱۶۰۰ هنوز خلاصه‌ای نیست"),
        ("/summary 1397-06", "شهریور ۱۳۹۷"),
        ("/summary 1405-10", "دی ۱۴۰۵"),
    ] {
        let seen = double.messages_to(staff.chat_id()).len();
        double.send_text(&staff, command);
        let answer = next_to(&double, staff.chat_id(), seen).await;
        assert!(
            text(&answer).contains(expected),
            "{command}: {}",
            text(&answer)
        );
    }
    assert!(
        !double.calls().iter().any(|c| c.is("sendDocument")),
        "a refused export sent a document"
    );
    assert_eq!(changeable(&db.store).await, before, "a summary wrote");
    for code in [130001, 139704, 139706, 140511, 160012] {
        assert!(
            db.store.period_rows(code).await.unwrap().is_empty(),
            "{code}"
        );
    }

    // The governor's press, crafted on a message of the staff member's chat: a stale button,
    // nothing sent to either chat, nothing changed.
    let amol = db.store.unit_by_key("amol").await.unwrap().unwrap().unit_id;
    let occurrence = db
        .store
        .period_rows(140509)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.unit_id == amol)
        .unwrap()
        .occurrence_id;
    let to_staff = double.messages_to(staff.chat_id()).len();
    let to_governor = double.messages_to(governor.chat_id()).len();
    let staff_message = double.messages_to(staff.chat_id())[0].message_id;
    let members = db.store.members().await.unwrap();
    for (n, data) in [format!("rep:{occurrence}"), "lang:en".to_owned()]
        .iter()
        .enumerate()
    {
        let id = format!("forged-{n}");
        let said = press_on_chat(
            &double,
            flavour,
            &governor,
            staff.chat_id(),
            (staff_message, &id, data),
        )
        .await;
        assert!(said.contains("این دکمه دیگر کار نمی‌کند"), "{data}: {said}");
    }
    // A message after the presses, to be sure they were handled before it.
    double.send_text(&governor, "/whoami");
    next_to(&double, governor.chat_id(), to_governor).await;
    assert_eq!(
        double.messages_to(staff.chat_id()).len(),
        to_staff,
        "sent into B's chat"
    );
    assert_eq!(
        double.messages_to(governor.chat_id()).len(),
        to_governor + 1,
        "{:#?}",
        double.messages_to(governor.chat_id())
    );
    assert_eq!(
        db.store.members().await.unwrap(),
        members,
        "a forged press changed a member"
    );
    assert_eq!(changeable(&db.store).await, before, "a forged press wrote");

    // The same press on the governor's own chat works: the prompt comes to the governor.
    let own = double.messages_to(governor.chat_id())[0].message_id;
    let seen = double.messages_to(governor.chat_id()).len();
    press_on_chat(
        &double,
        flavour,
        &governor,
        governor.chat_id(),
        (own, "own-0", &format!("rep:{occurrence}")),
    )
    .await;
    let prompt = next_to(&double, governor.chat_id(), seen).await;
    assert!(
        text(&prompt).contains("آمل") || text(&prompt).contains("R3"),
        "{}",
        text(&prompt)
    );
    assert_eq!(double.messages_to(staff.chat_id()).len(), to_staff);
    bot.stop();
    let _ = &dir;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_presses_from_another_chat_on_telegram() {
    refusals_and_presses_from_another_chat(Flavour::Telegram).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_presses_from_another_chat_on_bale() {
    refusals_and_presses_from_another_chat(Flavour::Bale).await;
}
