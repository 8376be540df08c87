//! Membership over time in the conversation, end to end on Telegram and Bale: the real
//! `setad run` binary against the Bot API double. An admin lists members and makes an invite
//! from the chat, a county's staff member cannot see or revoke outside its county; the operator
//! records a leave with `setad members leave`; the deputy receives and answers the nudge during
//! the leave; when it ends the governor is told, the deputy's reply is refused and the next
//! month's reminder goes to the governor only.

use crate::common;

use std::time::Duration;

use common::{at, run_env_for, spawn};
use setad::domain::member::{Platform, Role};
use setad::service::import::import;
use setad::service::invite;
use setad::store::Store;
use setad_double::{Double, DoubleConfig, Flavour, Sent, User};

/// 1405/09/01 09:00:05 Tehran: the reminders go out.
const FIRST: &str = "2026-11-22T05:30:05Z";
/// 1405/09/22 09:00:05: the nudge.
const NUDGE: &str = "2026-12-13T05:30:05Z";
/// 1405/10/06 09:00:05: the day after the leave.
const BACK: &str = "2026-12-27T05:30:05Z";
/// 1405/11/01 09:00:05: the next reminder.
const BAHMAN: &str = "2027-01-21T05:30:05Z";

fn platform(flavour: Flavour) -> (&'static str, Platform) {
    match flavour {
        Flavour::Telegram => ("TELEGRAM", Platform::Telegram),
        Flavour::Bale => ("BALE", Platform::Bale),
    }
}

async fn code(store: &Store, unit: &str, role: Role) -> String {
    invite::create(store, unit, role, 1, None, at(FIRST), &mut rand::rng())
        .await
        .unwrap()
        .code
}

async fn member_id_of(store: &Store, platform: Platform, user_id: i64) -> i64 {
    store
        .member_by_user(platform, user_id)
        .await
        .unwrap()
        .unwrap()
        .member_id
}

fn text(m: &Sent) -> &str {
    m.text.as_deref().unwrap_or("")
}

/// Waits for a message to `user` after the first `seen` that satisfies `ok`, and returns it.
async fn wait(double: &Double, user: &User, seen: usize, ok: impl Fn(&str) -> bool) -> Sent {
    let chat = user.chat_id();
    let found = double
        .wait_for(
            |v| v.messages_to(chat).skip(seen).any(|m| ok(text(m))),
            Duration::from_secs(20),
        )
        .await;
    let all = double.messages_to(chat);
    assert!(found, "no such message to {chat} after {seen}: {all:#?}");
    all.into_iter().skip(seen).find(|m| ok(text(m))).unwrap()
}

