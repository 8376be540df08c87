//! Completing a report after its confirmation, end to end on Telegram and Bale: the real
//! `setad run` against the Bot API double. A report whose day is refused (not come yet) and
//! whose attendees are unknown; the confirmation says so; a reply to it fills the count (and
//! is kept with the report); a press on a value button stores it; forged and impossible
//! presses and replies change nothing and are answered; the invisible direction marks of the
//! text are not stored; and a `/report` prompt that expired, by time or by another command,
//! does not take the next text as a report.
//!
//! The buttons' rendering is tested on a built reading in `src/bot/confirm/tests.rs`; here
//! forged `fact:` data is pressed, and at the end a report that says the attendance twice
//! makes the reader ask, and the button it offers is pressed.

use crate::common;

use std::time::Duration;

use common::chat::{button_data, next_to, platform_of, platform_var, text};
use common::{run_env_for, spawn};
use setad::domain::member::Role;
use setad::service::import::import;
use setad::service::invite;
use setad::store::{ReportRow, Store};
use setad_double::{Double, DoubleConfig, Flavour, Sent, User};

/// 1405/09/01 09:00:05 Tehran: the reminders go out.
const FIRST: &str = "2026-11-22T05:30:05Z";
/// 31 minutes later: a `/report` prompt given at [`FIRST`] has expired.
const LATER: &str = "2026-11-22T06:01:05Z";

/// What `user` is answered after pressing `data` on message `message_id`: the text of the
/// press's answer and the messages sent to the chat meanwhile.
async fn press(double: &Double, user: &User, message_id: i64, data: &str) -> String {
    let id = double.press(user, message_id, data);
    let answered = double
        .wait_for(
            |v| {
                v.calls_to("answerCallbackQuery")
                    .any(|c| c.params["callback_query_id"].as_str() == Some(id.as_str()))
            },
            Duration::from_secs(20),
        )
        .await;
    assert!(answered, "the press {data} is answered");
    let call = double
        .calls()
        .into_iter()
        .find(|c| {
            c.is("answerCallbackQuery") && c.params["callback_query_id"].as_str() == Some(&id)
        })
        .unwrap();
    call.params["text"].as_str().unwrap_or_default().to_owned()
}

async fn report(store: &Store, flavour: Flavour, chat: i64, message_id: i64) -> ReportRow {
    store
        .report_of_message(platform_of(flavour), chat, message_id)
        .await
        .unwrap()
        .expect("the report is stored")
}

/// Replies to `to` with `body` and returns the bot's answer.
async fn reply(double: &Double, user: &User, to: i64, body: &str) -> Sent {
    let seen = double.messages_to(user.chat_id()).len();
    double.reply(user, to, body);
    next_to(double, user.chat_id(), seen).await
}

