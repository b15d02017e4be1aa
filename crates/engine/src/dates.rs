//! Calendar dates: the proleptic Gregorian calendar math, ISO `YYYY-MM-DD` dates, and month
//! names — one implementation for the timestamp parser, the importers and the app's `Date`.
//!
//! Days are counted from 1970-01-01 (negative before); an instant's day is its UTC day
//! (`ms.div_euclid(MS_PER_DAY)`). [`days_from_civil`] and [`civil_from_days`] are H. Hinnant's
//! algorithms ("chrono-Compatible Low-Level Date Algorithms",
//! <https://howardhinnant.github.io/date_algorithms.html>), exact for every `i64` day count a
//! timestamp can reach. They stay hand-written: the event-log timestamp parser calls them for
//! every new month it sees (`parse::timestamp`'s month cache), and a `chrono::NaiveDate` round
//! trip would add a dependency for the same four lines of integer arithmetic.

use thiserror::Error;

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (`month` 1–12, `day` 1–31; not checked:
/// see [`checked_days`]).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // 0..=399
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A Gregorian leap year: divisible by 4, and by 400 when divisible by 100.
pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Number of days in `month` of `year` (0 for a month outside 1–12).
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Why a date is not a date.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("no date")]
    Empty,
    #[error("not of the form YYYY-MM-DD")]
    Format,
    #[error("there is no month {0}")]
    Month(u32),
    #[error("{month:02}/{year} has no day {day}")]
    Day { year: i64, month: u32, day: u32 },
}

/// Days since 1970-01-01 of a date that exists.
pub fn checked_days(year: i64, month: u32, day: u32) -> Result<i64, DateError> {
    if !(1..=12).contains(&month) {
        return Err(DateError::Month(month));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(DateError::Day { year, month, day });
    }
    Ok(days_from_civil(year, month, day))
}

/// Midnight UTC (unix ms) of a date that exists; `None` otherwise or on overflow.
pub fn day_ms(year: i64, month: u32, day: u32) -> Option<i64> {
    checked_days(year, month, day).ok()?.checked_mul(MS_PER_DAY)
}

/// The parts of an ISO `YYYY-MM-DD` date (exactly four, two and two digits), trimmed. Only the
/// form is checked; [`checked_days`] checks that the day exists.
pub fn parse_iso_date_parts(text: &str) -> Result<(i64, u32, u32), DateError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(DateError::Format);
    };
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return Err(DateError::Format);
    }
    match (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) {
        (Ok(year), Ok(month), Ok(day)) => Ok((year, month, day)),
        _ => Err(DateError::Format),
    }
}

/// Days since 1970-01-01 of an ISO `YYYY-MM-DD` date that exists.
pub fn parse_iso_date(text: &str) -> Result<i64, DateError> {
    let (y, m, d) = parse_iso_date_parts(text)?;
    checked_days(y, m, d)
}

/// `2025-03-01` for a day count.
pub fn format_iso_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month (1–12) of an English month name or its abbreviation of three or more letters
/// (`Mar`, `Mar.`, `March`, `SEPT`).
pub fn month_of_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let pos = MONTHS.iter().position(|m| w.starts_with(m))?;
    Some(pos as u32 + 1)
}

/// Days since 1970-01-01 of a month-name date: `Mar 04, 2025 10:00 am`, `March 1, 2025`,
/// `1 Mar 2025` (anything after the year is ignored). The year has four digits.
pub fn parse_month_name_date(s: &str) -> Option<i64> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .take(3)
        .collect();
    let [a, b, c] = words.as_slice() else {
        return None;
    };
    let (month, day) = match (month_of_name(a), month_of_name(b)) {
        (Some(m), _) => (m, b.parse::<u32>().ok()?),
        (None, Some(m)) => (m, a.parse::<u32>().ok()?),
        _ => return None,
    };
    if c.len() != 4 {
        return None;
    }
    let year: i64 = c.parse().ok()?;
    checked_days(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for d in -800_000..800_000 {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    fn check(input: &str, expected: Result<(i64, u32, u32), DateError>) {
        assert_eq!(
            parse_iso_date(input).map(civil_from_days),
            expected,
            "{input:?}"
        );
    }

    #[test]
    fn iso_dates() {
        check("2025-03-14", Ok((2025, 3, 14)));
        check(" 2024-02-29 ", Ok((2024, 2, 29)));
        check("2000-02-29", Ok((2000, 2, 29)));
        check("", Err(DateError::Empty));
        check("2025-3-14", Err(DateError::Format));
        check("2025/03/14", Err(DateError::Format));
        check("2025-03-14T00:00", Err(DateError::Format));
        check("2025-13-01", Err(DateError::Month(13)));
        check(
            "1900-02-29",
            Err(DateError::Day {
                year: 1900,
                month: 2,
                day: 29,
            }),
        );
        assert_eq!(format_iso_date(days_from_civil(2025, 3, 1)), "2025-03-01");
        assert_eq!(format_iso_date(-1), "1969-12-31");
    }

    #[test]
    fn month_names() {
        let days = |y, m, d| Some(days_from_civil(y, m, d));
        assert_eq!(month_of_name("Sept."), Some(9));
        assert_eq!(month_of_name("ma"), None);
        assert_eq!(
            parse_month_name_date("Mar 04, 2025 10:00 am"),
            days(2025, 3, 4)
        );
        assert_eq!(parse_month_name_date("March 1, 2025"), days(2025, 3, 1));
        assert_eq!(parse_month_name_date("1 Mar 2025"), days(2025, 3, 1));
        assert_eq!(parse_month_name_date("Feb 30, 2025"), None);
        assert_eq!(parse_month_name_date("Mar 4, 25"), None);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2025, 13), 0);
        assert_eq!(day_ms(2025, 2, 29), None);
    }
}