/// Presses the first button of `question` as `user`; returns how many messages `user` had.
fn press_first(double: &Double, user: &User, question: &Sent) -> usize {
    let buttons = question.reply_markup.clone().expect("buttons to confirm");
    let data = buttons["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("a button with data")
        .to_owned();
    let seen = double.messages_to(user.chat_id()).len();
    double.press(user, question.message_id, &data);
    seen
}

/// Sends `body` as `user` and waits for the answer.
async fn ask(double: &Double, user: &User, body: &str) -> String {
    let seen = double.messages_to(user.chat_id()).len();
    double.send_text(user, body);
    text(&wait(double, user, seen, |_| true).await).to_owned()
}

async fn leave_with_a_deputy(flavour: Flavour) {
    let (var, platform) = platform(flavour);
    let db = common::sqlite().await;
    import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    let double = Double::start(DoubleConfig::flavoured(flavour))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bot = spawn(
        dir.path(),
        "first",
        &run_env_for(var, &db.url, &double.url(), FIRST),
    );

    let governor = double.user(7001, "علی").with_language("fa");
    let deputy = double.user(7002, "رضا").with_language("fa");
    let admin = double.user(7003, "Admin").with_language("en");
    let babol = double.user(7004, "مریم").with_language("fa");
    for (user, unit, role) in [
        (&governor, "amol", Role::Governor),
        (&deputy, "amol", Role::Staff),
        (&admin, "mazandaran", Role::Admin),
        (&babol, "babol", Role::Staff),
    ] {
        let c = code(&db.store, unit, role).await;
        // (The governor, joining after the month's reminders, gets them before the welcome.)
        let seen = double.messages_to(user.chat_id()).len();
        double.send_text(user, &format!("/start {c}"));
        let welcome = wait(&double, user, seen, |t| {
            t.contains("خوش آمدید") || t.contains("Welcome")
        })
        .await;
        assert!(!text(&welcome).is_empty());
    }
    let member = |user_id| {
        let store = db.store.clone();
        async move {
            store
                .member_by_user(platform, user_id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (g, d) = (member(7001).await, member(7002).await);
    // The governor has the month's reminder; the deputy (staff) has none.
    wait(&double, &governor, 0, |t| {
        t.starts_with("📌") && t.contains("(R3)")
    })
    .await;

    // The admin lists members and makes an invite with this messenger's deep link.
    let listed = ask(&double, &admin, "/members").await;
    assert!(
        listed.contains("علی") && listed.contains("رضا") && listed.contains("مریم"),
        "{listed}"
    );
    let made = ask(&double, &admin, "/invite آمل governor").await;
    let domain = match flavour {
        Flavour::Telegram => "https://t.me/",
        Flavour::Bale => "https://ble.ir/",
    };
    assert!(made.contains(domain) && made.contains("?start="), "{made}");
    // Babol's staff sees Babol only, and cannot revoke, invite or list outside it.
    let own = ask(&double, &babol, "/members").await;
    assert!(own.contains("مریم") && !own.contains("علی"), "{own}");
    let refused = ask(&double, &babol, &format!("/revoke {}", g.member_id)).await;
    assert!(refused.contains("حوزهٔ مدیریت شما نیست"), "{refused}");
    let refused = ask(&double, &babol, "/invite آمل governor").await;
    assert!(refused.contains("حوزهٔ مدیریت شما نیست"), "{refused}");
    let refused = ask(&double, &babol, "/members amol").await;
    assert!(refused.contains("حوزهٔ مدیریت شما نیست"), "{refused}");
    let refused = ask(&double, &governor, "/members").await;
    assert!(refused.contains("فقط مدیران"), "{refused}");
    // The admin revokes Babol's staff member: nothing changes before the button.
    let b = member(7004).await;
    let seen = double.messages_to(admin.chat_id()).len();
    double.send_text(&admin, &format!("/revoke {}", b.member_id));
    let question = wait(&double, &admin, seen, |t| t.contains("Revoke")).await;
    assert!(
        db.store
            .member_by_user(platform, 7004)
            .await
            .unwrap()
            .is_some()
    );
    let seen = press_first(&double, &admin, &question);
    wait(&double, &admin, seen, |t| t.contains("is revoked")).await;
    assert!(
        db.store
            .member_by_user(platform, 7004)
            .await
            .unwrap()
            .is_none()
    );
    let trail = db
        .store
        .audit_of("member", &b.member_id.to_string())
        .await
        .unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.0.clone(), last.1.as_str()),
        (
            format!("member:{}", member_id_of(&db.store, platform, 7003).await),
            "revoke"
        )
    );
    let gone = ask(&double, &babol, "/members").await;
    assert!(gone.contains("عضو این ربات نیستید"), "{gone}");
    // A member who joins with another unit's code is asked before being moved.
    let fund_code = code(&db.store, "fund", Role::Fund).await;
    let seen = double.messages_to(admin.chat_id()).len();
    double.send_text(&admin, &format!("/start {fund_code}"));
    let question = wait(&double, &admin, seen, |t| t.contains("Move?")).await;
    assert_eq!(
        member(7003).await.role,
        Role::Admin,
        "nothing moved before the button"
    );
    let seen = press_first(&double, &admin, &question);
    wait(&double, &admin, seen, |t| t.contains("Welcome")).await;
    assert_eq!(member(7003).await.role, Role::Fund);
    bot.stop();

    // The operator records the leave: 1405/09/20 to 2026-12-26 (= 1405/10/05).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_setad"))
        .args(["members", "leave", &g.member_id.to_string(), "--deputy"])
        .arg(d.member_id.to_string())
        .args(["--from", "1405/09/20", "--until", "2026-12-26"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("SETAD_NOW", FIRST)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("۱۴۰۵/۱۰/۰۵") && said.contains("رضا"),
        "{said}"
    );

    // During the leave: the nudge goes to the deputy, who answers it; the governor hears nothing.
    let before = double.messages_to(governor.chat_id()).len();
    let bot = spawn(
        dir.path(),
        "nudge",
        &run_env_for(var, &db.url, &double.url(), NUDGE),
    );
    let nudge = wait(&double, &deputy, 0, |t| {
        t.starts_with("⏰") && t.contains("(R3)")
    })
    .await;
    let seen = double.messages_to(deputy.chat_id()).len();
    double.reply(
        &deputy,
        nudge.message_id,
        "جلسه ستاد با حضور ۱۰ نفر برگزار شد",
    );
    let confirmation = wait(&double, &deputy, seen, |t| t.contains("ثبت شد")).await;
    assert!(
        text(&confirmation).contains("۱۰"),
        "{}",
        text(&confirmation)
    );
    assert_eq!(db.store.count("report").await.unwrap(), 1);
    assert_eq!(double.messages_to(governor.chat_id()).len(), before);
    bot.stop();

    // After it: the governor is told; the deputy's reply is refused.
    let bot = spawn(
        dir.path(),
        "back",
        &run_env_for(var, &db.url, &double.url(), BACK),
    );
    let back = wait(&double, &governor, before, |t| t.contains("مرخصی")).await;
    assert!(text(&back).contains("رضا"), "{}", text(&back));
    let seen = double.messages_to(deputy.chat_id()).len();
    double.reply(&deputy, nudge.message_id, "جلسه دوم برگزار شد");
    wait(&double, &deputy, seen, |t| {
        t.contains("مربوط به واحد شما نیست")
    })
    .await;
    bot.stop();

    // The next month's reminder: to the governor, not to the deputy.
    let deputy_seen = double.messages_to(deputy.chat_id()).len();
    let deputy_rows = db
        .store
        .recent_notices(platform, deputy.chat_id())
        .await
        .unwrap()
        .len();
    let seen = double.messages_to(governor.chat_id()).len();
    let bot = spawn(
        dir.path(),
        "bahman",
        &run_env_for(var, &db.url, &double.url(), BAHMAN),
    );
    let reminder = wait(&double, &governor, seen, |t| t.starts_with("📌")).await;
    assert!(text(&reminder).contains("بهمن"), "{}", text(&reminder));
    // The tick that queued it queued nothing for the deputy (read from the queue itself).
    let queued_for_deputy = db
        .store
        .recent_notices(platform, deputy.chat_id())
        .await
        .unwrap()
        .len();
    assert_eq!(queued_for_deputy, deputy_rows);
    assert_eq!(double.messages_to(deputy.chat_id()).len(), deputy_seen);
    bot.stop();
    assert_eq!(
        db.store.count("report").await.unwrap(),
        1,
        "the refused reply stored nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_with_a_deputy_on_telegram() {
    leave_with_a_deputy(Flavour::Telegram).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_with_a_deputy_on_bale() {
    leave_with_a_deputy(Flavour::Bale).await;
}