async fn questions(flavour: Flavour) {
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
        common::at(FIRST),
        &mut rand::rng(),
    )
    .await
    .unwrap()
    .code;
    let double = Double::start(DoubleConfig::flavoured(flavour))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = |now| run_env_for(platform_var(flavour), &db.url, &double.url(), now);
    let bot = spawn(dir.path(), "first", &env(FIRST));
    let g = double.user(5001, "علی").with_language("fa");
    double.send_text(&g, &format!("/start {code}"));
    common::chat::wait_for_text(&double, g.chat_id(), "خوش آمدید").await;
    let reminder = double
        .messages_to(g.chat_id())
        .into_iter()
        .find(|m| text(m).starts_with("📌") && text(m).contains("(R3)"))
        .unwrap();

    // A report with a day not come yet (today is 1405/09/01), no attendees, and the invisible
    // direction marks a phone adds around mixed text (ZWNJ is Persian spelling: kept).
    let written = "\u{202B}جلسه ستاد در تاریخ ۱۴۰۵/۰۹/۲۰ برگزار شد و ۳۵ نفر بیمه شدند\u{202C}\u{200F}. \
                   با همکاری \u{2067}دهیاری‌ها\u{2069}\u{200E}\u{061C}\u{202E}";
    let seen = double.messages_to(g.chat_id()).len();
    let report_message = double.reply(&g, reminder.message_id, written);
    let confirmation = next_to(&double, g.chat_id(), seen).await;
    let c = text(&confirmation);
    assert!(c.contains("ثبت شد"), "{c}");
    assert!(
        c.contains("تاریخ ۱۴۰۵/۰۹/۲۰ هنوز نرسیده است؛ ثبت نشد."),
        "the refused day is said: {c}"
    );
    assert!(c.contains("تاریخ: —") && c.contains("حاضران: —"), "{c}");
    assert!(c.contains("بیمه‌شدگان جدید: ۳۵"), "{c}");
    assert!(
        c.contains("پاسخ (Reply)"),
        "the member is told to reply: {c}"
    );
    let stored = report(&db.store, flavour, g.chat_id(), report_message).await;
    assert_eq!(
        (
            stored.held,
            stored.held_on.as_deref(),
            stored.attendees,
            stored.insured
        ),
        (Some(true), None, None, Some(35))
    );
    let marks = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ];
    assert!(
        !stored.body.contains(marks),
        "direction marks stored: {:?}",
        stored.body
    );
    assert!(
        stored.body.contains("دهیاری\u{200C}ها"),
        "{:?}",
        stored.body
    );
    assert!(stored.body.starts_with("جلسه ستاد در تاریخ ۱۴۰۵/۰۹/۲۰"));
    let id = stored.report_id;
    assert!(button_data(&confirmation).contains(&format!("held:{id}:0")));

    // A bare number in reply to the confirmation fills the one count unknown, and is kept.
    let filled = reply(&double, &g, confirmation.message_id, "۱۲").await;
    let f = text(&filled);
    assert!(f.contains("به‌روز شد") && f.contains("حاضران: ۱۲"), "{f}");
    let stored = report(&db.store, flavour, g.chat_id(), report_message).await;
    assert_eq!((stored.attendees, stored.insured), (Some(12), Some(35)));
    assert!(stored.body.ends_with("\n۱۲"), "{:?}", stored.body);
    assert_eq!(db.store.count("report").await.unwrap(), 1, "no new report");

    // A future day in a reply is refused and changes nothing; a day that has come fills it.
    let refused = reply(&double, &g, filled.message_id, "تاریخ ۱۴۰۵/۰۹/۱۵").await;
    assert!(
        text(&refused).contains("تاریخ ۱۴۰۵/۰۹/۱۵ هنوز نرسیده است؛ ثبت نشد."),
        "{}",
        text(&refused)
    );
    assert_eq!(
        report(&db.store, flavour, g.chat_id(), report_message)
            .await
            .held_on,
        None
    );
    let dated = reply(&double, &g, refused.message_id, "۱۴۰۵/۰۹/۰۱").await;
    assert!(
        text(&dated).contains("تاریخ: ۱۴۰۵/۰۹/۰۱"),
        "{}",
        text(&dated)
    );
    let stored = report(&db.store, flavour, g.chat_id(), report_message).await;
    assert_eq!(stored.held_on.as_deref(), Some("2026-11-22"));
    // A bare number with no count left to fill is only kept.
    let kept = reply(&double, &g, dated.message_id, "۷").await;
    assert!(text(&kept).contains("حاضران: ۱۲"), "{}", text(&kept));
    let stored = report(&db.store, flavour, g.chat_id(), report_message).await;
    assert_eq!((stored.attendees, stored.insured), (Some(12), Some(35)));
    assert!(stored.body.ends_with("\n۷"));

    // A value button stores its value, says so, and answers the press.
    let seen = double.messages_to(g.chat_id()).len();
    let said = press(
        &double,
        &g,
        confirmation.message_id,
        &format!("fact:{id}:a:20"),
    )
    .await;
    assert!(said.contains("حاضران: ۲۰"), "{said}");
    assert!(text(&next_to(&double, g.chat_id(), seen).await).contains("ثبت شد: حاضران: ۲۰"));
    let stored = report(&db.store, flavour, g.chat_id(), report_message).await;
    assert_eq!(stored.attendees, Some(20));
    // Forged and impossible presses change nothing.
    for (data, answer) in [
        (format!("fact:{id}:a:abc"), "دیگر کار نمی‌کند"),
        (format!("fact:{id}:x:5"), "دیگر کار نمی‌کند"),
        (format!("fact:{id}:d:14051330"), "دیگر کار نمی‌کند"),
        (format!("fact:{id}"), "دیگر کار نمی‌کند"),
        (format!("fact:{}:a:5", id + 1000), "واحد شما نیست"),
        (format!("fact:{id}:a:-5"), "نمی‌تواند منفی باشد"),
        (format!("fact:{id}:d:14051005"), "هنوز نرسیده است"),
    ] {
        let said = press(&double, &g, confirmation.message_id, &data).await;
        assert!(said.contains(answer), "{data}: {said}");
    }
    // The impossible ones are also said in the chat (the last one to arrive is the day's).
    common::chat::wait_for_text(
        &double,
        g.chat_id(),
        "حاضران نمی\u{200c}تواند منفی باشد (-۵)",
    )
    .await;
    common::chat::wait_for_text(&double, g.chat_id(), "تاریخ ۱۴۰۵/۱۰/۰۵ هنوز نرسیده است").await;
    let after = report(&db.store, flavour, g.chat_id(), report_message).await;
    assert_eq!(after, stored, "nothing changed");
    // Every version is kept: the report, three replies that changed it or not, the press.
    assert!(db.store.count("report_revision").await.unwrap() >= 5);

    // An obligation chosen to report on (`/tasks`, as `/report` does), then another command: the prompt is dropped, and the
    // next text is no report.
    let reports = db.store.count("report").await.unwrap();
    let choose = |double: &Double| {
        let seen = double.messages_to(g.chat_id()).len();
        double.send_text(&g, "/tasks");
        seen
    };
    let seen = choose(&double);
    let list = next_to(&double, g.chat_id(), seen).await;
    let rep = button_data(&list)
        .into_iter()
        .find(|d| d.starts_with("rep:"))
        .unwrap_or_else(|| panic!("an open obligation to choose: {list:#?}"));
    let seen = double.messages_to(g.chat_id()).len();
    press(&double, &g, list.message_id, &rep).await;
    let prompt = next_to(&double, g.chat_id(), seen).await;
    assert!(text(&prompt).contains("را بنویسید"), "{}", text(&prompt));
    let seen = double.messages_to(g.chat_id()).len();
    double.send_text(&g, "/help");
    next_to(&double, g.chat_id(), seen).await;
    let seen = double.messages_to(g.chat_id()).len();
    double.send_text(&g, "برگزار شد");
    let answer = next_to(&double, g.chat_id(), seen).await;
    assert!(text(&answer).contains("نگه داشتم"), "{}", text(&answer));
    assert_eq!(db.store.count("report").await.unwrap(), reports);

    // Chosen again, and the bot back 31 minutes later: the prompt has expired.
    let seen = choose(&double);
    let list = next_to(&double, g.chat_id(), seen).await;
    let seen = double.messages_to(g.chat_id()).len();
    press(&double, &g, list.message_id, &rep).await;
    assert!(text(&next_to(&double, g.chat_id(), seen).await).contains("را بنویسید"));
    bot.stop();
    let bot = spawn(dir.path(), "later", &env(LATER));
    let seen = double.messages_to(g.chat_id()).len();
    double.send_text(&g, "برگزار شد با حضور ۹ نفر");
    let answered = double
        .wait_for(
            |v| v.messages_to(g.chat_id()).count() > seen,
            Duration::from_secs(20),
        )
        .await;
    assert!(answered, "{}", bot.log_tail());
    let answer = next_to(&double, g.chat_id(), seen).await;
    assert!(text(&answer).contains("نگه داشتم"), "{}", text(&answer));
    assert_eq!(db.store.count("report").await.unwrap(), reports);

    // A report that says the attendance twice, differently: the reader asks, the confirmation
    // offers one button per value, and a press on one of them stores it.
    let seen = double.messages_to(g.chat_id()).len();
    let twice = double.reply(
        &g,
        reminder.message_id,
        "جلسه ستاد برگزار شد. حاضرین: ۱۵ نفر\n۱۸ نفر حضور داشتند",
    );
    let asked = next_to(&double, g.chat_id(), seen).await;
    let buttons = button_data(&asked);
    let value = |v: u32| {
        buttons
            .iter()
            .find(|d| d.starts_with("fact:") && d.ends_with(&format!(":a:{v}")))
            .cloned()
            .unwrap_or_else(|| panic!("a button for {v}: {buttons:?}\n{}", text(&asked)))
    };
    let (fifteen, _eighteen) = (value(15), value(18));
    assert!(
        text(&asked).contains("حاضران: ۱۸ یا ۱۵؟"),
        "{}",
        text(&asked)
    );
    let said = press(&double, &g, asked.message_id, &fifteen).await;
    assert!(said.contains("حاضران: ۱۵"), "{said}");
    let stored = report(&db.store, flavour, g.chat_id(), twice).await;
    assert_eq!(stored.attendees, Some(15));
    bot.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_on_telegram() {
    questions(Flavour::Telegram).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_on_bale() {
    questions(Flavour::Bale).await;
}
