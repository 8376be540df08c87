//! Persian text: digit systems, the normalised matching key, fuzzy lookup of names, and the
//! cleaning of what users type.
//!
//! Users type Persian on phones: Persian (۰–۹), Arabic-Indic (٠–٩) or ASCII digits, Arabic ي/ك
//! as often as Persian ی/ک, with or without the zero-width non-joiner, sometimes with invisible
//! direction marks pasted in. [`normalize_key`] folds all of that into one key so a county or
//! unit name is found however it was typed; [`normalize_text`] does the same folding but keeps
//! word boundaries, for reading free text; [`closest`] suggests names for a typo;
//! [`sanitize_input`] cleans text before it is stored. [`digit_value`] reads a digit of any
//! script; [`to_ascii_digits`] keeps its narrower contract (Persian and Arabic-Indic only), on
//! which `calendar` relies. Pure functions only: nothing here knows about units, the database
//! or the messenger, and nothing here may import `sqlx`, `teloxide` or `tokio`.

/// Which digits a number or date is written with for a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digits {
    /// `0123456789`
    Ascii,
    /// `۰۱۲۳۴۵۶۷۸۹` (Extended Arabic-Indic, used in Persian)
    Persian,
}

/// The code points of the digit zero of every Unicode decimal digit system (general category
/// `Nd`, Unicode 16): each is followed by the digits one to nine, consecutively.
const DIGIT_ZEROS: &[u32] = &[
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50,
    0x11D50, 0x11DA0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0,
];

/// The value (0–9) of a decimal digit of any script: ASCII, Persian (۰–۹), Arabic-Indic (٠–٩),
/// Devanagari, fullwidth (０–９) and every other Unicode decimal digit. `None` for anything
/// else, including superscripts, circled digits and number words.
pub fn digit_value(c: char) -> Option<u8> {
    let cp = u32::from(c);
    if c.is_ascii() {
        return c.is_ascii_digit().then(|| (cp - 0x30) as u8);
    }
    // The table is sorted; find the last zero at or below `cp`.
    let i = DIGIT_ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    let offset = cp - DIGIT_ZEROS[i];
    (offset < 10).then_some(offset as u8)
}

/// Maps a Persian (۰–۹) or Arabic-Indic (٠–٩) digit to its ASCII value; other characters are
/// returned unchanged (digits of other scripts too: see [`digit_value`] for those).
pub fn ascii_digit(c: char) -> char {
    match c {
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        _ => c,
    }
}

/// Rewrites every Persian or Arabic-Indic digit in `s` as an ASCII digit.
pub fn to_ascii_digits(s: &str) -> String {
    s.chars().map(ascii_digit).collect()
}

/// Rewrites every ASCII digit in `s` in the given digit system.
pub fn localize_digits(s: &str, digits: Digits) -> String {
    match digits {
        Digits::Ascii => s.to_owned(),
        Digits::Persian => s
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32('۰' as u32 + (c as u32 - '0' as u32)).unwrap_or(c),
                _ => c,
            })
            .collect(),
    }
}

/// What the folding does with one character.
enum Fold {
    /// Keep this (possibly replaced) character.
    Char(char),
    /// A word boundary: whitespace, a hyphen, an underscore or a zero-width non-joiner.
    Space,
    /// An invisible mark or a diacritic: drop it.
    Drop,
}

