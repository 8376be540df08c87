//! People who come late and texts that answer nothing, end to end on Telegram and Bale: a
//! governor who joins on the 10th of the month gets the month's reminders (then the welcome)
//! and reports by replying to one; a reply to the task list is tied to the one open
//! obligation, or kept as a draft and offered as buttons when several are open; a draft
//! counts as a report only once its obligation is pressed.

use crate::common;

use std::time::Duration;

use common::chat::{answer, button_data, platform_of, platform_var, text, wait_for_text};
use common::{at, run_env_for, spawn};
use setad::domain::member::Role;
use setad::domain::obligation::OccurrenceStatus;
use setad::service::import::import;
use setad::service::invite;
use setad_double::{Double, DoubleConfig, Flavour};

/// 1405/09/10 10:00 Tehran: the month's reminders went out on the 1st, to nobody in Amol.
const TENTH: &str = "2026-12-01T06:30:00Z";

async fn joining_late(flavour: Flavour) {
    let db = common::sqlite().await;
    import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    let code = invite::create(
        &db.store,
        "آمل",
        Role::Governor,
        1,
        None,
        at(TENTH),
        &mut rand::rng(),
    )
    .await
    .unwrap()
    .code;
    let double = Double::start(DoubleConfig::flavoured(flavour))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let platform = platform_var(flavour);
    let bot = spawn(
        dir.path(),
        "bot",
        &run_env_for(platform, &db.url, &double.url(), TENTH),
    );
    let governor = double.user(6001, "رضا").with_language("fa");
    double.send_text(&governor, &format!("/start {code}"));
    let chat = governor.chat_id();

    // The month's reminders of Amol, then the welcome.
    let (welcome_at, sent) = wait_for_text(&double, chat, "خوش آمدید").await;
    let reminders = &sent[..welcome_at];
    assert!(
        reminders.iter().all(|m| text(m).starts_with("📌")),
        "{sent:#?}"
    );
    let r3 = reminders
        .iter()
        .find(|m| text(m).contains("(R3)") && text(m).contains("آذر"))
        .expect("this month's R3 reminder");

    // Replying to it reports on it.
    let confirmation = answer(&double, chat, || {
        double.reply(
            &governor,
            r3.message_id,
            "جلسه ستاد در تاریخ ۱۴۰۵/۰۹/۰۸ با حضور ۱۴ نفر برگزار شد",
        )
    })
    .await;
    assert!(
        text(&confirmation).contains("ثبت شد") && text(&confirmation).contains("R3"),
        "{}",
        text(&confirmation)
    );

    let open = |user_id: i64| {
        let store = db.store.clone();
        async move {
            let member = store
                .member_by_user(platform_of(flavour), user_id)
                .await
                .unwrap()
                .unwrap();
            store
                .unit_occurrences(member.unit_id, 140508, 140509)
                .await
                .unwrap()
                .into_iter()
                .filter(|o| o.status == OccurrenceStatus::Open)
                .count()
        }
    };
    // Last month's session is still open: a reply to the task list reports on it directly.
    assert_eq!(open(6001).await, 1);
    let list = answer(&double, chat, || double.send_text(&governor, "/tasks")).await;
    let reports = db.store.count("report").await.unwrap();
    let tied = answer(&double, chat, || {
        double.reply(
            &governor,
            list.message_id,
            "جلسه آبان با حضور ۹ نفر برگزار شد",
        )
    })
    .await;
    assert!(
        text(&tied).contains("ثبت شد") && text(&tied).contains("آبان"),
        "{}",
        text(&tied)
    );
    assert_eq!(db.store.count("report").await.unwrap(), reports + 1);
    assert_eq!(open(6001).await, 0);

    // Babol's governor, with both months open: the reply to the task list is kept as a draft
    // and offered as buttons, no report until one is pressed, once.
    let babol = invite::create(
        &db.store,
        "بابل",
        Role::Governor,
        1,
        None,
        at(TENTH),
        &mut rand::rng(),
    )
    .await
    .unwrap()
    .code;
    let other = double.user(6002, "سارا").with_language("fa");
    let chat = other.chat_id();
    double.send_text(&other, &format!("/start {babol}"));
    wait_for_text(&double, chat, "خوش آمدید").await;
    assert_eq!(open(6002).await, 2);
    let list = answer(&double, chat, || double.send_text(&other, "/tasks")).await;
    let reports = db.store.count("report").await.unwrap();
    let kept = answer(&double, chat, || {
        double.reply(&other, list.message_id, "برگزار شد با حضور ۱۱ نفر")
    })
    .await;
    assert!(text(&kept).contains("نگه داشتم"), "{}", text(&kept));
    assert_eq!(db.store.count("report").await.unwrap(), reports);
    let buttons = button_data(&kept);
    assert_eq!(
        buttons.len(),
        3,
        "one per open obligation, and none: {buttons:?}"
    );
    let saved = answer(&double, chat, || {
        double.press(&other, kept.message_id, &buttons[1])
    })
    .await;
    assert!(text(&saved).contains("ثبت شد"), "{}", text(&saved));
    assert_eq!(db.store.count("report").await.unwrap(), reports + 1);
    assert_eq!(open(6002).await, 1);
    // The same button again, or "none" after it: nothing changes.
    for again in [&buttons[1], &buttons[2]] {
        double.press(&other, kept.message_id, again);
    }
    assert!(
        double
            .wait_for(
                |v| v.unanswered_callbacks().is_empty()
                    && v.calls_to("answerCallbackQuery").count() >= 3,
                Duration::from_secs(10)
            )
            .await
    );
    assert_eq!(db.store.count("report").await.unwrap(), reports + 1);
    assert_eq!(open(6002).await, 1);

    // Chat is kept, offered, and never a report by itself; "none" sets it aside.
    let answer = answer(&double, chat, || double.send_text(&other, "سلام")).await;
    assert!(
        text(&answer).contains("گزارش به نظر نمی‌رسد"),
        "{}",
        text(&answer)
    );
    // A forged choice first changes nothing: "none" still sets it aside after it.
    let none = button_data(&answer).pop().unwrap();
    for press in [format!("{none}x"), none] {
        double.press(&other, answer.message_id, &press);
    }
    assert!(
        double
            .wait_for(
                |v| v.unanswered_callbacks().is_empty()
                    && v.calls_to("answerCallbackQuery").count() >= 5,
                Duration::from_secs(10)
            )
            .await
    );
    let said: Vec<String> = double.view(|v| {
        v.calls_to("answerCallbackQuery")
            .map(|c| c.params["text"].as_str().unwrap_or("").to_owned())
            .collect()
    });
    assert!(said[said.len() - 2].contains("کار نمی‌کند"), "{said:?}");
    assert!(
        said[said.len() - 1].contains("گزارش حساب نمی‌شود"),
        "{said:?}"
    );
    assert_eq!(db.store.count("report").await.unwrap(), reports + 1);
    assert_eq!(db.store.count("draft").await.unwrap(), 2);
    let _ = bot.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_late_and_replying_to_the_task_list_on_telegram() {
    joining_late(Flavour::Telegram).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_late_and_replying_to_the_task_list_on_bale() {
    joining_late(Flavour::Bale).await;
}
