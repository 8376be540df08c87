//! The tokenizer of the report reader: a report, folded line by line with `normalize_text`,
//! cut into words, digit runs, compounds of digit runs (dates, times, ranges), clause breaks and
//! other symbols ([`Tok`]). It knows no vocabulary; what the words mean is the reader's job.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use crate::text::{digit_value, normalize_text};

/// A token of folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A run of letters (apostrophes inside kept: `wasn't`).
    Word(String),
    /// A run of ASCII digits, thousands separators removed.
    Num(String),
    /// Digit runs joined by separators: a date (`1404/02/15`), a time (`10:30`), a range
    /// (`10-12`) or a decimal (`1.5`).
    Compound {
        /// The digit runs.
        parts: Vec<String>,
        /// The separators between them (`parts.len() - 1` of them).
        seps: Vec<char>,
    },
    /// The end of a clause: punctuation or a line end.
    Break,
    /// Any other symbol (`:`, `%`, an emoji, …).
    Sym(char),
    /// A run of ASCII digits written with a minus sign (`-5`, `حاضرین: -۳`): never a count,
    /// and a count keyword it belongs to is refused.
    Negative(String),
}

/// Characters that end a clause.
const BREAKS: &[char] = &['.', '!', '?', '؟', '،', ',', ';', '؛', '|', '۔', '…', '\n'];

/// Characters that join the digit runs of a date, time or range.
const COMPOUND_SEPS: &[char] = &['/', '\\', '-', '.', '٫', ':'];

/// Splits a text into tokens, line by line (a line end, `\n`, `\r` or a Unicode line or
/// paragraph separator, is a clause break), after folding each line with [`normalize_text`].
pub(super) fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    for line in text.split(['\n', '\r', '\u{0085}', '\u{2028}', '\u{2029}']) {
        let line = normalize_text(&mark_signs(strip_list_marker(line)));
        tokenize_line(&line, &mut toks);
        toks.push(Tok::Break);
    }
    toks
}

/// Whether `c` belongs to a word: a letter, or one of the common combining marks (an accent
/// typed after a Latin letter).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(
            c,
            '\u{0300}'..='\u{036F}'
                | '\u{1AB0}'..='\u{1AFF}'
                | '\u{1DC0}'..='\u{1DFF}'
                | '\u{20D0}'..='\u{20FF}'
                | '\u{FE20}'..='\u{FE2F}'
        )
}

/// Appends the tokens of one folded line.
fn tokenize_line(line: &str, toks: &mut Vec<Tok>) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            i = read_compound(&chars, i, toks);
        } else if is_word_char(c) {
            let start = i;
            while i < chars.len()
                && (is_word_char(chars[i])
                    || (matches!(chars[i], '\'' | '’')
                        && chars.get(i + 1).is_some_and(|&n| is_word_char(n))))
            {
                i += 1;
            }
            let word: String = chars[start..i]
                .iter()
                .map(|&c| if c == '’' { '\'' } else { c })
                .collect();
            push_word(word, toks);
        } else if c == MINUS && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            // A minus sign: `-5 نفر`.
            let end = (i + 1..chars.len())
                .find(|&j| !chars[j].is_ascii_digit())
                .unwrap_or(chars.len());
            toks.push(Tok::Negative(chars[i + 1..end].iter().collect()));
            i = end;
        } else if BREAKS.contains(&c) {
            toks.push(Tok::Break);
            i += 1;
        } else {
            toks.push(Tok::Sym(c));
            i += 1;
        }
    }
}

/// Reads a number or a compound starting at the digit `chars[start]`; returns the index after it.
fn read_compound(chars: &[char], start: usize, toks: &mut Vec<Tok>) -> usize {
    let digits_end = |from: usize| {
        let mut j = from;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut i = start;
    let mut parts: Vec<String> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let end = digits_end(i);
    let mut current: String = chars[i..end].iter().collect();
    i = end;
    loop {
        let next = chars.get(i).copied();
        let digit_after = chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        match next {
            // Thousands separators: `1,234` and `۱٬۲۳۴`, three digits each, only in a plain number.
            Some(',' | '٬') if seps.is_empty() && digit_after => {
                let end = digits_end(i + 1);
                if end - (i + 1) == 3 && chars.get(end).is_none_or(|c| !c.is_ascii_digit()) {
                    current.extend(&chars[i + 1..end]);
                    i = end;
                } else {
                    break;
                }
            }
            Some(sep) if COMPOUND_SEPS.contains(&sep) && digit_after => {
                parts.push(std::mem::take(&mut current));
                seps.push(sep);
                let end = digits_end(i + 1);
                current = chars[i + 1..end].iter().collect();
                i = end;
            }
            _ => break,
        }
    }
    parts.push(current);
    if parts.len() == 1 {
        toks.push(Tok::Num(parts.pop().unwrap_or_default()));
    } else {
        toks.push(Tok::Compound { parts, seps });
    }
    i
}

/// Words typed glued to the preposition before them (`باحضور`, `درتاریخ`, `ازاعضا`): split.
const GLUED: &[&str] = &["حضور", "تاریخ", "اعضا", "اعضای", "مدعوین", "روز"];

/// Appends a word, split from a preposition typed glued to it.
fn push_word(word: String, toks: &mut Vec<Tok>) {
    for prefix in ["با", "در", "از"] {
        if let Some(rest) = word.strip_prefix(prefix)
            && GLUED.contains(&rest)
        {
            toks.push(Tok::Word(prefix.to_owned()));
            toks.push(Tok::Word(rest.to_owned()));
            return;
        }
    }
    toks.push(Tok::Word(word));
}

/// Stands for a minus sign through `normalize_text` (which folds dashes into spaces): a
/// private-use character no one types.
const MINUS: char = '\u{E000}';

/// Marks the minus signs of a raw line: a dash right before a digit, after a space or a colon,
/// not at the start of the line (there it is a bullet).
fn mark_signs(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        let sign = matches!(c, '-' | '\u{2212}' | '\u{2013}')
            && chars.get(i + 1).is_some_and(|&n| digit_value(n).is_some())
            && i > 0
            && (chars[i - 1].is_whitespace() || matches!(chars[i - 1], ':' | '('))
            && chars[..i].iter().any(|c| !c.is_whitespace());
        out.push(if sign { MINUS } else { c });
    }
    out
}

/// A raw line without the marker of the list item it starts with (`۲- تعداد حاضرین`,
/// `3) بیمه`, `• 4.`): its number is not a count.
fn strip_list_marker(line: &str) -> &str {
    let body = line.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '•' | '*' | '▪' | '◾' | '●' | '-' | '–')
    });
    let digits = body
        .char_indices()
        .take_while(|&(_, c)| digit_value(c).is_some())
        .count();
    if !(1..=2).contains(&digits) {
        return line;
    }
    let (at, _) = body.char_indices().nth(digits).unwrap_or((body.len(), ' '));
    let mut rest = body[at..].chars();
    match (rest.next(), rest.next()) {
        (Some('-' | ')' | '–' | '_' | '.'), Some(n)) if n.is_whitespace() || !n.is_numeric() => {
            let marker = body[at..].chars().next().map_or(0, char::len_utf8);
            &body[at + marker..]
        }
        _ => line,
    }
}
