//! The calendar grid's days, pure: the weeks (Monday first) that show a month, the week of a day,
//! moving by months, and their names. Weekdays from the day count: 1970-01-01 was a Thursday, so
//! Monday-based weekday = (days since 1970-01-01 + 3) mod 7.

use super::date::Date;
use refleqt_engine::dates::days_in_month;

const DAY_MS: i64 = 86_400_000;

/// English month names, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Weekday names, Monday first (the grid's columns).
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i64,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// The month a day falls in.
    pub fn of(date: Date) -> Month {
        let (year, month, _) = date.ymd();
        Month { year, month }
    }

    /// This month moved by `delta` months.
    pub fn plus(self, delta: i64) -> Month {
        let index = self.year * 12 + i64::from(self.month) - 1 + delta;
        Month {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u32,
        }
    }

    /// Its first day (`None` outside the years a [`Date`] allows).
    pub fn first_day(self) -> Option<Date> {
        Date::from_ymd(self.year, self.month, 1).ok()
    }

    /// "March 2025".
    pub fn name(self) -> String {
        let name = MONTH_NAMES
            .get(self.month.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("?");
        format!("{name} {}", self.year)
    }

    /// The whole weeks, Monday to Sunday, that contain its days (4 to 6 of them).
    pub fn weeks(self) -> Vec<[Date; 7]> {
        let Some(first) = self.first_day() else {
            return Vec::new();
        };
        let last = first.plus_days(i64::from(days_in_month(self.year, self.month)) - 1);
        let mut start = week_start(first);
        let mut out = Vec::new();
        while start <= last {
            out.push(week_from(start));
            start = start.plus_days(7);
        }
        out
    }
}

/// Monday = 0 … Sunday = 6.
pub fn weekday(date: Date) -> u32 {
    (date.unix_ms().div_euclid(DAY_MS) + 3).rem_euclid(7) as u32
}

/// The Monday of the week of `date`.
pub fn week_start(date: Date) -> Date {
    date.plus_days(-i64::from(weekday(date)))
}

/// The seven days from `monday`.
pub fn week_from(monday: Date) -> [Date; 7] {
    let mut days = [monday; 7];
    for (i, d) in days.iter_mut().enumerate() {
        *d = monday.plus_days(i as i64);
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn weekdays_and_week_starts() {
        assert_eq!(weekday(day("1970-01-01")), 3, "a Thursday");
        assert_eq!(weekday(day("2025-03-03")), 0, "a Monday");
        assert_eq!(weekday(day("2025-03-09")), 6, "a Sunday");
        assert_eq!(week_start(day("2025-03-09")), day("2025-03-03"));
        assert_eq!(week_from(day("2025-03-03"))[6], day("2025-03-09"));
    }

    #[test]
    fn a_month_is_covered_by_whole_weeks() {
        // March 2025 starts on a Saturday and ends on a Monday: six weeks.
        let march = Month {
            year: 2025,
            month: 3,
        };
        let weeks = march.weeks();
        assert_eq!(weeks.len(), 6);
        assert_eq!(weeks[0][0], day("2025-02-24"));
        assert_eq!(weeks[5][6], day("2025-04-06"));
        // February 2021 starts on a Monday and has 28 days: exactly four weeks.
        let feb = Month {
            year: 2021,
            month: 2,
        };
        assert_eq!(feb.weeks().len(), 4);
        assert_eq!(march.name(), "March 2025");
    }

    #[test]
    fn months_move_across_years() {
        let jan = Month {
            year: 2025,
            month: 1,
        };
        assert_eq!(
            jan.plus(-1),
            Month {
                year: 2024,
                month: 12
            }
        );
        assert_eq!(
            jan.plus(13),
            Month {
                year: 2026,
                month: 2
            }
        );
        assert_eq!(Month::of(day("2025-07-31")).plus(0).name(), "July 2025");
    }
}
