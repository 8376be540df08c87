//! The Bot API test double (`setad_double`) against teloxide itself: what teloxide makes of
//! each answer, in the Telegram and the Bale flavour, with limits, faults and webhooks.
//! Raw `reqwest` is used only where teloxide would get in the way (it sleeps 10 s after every
//! 5xx) or to send what teloxide cannot (`reply_to_message_id`, bad paths).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use setad_double::{
    Double, DoubleConfig, Flavour, Outcome, ReplyField, ReplyTo, SECRET_HEADER, SentKind,
};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageEntityKind,
    MessageId, ParseMode, ReplyParameters, UpdateKind,
};
use teloxide::{ApiError, RequestError};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

const WAIT: Duration = Duration::from_secs(5);

fn bot(double: &Double) -> Bot {
    Bot::new("123:abc").set_api_url(double.url().parse().expect("the double's URL parses"))
}

async fn start(config: DoubleConfig) -> Double {
    Double::start(config).await.expect("the double starts")
}

fn keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![
        InlineKeyboardButton::callback("Held", "held"),
        InlineKeyboardButton::callback("Not held", "not_held"),
    ]])
}

/// Posts a raw JSON request to the double and returns the status and the body.
async fn raw(
    client: &reqwest::Client,
    url: String,
    body: &str,
) -> Result<(u16, Value), reqwest::Error> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

#[tokio::test]
async fn get_me_parses_on_telegram_and_fails_on_bale() {
    let telegram = start(DoubleConfig::default()).await;
    let me = bot(&telegram)
        .get_me()
        .await
        .expect("Telegram's getMe parses");
    assert_eq!(me.username(), "setad_test_bot");
    assert!(me.can_join_groups);

    // Bale's getMe lacks can_join_groups & co: teloxide's `Me` is too strict for it, so the
    // Dispatcher (which calls getMe first) cannot start on Bale as it is.
    let bale = start(DoubleConfig::flavoured(Flavour::Bale)).await;
    match bot(&bale).get_me().await {
        Err(RequestError::InvalidJson { raw, .. }) => {
            assert!(raw.contains("\"username\":\"setad_test_bot\""))
        }
        other => panic!("expected InvalidJson, got {other:?}"),
    }
    telegram.shutdown().await;
    bale.shutdown().await;
}

#[tokio::test]
async fn send_message_is_recorded_with_increasing_ids_per_chat() {
    let double = start(DoubleConfig::default()).await;
    let ali = double.user(1001, "Ali");
    let bot = bot(&double);
    let mut ids = Vec::new();
    for text in ["one", "two", "three"] {
        ids.push(
            bot.send_message(ChatId(1001), text)
                .await
                .expect("sent")
                .id
                .0,
        );
    }
    let other = bot
        .send_message(ChatId(2002), "elsewhere")
        .parse_mode(ParseMode::Html)
        .await
        .expect("sent");
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(other.id, MessageId(1));

    let message = bot
        .send_message(ChatId(1001), "with buttons")
        .reply_markup(keyboard())
        .await
        .expect("sent");
    assert_eq!(message.id, MessageId(4));
    assert_eq!(message.from.as_ref().map(|u| u.is_bot), Some(true));
    assert_eq!(message.chat.first_name(), Some(ali.first_name.as_str()));
    assert_eq!(message.text(), Some("with buttons"));
    assert!(message.reply_markup().is_some());

    let sent = double.messages_to(1001);
    assert_eq!(
        sent.iter().map(|s| s.message_id).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(sent[0].text.as_deref(), Some("one"));
    assert_eq!(sent[0].kind, SentKind::Text);
    assert_eq!(sent[0].parse_mode, None);
    assert_eq!(
        sent[3]
            .reply_markup
            .as_ref()
            .map(|m| m["inline_keyboard"][0][1]["callback_data"].clone()),
        Some(json!("not_held"))
    );
    assert_eq!(
        double.messages_to(2002)[0].parse_mode.as_deref(),
        Some("HTML")
    );
    assert!(sent.windows(2).all(|w| w[0].at <= w[1].at));

    let calls = double.calls();
    assert_eq!(calls.len(), 5);
    assert!(
        calls
            .iter()
            .all(|c| c.is("sendMessage") && c.outcome == Outcome::Ok)
    );
    assert_eq!(
        calls[0].method, "SendMessage",
        "teloxide spells methods in PascalCase"
    );
    assert_eq!(calls[3].chat_id, Some(2002));
    assert_eq!(calls[0].params["text"], "one");
    assert_eq!(double.stats().delivered, 5);
    double.shutdown().await;
}

#[tokio::test]
async fn replies_are_recorded_from_either_field() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    let first = bot.send_message(ChatId(5), "reminder").await.expect("sent");
    let answer = bot
        .send_message(ChatId(5), "thanks")
        .reply_parameters(ReplyParameters::new(first.id))
        .await
        .expect("sent");
    assert_eq!(
        answer.reply_to_message().and_then(|m| m.text()),
        Some("reminder")
    );

    // What Bale clients send: the old field.
    let client = reqwest::Client::new();
    let url = format!("{}/bot123:abc/sendMessage", double.url());
    let (status, _) = raw(
        &client,
        url.clone(),
        r#"{"chat_id":5,"text":"bale style","reply_to_message_id":1}"#,
    )
    .await
    .expect("answered");
    assert_eq!(status, 200);
    let (status, body) = raw(
        &client,
        url,
        r#"{"chat_id":5,"text":"to nothing","reply_to_message_id":99}"#,
    )
    .await
    .expect("answered");
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: message to be replied not found"))
    );

    let sent = double.messages_to(5);
    assert_eq!(
        sent[1].reply_to,
        Some(ReplyTo {
            message_id: 1,
            via: ReplyField::ReplyParameters
        })
    );
    assert_eq!(
        sent[2].reply_to,
        Some(ReplyTo {
            message_id: 1,
            via: ReplyField::ReplyToMessageId
        })
    );
    assert_eq!(sent.len(), 3);
    double.shutdown().await;
}

