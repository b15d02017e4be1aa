//! Numbers as people write them: one reader for the event log, the path table, every platform
//! importer and the app's manual metric entry, with the decimal convention explicit.
//!
//! # Conventions
//! A number is an optional sign (`-`, `−`, `+`), digits with an optional decimal mark and
//! thousands separators, and an optional exponent (`1e3`). Which of `.` and `,` is the decimal
//! mark is a [`NumberConvention`]:
//! - [`NumberConvention::Fixed`]`(`[`DecimalMark::Point`]`)`: `1,234.5`; `,` only groups;
//! - [`NumberConvention::Fixed`]`(`[`DecimalMark::Comma`]`)`: `1.234,5`; `.` only groups;
//! - [`NumberConvention::Auto`]: decided by the text when it says: both marks (`1.234,50`: the
//!   later one is decimal), one mark repeated (`1,234,567`: grouping), spaces as groups
//!   (`1 234,5`: the mark is decimal), a fraction that is not three digits (`12,5`, `45.89`) or a
//!   leading zero (`0.125`). What is left — one mark between 1–3 digits and exactly three
//!   (`1,234`, `1.234`) — is ambiguous: `Auto { ambiguous: Some(mark) }` reads it with that mark
//!   (the user's choice, a workspace setting in the app), `Auto { ambiguous: None }` refuses it
//!   with [`NumberError::Ambiguous`].
//!
//! Thousands groups (the non-decimal mark, or spaces: ` `, no-break and thin spaces) must be
//! three digits after a first group of one to three ([`NumberError::Grouping`] otherwise). The
//! value is the correctly rounded `f64` of the decimal text; an infinite result is
//! [`NumberError::OutOfRange`].
//!
//! [`parse_quantity`] also takes a leading currency sign (`$ € £ ¥`), a trailing ISO code
//! (`1,250 EUR`) and a trailing `%` (reported in [`Quantity::percent`]).
//!
//! # The fast path
//! [`parse_decimal_bytes`] is what the event-log and path-table parsers call for every amount
//! cell, so it sits on the hot path that `crates/bench`'s `parse_event_log` benchmark measures.
//! It keeps the event-log parser's own fast path as it was: plain digits with at most one mark
//! are read straight from the bytes, exactly (`m / 10^k` with `m < 10^15` and `k ≤ 22` is the
//! correctly rounded value, so both paths give the same bits; the tests check it); anything
//! else goes through [`parse_decimal`], which allocates. (Not re-measured in the change that
//! made this module; the benchmark is the place to check before removing it.)
//!
//! The engine's own formats read bare numbers (no currency sign, no `%`: an event log's `$5` is
//! refused); report cells read quantities.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which character separates the decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalMark {
    /// `1,234.5`
    #[default]
    Point,
    /// `1.234,5`
    Comma,
}

impl DecimalMark {
    /// The mark itself.
    pub fn char(self) -> char {
        match self {
            DecimalMark::Point => '.',
            DecimalMark::Comma => ',',
        }
    }

    fn byte(self) -> u8 {
        match self {
            DecimalMark::Point => b'.',
            DecimalMark::Comma => b',',
        }
    }

    /// A label for settings: how `1,234.5` is written in this convention.
    pub fn label(self) -> &'static str {
        match self {
            DecimalMark::Point => "1,234.5 (decimal point)",
            DecimalMark::Comma => "1.234,5 (decimal comma)",
        }
    }
}

/// How to tell the decimal mark from thousands separators. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberConvention {
    /// Always this decimal mark; the other one groups thousands.
    Fixed(DecimalMark),
    /// Decided by the text; when it does not say, `ambiguous` decides, or the number is refused.
    Auto { ambiguous: Option<DecimalMark> },
}

impl NumberConvention {
    /// `Auto`, with the user's mark for ambiguous text.
    pub fn auto_or(mark: DecimalMark) -> NumberConvention {
        NumberConvention::Auto {
            ambiguous: Some(mark),
        }
    }
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberError {
    #[error("no number")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("thousands separators go every three digits")]
    Grouping,
    #[error(
        "{text:?} could be read with a decimal point or a decimal comma; choose the number format"
    )]
    Ambiguous { text: String },
    #[error("too large")]
    OutOfRange,
}

/// A number as written in a report cell: its value and whether it carried a `%` sign.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    /// Signed; callers decide whether negatives are allowed.
    pub value: f64,
    /// It was written with a `%` sign.
    pub percent: bool,
}

