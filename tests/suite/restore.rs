//! The restore drill: `setad backup` while the bot writes, then a fresh bot on the copy.
//!
//! The real `setad run` binary serves the Bot API double on SQLite while governors keep
//! replying to their reminders with reports. Mid-stream, `setad backup` (the binary) copies the
//! database. Every report the bot had confirmed before the backup started must be in the copy
//! (the bot confirms only after the report is committed), and a fresh bot started on the copy,
//! against a fresh double, answers on it: `/tasks` shows those reports.
//!
//! PostgreSQL: `setad backup` copies SQLite only (`VACUUM INTO`); on PostgreSQL it refuses and
//! names `pg_dump`, which is tested here too, so that the drill is not claimed for it.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::chat::{next_to, text};
use common::{populate, run_env, spawn};
use setad::store::Store;
use setad_double::{Double, DoubleConfig, Sent};

/// 1405/09/01 09:00:05 Tehran: the month's reminders go out.
const FIRST: &str = "2026-11-22T05:30:05Z";
/// Ten minutes later, when the fresh bot starts on the copy.
const LATER: &str = "2026-11-22T05:40:05Z";

/// The obligation a reminder is about (`R3` in `… (R3) …`).
fn obligation_of(reminder: &str) -> String {
    let start = reminder.find("(R").expect("an obligation key") + 1;
    let end = start + reminder[start..].find(')').unwrap();
    reminder[start..end].to_owned()
}

/// The replies sent so far, by chat: the reply's message id and its text.
type Replies = BTreeMap<i64, (i64, String)>;

/// The replies the bot has confirmed so far: (chat, the reply's message id).
fn confirmed(sent: &[Sent], replies: &Replies) -> Vec<(i64, i64)> {
    replies
        .iter()
        .filter(|(chat, (reply, _))| {
            sent.iter().any(|m| {
                m.chat_id == **chat
                    && m.reply_to.as_ref().is_some_and(|r| r.message_id == *reply)
                    && text(m).contains("ثبت شد")
            })
        })
        .map(|(chat, (reply, _))| (*chat, *reply))
        .collect()
}