#[tokio::test]
async fn a_blocked_chat_is_bot_blocked_for_teloxide() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    double.set_blocked(9, true);
    let result = bot.send_message(ChatId(9), "hello").await;
    assert!(
        matches!(result, Err(RequestError::Api(ApiError::BotBlocked))),
        "{result:?}"
    );
    assert!(matches!(
        bot.send_chat_action(ChatId(9), teloxide::types::ChatAction::Typing)
            .await,
        Err(RequestError::Api(ApiError::BotBlocked))
    ));
    assert!(double.messages_to(9).is_empty());
    assert_eq!(double.stats().forbidden, 2);

    double.set_blocked(9, false);
    bot.send_message(ChatId(9), "hello again")
        .await
        .expect("unblocked");
    assert_eq!(double.messages_to(9).len(), 1);
    double.shutdown().await;
}

#[tokio::test]
async fn the_per_chat_limit_answers_retry_after_and_never_delivers_faster() {
    let rate = 5.0;
    let double = start(DoubleConfig {
        per_chat_limit: Some(rate),
        ..DoubleConfig::default()
    })
    .await;
    let bot = bot(&double);
    let began = Instant::now();
    let mut retry_afters = Vec::new();
    while began.elapsed() < Duration::from_millis(800) {
        match bot.send_message(ChatId(1), "hammer").await {
            Ok(_) => {}
            Err(RequestError::RetryAfter(seconds)) => retry_afters.push(seconds.seconds()),
            Err(other) => panic!("unexpected {other:?}"),
        }
        // Another chat is not held back by chat 1's limit.
        if retry_afters.len() == 1 {
            bot.send_message(ChatId(2), "other chat")
                .await
                .expect("chat 2 has its own bucket");
        }
    }
    let sent = double.messages_to(1);
    assert!(sent.len() >= 3, "{} delivered", sent.len());
    for pair in sent.windows(2) {
        let gap = (pair[1].at - pair[0].at).as_secs_f64();
        assert!(gap >= 1.0 / rate - 1e-3, "two deliveries {gap:.4}s apart");
    }
    assert!(!retry_afters.is_empty());
    assert!(
        retry_afters.iter().all(|s| *s == 1),
        "retry_after is whole seconds, at least 1"
    );
    let stats = double.stats();
    assert_eq!(stats.rate_limited, retry_afters.len() as u64);
    assert_eq!(stats.delivered, sent.len() as u64 + 1);
    double.shutdown().await;
}