/// Folds one character: Arabic letter forms to Persian, digits to ASCII, invisible marks and
/// diacritics away, separators to a word boundary. Letters are not lowercased here.
fn fold_char(c: char) -> Fold {
    if let Some(v) = digit_value(c) {
        return Fold::Char(char::from(b'0' + v));
    }
    match c {
        // Arabic yeh, alef maksura and yeh with hamza above → Persian yeh.
        '\u{064A}' | '\u{0649}' | '\u{0626}' | '\u{06CD}' | '\u{06D2}' => Fold::Char('\u{06CC}'),
        // Arabic kaf and swash kaf → Persian keheh.
        '\u{0643}' | '\u{06AA}' => Fold::Char('\u{06A9}'),
        // Teh marbuta, heh with yeh above, heh goal, ae → heh.
        '\u{0629}' | '\u{06C0}' | '\u{06C1}' | '\u{06C2}' | '\u{06D5}' => Fold::Char('\u{0647}'),
        // Alef with madda, hamza above or below, wasla → alef. (Decomposed, these are alef
        // plus a mark in U+064B–U+065F, which is dropped: both spellings give the same key.)
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' => Fold::Char('\u{0627}'),
        // Waw with hamza above → waw.
        '\u{0624}' => Fold::Char('\u{0648}'),
        // Zero-width non-joiner: a word boundary that is not drawn as a space.
        '\u{200C}' => Fold::Space,
        // Zero-width joiner and space, word joiner, tatweel, BOM, soft hyphen.
        '\u{200B}' | '\u{200D}' | '\u{2060}' | '\u{0640}' | '\u{FEFF}' | '\u{00AD}' => Fold::Drop,
        // Arabic diacritics (harakat, tanwin, shadda, sukun, hamza marks) and superscript alef.
        '\u{064B}'..='\u{065F}' | '\u{0670}' => Fold::Drop,
        // Direction marks, embeddings, overrides and isolates.
        '\u{200E}'
        | '\u{200F}'
        | '\u{061C}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => Fold::Drop,
        // Hyphens, dashes, minus and underscore separate words in names.
        '-' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' => Fold::Space,
        c if c.is_whitespace() => Fold::Space,
        c => Fold::Char(c),
    }
}

/// The matching key of a name, so that a county or unit name typed either way is found.
///
/// - Arabic ي ى ئ (and ۍ ے) → ی, ك ڪ → ک, ة ۀ (and ہ ۂ ە) → ه, آ أ إ ٱ → ا, ؤ → و;
/// - zero-width non-joiner and joiner, tatweel, Arabic diacritics (U+064B–U+065F, U+0670),
///   direction marks and isolates, BOM and soft hyphen removed;
/// - every digit system to ASCII digits; letters lowercased;
/// - whitespace of any kind (including NBSP), hyphens and underscores removed: the key is
///   space-insensitive, so `عباس‌آباد`, `عباس آباد`, `عباسآباد` and `عباس-آباد` share one key.
///
/// Two names are "the same" for lookup exactly when their keys are equal.
pub fn normalize_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    for c in s.chars() {
        if let Fold::Char(c) = fold_char(c) {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// Free text folded like [`normalize_key`] (letters, digits, invisible marks, lowercase), but
/// with word boundaries kept: every run of whitespace, hyphens, underscores and zero-width
/// non-joiners becomes one ASCII space, except that a hyphen between two digits is kept (it
/// belongs to a date such as `1404-02-15`). Line breaks count as whitespace. Punctuation is
/// kept. The result is trimmed.
///
/// This is the form report parsing reads: `برگزار‌شد` reads as `برگزار شد`.
pub fn normalize_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for (i, &c) in chars.iter().enumerate() {
        let is_digit_hyphen = matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
            && i > 0
            && digit_value(chars[i - 1]).is_some()
            && chars.get(i + 1).is_some_and(|&n| digit_value(n).is_some());
        let folded = if is_digit_hyphen {
            Fold::Char('-')
        } else {
            fold_char(c)
        };
        match folded {
            Fold::Char(c) => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(c.to_lowercase());
            }
            Fold::Space => pending_space = true,
            Fold::Drop => {}
        }
    }
    out
}