fn is_space_group(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Strip a leading sign: `(negative, rest)`.
fn split_sign(t: &str) -> (bool, &str) {
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        (true, rest.trim_start())
    } else {
        (false, t.strip_prefix('+').unwrap_or(t))
    }
}

/// Is a single mark `mark` between `int` and `frac` the decimal mark? (`spaces`: the integer part
/// is grouped by spaces.)
fn single_mark_is_decimal(
    mark: u8,
    int_digits: usize,
    int_leading_zero: bool,
    frac_digits: usize,
    spaces: bool,
    convention: NumberConvention,
) -> Result<bool, ()> {
    match convention {
        NumberConvention::Fixed(m) => Ok(m.byte() == mark),
        NumberConvention::Auto { ambiguous } => {
            let looks_grouped =
                (1..=3).contains(&int_digits) && !int_leading_zero && frac_digits == 3 && !spaces;
            if !looks_grouped {
                return Ok(true);
            }
            match ambiguous {
                Some(m) => Ok(m.byte() == mark),
                None => Err(()),
            }
        }
    }
}

/// A signed number (sign, digits, marks, exponent; no currency, no `%`), trimmed.
pub fn parse_decimal(text: &str, convention: NumberConvention) -> Result<f64, NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let (neg, body) = split_sign(t);
    let v = parse_unsigned(body, convention).map_err(|e| match e {
        NumberError::Ambiguous { .. } => NumberError::Ambiguous { text: t.to_owned() },
        e => e,
    })?;
    Ok(if neg { -v } else { v })
}

fn parse_unsigned(body: &str, convention: NumberConvention) -> Result<f64, NumberError> {
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i).unwrap_or(""), body.get(i + 1..)),
        None => (body, None),
    };
    if let Some(e) = exponent {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(NumberError::NotANumber);
        }
    }
    let mut dots = 0;
    let mut commas = 0;
    let mut spaces = false;
    let mut last_mark = None;
    let mut any_digit = false;
    for c in mantissa.chars() {
        match c {
            '0'..='9' => any_digit = true,
            '.' => {
                dots += 1;
                last_mark = Some(b'.');
            }
            ',' => {
                commas += 1;
                last_mark = Some(b',');
            }
            c if is_space_group(c) => spaces = true,
            _ => return Err(NumberError::NotANumber),
        }
    }
    if !any_digit {
        return Err(NumberError::NotANumber);
    }
    // Which mark is decimal (if any is).
    let decimal: Option<u8> = match convention {
        NumberConvention::Fixed(m) => {
            let n = if m == DecimalMark::Point {
                dots
            } else {
                commas
            };
            (n > 0).then_some(m.byte())
        }
        NumberConvention::Auto { .. } => match (dots, commas) {
            (0, 0) => None,
            (d, c) if d > 0 && c > 0 => last_mark,
            (n, 0) | (0, n) if n > 1 => None,
            _ => {
                let mark = if dots == 1 { b'.' } else { b',' };
                let (int, frac) = mantissa
                    .split_once(char::from(mark))
                    .ok_or(NumberError::NotANumber)?;
                let int_digits = int.bytes().filter(u8::is_ascii_digit).count();
                let is_decimal = single_mark_is_decimal(
                    mark,
                    int_digits,
                    int.starts_with('0'),
                    frac.len(),
                    spaces,
                    convention,
                )
                .map_err(|()| NumberError::Ambiguous {
                    text: body.to_owned(),
                })?;
                is_decimal.then_some(mark)
            }
        },
    };
    let (int, frac) = match decimal {
        Some(m) => {
            let (i, f) = mantissa
                .rsplit_once(char::from(m))
                .ok_or(NumberError::NotANumber)?;
            if i.contains(char::from(m)) || !f.bytes().all(|c| c.is_ascii_digit()) {
                return Err(NumberError::NotANumber);
            }
            (i, Some(f))
        }
        None => (mantissa, None),
    };
    if int.is_empty() && frac.is_none_or(str::is_empty) {
        return Err(NumberError::NotANumber);
    }
    let mut clean = String::with_capacity(body.len() + 2);
    if int.chars().any(|c| !c.is_ascii_digit()) {
        // Grouped: one kind of separator, a first group of 1–3 digits, then groups of 3.
        let separator = int.chars().find(|c| !c.is_ascii_digit());
        let mut groups = int.split(|c: char| !c.is_ascii_digit());
        let same_kind = int.chars().filter(|c| !c.is_ascii_digit()).all(|c| {
            Some(c) == separator || (is_space_group(c) && separator.is_some_and(is_space_group))
        });
        let first = groups.next().unwrap_or("");
        if !same_kind || !(1..=3).contains(&first.len()) || !groups.all(|g| g.len() == 3) {
            return Err(NumberError::Grouping);
        }
        clean.extend(int.chars().filter(char::is_ascii_digit));
    } else {
        clean.push_str(int);
    }
    if clean.is_empty() {
        clean.push('0');
    }
    if let Some(f) = frac {
        clean.push('.');
        clean.push_str(f);
    }
    if let Some(e) = exponent {
        clean.push('e');
        clean.push_str(e);
    }
    let v: f64 = clean.parse().map_err(|_| NumberError::NotANumber)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(NumberError::OutOfRange)
    }
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// [`parse_decimal`] on raw bytes (trimmed), with the fast path of the module documentation.
/// Not valid UTF-8 is [`NumberError::NotANumber`].
#[inline]
pub fn parse_decimal_bytes(raw: &[u8], convention: NumberConvention) -> Result<f64, NumberError> {
    let t = raw.trim_ascii();
    match fast_decimal(t, convention) {
        Some(value) => Ok(value),
        None => slow_bytes(t, convention),
    }
}