#[tokio::test]
async fn the_global_limit_caps_all_chats_together() {
    let rate = 20.0;
    let double = start(DoubleConfig {
        global_limit: Some(rate),
        ..DoubleConfig::default()
    })
    .await;
    let bot = bot(&double);
    let began = Instant::now();
    let mut limited = 0;
    let mut chat = 0;
    while began.elapsed() < Duration::from_millis(800) {
        chat = chat % 50 + 1;
        match bot.send_message(ChatId(chat), "broadcast").await {
            Ok(_) => {}
            Err(RequestError::RetryAfter(seconds)) => {
                assert_eq!(seconds.seconds(), 1);
                limited += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let sent = double.messages();
    assert!(
        sent.len() >= 20,
        "the one-second burst passes: {}",
        sent.len()
    );
    // Token bucket: any stretch of deliveries fits in capacity + rate × its duration.
    for i in 0..sent.len() {
        for j in i..sent.len() {
            let span = (sent[j].at - sent[i].at).as_secs_f64();
            let count = (j - i + 1) as f64;
            assert!(
                count <= rate + rate * span + 1e-6,
                "{count} deliveries in {span:.3}s"
            );
        }
    }
    assert!(limited > 0);
    double.shutdown().await;
}

#[tokio::test]
async fn get_updates_confirms_with_offset_and_long_polls() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    let zahra = double.user(3003, "Zahra");
    for text in ["a", "b", "c"] {
        double.send_text(&zahra, text);
    }
    let updates = bot.get_updates().await.expect("updates");
    assert_eq!(
        updates.iter().map(|u| u.id.0).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        double.pending_updates(),
        3,
        "nothing is confirmed without an offset"
    );

    let updates = bot
        .get_updates()
        .offset(3)
        .limit(10)
        .await
        .expect("updates");
    assert_eq!(updates.len(), 1);
    assert_eq!(
        (double.pending_updates(), double.confirmed_offset()),
        (1, 3)
    );

    // A long poll returns as soon as an update arrives.
    let poller = tokio::spawn({
        let bot = bot.clone();
        async move {
            let began = Instant::now();
            let updates = bot.get_updates().offset(4).timeout(10).await;
            (updates, began.elapsed())
        }
    });
    let polling = double
        .wait_for(
            |v| v.calls_to("getUpdates").any(|c| c.params["offset"] == 4),
            WAIT,
        )
        .await;
    assert!(polling, "the poll reached the double");
    assert_eq!(double.pending_updates(), 0);
    double.send_text(&zahra, "while you wait");
    let (updates, waited) = poller.await.expect("poller ran");
    let updates = updates.expect("updates");
    assert!(waited < Duration::from_secs(2), "answered after {waited:?}");
    match &updates[..] {
        [update] => match &update.kind {
            UpdateKind::Message(message) => assert_eq!(message.text(), Some("while you wait")),
            other => panic!("unexpected {other:?}"),
        },
        other => panic!("unexpected {other:?}"),
    }

    // An empty long poll lasts its timeout.
    let began = Instant::now();
    let updates = bot
        .get_updates()
        .offset(5)
        .timeout(1)
        .await
        .expect("updates");
    assert!(updates.is_empty());
    assert!(began.elapsed() >= Duration::from_millis(900));
    double.shutdown().await;
}

#[tokio::test]
async fn replies_edits_and_presses_become_telegram_updates() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    let reza = double.user(4004, "Reza").with_language("fa");
    let reminder = bot
        .send_message(ChatId(reza.chat_id()), "Was the meeting held?")
        .reply_markup(keyboard())
        .await
        .expect("sent");

    let start_id = double.send_text(&reza, "/start ABC123");
    let reply_id = double.reply(&reza, reminder.id.0.into(), "held on 1404/02/10");
    double.edit(&reza, reply_id, "held on 1404/02/11");
    let query_id = double.press(&reza, reminder.id.0.into(), "held");
    assert_eq!(
        (start_id, reply_id),
        (2, 3),
        "users and the bot share a chat's message ids"
    );

    let updates = bot.get_updates().await.expect("updates parse");
    let kinds: Vec<&UpdateKind> = updates.iter().map(|u| &u.kind).collect();
    let [
        UpdateKind::Message(start),
        UpdateKind::Message(reply),
        UpdateKind::EditedMessage(edited),
        UpdateKind::CallbackQuery(query),
    ] = kinds[..]
    else {
        panic!("unexpected updates {kinds:?}")
    };
    let entities = start.parse_entities().unwrap_or_default();
    assert!(matches!(
        entities.first().map(|e| e.kind()),
        Some(MessageEntityKind::BotCommand)
    ));
    assert_eq!(entities[0].text(), "/start");
    assert_eq!(
        reply.reply_to_message().and_then(|m| m.text()),
        Some("Was the meeting held?")
    );
    assert_eq!(reply.reply_to_message().map(|m| m.id), Some(reminder.id));
    assert_eq!(
        reply.from.as_ref().and_then(|u| u.language_code.as_deref()),
        Some("fa")
    );
    assert_eq!(edited.text(), Some("held on 1404/02/11"));
    assert!(edited.edit_date().is_some());
    assert_eq!(query.data.as_deref(), Some("held"));
    assert_eq!(query.id.0, query_id);
    assert!(!query.chat_instance.is_empty());
    assert_eq!(query.regular_message().map(|m| m.id), Some(reminder.id));
    assert!(
        query
            .regular_message()
            .and_then(|m| m.reply_markup())
            .is_some()
    );

    assert_eq!(
        double.view(|v| v.unanswered_callbacks()),
        vec![query_id.clone()]
    );
    bot.answer_callback_query(query.id.clone())
        .text("noted")
        .await
        .expect("answered");
    assert!(double.view(|v| v.unanswered_callbacks()).is_empty());
    let bogus = bot
        .answer_callback_query(teloxide::types::CallbackQueryId("nope".into()))
        .await;
    assert!(
        matches!(bogus, Err(RequestError::Api(ApiError::InvalidQueryId))),
        "{bogus:?}"
    );

    let edited = bot
        .edit_message_text(reminder.chat.id, reminder.id, "Thanks, recorded.")
        .await
        .expect("edited");
    assert_eq!(edited.text(), Some("Thanks, recorded."));
    assert!(
        edited.reply_markup().is_none(),
        "an edit without reply_markup removes the keyboard"
    );
    let restored = bot
        .edit_message_reply_markup(reminder.chat.id, reminder.id)
        .reply_markup(keyboard())
        .await
        .expect("keyboard back");
    assert!(restored.reply_markup().is_some());
    let last = double.messages_to(reza.chat_id()).pop().expect("recorded");
    assert_eq!(last.kind, SentKind::EditMarkup);
    assert_eq!(last.text.as_deref(), Some("Thanks, recorded."));
    let last = double
        .messages_to(reza.chat_id())
        .into_iter()
        .rev()
        .nth(1)
        .expect("recorded");
    assert_eq!(
        (last.kind, last.message_id),
        (SentKind::Edit, reminder.id.0.into())
    );

    let group = double.group("Sari county governors");
    assert!(group.id < 0, "Telegram group ids are negative");
    double.send_text_in(&group, &reza, "hello all");
    let updates = bot
        .get_updates()
        .offset(updates[3].id.as_offset())
        .await
        .expect("updates");
    let group_message = updates.last().and_then(|u| match &u.kind {
        UpdateKind::Message(m) => Some(m.chat.is_group()),
        _ => None,
    });
    assert_eq!(group_message, Some(true));
    double.shutdown().await;
}

#[tokio::test]
async fn bale_answers_lack_what_teloxide_requires() {
    let double = start(DoubleConfig::flavoured(Flavour::Bale)).await;
    let bot = bot(&double);
    let maryam = double.user(5005, "Maryam");

    // Delivered, yet teloxide reports an error: the bot user in `from` has no is_bot.
    let sent = bot
        .send_message(ChatId(maryam.chat_id()), "Report due")
        .reply_markup(keyboard())
        .await;
    assert!(
        matches!(sent, Err(RequestError::InvalidJson { .. })),
        "{sent:?}"
    );
    assert_eq!(
        double.messages_to(maryam.chat_id()).len(),
        1,
        "…but the message was delivered"
    );

    double.send_text(&maryam, "/start");
    double.press(&maryam, 1, "held");
    let raw_updates = double.queued_updates();
    let query = &raw_updates[1]["callback_query"];
    assert_eq!(query["data"], "held");
    assert!(query.get("chat_instance").is_none());
    assert!(query["from"].get("is_bot").is_none());
    assert!(raw_updates[0]["message"]["from"].get("is_bot").is_none());

    // teloxide keeps the update ids but cannot read either update.
    let updates = bot.get_updates().await.expect("the batch parses");
    assert_eq!(updates.len(), 2);
    for update in &updates {
        match &update.kind {
            UpdateKind::Error(raw) => assert!(
                raw.get("message")
                    .or_else(|| raw.get("callback_query"))
                    .is_some()
            ),
            other => panic!("expected UpdateKind::Error, got {other:?}"),
        }
    }

    let group = double.group("Mazandaran directorates");
    assert!(group.id > 0, "Bale group ids are positive");

    let refused = bot
        .set_my_commands(vec![BotCommand::new("help", "Help")])
        .await;
    assert!(
        matches!(refused, Err(RequestError::Api(ApiError::Unknown(_)))),
        "{refused:?}"
    );
    assert_eq!(double.stats().bad_requests, 1);
    double.shutdown().await;
}

#[tokio::test]
async fn commands_are_kept_per_language_on_telegram() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    bot.set_my_commands(vec![
        BotCommand::new("help", "Help"),
        BotCommand::new("tasks", "My tasks"),
    ])
    .await
    .expect("set");
    bot.set_my_commands(vec![BotCommand::new("help", "راهنما")])
        .language_code("fa")
        .await
        .expect("set");
    let fa = bot
        .get_my_commands()
        .language_code("fa")
        .await
        .expect("got");
    assert_eq!(fa, [BotCommand::new("help", "راهنما")]);
    assert_eq!(bot.get_my_commands().await.expect("got").len(), 2);
    assert_eq!(
        double.view(|v| v.my_commands(None).and_then(Value::as_array).map(Vec::len)),
        Some(2)
    );
    let invalid = bot
        .set_my_commands(vec![BotCommand::new("Help Me", "x")])
        .await;
    assert!(invalid.is_err());
    bot.delete_my_commands()
        .language_code("fa")
        .await
        .expect("deleted");
    assert!(
        bot.get_my_commands()
            .language_code("fa")
            .await
            .expect("got")
            .is_empty()
    );
    double.shutdown().await;
}