/// The Levenshtein distance between two sequences of characters.
pub fn levenshtein(a: &[char], b: &[char]) -> usize {
    if a.is_empty() {
        return b.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether one key contains the other, the shorter having at least two characters (a single
/// letter is contained in too many names to mean anything).
fn contains_either(query: &str, candidate: &str) -> bool {
    let (short, long) = if query.chars().count() <= candidate.chars().count() {
        (query, candidate)
    } else {
        (candidate, query)
    };
    short.chars().count() >= 2 && long.contains(short)
}

/// The `limit` candidates closest to `query`, best first: what to suggest when a name typed by a
/// user matches nothing exactly.
///
/// Both sides are compared by their [`normalize_key`], so spelling variants (ي/ی, ك/ک, with or
/// without ZWNJ or spaces, any digits) are an exact match. Candidates are ranked by the
/// Levenshtein distance between the keys, counted in characters; a candidate whose key contains
/// the query's key or is contained in it (the shorter having at least two characters) ranks as
/// if at distance 1 when it is not an exact match, behind true one-letter typos. Ties keep the
/// input order. Candidates clearly unrelated are left out: those farther than
/// `max(2, query key length / 2)` without containment. An empty query (after normalisation)
/// matches nothing.
pub fn closest<'a>(
    query: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let query_key = normalize_key(query);
    if query_key.is_empty() || limit == 0 {
        return Vec::new();
    }
    let query_chars: Vec<char> = query_key.chars().collect();
    let max_distance = (query_chars.len() / 2).max(2);
    // (rank, distance, input index, candidate)
    let mut ranked: Vec<(usize, usize, usize, &'a str)> = Vec::new();
    for (index, candidate) in candidates.into_iter().enumerate() {
        let key = normalize_key(candidate);
        if key.is_empty() {
            continue;
        }
        let contained = contains_either(&query_key, &key);
        let key_chars: Vec<char> = key.chars().collect();
        // The length difference is a lower bound of the distance: skip the work when it alone
        // rules the candidate out.
        if !contained && key_chars.len().abs_diff(query_chars.len()) > max_distance {
            continue;
        }
        let distance = levenshtein(&query_chars, &key_chars);
        if !contained && distance > max_distance {
            continue;
        }
        let rank = if contained { distance.min(1) } else { distance };
        ranked.push((rank, distance, index, candidate));
    }
    ranked.sort_by_key(|&(rank, distance, index, _)| (rank, distance, index));
    ranked.into_iter().take(limit).map(|(.., c)| c).collect()
}

/// Whether `c` is an invisible direction mark or override: LRM, RLM, the Arabic letter mark,
/// the embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069. A phone adds
/// them around mixed Persian and Latin text; kept in a stored report they would reorder what a
/// later reader sees (an override can make `12` show as `21`), so they are never stored. ZWNJ
/// (U+200C) is not one of them: Persian spelling needs it.
pub fn is_direction_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Cleans text a user typed before it is stored: removes control characters (C0 other than
/// newline and tab, DEL, C1) and invisible direction marks ([`is_direction_mark`]), turns CRLF
/// and lone CR into LF, and trims surrounding whitespace. Everything else is kept as typed:
/// emoji, ZWNJ and ZWJ, Arabic or Persian letters, any digits.
pub fn sanitize_input(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() || is_direction_mark(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Telegram's and Bale's limit on one message, in characters.
pub const MESSAGE_LIMIT: usize = 4096;

/// Splits `text` into pieces of at most `limit` characters, at line ends where possible (a
/// single line longer than the limit is cut at a space, or hard as a last resort).
pub fn split_message(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split('\n') {
        let mut rest: Vec<char> = line.chars().collect();
        loop {
            let needed = rest.len() + usize::from(current_len > 0);
            if current_len + needed <= limit {
                if current_len > 0 {
                    current.push('\n');
                }
                current.extend(rest.iter());
                current_len += needed;
                break;
            }
            if current_len > 0 {
                pieces.push(std::mem::take(&mut current));
                current_len = 0;
                continue;
            }
            // The line alone is longer than the limit.
            let cut = rest[..limit]
                .iter()
                .rposition(|c| c.is_whitespace())
                .filter(|p| *p > 0)
                .unwrap_or(limit);
            pieces.push(rest[..cut].iter().collect::<String>().trim_end().to_owned());
            rest = rest[cut..]
                .iter()
                .skip_while(|c| c.is_whitespace())
                .copied()
                .collect();
            if rest.is_empty() {
                break;
            }
        }
    }
    if current_len > 0 || pieces.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests;
