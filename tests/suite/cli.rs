//! The operator CLI, run as the real binary against a temporary SQLite database.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use calamine::{Reader, Xlsx, open_workbook};
use chrono::Weekday;
use setad::domain::calendar::{JalaliDate, Period};
use setad::domain::text::to_ascii_digits;

struct Setad {
    dir: tempfile::TempDir,
}

impl Setad {
    fn new() -> Setad {
        Setad {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("setad.db").display())
    }

    fn command(&self, lang: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_setad"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("DATABASE_URL", self.url())
            .env("SETAD_LOCALE", lang)
            .env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, lang: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(lang, args, env).output().expect("run setad")
    }

    fn ok(&self, lang: &str, args: &[&str]) -> String {
        let out = self.run(lang, args, &[]);
        assert!(
            out.status.success(),
            "setad {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn imported() -> Setad {
        let s = Setad::new();
        s.ok("en", &["import", common::mazandaran().to_str().unwrap()]);
        s
    }
}

/// The holidays of the data file, read independently of the importer.
fn holidays() -> BTreeMap<JalaliDate, String> {
    let file: toml::Table = toml::from_str(&common::mazandaran_source()).unwrap();
    file["holiday"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["date"].as_str().unwrap().parse().unwrap(),
                h["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

struct Line {
    date: JalaliDate,
    kind: String,
    unit: String,
    due: Option<JalaliDate>,
    moved_from: Option<JalaliDate>,
}

/// Parses the English schedule: `1404/01/05 Tuesday (2025-03-25) 09:00 · reminder · R3 · آمل · due … · moved from …`.
fn parse(out: &str) -> Vec<Line> {
    out.lines()
        .map(|l| {
            let parts: Vec<&str> = l.split(" · ").collect();
            let date: JalaliDate = parts[0].split(' ').next().unwrap().parse().unwrap();
            let gregorian = parts[0].split(['(', ')']).nth(1).unwrap();
            assert_eq!(date.to_gregorian().to_string(), gregorian, "{l}");
            let field = |prefix: &str| {
                parts
                    .iter()
                    .find_map(|p| p.strip_prefix(prefix))
                    .map(|p| p.split(' ').next().unwrap().parse().unwrap())
            };
            Line {
                date,
                kind: parts[1].to_owned(),
                unit: parts[3].to_owned(),
                due: field("due "),
                moved_from: field("moved from "),
            }
        })
        .collect()
}

#[test]
fn schedule_lists_every_county_reminder_and_due_date_for_13_months() {
    let setad = Setad::imported();
    let holidays = holidays();
    let day_off = |d: JalaliDate| d.weekday() == Weekday::Fri || holidays.contains_key(&d);
    // 13 months from Shahrivar 1403, through the leap Esfand of 1403 and Nowruz 1404.
    let out = setad.ok(
        "en",
        &[
            "schedule",
            "--from",
            "1403/06/01",
            "--months",
            "13",
            "--obligation",
            "R3",
        ],
    );
    let lines = parse(&out);
    let first = Period::new(1403, 6).unwrap();
    let periods: Vec<Period> = (0..13).map(|i| first.offset(i)).collect();
    for county in common::COUNTIES {
        let reminders: Vec<&Line> = lines
            .iter()
            .filter(|l| l.unit == county && l.kind == "reminder")
            .collect();
        let dues: Vec<&Line> = lines
            .iter()
            .filter(|l| l.unit == county && l.kind == "due")
            .collect();
        assert_eq!(reminders.len(), 13, "{county}");
        assert_eq!(dues.len(), 13, "{county}");
        for (period, (r, d)) in periods.iter().zip(reminders.iter().zip(&dues)) {
            // The rule: the 1st at 09:00, due on the 25th, each moved to the next working day.
            let rule_remind = period.first_day();
            let rule_due = JalaliDate::new(period.year(), period.month(), 25).unwrap();
            let next_working = |mut d: JalaliDate| {
                while day_off(d) {
                    d = d.add_days(1);
                }
                d
            };
            assert_eq!(r.date, next_working(rule_remind), "{county} {period}");
            assert_eq!(d.date, next_working(rule_due), "{county} {period}");
            assert_eq!(r.due, Some(d.date), "{county} {period}");
            assert_eq!(r.moved_from, (r.date != rule_remind).then_some(rule_remind));
            assert!(!day_off(r.date) && !day_off(d.date));
        }
    }
    // Nowruz 1404 starts on a Friday: the reminder waits until the holidays are over.
    let nowruz = lines
        .iter()
        .find(|l| {
            l.unit == "آمل"
                && l.kind == "reminder"
                && l.date.period() == Period::new(1404, 1).unwrap()
        })
        .unwrap();
    assert_eq!(
        nowruz.moved_from.map(|d| d.to_string()),
        Some("1404/01/01".into())
    );
    assert_eq!(nowruz.date.to_string(), "1404/01/05");
    // One escalation a month, to the follow-up office.
    assert_eq!(lines.iter().filter(|l| l.kind == "escalation").count(), 13);
}

/// `setad schedule … | head -1`: when the reader of its output goes away, the command stops
/// quietly and successfully instead of reporting a broken pipe.
#[test]
fn a_schedule_whose_reader_goes_away_stops_quietly() {
    let setad = Setad::imported();
    // Ten years of every obligation: far more than a pipe holds, so setad is still writing
    // when the reader leaves.
    let mut child = setad
        .command(
            "en",
            &["schedule", "--from", "1403/06/01", "--months", "120"],
            &[],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn setad schedule");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read the first line");
    assert!(first.contains("reminder"), "{first}");
    assert!(
        child.try_wait().expect("poll setad").is_none(),
        "setad finished before its reader went away: nothing was tested"
    );
    drop(stdout);
    let out = child.wait_with_output().expect("wait for setad");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {stderr}", out.status);
    assert!(
        !stderr.to_lowercase().contains("broken pipe"),
        "stderr: {stderr}"
    );
}

#[test]
fn due_dates_follow_the_length_of_esfand() {
    let setad = Setad::imported();
    // R5 is due three days before the month's end: 1403/12 has 30 days, 1404/12 has 29.
    let dues = |from: &str| -> BTreeSet<String> {
        parse(&setad.ok(
            "en",
            &[
                "schedule",
                "--from",
                from,
                "--months",
                "1",
                "--obligation",
                "R5",
            ],
        ))
        .into_iter()
        .filter(|l| l.kind == "due")
        .map(|l| l.moved_from.unwrap_or(l.date).to_string())
        .collect()
    };
    assert_eq!(
        dues("1403/12/01"),
        BTreeSet::from(["1403/12/27".to_owned()])
    );
    assert_eq!(
        dues("1404/12/01"),
        BTreeSet::from(["1404/12/26".to_owned()])
    );
    assert!(
        setad
            .run("en", &["schedule", "--from", "1403/12/30"], &[])
            .status
            .success()
    );
    let refused = setad.run("en", &["schedule", "--from", "1404/12/30"], &[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("1404/12/30"));
}

#[test]
fn the_persian_schedule_has_persian_digits_and_both_calendars() {
    let setad = Setad::imported();
    let out = setad.ok(
        "fa",
        &[
            "schedule",
            "--from",
            "۱۴۰۵/۰۹/۰۱",
            "--months",
            "1",
            "--obligation",
            "R3",
            "--unit",
            "amol",
        ],
    );
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("۱۴۰۵/۰۹/۰۱ یکشنبه (2026-11-22) ساعت ۰۹:۰۰ · یادآوری · R3 · آمل"),
        "{first}"
    );
    assert_eq!(
        to_ascii_digits(first).matches("1405/09/25").count(),
        1,
        "{first}"
    );
}

#[test]
fn a_bad_file_is_refused_with_its_line_and_changes_nothing() {
    let setad = Setad::new();
    let bad = common::mazandaran_source().replacen("kind = \"county\"", "kind = \"countyy\"", 1);
    let line = bad.lines().position(|l| l.contains("countyy")).unwrap() + 1;
    let path = setad.dir.path().join("bad.toml");
    std::fs::write(&path, bad).unwrap();
    let out = setad.run("en", &["import", path.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let entry_line = (1..=line)
        .rev()
        .find(|l| stderr.contains(&format!("bad.toml:{l}:")))
        .expect(&stderr);
    assert!(line - entry_line < 5, "{stderr}");
    assert!(stderr.contains("countyy"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    // The database has no units: a schedule is empty.
    assert_eq!(
        setad.ok("en", &["schedule", "--months", "2"]).trim(),
        "Nothing is scheduled in this range."
    );
}

#[test]
fn invites_find_units_by_name_and_suggest_the_closest() {
    let setad = Setad::imported();
    let env = [("SETAD_BALE_TOKEN", "1:x"), ("SETAD_BALE_BOT", "setad_bot")];
    let out = setad.run(
        "fa",
        &["invite", "--unit", "بابلسار", "--role", "governor"],
        &env,
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("بابلسر"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = setad.run(
        "en",
        &[
            "invite",
            "--unit",
            "بابلسر",
            "--role",
            "governor",
            "--uses",
            "3",
            "--expires",
            "7d",
        ],
        &env,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let link = stdout
        .lines()
        .find(|l| l.starts_with("https://ble.ir/setad_bot?start="))
        .expect(&stdout);
    let code = link.rsplit('=').next().unwrap();
    assert_eq!(code.len(), 10);
    assert!(stdout.contains(code) && stdout.contains("بابلسر"));
    let bad_role = setad.run("en", &["invite", "--unit", "amol", "--role", "king"], &[]);
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));
}

#[test]
fn summary_writes_a_workbook_with_a_row_per_county() {
    let setad = Setad::imported();
    let out = setad.run(
        "fa",
        &[
            "summary",
            "--period",
            "1405-09",
            "--format",
            "xlsx",
            "--out",
            "summary.xlsx",
        ],
        &[("SETAD_NOW", "2026-12-20T08:00:00Z")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut workbook: Xlsx<_> = open_workbook(setad.dir.path().join("summary.xlsx")).unwrap();
    let sheet = workbook.worksheet_range("R3").unwrap();
    let counties: HashSet<String> = sheet.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert_eq!(counties.len(), 22);
    assert!(
        sheet.rows().skip(1).all(|r| r[3] == "بی‌گزارش"),
        "every county is missing after the due date"
    );
    let text = setad.ok(
        "en",
        &[
            "summary",
            "--period",
            "1405-09",
            "--now",
            "2026-12-20T08:00:00Z",
        ],
    );
    assert!(text.contains("Reported: 0 of 22"), "{text}");
    let csv = setad.ok(
        "en",
        &[
            "summary",
            "--period",
            "1405/9",
            "--format",
            "csv",
            "--now",
            "2026-12-01T08:00:00Z",
        ],
    );
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains(",R3,") && l.contains(",pending"))
            .count(),
        22,
        "{csv}"
    );
    let bad = setad.run("en", &["summary", "--period", "1405-13"], &[]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("1405-13"));
}

/// The rows of every table of the database at `url`.
fn every_count(url: &str) -> Vec<i64> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = setad::store::Store::connect(url).await.unwrap();
        let mut counts = Vec::new();
        for table in setad::store::Store::TABLES {
            counts.push(store.count(table).await.unwrap());
        }
        store.close().await;
        counts
    })
}

#[test]
fn a_summary_outside_the_data_is_refused_and_no_summary_writes() {
    let setad = Setad::imported();
    let before = every_count(&setad.url());
    let now = "2026-12-01T08:00:00Z"; // 1405/09/10
    // Before the data's first obligation (R9's start, 1397/05/03), and after next month.
    for (lang, period, expected) in [
        (
            "en",
            "1300-01",
            "There is no summary of Farvardin 1300: it is before the data's first obligation (Mordad 1397). Summaries cover Mordad 1397 to Dey 1405.",
        ),
        (
            "en",
            "1397-04",
            "it is before the data's first obligation (Mordad 1397)",
        ),
        (
            "en",
            "1405-11",
            "There is no summary of Bahman 1405 yet: summaries cover Mordad 1397 to Dey 1405 (up to next month).",
        ),
        (
            "fa",
            "۱۳۰۰-۰۱",
            "برای فروردین ۱۳۰۰ خلاصه‌ای نیست: پیش از نخستین تکلیف داده‌ها (مرداد ۱۳۹۷) است.",
        ),
        (
            "fa",
            "1600-12",
            "برای اسفند ۱۶۰۰ هنوز خلاصه‌ای نیست: خلاصه‌ها از مرداد ۱۳۹۷ تا دی ۱۴۰۵",
        ),
    ] {
        for format in ["text", "csv", "xlsx"] {
            let out = setad.run(
                lang,
                &[
                    "summary", "--period", period, "--format", format, "--out", "s.out", "--now",
                    now,
                ],
                &[],
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{period} {format}: {stderr}");
            assert!(stderr.contains(expected), "{period} {format}: {stderr}");
            assert!(!setad.dir.path().join("s.out").exists());
        }
    }
    // The months in the span are summarised in every format, and nothing is written: not even
    // the occurrences of the months the tick has not created.
    for period in [
        "1397-05", "1397-06", "1400-01", "1405-08", "1405-09", "1405-10",
    ] {
        for format in ["text", "csv", "xlsx"] {
            let file = format!("{period}.{format}");
            let args = [
                "summary", "--period", period, "--format", format, "--out", &file, "--now", now,
            ];
            setad.ok("en", &args);
        }
    }
    let dey = std::fs::read_to_string(setad.dir.path().join("1405-10.csv")).unwrap();
    assert_eq!(
        dey.lines()
            .filter(|l| l.contains(",R3,") && l.contains(",pending"))
            .count(),
        22,
        "{dey}"
    );
    assert_eq!(every_count(&setad.url()), before, "a summary wrote");
}

#[test]
fn a_database_error_says_its_cause_once() {
    let setad = Setad::new();
    let out = setad.run(
        "en",
        &["summary"],
        &[("DATABASE_URL", "sqlite:///nonexistent-setad-dir/setad.db")],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert_eq!(
        stderr.matches("unable to open database file").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn backup_copies_the_database() {
    let setad = Setad::imported();
    setad.ok("en", &["backup", "copy.db"]);
    let copy = setad.dir.path().join("copy.db");
    assert!(Path::new(&copy).exists());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let units = rt.block_on(async {
        let store = setad::store::Store::connect(&format!("sqlite://{}", copy.display()))
            .await
            .unwrap();
        store.count("unit").await.unwrap()
    });
    assert!(units > 100);
    let again = setad.run("en", &["backup", "copy.db"], &[]);
    assert!(
        !again.status.success(),
        "an existing file must not be overwritten"
    );
}

#[test]
fn the_demo_prints_a_month_and_exits_0() {
    for (lang, flag, expect) in [
        (
            "fa",
            None,
            [
                "یادآوری ستاد راهبردی (R3)",
                "با تأخیر",
                "گزارش‌های نرسیده",
                "پایان نمایش",
            ],
        ),
        (
            "en",
            Some("--bale"),
            [
                "Strategic headquarters reminder (R3)",
                "(late)",
                "Missing reports",
                "End of the demo",
            ],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_setad"));
        cmd.arg("demo")
            .args(flag)
            .current_dir(dir.path())
            .env_clear()
            .env("SETAD_LOCALE", lang);
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}\n{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        for e in expect {
            assert!(
                stdout.contains(e),
                "{lang}: `{e}` missing from the transcript:\n{stdout}"
            );
        }
        // Nothing was left behind in the working directory (no token, no database file).
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

#[test]
fn dates_are_read_in_either_calendar_and_say_which() {
    let setad = Setad::imported();
    let schedule = |from: &str| {
        let out = setad.run(
            "en",
            &["schedule", "--from", from, "--obligation", "R3"],
            &[],
        );
        assert!(
            out.status.success(),
            "{from}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (jalali, said) = schedule("1403/11/13");
    assert!(
        said.contains("reading 1403/11/13 as Jalali: 2025-02-01"),
        "{said}"
    );
    let (gregorian, said) = schedule("2025-02-01");
    assert!(
        said.contains("reading 2025-02-01 as Gregorian: 1403/11/13"),
        "{said}"
    );
    assert_eq!(gregorian, jalali, "the same day either way");
    let lines = parse(&gregorian);
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| l.date >= "1403/11/13".parse().unwrap())
    );
    let (persian, said) = schedule("۱۴۰۳-۱۱-۱۳");
    assert_eq!(persian, jalali);
    assert!(said.contains("as Jalali"), "{said}");
    // In Persian, the note gives the Jalali day in Persian digits.
    let out = setad.run("fa", &["schedule", "--from", "2025-02-01"], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("۱۴۰۳/۱۱/۱۳"));
    let bad = setad.run("en", &["schedule", "--from", "2025-02-30"], &[]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2025-02-30"));
}

#[test]
fn a_gregorian_month_is_refused_with_the_jalali_months_it_overlaps() {
    let setad = Setad::imported();
    let out = setad.run("en", &["summary", "--period", "2025-05"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Gregorian") && stderr.contains("1404-02 and 1404-03"),
        "{stderr}"
    );
    let out = setad.run("fa", &["summary", "--period", "۲۰۲۵-۰۵"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("۱۴۰۴-۰۲ و ۱۴۰۴-۰۳"), "{stderr}");
    // The Jalali month itself is read as before.
    setad.ok("en", &["summary", "--period", "1404-02"]);
}

#[test]
fn commands_find_units_as_operators_name_them() {
    let setad = Setad::imported();
    let env = [("SETAD_BALE_TOKEN", "1:x"), ("SETAD_BALE_BOT", "setad_bot")];
    for name in [
        "دفتر سیاسی، انتخابات و تقسیمات کشوری",
        "اداره کل سیاسی، انتخابات و تقسیمات کشوری",
    ] {
        let out = setad.run("en", &["invite", "--unit", name, "--role", "staff"], &env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("اداره کل سیاسی، انتخابات و تقسیمات کشوری استانداری مازندران"),
            "{stdout}"
        );
    }
    // Several central districts: each is listed with its key, nothing is created.
    let out = setad.run(
        "en",
        &["invite", "--unit", "بخش مرکزی", "--role", "agency"],
        &env,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for key in ["amol-central", "sari-central", "nur-central"] {
        assert!(stderr.contains(key), "{stderr}");
    }
    // The schedule of one county, named with its office.
    let lines = parse(&setad.ok(
        "en",
        &[
            "schedule",
            "--from",
            "1404/02/01",
            "--unit",
            "فرمانداری آمل",
        ],
    ));
    assert!(!lines.is_empty());
    // Amol's reminders, nudges and due dates; the escalation goes to the follower-up office.
    assert!(lines.iter().any(|l| l.kind == "reminder"));
    assert!(
        lines
            .iter()
            .all(|l| l.unit == "آمل" || l.kind == "escalation"),
        "only Amol's lines"
    );
    let out = setad.run("en", &["schedule", "--unit", "زززز"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Closest"));
}

#[test]
fn an_invite_may_expire_on_a_day_in_either_calendar() {
    let setad = Setad::imported();
    let invite = |expires: &str| {
        let args = [
            "invite",
            "--unit",
            "amol",
            "--role",
            "governor",
            "--expires",
            expires,
        ];
        let out = setad.run("en", &args, &[("SETAD_NOW", "2025-05-10T08:00:00Z")]);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    for last in ["1404/02/31", "2025-05-21"] {
        let (ok, stdout, stderr) = invite(last);
        assert!(ok, "{last}: {stderr}");
        // Valid through the last day: until midnight Tehran time at its end.
        assert!(
            stdout.contains("Valid until 1404/03/01 00:00"),
            "{last}: {stdout}"
        );
    }
    let (ok, _, stderr) = invite("2025-05-01");
    assert!(!ok && stderr.contains("already passed"), "{stderr}");
    let (ok, _, stderr) = invite("soon");
    assert!(!ok && stderr.contains("is not a duration"), "{stderr}");
}

#[test]
fn import_dry_run_shows_the_plan_and_the_import_applies_it() {
    let setad = Setad::imported();
    let path = setad.dir.path().join("meeting2.toml");
    std::fs::write(&path, common::second_meeting()).unwrap();
    let file = path.to_str().unwrap();
    let plan_lines = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with(['+', '~', '−']))
            .map(str::to_owned)
            .collect()
    };
    let dry = setad.ok("en", &["import", "--dry-run", file]);
    assert!(dry.starts_with("Dry run: nothing was changed."), "{dry}");
    let plan = plan_lines(&dry);
    assert_eq!(plan.len(), 3, "{dry}");
    assert!(plan[0].starts_with("~ change R1 ("), "{dry}");
    assert!(
        plan[1].starts_with("− retire R3 (")
            && plan[1].ends_with("in force from Mordad 1397 until Azar 1405, then retired"),
        "{dry}"
    );
    assert!(
        plan[2].starts_with("+ add R10 (") && plan[2].ends_with("in force from Bahman 1405"),
        "{dry}"
    );
    // Nothing was changed: the same dry run shows the same plan, and the import applies it.
    assert_eq!(setad.ok("en", &["import", "--dry-run", file]), dry);
    let applied = setad.ok("en", &["import", file]);
    assert_eq!(plan_lines(&applied), plan, "{applied}");
    assert!(applied.contains("Meetings: 2 added"), "{applied}");
    let again = setad.ok("en", &["import", file]);
    assert!(
        again.contains("No obligation is added, changed or retired."),
        "{again}"
    );
    assert!(again.contains("Nothing changed"), "{again}");
    // The summary of Azar groups by meeting (the shipped file's obligations under none).
    let summary = setad.ok("en", &["summary", "--period", "1405-09"]);
    assert!(
        summary.contains("Resolutions of the meeting 1397-05 on 3 Mordad 1397"),
        "{summary}"
    );
}