#[tokio::test]
async fn documents_and_photos_are_recorded_with_their_bytes() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let message = bot
        .send_document(
            ChatId(7),
            InputFile::memory(bytes.clone()).file_name("summary-1404-02.xlsx"),
        )
        .caption("خلاصهٔ اردیبهشت")
        .await
        .expect("sent");
    let document = message.document().expect("teloxide sees a document");
    assert!(!document.file.id.0.is_empty() && !document.file.unique_id.0.is_empty());
    assert_eq!(document.file_name.as_deref(), Some("summary-1404-02.xlsx"));
    assert_eq!(message.caption(), Some("خلاصهٔ اردیبهشت"));

    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&640u32.to_be_bytes());
    png.extend_from_slice(&480u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    let photo = bot
        .send_photo(
            ChatId(7),
            InputFile::memory(png.clone()).file_name("chart.png"),
        )
        .await
        .expect("sent");
    let sizes = photo.photo().expect("teloxide sees a photo");
    assert_eq!((sizes[0].width, sizes[0].height), (640, 480));

    let again = bot
        .send_document(ChatId(8), InputFile::file_id(document.file.id.clone()))
        .await
        .expect("re-sent");
    assert_eq!(
        again.document().map(|d| d.file.id.clone()),
        Some(document.file.id.clone())
    );

    let sent = double.messages();
    let file = sent[0].file.as_ref().expect("file recorded");
    assert_eq!(
        (sent[0].kind, file.bytes.as_ref(), file.file_name.as_deref()),
        (SentKind::Document, &bytes[..], Some("summary-1404-02.xlsx"))
    );
    assert_eq!(sent[0].text.as_deref(), Some("خلاصهٔ اردیبهشت"));
    assert_eq!(sent[1].kind, SentKind::Photo);
    assert_eq!(
        sent[1].file.as_ref().map(|f| f.bytes.len()),
        Some(png.len())
    );
    let reference = sent[2].file.as_ref().expect("file recorded");
    assert_eq!(
        (reference.reference.as_ref(), reference.size),
        (Some(&document.file.id.0), 5000)
    );

    let call = &double.calls()[0];
    assert!(call.is("sendDocument"));
    assert_eq!(call.params["document"]["size"], 5000);
    assert_eq!(call.params["document"]["file_name"], "summary-1404-02.xlsx");
    double.shutdown().await;
}

