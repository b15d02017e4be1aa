//! Timestamps: ISO 8601 dates and date-times, `YYYYMMDD` and epoch numbers → unix milliseconds.
//!
//! Accepted forms (surrounding whitespace ignored):
//! - `2025-03-01T10:11:12Z`, `2025-03-01 10:11:12`, `2025-03-01T10:11`, with optional fraction
//!   (`.123456`, `,5`; digits beyond milliseconds are dropped, i.e. the time is floored to the
//!   millisecond), `T`/`t`/space between date and time, `/` instead of `-` in the date
//!   (year first only), one- or two-digit month, day and hour;
//! - a zone `Z`, `+02:00`, `+0200`, `+02`, `-05:00`, or ` UTC`/` GMT`; **no zone means UTC**;
//! - a date alone, `2025-03-01` (midnight UTC);
//! - eight digits `YYYYMMDD` (GA4's `event_date`) when they form a valid date of years 1900–2199;
//! - an epoch number, optionally negative and with a fraction. Its unit is decided by the
//!   magnitude of its integer part (see [`epoch_unit`]): below 10¹¹ seconds, below 10¹⁴
//!   milliseconds, below 10¹⁷ microseconds (GA4's `event_timestamp`), otherwise nanoseconds.
//!   So seconds cover 1970 ± 3,000 years and milliseconds, microseconds and nanoseconds every
//!   instant after 1973-03-03 (a millisecond epoch before that would be read as seconds).
//!
//! Leap second `:60` is accepted and counts as the next second. Day arithmetic uses the
//! calendar math of [`crate::dates`] (H. Hinnant's days-from-civil algorithm).

use crate::dates::{civil_from_days, days_from_civil, days_in_month, format_iso_date, MS_PER_DAY};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which part of a date-time is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePart {
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Offset,
}

impl std::fmt::Display for TimePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimePart::Month => "month",
            TimePart::Day => "day",
            TimePart::Hour => "hour",
            TimePart::Minute => "minute",
            TimePart::Second => "second",
            TimePart::Offset => "zone offset",
        })
    }
}

/// Why a timestamp could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimestampError {
    #[error("empty timestamp")]
    Empty,
    #[error("not a recognised timestamp (expected ISO 8601 like 2025-03-01T10:00:00Z, a date like 2025-03-01, or epoch seconds/milliseconds/microseconds)")]
    Unrecognised,
    #[error("{part} {value} is out of range")]
    OutOfRange { part: TimePart, value: u32 },
    #[error("epoch number is too large")]
    Overflow,
}

/// The unit of an epoch number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpochUnit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

/// Integer parts below this are seconds (10¹¹ s is the year 5138).
pub const SECONDS_BELOW: u64 = 100_000_000_000;
/// Integer parts below this (and not seconds) are milliseconds.
pub const MILLIS_BELOW: u64 = 100_000_000_000_000;
/// Integer parts below this (and not milliseconds) are microseconds; larger ones nanoseconds.
pub const MICROS_BELOW: u64 = 100_000_000_000_000_000;

/// The unit of an epoch number whose integer part has absolute value `magnitude`.
pub fn epoch_unit(magnitude: u64) -> EpochUnit {
    if magnitude < SECONDS_BELOW {
        EpochUnit::Seconds
    } else if magnitude < MILLIS_BELOW {
        EpochUnit::Millis
    } else if magnitude < MICROS_BELOW {
        EpochUnit::Micros
    } else {
        EpochUnit::Nanos
    }
}