/// Plain digits with at most one mark that is surely decimal (or none), at most 15 significant
/// digits: the exact value, else `None`.
#[inline(always)]
fn fast_decimal(t: &[u8], convention: NumberConvention) -> Option<f64> {
    let (neg, body) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, t),
    };
    let mut m: u64 = 0;
    let mut significant = 0u32;
    let mut int_digits = 0usize;
    let mut frac = 0usize;
    let mut mark = None;
    for &c in body {
        match c {
            b'0'..=b'9' => {
                if significant >= 15 {
                    return None;
                }
                m = m * 10 + u64::from(c - b'0');
                if m > 0 {
                    significant += 1;
                }
                if mark.is_some() {
                    frac += 1;
                } else {
                    int_digits += 1;
                }
            }
            b'.' | b',' if mark.is_none() => mark = Some(c),
            _ => return None,
        }
    }
    let plain = int_digits + frac > 0
        && match mark {
            None => true,
            Some(k) => {
                frac > 0
                    && single_mark_is_decimal(
                        k,
                        int_digits,
                        body.first() == Some(&b'0'),
                        frac,
                        false,
                        convention,
                    ) == Ok(true)
            }
        };
    let p = *POW10.get(frac)?;
    if !plain {
        return None;
    }
    let v = m as f64 / p;
    Some(if neg { -v } else { v })
}

#[cold]
fn slow_bytes(t: &[u8], convention: NumberConvention) -> Result<f64, NumberError> {
    let s = std::str::from_utf8(t).map_err(|_| NumberError::NotANumber)?;
    parse_decimal(s, convention)
}