#[tokio::test]
async fn faults_are_reproducible_with_a_seed() {
    async fn run(seed: u64) -> (Vec<Outcome>, u64) {
        let double = start(DoubleConfig {
            seed,
            server_error_rate: 0.2,
            hang_rate: 0.05,
            hang_for: Duration::from_millis(50),
            drop_rate: 0.2,
            ..DoubleConfig::default()
        })
        .await;
        let client = reqwest::Client::new();
        for i in 0..40 {
            let body = format!(r#"{{"chat_id":1,"text":"m{i}"}}"#);
            // Dropped connections are errors here; the double's records say what happened.
            let _ = raw(
                &client,
                format!("{}/bot123:abc/sendMessage", double.url()),
                &body,
            )
            .await;
        }
        let outcomes = double.calls().into_iter().map(|c| c.outcome).collect();
        let delivered = double.stats().delivered;
        double.shutdown().await;
        (outcomes, delivered)
    }
    let (first, delivered) = run(7).await;
    let (second, _) = run(7).await;
    let (other, _) = run(8).await;
    assert_eq!(first, second);
    assert_ne!(first, other);
    let count = |f: fn(&Outcome) -> bool| first.iter().filter(|o| f(o)).count();
    let errors = count(|o| {
        matches!(
            o,
            Outcome::Error {
                error_code: 502,
                ..
            }
        )
    });
    let hung = count(|o| matches!(o, Outcome::Hung { delivered: true }));
    let dropped = count(|o| matches!(o, Outcome::Dropped { delivered: false }));
    let ok = count(|o| *o == Outcome::Ok);
    assert!(errors > 0 && dropped > 0, "{first:?}");
    assert_eq!(errors + hung + dropped + ok, 40);
    assert_eq!(
        delivered as usize,
        ok + hung,
        "hung requests deliver by default, dropped ones do not"
    );
}

#[tokio::test]
async fn teloxide_sees_drops_and_hangs_as_network_errors_even_when_delivered() {
    let double = start(DoubleConfig {
        drop_rate: 1.0,
        drop_delivers: true,
        hang_for: Duration::from_millis(300),
        ..DoubleConfig::default()
    })
    .await;
    let bot = bot(&double);
    let dropped = bot.send_message(ChatId(1), "dropped").await;
    assert!(
        matches!(dropped, Err(RequestError::Network(_))),
        "{dropped:?}"
    );
    assert_eq!(
        double.messages_to(1).len(),
        1,
        "delivered although the client saw an error: retrying duplicates it"
    );

    double.set_faults(0.0, 1.0, 0.0);
    let began = Instant::now();
    let hung = bot
        .send_message(ChatId(1), "slow")
        .await
        .expect("a delivering hang answers late");
    assert!(began.elapsed() >= Duration::from_millis(300));
    assert_eq!(hung.id, MessageId(2));

    double.set_hang(Duration::from_millis(300), false);
    let lost = bot.send_message(ChatId(1), "lost").await;
    assert!(matches!(lost, Err(RequestError::Network(_))), "{lost:?}");
    assert_eq!(double.messages_to(1).len(), 2);
    let stats = double.stats();
    assert_eq!((stats.dropped, stats.hung, stats.delivered), (1, 2, 2));
    double.shutdown().await;
}

/// A webhook receiver on loopback: forwards (secret header, body) of each accepted post and
/// answers 500 to the first `fail_first` posts.
async fn receiver(fail_first: usize) -> (String, mpsc::UnboundedReceiver<(Option<String>, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            let seen = Arc::clone(&seen);
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let secret = headers
                    .get(SECRET_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let _ = tx.send((secret, serde_json::from_slice(&body).unwrap_or(Value::Null)));
                StatusCode::OK
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test]
async fn webhooks_carry_the_secret_on_telegram_and_not_on_bale() {
    for flavour in [Flavour::Telegram, Flavour::Bale] {
        let double = start(DoubleConfig::flavoured(flavour)).await;
        let bot = bot(&double);
        let (url, mut posts) = receiver(0).await;
        bot.set_webhook(url.parse().expect("url"))
            .secret_token("s3cret-token")
            .await
            .expect("set");
        let user = double.user(6006, "Sara");
        double.send_text(&user, "via webhook");
        let (secret, update) = tokio::time::timeout(WAIT, posts.recv())
            .await
            .expect("posted")
            .expect("open");
        assert_eq!(update["message"]["text"], "via webhook");
        assert_eq!(update["update_id"], 1);
        match flavour {
            Flavour::Telegram => assert_eq!(secret.as_deref(), Some("s3cret-token")),
            Flavour::Bale => assert_eq!(secret, None, "Bale never sends the secret header"),
        }
        assert!(
            double
                .wait_for(
                    |v| v.pending_updates() == 0 && v.stats().webhook_delivered == 1,
                    WAIT
                )
                .await
        );
        assert!(
            matches!(bot.get_updates().await, Err(RequestError::Api(_))),
            "no getUpdates while a webhook is set"
        );
        let info = bot.get_webhook_info().await.expect("info");
        assert_eq!(info.url.map(String::from), Some(url.clone()));

        bot.delete_webhook().await.expect("deleted");
        double.send_text(&user, "polled again");
        assert_eq!(bot.get_updates().await.expect("updates").len(), 1);
        double.shutdown().await;
    }
}

#[tokio::test]
async fn failed_webhook_posts_are_retried_and_recorded() {
    let double = start(DoubleConfig::default()).await;
    let bot = bot(&double);
    let (url, mut posts) = receiver(2).await;
    bot.set_webhook(url.parse().expect("url"))
        .await
        .expect("set");
    double.send_text(&double.user(7007, "Hasan"), "retry me");
    let (secret, update) = tokio::time::timeout(WAIT, posts.recv())
        .await
        .expect("posted")
        .expect("open");
    assert_eq!(
        (secret, update["message"]["text"].as_str()),
        (None, Some("retry me"))
    );
    assert!(
        double
            .wait_for(|v| v.stats().webhook_delivered == 1, WAIT)
            .await
    );
    let attempts = double.webhook_attempts();
    let summary: Vec<(u32, Result<u16, String>)> = attempts
        .into_iter()
        .map(|a| (a.attempt, a.result))
        .collect();
    assert_eq!(summary, [(1, Ok(500)), (2, Ok(500)), (3, Ok(200))]);
    let info = bot.get_webhook_info().await.expect("info");
    assert!(info.last_error_message.is_some_and(|m| m.contains("500")));
    double.shutdown().await;
}

#[tokio::test]
async fn odd_requests_get_bot_api_errors() {
    let double = start(DoubleConfig::default()).await;
    let client = reqwest::Client::new();
    let base = double.url();

    let not_found = json!({"ok": false, "error_code": 404, "description": "Not Found"});
    for path in [
        "/botabc/getMe",
        "/bot123/getMe",
        "/",
        "/bot123:abc/noSuchMethod",
    ] {
        let (status, body) = raw(&client, format!("{base}{path}"), "{}")
            .await
            .expect("answered");
        assert_eq!((status, &body), (404, &not_found), "{path}");
    }
    for method in ["getme", "GETME", "getMe"] {
        let (status, body) = raw(&client, format!("{base}/bot1:x/{method}"), "")
            .await
            .expect("answered");
        assert_eq!(
            (status, body["ok"].as_bool()),
            (200, Some(true)),
            "{method}"
        );
    }
    for body in [
        "{not json",
        "[1,2]",
        r#"{"chat_id":{"a":1},"text":"x"}"#,
        r#"{"chat_id":1}"#,
    ] {
        let (status, answer) = raw(&client, format!("{base}/bot1:x/sendMessage"), body)
            .await
            .expect("answered");
        assert_eq!(
            (
                status,
                answer["ok"].as_bool(),
                answer["error_code"].as_u64()
            ),
            (400, Some(false), Some(400)),
            "{body}"
        );
    }
    let calls = double.calls();
    assert!(calls[3].is("noSuchMethod"));
    assert_eq!(
        calls[0].method, "",
        "bad paths are recorded without a method"
    );
    assert_eq!(
        (double.stats().not_found, double.stats().bad_requests),
        (4, 4)
    );

    let bot = bot(&double);
    let missing = bot.edit_message_text(ChatId(1), MessageId(99), "x").await;
    assert!(
        matches!(
            missing,
            Err(RequestError::Api(ApiError::MessageToEditNotFound))
        ),
        "{missing:?}"
    );
    let message = bot.send_message(ChatId(1), "same").await.expect("sent");
    let unchanged = bot.edit_message_text(ChatId(1), message.id, "same").await;
    assert!(
        matches!(
            unchanged,
            Err(RequestError::Api(ApiError::MessageNotModified))
        ),
        "{unchanged:?}"
    );
    let empty = bot.send_message(ChatId(1), " ").await;
    assert!(
        matches!(empty, Err(RequestError::Api(ApiError::MessageTextIsEmpty))),
        "{empty:?}"
    );
    let long = bot.send_message(ChatId(1), "ی".repeat(4097)).await;
    assert!(
        matches!(long, Err(RequestError::Api(ApiError::MessageIsTooLong))),
        "{long:?}"
    );
    let too_much_data = bot
        .send_message(ChatId(1), "x")
        .reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback("b", "d".repeat(65)),
        ]]))
        .await;
    assert!(
        matches!(
            too_much_data,
            Err(RequestError::Api(ApiError::ButtonDataInvalid))
        ),
        "{too_much_data:?}"
    );
    bot.delete_message(ChatId(1), message.id)
        .await
        .expect("deleted");
    let gone = bot.delete_message(ChatId(1), message.id).await;
    assert!(
        matches!(
            gone,
            Err(RequestError::Api(ApiError::MessageToDeleteNotFound))
        ),
        "{gone:?}"
    );
    double.shutdown().await;
}