/// `2025-03-01T10:11:12.345Z` (always UTC, always milliseconds). Years outside 0–9999 are
/// written with a sign and are not read back by [`parse_timestamp`].
pub fn format_iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, rem) = (rem / 3_600_000, rem % 3_600_000);
    let (mi, rem) = (rem / 60_000, rem % 60_000);
    let (s, milli) = (rem / 1000, rem % 1000);
    if (0..=9999).contains(&y) {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    } else {
        format!("{y:+05}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

/// `2025-03-01`: the UTC date of a unix-millisecond instant.
pub fn format_date(ms: i64) -> String {
    format_iso_date(ms.div_euclid(MS_PER_DAY))
}

/// Read a timestamp (see the module documentation) as unix milliseconds.
pub fn parse_timestamp(s: &str) -> Result<i64, TimestampError> {
    parse_timestamp_bytes(s.as_bytes())
}

/// [`parse_timestamp`] over bytes.
pub fn parse_timestamp_bytes(b: &[u8]) -> Result<i64, TimestampError> {
    TimestampParser::new().parse(b)
}

/// [`parse_timestamp`] for many values: remembers the day number of the last
/// `YYYY-MM-DD` prefix, since consecutive rows of a log mostly share their date, and the
/// first day and length of recently seen months.
#[derive(Debug, Clone)]
pub struct TimestampParser {
    last_date: Option<([u8; 10], i64)>,
    months: [MonthEntry; MONTHS],
}

/// Entries of the direct-mapped month cache (a power of two).
const MONTHS: usize = 16;

/// The day number of a month's first day and its length; `key` is `year * 12 + month - 1`.
#[derive(Debug, Clone, Copy)]
struct MonthEntry {
    key: u32,
    first: i64,
    len: u32,
}

const NO_MONTH: MonthEntry = MonthEntry {
    key: u32::MAX,
    first: 0,
    len: 0,
};

impl Default for TimestampParser {
    fn default() -> Self {
        TimestampParser {
            last_date: None,
            months: [NO_MONTH; MONTHS],
        }
    }
}

impl TimestampParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// [`date_days`] for a valid date, through the month cache; `None` when out of range.
    #[inline(always)]
    fn cached_date_days(&mut self, year: u32, month: u32, day: u32) -> Option<i64> {
        if !(1..=12).contains(&month) {
            return None;
        }
        let key = year * 12 + month - 1;
        let e = self.months.get_mut(key as usize & (MONTHS - 1))?;
        if e.key != key {
            *e = MonthEntry {
                key,
                first: days_from_civil(i64::from(year), month, 1),
                len: days_in_month(i64::from(year), month),
            };
        }
        (day >= 1 && day <= e.len).then(|| e.first + i64::from(day) - 1)
    }

    /// The day number of a fixed-width `YYYY-MM-DD` prefix followed by `T`, `t` or a space.
    #[inline(always)]
    fn fixed_date(&mut self, b: &[u8]) -> Option<i64> {
        let a: &[u8; 11] = b.get(..11)?.try_into().ok()?;
        let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T' | b't' | b' '] = *a else {
            return None;
        };
        let year = digit(y0)? * 1000 + digit(y1)? * 100 + digit(y2)? * 10 + digit(y3)?;
        self.cached_date_days(
            year,
            digit(m0)? * 10 + digit(m1)?,
            digit(d0)? * 10 + digit(d1)?,
        )
    }

    /// Read a timestamp as unix milliseconds (see the module documentation).
    #[inline]
    pub fn parse(&mut self, b: &[u8]) -> Result<i64, TimestampError> {
        let b = b.trim_ascii();
        let first = *b.first().ok_or(TimestampError::Empty)?;
        if b.len() >= 5 && matches!(b.get(4), Some(b'-' | b'/')) && first.is_ascii_digit() {
            return self.iso(b);
        }
        if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
            return parse_epoch(b);
        }
        Err(TimestampError::Unrecognised)
    }

    #[inline]
    fn iso(&mut self, b: &[u8]) -> Result<i64, TimestampError> {
        if let (Some(date), Some(time)) = (b.get(..10), fixed_time(b)) {
            let days = match self.last_date {
                Some((d, days)) if d == date => days,
                _ => {
                    // Not the fixed layout or not a valid date: the general parser decides.
                    let Some(days) = self.fixed_date(b) else {
                        return parse_iso(b);
                    };
                    if let Ok(key) = <[u8; 10]>::try_from(date) {
                        self.last_date = Some((key, days));
                    }
                    days
                }
            };
            let [hour, minute, second] = time;
            // The common `YYYY-MM-DDTHH:MM:SSZ` (or no zone) with valid fields: done.
            if matches!(b.get(19..), Some(b"Z" | b"")) && hour <= 23 && minute <= 59 && second <= 60
            {
                return Ok(days * MS_PER_DAY
                    + i64::from(hour) * 3_600_000
                    + i64::from(minute) * 60_000
                    + i64::from(second) * 1000);
            }
            let mut c = Cursor { b, i: 19 };
            return finish_iso(&mut c, days, hour, minute, second, true);
        }
        parse_iso(b)
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Between `min` and `max` decimal digits.
    #[inline(always)]
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(c - b'0');
                    self.i += 1;
                    n += 1;
                }
                _ => break,
            }
        }
        (n >= min).then_some(v)
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

