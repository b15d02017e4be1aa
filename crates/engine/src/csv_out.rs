//! CSV cells that are safe to open in a spreadsheet: RFC 4180 quoting plus the formula guard.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some also
//! after a leading tab or carriage return ("CSV injection"). A channel, campaign or title comes
//! from someone else's file or URL, so every CSV the app and the CLI write passes its text
//! cells through [`cell`]: such a cell gets a leading `'` (OWASP's rule), which spreadsheets show
//! as text and do not run. A plain number (`-3.5`, `+2`, `1e-3`) is left alone, so it stays a
//! number. Then the cell is quoted when it holds the delimiter `,`, a quote or a line break.

use std::borrow::Cow;

/// Whether a spreadsheet could read `text` as a formula: it starts with `=`, `+`, `-`, `@`, tab
/// or carriage return and is not a plain number.
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text)
}

/// A decimal number a spreadsheet reads as a number: optional sign, digits with at most one
/// `.`, at least one digit, an optional exponent. No `inf`, `NaN`, spaces or grouping.
pub fn is_plain_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = 0;
    let mut dot = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => digits += 1,
            b'.' if !dot => dot = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// `text` with a leading `'` when a spreadsheet could run it as a formula (see
/// [`is_formula_like`]); otherwise unchanged.
pub fn formula_guard(text: &str) -> Cow<'_, str> {
    if is_formula_like(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// One comma-delimited CSV cell: [`formula_guard`], then quoted (`"` doubled) when it holds `,`,
/// `"`, `\n` or `\r`.
pub fn cell(text: &str) -> Cow<'_, str> {
    let guarded = formula_guard(text);
    if guarded.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", guarded.replace('"', "\"\"")))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_guarded() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=1"), "'\t=1");
        assert_eq!(cell("\r=1"), "\"'\r=1\"");
        assert_eq!(cell("-inf"), "'-inf");
        assert_eq!(cell("-NaN"), "'-NaN");
        assert_eq!(cell("- 3"), "'- 3");
    }

    #[test]
    fn numbers_and_plain_text_stay() {
        for n in ["-3.5", "+2", "-0", "1e-3", "-1.5E+10", ".5", "-.5", "3."] {
            assert_eq!(cell(n), n, "{n}");
            assert!(is_plain_number(n), "{n}");
        }
        for t in ["", "-", "+", "-e5", "1e", "1.2.3", "--1", "1,5"] {
            assert!(!is_plain_number(t), "{t}");
        }
        assert_eq!(cell("Email"), "Email");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            cell("<script>alert(1)</script>"),
            "<script>alert(1)</script>"
        );
        assert_eq!(cell("\u{202E}gnp.exe"), "\u{202E}gnp.exe");
    }
}