#[tokio::test]
async fn update_ids_above_u32_make_teloxide_fail_the_whole_batch() {
    let double = start(DoubleConfig {
        first_update_id: i64::from(u32::MAX) + 1,
        ..DoubleConfig::default()
    })
    .await;
    let user = double.user(1, "Big");
    double.send_text(&user, "hello");
    let result = bot(&double).get_updates().await;
    assert!(
        matches!(result, Err(RequestError::InvalidJson { .. })),
        "{result:?}"
    );
    assert_eq!(
        double.queued_updates()[0]["update_id"],
        json!(4_294_967_296_i64)
    );
    double.shutdown().await;
}

#[tokio::test]
async fn wait_for_gives_up_at_its_timeout() {
    let double = start(DoubleConfig::default()).await;
    assert!(
        !double
            .wait_for(|v| !v.calls().is_empty(), Duration::from_millis(50))
            .await
    );
    double.shutdown().await;
}

/// Run with
/// `cargo test -p setad-double --release --test double -- --ignored --nocapture throughput`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run it in a release build"]
async fn throughput() {
    const CLIENTS: i64 = 8;
    let double = Arc::new(start(DoubleConfig::default()).await);
    let run_for = Duration::from_secs(3);
    let began = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let bot = bot(&double);
            tokio::spawn(async move {
                let mut sent = 0u64;
                while began.elapsed() < run_for {
                    bot.send_message(ChatId(client + 1), "throughput")
                        .await
                        .expect("sent");
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("worker ran");
    }
    let elapsed = began.elapsed().as_secs_f64();
    assert_eq!(double.stats().delivered, total);
    println!(
        "{total} sendMessage in {elapsed:.2}s with {CLIENTS} teloxide clients: {:.0}/s",
        total as f64 / elapsed
    );
}