fn out_of_range(part: TimePart, value: u32) -> TimestampError {
    TimestampError::OutOfRange { part, value }
}

fn date_days(year: u32, month: u32, day: u32) -> Result<i64, TimestampError> {
    if !(1..=12).contains(&month) {
        return Err(out_of_range(TimePart::Month, month));
    }
    let y = i64::from(year);
    if day == 0 || day > days_in_month(y, month) {
        return Err(out_of_range(TimePart::Day, day));
    }
    Ok(days_from_civil(y, month, day))
}

#[inline(always)]
fn digit(c: u8) -> Option<u32> {
    let v = c.wrapping_sub(b'0');
    (v < 10).then_some(u32::from(v))
}

/// Hour, minute and second of a fixed-width `YYYY-MM-DD?HH:MM:SS` (the date is not checked).
#[inline(always)]
fn fixed_time(b: &[u8]) -> Option<[u32; 3]> {
    let a: &[u8; 9] = b.get(10..19)?.try_into().ok()?;
    let [b'T' | b't' | b' ', h0, h1, b':', i0, i1, b':', s0, s1] = *a else {
        return None;
    };
    Some([
        digit(h0)? * 10 + digit(h1)?,
        digit(i0)? * 10 + digit(i1)?,
        digit(s0)? * 10 + digit(s1)?,
    ])
}

/// The general ISO parser (any digit counts, `/` dates, missing seconds).
fn parse_iso(b: &[u8]) -> Result<i64, TimestampError> {
    use TimestampError::Unrecognised;
    let mut c = Cursor { b, i: 0 };
    let year = c.digits(4, 4).ok_or(Unrecognised)?;
    let sep = c.peek().ok_or(Unrecognised)?;
    c.i += 1;
    let month = c.digits(1, 2).ok_or(Unrecognised)?;
    if !c.eat(sep) {
        return Err(Unrecognised);
    }
    let day = c.digits(1, 2).ok_or(Unrecognised)?;
    let days = date_days(year, month, day)?;
    if c.done() {
        return Ok(days * MS_PER_DAY);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err(Unrecognised);
    }
    let hour = c.digits(1, 2).ok_or(Unrecognised)?;
    if !c.eat(b':') {
        return Err(Unrecognised);
    }
    let minute = c.digits(2, 2).ok_or(Unrecognised)?;
    let has_seconds = c.eat(b':');
    let second = if has_seconds {
        c.digits(2, 2).ok_or(Unrecognised)?
    } else {
        0
    };
    finish_iso(&mut c, days, hour, minute, second, has_seconds)
}

/// Fraction, range checks and zone, after the seconds (or minutes).
#[inline(always)]
fn finish_iso(
    c: &mut Cursor<'_>,
    days: i64,
    hour: u32,
    minute: u32,
    second: u32,
    has_seconds: bool,
) -> Result<i64, TimestampError> {
    use TimestampError::Unrecognised;
    let b = c.b;
    let mut ms = days * MS_PER_DAY;
    let mut milli = 0;
    if has_seconds && (c.eat(b'.') || c.eat(b',')) {
        let start = c.i;
        let mut scale = 100;
        while let Some(d @ b'0'..=b'9') = c.peek() {
            milli += u32::from(d - b'0') * scale;
            scale /= 10;
            c.i += 1;
        }
        if c.i == start {
            return Err(Unrecognised);
        }
    }
    if hour > 23 {
        return Err(out_of_range(TimePart::Hour, hour));
    }
    if minute > 59 {
        return Err(out_of_range(TimePart::Minute, minute));
    }
    if second > 60 {
        return Err(out_of_range(TimePart::Second, second));
    }
    ms += i64::from(hour) * 3_600_000
        + i64::from(minute) * 60_000
        + i64::from(second) * 1000
        + i64::from(milli);
    // Zone.
    while c.eat(b' ') {}
    if c.done() {
        return Ok(ms);
    }
    let offset_min: i64 = match c.peek() {
        Some(b'Z' | b'z') => {
            c.i += 1;
            0
        }
        Some(s @ (b'+' | b'-')) => {
            c.i += 1;
            let hh = c.digits(2, 2).ok_or(Unrecognised)?;
            let colon = c.eat(b':');
            let mm = match c.digits(2, 2) {
                Some(mm) => mm,
                None if colon => return Err(Unrecognised),
                None => 0,
            };
            if hh > 23 {
                return Err(out_of_range(TimePart::Offset, hh));
            }
            if mm > 59 {
                return Err(out_of_range(TimePart::Offset, mm));
            }
            let off = i64::from(hh * 60 + mm);
            if s == b'-' {
                -off
            } else {
                off
            }
        }
        _ => {
            let rest = b.get(c.i..).unwrap_or(&[]);
            if rest.eq_ignore_ascii_case(b"utc") || rest.eq_ignore_ascii_case(b"gmt") {
                c.i = b.len();
                0
            } else {
                return Err(Unrecognised);
            }
        }
    };
    if !c.done() {
        return Err(Unrecognised);
    }
    Ok(ms - offset_min * 60_000)
}

