//! Shared test support: fresh databases of each backend, the shipped data file, a fixed clock.

#![allow(dead_code)]

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

/// A fresh, migrated PostgreSQL database (a new database on the server named by
/// `SETAD_TEST_POSTGRES_URL`), or `None` with a clear note when the variable is not set.
pub async fn postgres(test: &str) -> Option<TestDb> {
    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
        eprintln!("SKIPPED PostgreSQL part of `{test}`: {POSTGRES_ENV} is not set");
        return None;
    };
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
    Some(TestDb {
        store,
        url,
        _dir: None,
    })
}

/// Every backend available to this run: SQLite always, PostgreSQL when configured.
pub async fn all_backends(test: &str) -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    dbs.extend(postgres(test).await);
    dbs
}

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