/// A report cell's number: an optional sign, currency sign (`$ € £ ¥`), the number, an optional
/// ISO currency code (`1,250 EUR`) and an optional `%`.
pub fn parse_quantity(text: &str, convention: NumberConvention) -> Result<Quantity, NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let (neg, body) = split_sign(t);
    let mut body = body.trim_start_matches(['$', '€', '£', '¥']).trim();
    if let Some((number, code)) = body.rsplit_once(' ') {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            body = number.trim_end();
        }
    }
    let (body, percent) = match body.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (body, false),
    };
    if body.is_empty() || body.starts_with(['-', '−', '+']) {
        return Err(NumberError::NotANumber);
    }
    let v = parse_unsigned(body, convention).map_err(|e| match e {
        NumberError::Ambiguous { .. } => NumberError::Ambiguous { text: t.to_owned() },
        e => e,
    })?;
    Ok(Quantity {
        value: if neg { -v } else { v },
        percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POINT: NumberConvention = NumberConvention::Fixed(DecimalMark::Point);
    const COMMA: NumberConvention = NumberConvention::Fixed(DecimalMark::Comma);
    const AUTO: NumberConvention = NumberConvention::Auto { ambiguous: None };
    const AUTO_POINT: NumberConvention = NumberConvention::Auto {
        ambiguous: Some(DecimalMark::Point),
    };
    const AUTO_COMMA: NumberConvention = NumberConvention::Auto {
        ambiguous: Some(DecimalMark::Comma),
    };

    fn check(input: &str, convention: NumberConvention, expected: Result<f64, NumberError>) {
        let got = parse_decimal(input, convention);
        match (&got, &expected) {
            (Ok(a), Ok(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{input:?} {convention:?}"),
            (Err(NumberError::Ambiguous { .. }), Err(NumberError::Ambiguous { .. })) => {}
            _ => assert_eq!(got, expected, "{input:?} {convention:?}"),
        }
        // The byte reader (with its fast path) agrees bit for bit.
        let bytes = parse_decimal_bytes(input.as_bytes(), convention);
        match (&bytes, &got) {
            (Ok(a), Ok(b)) => assert_eq!(a.to_bits(), b.to_bits(), "bytes {input:?}"),
            (Err(NumberError::Ambiguous { .. }), Err(NumberError::Ambiguous { .. })) => {}
            _ => assert_eq!(bytes, got, "bytes {input:?} {convention:?}"),
        }
    }

    fn ambiguous() -> Result<f64, NumberError> {
        Err(NumberError::Ambiguous {
            text: String::new(),
        })
    }

    #[test]
    fn fixed_point() {
        check("45.89", POINT, Ok(45.89));
        check("1,234", POINT, Ok(1234.0));
        check("1,234,567.5", POINT, Ok(1_234_567.5));
        check("1 234.5", POINT, Ok(1234.5));
        check("12,5", POINT, Err(NumberError::Grouping));
        check("1.234,50", POINT, Err(NumberError::NotANumber));
        check(",847", POINT, Err(NumberError::Grouping));
        check("-3", POINT, Ok(-3.0));
        check("−3", POINT, Ok(-3.0));
        check("+3", POINT, Ok(3.0));
        check(".5", POINT, Ok(0.5));
        check("12.", POINT, Ok(12.0));
        check(".", POINT, Err(NumberError::NotANumber));
        check("1e3", POINT, Ok(1000.0));
        check("1e400", POINT, Err(NumberError::OutOfRange));
        check("1e", POINT, Err(NumberError::NotANumber));
        check("inf", POINT, Err(NumberError::NotANumber));
        check("NaN", POINT, Err(NumberError::NotANumber));
        check("", POINT, Err(NumberError::Empty));
        check("1.2.3", POINT, Err(NumberError::NotANumber));
        check("12345678901234567.25", POINT, Ok(12_345_678_901_234_567.25));
        check("0.000000000000000000001", POINT, Ok(1e-21));
    }

    #[test]
    fn fixed_comma() {
        check("1.234,50", COMMA, Ok(1234.5));
        check("1 234,5", COMMA, Ok(1234.5));
        check("1\u{a0}234,5", COMMA, Ok(1234.5));
        check("12,5", COMMA, Ok(12.5));
        check("1.234", COMMA, Ok(1234.0));
        check("1,234", COMMA, Ok(1.234));
        check("45.89", COMMA, Err(NumberError::Grouping));
    }

    #[test]
    fn auto_decides_only_when_the_text_says() {
        for c in [AUTO, AUTO_POINT, AUTO_COMMA] {
            check("1.234,50", c, Ok(1234.5));
            check("1,234.50", c, Ok(1234.5));
            check("1 234,5", c, Ok(1234.5));
            check("12,5", c, Ok(12.5));
            check("45.89", c, Ok(45.89));
            check("0,125", c, Ok(0.125));
            check("1,234,567", c, Ok(1_234_567.0));
            check("1.234.567", c, Ok(1_234_567.0));
            check("1234,567", c, Ok(1234.567));
            check("-3", c, Ok(-3.0));
            check("1,2,3", c, Err(NumberError::Grouping));
            check("1.234.5,6", c, Err(NumberError::Grouping));
            check("1,234.5.6", c, Err(NumberError::NotANumber));
        }
        check("1,234", AUTO, ambiguous());
        check("1.234", AUTO, ambiguous());
        check("1,234", AUTO_POINT, Ok(1234.0));
        check("1.234", AUTO_POINT, Ok(1.234));
        check("1,234", AUTO_COMMA, Ok(1.234));
        check("1.234", AUTO_COMMA, Ok(1234.0));
    }

    fn check_quantity(input: &str, expected: Result<(f64, bool), NumberError>) {
        let got = parse_quantity(input, AUTO_POINT).map(|q| (q.value, q.percent));
        assert_eq!(got, expected, "{input:?}");
    }

    #[test]
    fn quantities() {
        check_quantity("$4,200", Ok((4200.0, false)));
        check_quantity("€ 1,250", Ok((1250.0, false)));
        check_quantity("1,250 EUR", Ok((1250.0, false)));
        check_quantity("-$150", Ok((-150.0, false)));
        check_quantity("4.5%", Ok((4.5, true)));
        check_quantity("$", Err(NumberError::NotANumber));
        check_quantity("--3", Err(NumberError::NotANumber));
        check_quantity("", Err(NumberError::Empty));
    }
}
