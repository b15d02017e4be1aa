//! Calendar dates (`YYYY-MM-DD`, proleptic Gregorian) and timestamps (Unix milliseconds, UTC);
//! the calendar math and the ISO form are the engine's [`refleqt_engine::dates`].
//!
//! Publish dates are whole days without a time zone: the day the artifact goes out. Timestamps
//! (`recorded_at`, `calculated_at`) come from the browser clock at the edge and are only shown and
//! ordered, never used by a model (ARCHITECTURE.md: "timestamps come from the data").

use refleqt_engine::dates::{self, MS_PER_DAY};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use thiserror::Error;

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("enter a date")]
    Empty,
    #[error("use the form YYYY-MM-DD, e.g. 2025-03-14")]
    Format,
    #[error("the year must be between 1900 and 2999")]
    Year,
    #[error("there is no month {0}")]
    Month(u32),
    #[error("{month:02}/{year} has no day {day}")]
    Day { year: i64, month: u32, day: u32 },
}

impl From<dates::DateError> for DateError {
    fn from(e: dates::DateError) -> Self {
        match e {
            dates::DateError::Empty => DateError::Empty,
            dates::DateError::Format => DateError::Format,
            dates::DateError::Month(m) => DateError::Month(m),
            dates::DateError::Day { year, month, day } => DateError::Day { year, month, day },
        }
    }
}

/// A valid calendar day. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// Parse `YYYY-MM-DD` (what `<input type="date">` gives), rejecting impossible days.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let (year, month, day) = dates::parse_iso_date_parts(text).map_err(DateError::from)?;
        Date::from_ymd(year, month, day)
    }

    /// A date from its parts, checked.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Result<Date, DateError> {
        if !(1900..=2999).contains(&year) {
            return Err(DateError::Year);
        }
        let days = dates::checked_days(year, month, day).map_err(DateError::from)?;
        Ok(Date { days })
    }

    /// The UTC day containing a Unix-millisecond instant.
    pub fn from_unix_ms(ms: i64) -> Date {
        Date {
            days: ms.div_euclid(MS_PER_DAY),
        }
    }

    /// Midnight UTC of this day, in Unix milliseconds.
    pub fn unix_ms(self) -> i64 {
        self.days * MS_PER_DAY
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i64, u32, u32) {
        dates::civil_from_days(self.days)
    }

    /// This date moved by `days`.
    pub fn plus_days(self, days: i64) -> Date {
        Date {
            days: self.days + days,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&dates::format_iso_date(self.days))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(|e| serde::de::Error::custom(format!("date {text:?}: {e}")))
    }
}

/// A Unix-millisecond instant as `2025-03-14 09:30 UTC`.
pub fn format_timestamp(ms: i64) -> String {
    let date = Date::from_unix_ms(ms);
    let in_day = ms.rem_euclid(MS_PER_DAY) / 60_000;
    format!("{date} {:02}:{:02} UTC", in_day / 60, in_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, ymd: (i64, u32, u32)) {
        let date = Date::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(date.ymd(), ymd, "{text:?}");
        assert_eq!(Date::parse(&date.to_string()), Ok(date));
    }

    fn bad(text: &str, expected: DateError) {
        assert_eq!(Date::parse(text), Err(expected), "{text:?}");
    }

    #[test]
    fn parses_real_days() {
        ok("2025-03-14", (2025, 3, 14));
        ok(" 2024-02-29 ", (2024, 2, 29));
        ok("2000-02-29", (2000, 2, 29));
        ok("1999-12-31", (1999, 12, 31));
    }

    #[test]
    fn rejects_impossible_days_and_bad_forms() {
        bad("", DateError::Empty);
        bad(
            "2025-02-29",
            DateError::Day {
                year: 2025,
                month: 2,
                day: 29,
            },
        );
        bad(
            "1900-02-29",
            DateError::Day {
                year: 1900,
                month: 2,
                day: 29,
            },
        );
        bad(
            "2025-04-31",
            DateError::Day {
                year: 2025,
                month: 4,
                day: 31,
            },
        );
        bad("2025-00-10", DateError::Month(0));
        bad("2025-13-01", DateError::Month(13));
        bad(
            "2025-01-00",
            DateError::Day {
                year: 2025,
                month: 1,
                day: 0,
            },
        );
        bad("0999-01-01", DateError::Year);
        bad("14/03/2025", DateError::Format);
        bad("2025-3-14", DateError::Format);
        bad("2025-03-14-01", DateError::Format);
        bad("２０２５-03-14", DateError::Format);
    }

    #[test]
    fn unix_ms_round_trips_and_orders() {
        let d = Date::parse("2025-01-01").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.unix_ms(), 1_735_689_600_000);
        assert_eq!(Date::from_unix_ms(1_735_689_600_000 + 86_399_999), d);
        assert!(d < d.plus_days(1));
        assert_eq!(
            format_timestamp(1_735_689_600_000 + 3_600_000 * 9 + 60_000 * 30),
            "2025-01-01 09:30 UTC"
        );
    }

    #[test]
    fn serde_uses_the_iso_text_and_validates() {
        let d = Date::parse("2025-06-30").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_string(&d).ok().as_deref(),
            Some("\"2025-06-30\"")
        );
        assert!(serde_json::from_str::<Date>("\"2025-06-31\"").is_err());
    }
}
