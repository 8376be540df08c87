//! Shared test support: fresh databases of each backend, tests that run on both, the shipped
//! data file, a fixed clock.

#![allow(dead_code)]

pub mod chat;

use setad::domain::Lang;
use setad::domain::member::{Platform, Role};
use setad::domain::unit::UnitKind;
use setad::store::NewMember;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use setad::store::Store;

/// The environment variable that points the PostgreSQL tests at a server.
pub const POSTGRES_ENV: &str = "SETAD_TEST_POSTGRES_URL";

/// A database for one test; the SQLite file lives as long as this value.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, migrated SQLite database in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("setad.db").display());
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestDb {
        store,
        url,
        _dir: Some(dir),
    }
}

/// A fresh, migrated PostgreSQL database: a new database on the server named by
/// `SETAD_TEST_POSTGRES_URL`. Panics when the variable is not set or the server cannot be
/// reached: a PostgreSQL test that runs must never pass without PostgreSQL. (When the
/// variable is not set at build time, `build.rs` leaves `setad_postgres` off and these tests
/// show as ignored instead.)
pub async fn postgres() -> TestDb {
    let admin_url = std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| panic!("{POSTGRES_ENV} is not set: it must name a PostgreSQL server"));
    let name = format!("setad_test_{}", rand_suffix());
    let admin = Store::connect(&admin_url)
        .await
        .expect("connect to the PostgreSQL test server");
    let Store::Postgres(pool) = &admin else {
        panic!("{POSTGRES_ENV} must be a postgres:// URL")
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(pool)
        .await
        .expect("create the test database");
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let store = Store::connect(&url).await.expect("open the test database");
    store.migrate().await.expect("migrate postgres");
    TestDb {
        store,
        url,
        _dir: None,
    }
}

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A fresh, migrated database of this backend.
    pub async fn open(self) -> TestDb {
        match self {
            Backend::Sqlite => sqlite().await,
            Backend::Postgres => postgres().await,
        }
    }
}

/// Declares the tests of cases that run on both backends. For each `NAME`, an
/// `async fn NAME(backend: Backend)` beside it, a module `NAME` with two tests:
/// `NAME::on_sqlite`, and `NAME::on_postgres`, which shows as ignored unless
/// `SETAD_TEST_POSTGRES_URL` was set when the tests were built (`build.rs` turns on
/// `cfg(setad_postgres)`).
#[allow(unused_macros)]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }

            #[tokio::test]
            #[cfg_attr(not(setad_postgres), ignore = "SETAD_TEST_POSTGRES_URL is not set")]
            async fn on_postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )+};
}
#[allow(unused_imports)]
pub(crate) use backend_tests;

fn rand_suffix() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// The data file that ships with the project.
pub fn mazandaran() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/mazandaran-1397.toml")
}

/// The data file's text.
pub fn mazandaran_source() -> String {
    std::fs::read_to_string(mazandaran()).expect("read the data file")
}

/// The second meeting, of 1405/09/10, written over the first file: the first meeting
/// (1397/05/03) recorded as the one that adopted R3, which now ends with Azar 1405; R1
/// retitled; R10, adopted by the second meeting, in force from Bahman 1405. Generated from
/// the shipped file, so that the two stay in step.
pub fn second_meeting() -> String {
    let first = &mazandaran_source();
    let once = |text: &str, from: &str, to: &str| {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        text.replace(from, to)
    };
    let r3 = "responsible = [\"kind:county\"]\nfollow_up = \"dg-political\"\n";
    let s = once(
        first,
        r3,
        &format!("{r3}meeting = \"1397-05\"\nend = \"1405/09/30\"\n"),
    );
    let r1 = "title = \"برگزاری نشست ماهانه کارگروه ویژه صندوق\"";
    let s = once(
        &s,
        r1,
        "title = \"برگزاری نشست ماهانه کارگروه ویژه و گزارش به استاندار\"",
    );
    format!(
        "[[meeting]]\nkey = \"1397-05\"\ndate = \"1397/05/03\"\ntitle = \"ستاد راهبردی استان\"\n\n\
         [[meeting]]\nkey = \"1405-09\"\ndate = \"1405/09/10\"\n\n{s}\n\
         [[obligation]]\nkey = \"R10\"\ntitle = \"گزارش بیمه‌شدگان تازه در جلسه شهرستان\"\n\
         shape = \"meeting\"\nresponsible = [\"kind:county\"]\nfollow_up = \"dg-political\"\n\
         meeting = \"1405-09\"\nstart = \"1405/11/01\"\n"
    )
}

/// Adds a member of unit `unit` (by key) with `role` on Telegram, chat = user = `user_id`;
/// returns its id.
pub async fn add_member(store: &Store, user_id: i64, unit: &str, role: Role, name: &str) -> i64 {
    let unit_id = store.unit_by_key(unit).await.unwrap().unwrap().unit_id;
    let mut tx = store.begin().await.unwrap();
    let new = NewMember {
        platform: Platform::Telegram,
        user_id,
        chat_id: user_id,
        unit_id,
        role,
        display_name: name,
        lang: Lang::Fa,
    };
    let member_id = tx.upsert_member(&new, 0).await.unwrap();
    tx.commit().await.unwrap();
    member_id
}

