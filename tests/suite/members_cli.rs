//! `setad members …` and `setad invite`'s deep links, through the real binary on a temporary
//! database: listing, revoking, moving and leaves, each audited; bad input answered clearly in
//! both languages with nothing changed; the bot's name asked from the messenger (`getMe`, here
//! the Bot API double) when `SETAD_TELEGRAM_BOT` is not set.

use crate::common;

use std::process::Output;

use setad::domain::member::Role;
use setad::store::Store;
use setad_double::{Double, DoubleConfig, Flavour};

struct Cli {
    _dir: tempfile::TempDir,
    url: String,
    store: Store,
}

impl Cli {
    async fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("setad.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        setad::service::import::import(&store, &common::mazandaran_source(), 0)
            .await
            .unwrap();
        Cli {
            _dir: dir,
            url,
            store,
        }
    }

    fn run(&self, lang: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_setad"));
        cmd.args(args)
            .env_clear()
            .env("DATABASE_URL", &self.url)
            .env("SETAD_LOCALE", lang)
            .env("SETAD_NOW", "2026-11-23T08:00:00Z")
            .env("RUST_LOG", "error");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Runs a command that must succeed; its standard output.
    fn ok(&self, lang: &str, args: &[&str]) -> String {
        let out = self.run(lang, args, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "setad {args:?}: {err}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail; its standard error.
    fn refused(&self, lang: &str, args: &[&str]) -> String {
        let out = self.run(lang, args, &[]);
        assert!(!out.status.success(), "setad {args:?} succeeded");
        String::from_utf8(out.stderr).unwrap()
    }

    async fn member(&self, id: i64, unit: &str, role: Role, name: &str) -> i64 {
        common::add_member(&self.store, id, unit, role, name).await
    }

    async fn audits(&self) -> i64 {
        self.store.count("audit").await.unwrap()
    }
}

#[tokio::test]
async fn members_are_listed_revoked_moved_and_sent_on_leave_from_the_cli() {
    let cli = Cli::new().await;
    let ali = cli.member(1, "amol", Role::Governor, "Ali").await;
    let reza = cli.member(2, "amol", Role::Governor, "Reza").await;
    let sara = cli.member(3, "babol", Role::Governor, "Sara").await;

    let all = cli.ok("en", &["members"]);
    assert_eq!(all.lines().count(), 3, "{all}");
    let amol = cli.ok("en", &["members", "--unit", "amol"]);
    assert!(
        amol.contains("Ali") && amol.contains("Reza") && !amol.contains("Sara"),
        "{amol}"
    );
    assert!(amol.contains(&format!("#{ali} Ali · governor")), "{amol}");

    // Bad input: a clear answer, in the operator's language, and nothing changed.
    let before = cli.audits().await;
    let (ali_s, reza_s, sara_s) = (ali.to_string(), reza.to_string(), sara.to_string());
    let leave = |deputy: &str, from: &str, until: &str| -> Vec<String> {
        let args = [
            "members", "leave", &ali_s, "--deputy", deputy, "--from", from, "--until", until,
        ];
        args.iter().map(|a| a.to_string()).collect()
    };
    let words = |args: &[&str]| -> Vec<String> { args.iter().map(|a| a.to_string()).collect() };
    let cases = [
        ("en", words(&["members", "revoke", "999"]), "no such member"),
        ("fa", words(&["members", "revoke", "999"]), "چنین عضو"),
        (
            "en",
            words(&["members", "move", &ali_s, "--role", "king"]),
            "unknown role",
        ),
        (
            "en",
            words(&["members", "move", &ali_s, "--unit", "nowhere-at-all"]),
            "No unit is named",
        ),
        (
            "en",
            leave(&sara_s, "1405/09/20", "1405/09/25"),
            "same unit",
        ),
        (
            "en",
            leave(&reza_s, "someday", "1405/09/25"),
            "is not a date",
        ),
        (
            "en",
            leave(&reza_s, "1405/09/25", "1405/09/20"),
            "must end on or after",
        ),
    ];
    for (lang, args, want) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = cli.refused(lang, &args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert_eq!(cli.audits().await, before);
    assert_eq!(cli.ok("en", &["members"]), all);

    // A leave, with an ISO last day: the reading is said.
    let args = leave(&reza_s, "1405/09/20", "2026-12-26");
    let said = cli.ok("en", &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        said.contains("Read 2026-12-26 as a Gregorian date: 1405/10/05"),
        "{said}"
    );
    assert!(
        said.contains("from 1405/09/20 to 1405/10/05 Reza"),
        "{said}"
    );
    let amol = cli.ok("en", &["members", "--unit", "amol"]);
    assert!(
        amol.contains("on leave 1405/09/20 to 1405/10/05, deputy Reza"),
        "{amol}"
    );

    // A move, then a revocation: each audited; the revoked member is no longer listed.
    let moved = cli.ok("en", &["members", "move", &sara_s, "--unit", "sari"]);
    assert!(moved.contains("Sara now belongs to ساری"), "{moved}");
    let revoked = cli.ok("en", &["members", "revoke", &sara_s]);
    assert!(revoked.contains("is revoked"), "{revoked}");
    assert!(!cli.ok("en", &["members"]).contains("Sara"));
    let trail: Vec<String> = cli
        .store
        .audit_of("member", &sara_s)
        .await
        .unwrap()
        .into_iter()
        .map(|(actor, action, _)| format!("{actor} {action}"))
        .collect();
    assert_eq!(trail, ["cli move", "cli revoke"]);
    assert_eq!(cli.audits().await, before + 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_link_names_the_bot_the_messenger_reports() {
    let cli = Cli::new().await;
    let double = Double::start(DoubleConfig::flavoured(Flavour::Telegram))
        .await
        .unwrap();
    let url = double.url();
    let env = [
        ("SETAD_TELEGRAM_TOKEN", "123456:TEST-TOKEN"),
        ("SETAD_TELEGRAM_API_URL", url.as_str()),
    ];
    let args = ["invite", "--unit", "amol", "--role", "governor"];
    // The runtime's other worker serves the double meanwhile.
    let out = cli.run("en", &args, &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("https://t.me/setad_test_bot?start="),
        "{stdout}"
    );
    assert!(
        !stdout.contains("/start "),
        "no hint when the name is known: {stdout}"
    );
    // Without a messenger to ask, the placeholder and the hint.
    let out = cli.run(
        "en",
        &args,
        &[
            ("SETAD_TELEGRAM_TOKEN", "1:x"),
            ("SETAD_TELEGRAM_API_URL", "http://127.0.0.1:9"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("https://t.me/BOT?start=") && stdout.contains("/start "),
        "{stdout}"
    );
}
