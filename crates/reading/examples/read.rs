//! Reads one report from standard input and prints what the reader takes from it:
//! `echo 'جلسه ۱۲ آذر با ۱۵ نفر برگزار شد' | cargo run -p setad-reading --example read -- 1405-09 1405/09/20`
//! (the period, then the day the report was sent).

use std::io::Read;

use setad_reading::calendar::{JalaliDate, Period};
use setad_reading::report::read_report;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: read PERIOD SENT < report.txt  (e.g. 1405-09 1405/09/20)";
    let period = Period::parse(&args.next().ok_or(usage)?).map_err(|e| e.to_string())?;
    let sent = JalaliDate::parse(&args.next().ok_or(usage)?).map_err(|e| e.to_string())?;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    println!("{:#?}", read_report(&text, period, sent));
    Ok(())
}