/// The tick's settings of the tests: Tehran, Friday off, the catalogue.
pub fn tick_config() -> setad::service::tick::TickConfig {
    setad::service::tick::TickConfig {
        tz: chrono_tz::Asia::Tehran,
        weekend: vec![chrono::Weekday::Fri],
        compose: setad::render::composer(),
    }
}

/// A fixed instant.
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("instant")
        .with_timezone(&Utc)
}

/// The 22 counties of Mazandaran, as DOMAIN.md names them.
pub const COUNTIES: [&str; 22] = [
    "آمل",
    "بابل",
    "بابلسر",
    "بهشهر",
    "تنکابن",
    "جویبار",
    "چالوس",
    "رامسر",
    "ساری",
    "سوادکوه",
    "سوادکوه شمالی",
    "سیمرغ",
    "عباس‌آباد",
    "فریدونکنار",
    "قائمشهر",
    "کلاردشت",
    "گلوگاه",
    "محمودآباد",
    "میاندرود",
    "نکا",
    "نور",
    "نوشهر",
];

/// A `setad run` process against a double.
pub struct Process {
    pub child: std::process::Child,
    pub log: PathBuf,
}

/// The environment of a `setad run` on `db_url` talking to the Telegram double at `api_url`,
/// pretending the time started at `now` (RFC 3339).
pub fn run_env(db_url: &str, api_url: &str, now: &str) -> Vec<(String, String)> {
    run_env_for("TELEGRAM", db_url, api_url, now)
}

/// [`run_env`] for `platform` (`TELEGRAM` or `BALE`).
pub fn run_env_for(
    platform: &str,
    db_url: &str,
    api_url: &str,
    now: &str,
) -> Vec<(String, String)> {
    let token = format!("SETAD_{platform}_TOKEN");
    let url = format!("SETAD_{platform}_API_URL");
    [
        ("DATABASE_URL", db_url),
        (token.as_str(), "123456:TEST-TOKEN"),
        (url.as_str(), api_url),
        ("SETAD_NOW", now),
        ("SETAD_TICK_SECONDS", "0.5"),
        ("SETAD_POLL_SECONDS", "1"),
        ("RUST_LOG", "info,setad=debug,sqlx=warn"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Starts `setad run` with `env` (on top of a clean environment); its log goes to a file in
/// `dir`.
pub fn spawn(dir: &std::path::Path, name: &str, env: &[(String, String)]) -> Process {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).expect("log file");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_setad"))
        .arg("run")
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(dir)
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("spawn setad run");
    Process { child, log }
}

impl Process {
    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        let status = self.child.wait().expect("wait for setad");
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(
            status.success(),
            "setad did not stop cleanly ({status}):\n{}",
            tail(&log)
        );
        log
    }

    /// Kills it with SIGKILL.
    pub fn kill(mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }

    /// The last lines of its log.
    pub fn log_tail(&self) -> String {
        tail(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Imports the data file and joins `per_county` governors to every county (user and chat id
/// `100_000 + county × 1000 + n`), a staff member of the political directorate (chat 2000)
/// and a fund manager (chat 3000). Returns the governors' chat ids by county key.
pub async fn populate(
    store: &Store,
    per_county: usize,
) -> std::collections::BTreeMap<String, Vec<i64>> {
    populate_on(store, per_county, Platform::Telegram).await
}

/// [`populate`] with every member on `platform`.
pub async fn populate_on(
    store: &Store,
    per_county: usize,
    platform: Platform,
) -> std::collections::BTreeMap<String, Vec<i64>> {
    setad::service::import::import(store, &mazandaran_source(), 0)
        .await
        .unwrap();
    let units = store.units().await.unwrap();
    let id = |key: &str| units.iter().find(|u| u.key == key).unwrap().unit_id;
    let mut chats = std::collections::BTreeMap::new();
    let mut tx = store.begin().await.unwrap();
    for (c, unit) in units
        .iter()
        .filter(|u| u.kind == UnitKind::County)
        .enumerate()
    {
        let mut list = Vec::new();
        for n in 0..per_county {
            let chat = 100_000 + c as i64 * 1000 + n as i64;
            tx.upsert_member(
                &NewMember {
                    platform,
                    user_id: chat,
                    chat_id: chat,
                    unit_id: unit.unit_id,
                    role: Role::Governor,
                    display_name: &format!("فرماندار {}", unit.name),
                    lang: Lang::Fa,
                },
                0,
            )
            .await
            .unwrap();
            list.push(chat);
        }
        chats.insert(unit.key.clone(), list);
    }
    tx.upsert_member(
        &NewMember {
            platform,
            user_id: 2000,
            chat_id: 2000,
            unit_id: id("dg-political"),
            role: Role::Staff,
            display_name: "کارشناس سیاسی",
            lang: Lang::Fa,
        },
        0,
    )
    .await
    .unwrap();
    tx.upsert_member(
        &NewMember {
            platform,
            user_id: 3000,
            chat_id: 3000,
            unit_id: id("fund"),
            role: Role::Fund,
            display_name: "مدیر صندوق",
            lang: Lang::Fa,
        },
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    chats
}