/// Runs `setad backup FILE` on `db_url`; panics with its output unless it succeeds.
fn backup(db_url: &str, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_setad"))
        .args(["backup", file.to_str().unwrap()])
        .env_clear()
        .env("DATABASE_URL", db_url)
        .env("SETAD_LOCALE", "en")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run setad backup")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_while_the_bot_writes_keeps_every_confirmed_report_and_a_fresh_bot_runs_on_it() {
    let db = common::sqlite().await;
    let chats = populate(&db.store, 5).await; // 110 governors
    let double = Arc::new(Double::start(DoubleConfig::default()).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut env = run_env(&db.url, &double.url(), FIRST);
    env.push(("SETAD_TELEGRAM_RATE".into(), "0".into()));
    let bot = spawn(dir.path(), "live", &env);

    // Every governor has its reminders, and the queue is empty.
    let governors: Vec<i64> = chats.values().flatten().copied().collect();
    let arrived = double
        .wait_for(
            |v| governors.iter().all(|c| v.messages_to(*c).next().is_some()),
            Duration::from_secs(60),
        )
        .await;
    assert!(arrived, "the reminders did not arrive:\n{}", bot.log_tail());
    for _ in 0..300 {
        let q = db.store.queue_counts().await.unwrap();
        if q.pending == 0 && q.sending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The governors reply, one every 25 ms, to their first reminder; each reply's id and the
    // obligation it reports on are kept.
    let mut plan = Vec::new();
    for chat in &governors {
        let reminder = double.messages_to(*chat)[0].clone();
        assert!(text(&reminder).starts_with("📌"), "{}", text(&reminder));
        plan.push((*chat, reminder.message_id, obligation_of(text(&reminder))));
    }
    let replies = Arc::new(std::sync::Mutex::new(Replies::new()));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (double, replies, done, plan) =
            (double.clone(), replies.clone(), done.clone(), plan.clone());
        tokio::spawn(async move {
            for (n, (chat, reminder, _)) in plan.iter().enumerate() {
                let user = double.user(*chat, "فرماندار");
                let body = format!("گزارش {n}: جلسه برگزار شد با ۱۲ نفر");
                let id = double.reply(&user, *reminder, &body);
                replies.lock().unwrap().insert(*chat, (id, body));
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            done.store(true, Ordering::SeqCst);
        })
    };

    // Once a third are confirmed, and while the others keep coming, the backup.
    let third = governors.len() / 3;
    let ok = double
        .wait_for(
            |v| confirmed(v.messages(), &replies.lock().unwrap()).len() >= third,
            Duration::from_secs(60),
        )
        .await;
    assert!(ok, "the reports were not confirmed:\n{}", bot.log_tail());
    let before: Vec<(i64, i64)> =
        double.view(|v| confirmed(v.messages(), &replies.lock().unwrap()));
    let copy = dir.path().join("copy.db");
    let out = {
        let (url, copy) = (db.url.clone(), copy.clone());
        tokio::task::spawn_blocking(move || backup(&url, &copy))
            .await
            .unwrap()
    };
    assert!(
        out.status.success(),
        "setad backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !done.load(Ordering::SeqCst),
        "the replies ended before the backup: the drill did not copy a database being written"
    );
    writer.await.unwrap();
    let all = replies.lock().unwrap().clone();
    let ok = double
        .wait_for(
            |v| confirmed(v.messages(), &all).len() == all.len(),
            Duration::from_secs(60),
        )
        .await;
    assert!(ok, "not every report was confirmed:\n{}", bot.log_tail());
    bot.stop();

    // Every report confirmed before the backup started is in the copy.
    let copy_url = format!("sqlite://{}", copy.display());
    let restored = Store::connect(&copy_url).await.unwrap();
    // Several governors of a county report on the same occurrence, each reply a revision of
    // its report: every confirmed reply's text is among the copy's revisions.
    let revisions = |store: &Store| {
        let pool = store.sqlite_pool().unwrap().clone();
        async move {
            let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM report_revision")
                .fetch_all(&pool)
                .await
                .unwrap();
            rows.into_iter()
                .map(|(body,)| body)
                .collect::<std::collections::BTreeSet<String>>()
        }
    };
    let in_copy = revisions(&restored).await;
    for (chat, _) in &before {
        let body = &all[chat].1;
        assert!(
            in_copy.contains(body),
            "the report «{body}» of {chat} was confirmed before the backup but is not in the copy"
        );
    }
    let live = revisions(&db.store).await;
    assert_eq!(live.len(), governors.len(), "every reply is a revision");
    assert!(
        in_copy.len() < live.len(),
        "the copy has all {} revisions: it was not taken while the bot wrote",
        live.len()
    );
    eprintln!(
        "restore drill: {} reports confirmed before the backup, {} in the copy, {} in the end",
        before.len(),
        in_copy.len(),
        live.len()
    );
    restored.close().await;

    // A fresh bot on the copy answers from it. The same messenger: its update ids go on from
    // where they were, as Telegram's do after a restore (a fresh double would start them at 1,
    // below the offset the copy has stored).
    let mut env = run_env(&copy_url, &double.url(), LATER);
    env.push(("SETAD_TELEGRAM_RATE".into(), "0".into()));
    let bot = spawn(dir.path(), "restored", &env);
    let (chat, _) = before[0];
    let (_, _, obligation) = plan.iter().find(|(c, _, _)| *c == chat).unwrap();
    let governor = double.user(chat, "فرماندار");
    let seen = double.messages_to(chat).len();
    double.send_text(&governor, "/tasks");
    let tasks = text(&next_to(&double, chat, seen).await).to_owned();
    let line = tasks
        .lines()
        .find(|l| l.starts_with(&format!("• {obligation} ")) && l.contains("آذر ۱۴۰۵"))
        .unwrap_or_else(|| {
            panic!(
                "no line of {obligation} in /tasks:\n{tasks}\n{}",
                bot.log_tail()
            )
        });
    assert!(
        line.contains("گزارش داده"),
        "Azar's report is not in /tasks:\n{tasks}"
    );
    bot.stop();
}

async fn backup_on_postgres_refuses_and_names_pg_dump() {
    let db = common::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let out = backup(&db.url, &file);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!file.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(setad_postgres), ignore = "SETAD_TEST_POSTGRES_URL is not set")]
async fn backup_on_postgres() {
    backup_on_postgres_refuses_and_names_pg_dump().await
}