fn parse_epoch(b: &[u8]) -> Result<i64, TimestampError> {
    use TimestampError::{Overflow, Unrecognised};
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, b),
    };
    let mut n: u64 = 0;
    let mut int_digits = 0usize;
    let mut i = 0;
    while let Some(&d) = digits.get(i) {
        if !d.is_ascii_digit() {
            break;
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(Overflow)?;
        int_digits += 1;
        i += 1;
    }
    // Fraction: the first three digits (as milliseconds of a second) and whether more is left.
    let mut frac_ms = 0u64;
    let mut frac_any = false;
    let mut frac_rest = false;
    let has_fraction = digits.get(i) == Some(&b'.');
    if has_fraction {
        i += 1;
        let start = i;
        let mut scale = 100;
        while let Some(&d) = digits.get(i) {
            if !d.is_ascii_digit() {
                break;
            }
            let v = u64::from(d - b'0');
            frac_any |= v != 0;
            if scale > 0 {
                frac_ms += v * scale;
            } else {
                frac_rest |= v != 0;
            }
            scale /= 10;
            i += 1;
        }
        if i == start {
            return Err(Unrecognised);
        }
    }
    if int_digits == 0 || i != digits.len() {
        return Err(Unrecognised);
    }
    if int_digits == 8 && !neg && !has_fraction && !matches!(b.first(), Some(b'+')) {
        let (y, md) = ((n / 10_000) as u32, (n % 10_000) as u32);
        if (1900..=2199).contains(&y) {
            if let Ok(days) = date_days(y, md / 100, md % 100) {
                return Ok(days * MS_PER_DAY);
            }
        }
    }
    // Magnitude in whole milliseconds (truncated) and whether a remainder was dropped.
    let (ms, rem) = match epoch_unit(n) {
        EpochUnit::Seconds => (n * 1000 + frac_ms, frac_rest),
        EpochUnit::Millis => (n, frac_any),
        EpochUnit::Micros => (n / 1000, !n.is_multiple_of(1000) || frac_any),
        EpochUnit::Nanos => (n / 1_000_000, !n.is_multiple_of(1_000_000) || frac_any),
    };
    let ms = i64::try_from(ms).map_err(|_| Overflow)?;
    // Floor, also for negative numbers.
    Ok(if neg { -ms - i64::from(rem) } else { ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_cache_matches_date_days() {
        let mut shared = TimestampParser::new();
        for year in [
            0, 1, 1899, 1900, 1970, 1999, 2000, 2024, 2025, 2100, 2400, 9999,
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let want = date_days(year, month, day).ok();
                    assert_eq!(shared.cached_date_days(year, month, day), want);
                    let mut fresh = TimestampParser::new();
                    assert_eq!(fresh.cached_date_days(year, month, day), want);
                }
            }
        }
    }

    #[test]
    fn epoch_units() {
        assert_eq!(parse_timestamp("1740787200"), Ok(1_740_787_200_000));
        assert_eq!(parse_timestamp("1740787200123"), Ok(1_740_787_200_123));
        assert_eq!(parse_timestamp("1740787200123456"), Ok(1_740_787_200_123));
        assert_eq!(
            parse_timestamp("1740787200123456789"),
            Ok(1_740_787_200_123)
        );
        assert_eq!(parse_timestamp("1740787200.5"), Ok(1_740_787_200_500));
        assert_eq!(parse_timestamp("-1.5"), Ok(-1500));
        assert_eq!(parse_timestamp("-1.0005"), Ok(-1001));
        assert_eq!(parse_timestamp("20250301"), Ok(1_740_787_200_000));
        assert_eq!(
            parse_timestamp("99999999999999999999"),
            Err(TimestampError::Overflow)
        );
    }
}
