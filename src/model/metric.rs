//! The metric catalog of the spec ("The Tracking Chain" and "Additional metric categories") and
//! the parsing of what a person types into a metric field.
//!
//! Every metric has a stable snake_case key (the `metric_type` of the spec's
//! `performance_entries` table), a category, a label and a unit. Values are stored as `f64` in the
//! unit's base: counts as counts, durations in seconds, percentages as 0–100, money in the
//! workspace currency, ranking positions as average positions (1 = top).

use refleqt_engine::number::{parse_decimal, DecimalMark, NumberConvention, NumberError};
use refleqt_engine::roi::format_money;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The largest value any metric field accepts (a typo guard, far above any real figure).
pub const MAX_VALUE: f64 = 1e13;

/// Where a metric belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Web,
    Social,
    Email,
    Ads,
    Seo,
    Conversions,
    Money,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Web,
        Category::Social,
        Category::Email,
        Category::Ads,
        Category::Seo,
        Category::Conversions,
        Category::Money,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Category::Web => "Web analytics",
            Category::Social => "Social",
            Category::Email => "Email",
            Category::Ads => "Ads",
            Category::Seo => "SEO",
            Category::Conversions => "Conversions",
            Category::Money => "Revenue and cost",
        }
    }
}

/// How a metric's value is typed, stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A whole number ≥ 0.
    Count,
    /// Seconds, typed as `m:ss`.
    Duration,
    /// 0–100.
    Percent,
    /// An amount ≥ 0 in the workspace currency.
    Money,
    /// An average ranking position ≥ 1.
    Position,
}

/// One metric of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    Pageviews,
    /// Visits (GA4 `sessions`).
    Sessions,
    /// Users of the period (GA4 `activeUsers` / `totalUsers`).
    Users,
    TimeOnPage,
    BounceRate,
    ScrollDepth,
    Impressions,
    Engagement,
    Shares,
    Saves,
    Opens,
    Clicks,
    Replies,
    Unsubscribes,
    AdImpressions,
    AdClicks,
    Ctr,
    Cpc,
    AdConversions,
    RankingPosition,
    OrganicImpressions,
    OrganicClicks,
    FormFills,
    Signups,
    DemoRequests,
    Purchases,
    Revenue,
    Cost,
}

impl MetricKind {
    /// The whole catalog, in display order.
    pub const ALL: [MetricKind; 28] = [
        MetricKind::Pageviews,
        MetricKind::Sessions,
        MetricKind::Users,
        MetricKind::TimeOnPage,
        MetricKind::BounceRate,
        MetricKind::ScrollDepth,
        MetricKind::Impressions,
        MetricKind::Engagement,
        MetricKind::Shares,
        MetricKind::Saves,
        MetricKind::Opens,
        MetricKind::Clicks,
        MetricKind::Replies,
        MetricKind::Unsubscribes,
        MetricKind::AdImpressions,
        MetricKind::AdClicks,
        MetricKind::Ctr,
        MetricKind::Cpc,
        MetricKind::AdConversions,
        MetricKind::RankingPosition,
        MetricKind::OrganicImpressions,
        MetricKind::OrganicClicks,
        MetricKind::FormFills,
        MetricKind::Signups,
        MetricKind::DemoRequests,
        MetricKind::Purchases,
        MetricKind::Revenue,
        MetricKind::Cost,
    ];

    /// The five fields of the spec's V1 manual entry form, in its order.
    pub const V1_FORM: [MetricKind; 5] = [
        MetricKind::Pageviews,
        MetricKind::TimeOnPage,
        MetricKind::Signups,
        MetricKind::Revenue,
        MetricKind::Cost,
    ];

    /// The stored key (`metric_type`), e.g. `"time_on_page"`.
    pub fn key(self) -> &'static str {
        match self {
            MetricKind::Pageviews => "pageviews",
            MetricKind::Sessions => "sessions",
            MetricKind::Users => "users",
            MetricKind::TimeOnPage => "time_on_page",
            MetricKind::BounceRate => "bounce_rate",
            MetricKind::ScrollDepth => "scroll_depth",
            MetricKind::Impressions => "impressions",
            MetricKind::Engagement => "engagement",
            MetricKind::Shares => "shares",
            MetricKind::Saves => "saves",
            MetricKind::Opens => "opens",
            MetricKind::Clicks => "clicks",
            MetricKind::Replies => "replies",
            MetricKind::Unsubscribes => "unsubscribes",
            MetricKind::AdImpressions => "ad_impressions",
            MetricKind::AdClicks => "ad_clicks",
            MetricKind::Ctr => "ctr",
            MetricKind::Cpc => "cpc",
            MetricKind::AdConversions => "ad_conversions",
            MetricKind::RankingPosition => "ranking_position",
            MetricKind::OrganicImpressions => "organic_impressions",
            MetricKind::OrganicClicks => "organic_clicks",
            MetricKind::FormFills => "form_fills",
            MetricKind::Signups => "signups",
            MetricKind::DemoRequests => "demo_requests",
            MetricKind::Purchases => "purchases",
            MetricKind::Revenue => "revenue",
            MetricKind::Cost => "cost",
        }
    }

    /// The metric for a stored key.
    pub fn from_key(key: &str) -> Option<MetricKind> {
        MetricKind::ALL.into_iter().find(|m| m.key() == key)
    }

    /// What a person reads on the form, e.g. `"Time on page"`.
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::Pageviews => "Pageviews",
            MetricKind::Sessions => "Sessions",
            MetricKind::Users => "Website users",
            MetricKind::TimeOnPage => "Time on page",
            MetricKind::BounceRate => "Bounce rate",
            MetricKind::ScrollDepth => "Scroll depth",
            MetricKind::Impressions => "Social impressions",
            MetricKind::Engagement => "Engagement",
            MetricKind::Shares => "Shares",
            MetricKind::Saves => "Saves",
            MetricKind::Opens => "Email opens",
            MetricKind::Clicks => "Email clicks",
            MetricKind::Replies => "Email replies",
            MetricKind::Unsubscribes => "Unsubscribes",
            MetricKind::AdImpressions => "Ad impressions",
            MetricKind::AdClicks => "Ad clicks",
            MetricKind::Ctr => "CTR",
            MetricKind::Cpc => "CPC",
            MetricKind::AdConversions => "Ad conversions",
            MetricKind::RankingPosition => "Ranking position",
            MetricKind::OrganicImpressions => "Organic impressions",
            MetricKind::OrganicClicks => "Organic clicks",
            MetricKind::FormFills => "Form fills",
            MetricKind::Signups => "Signups",
            MetricKind::DemoRequests => "Demo requests",
            MetricKind::Purchases => "Purchases",
            MetricKind::Revenue => "Revenue",
            MetricKind::Cost => "Cost",
        }
    }

    pub fn category(self) -> Category {
        use MetricKind::*;
        match self {
            Pageviews | Sessions | Users | TimeOnPage | BounceRate | ScrollDepth => Category::Web,
            Impressions | Engagement | Shares | Saves => Category::Social,
            Opens | Clicks | Replies | Unsubscribes => Category::Email,
            AdImpressions | AdClicks | Ctr | Cpc | AdConversions => Category::Ads,
            RankingPosition | OrganicImpressions | OrganicClicks => Category::Seo,
            FormFills | Signups | DemoRequests | Purchases => Category::Conversions,
            Revenue | Cost => Category::Money,
        }
    }

    pub fn unit(self) -> Unit {
        use MetricKind::*;
        match self {
            TimeOnPage => Unit::Duration,
            BounceRate | ScrollDepth | Ctr => Unit::Percent,
            Cpc | Revenue | Cost => Unit::Money,
            RankingPosition => Unit::Position,
            _ => Unit::Count,
        }
    }

    /// Whether a count must be whole. Ad conversions need not be: Google Ads reports
    /// fractional conversions (`45.89`) when data-driven attribution splits the credit.
    pub fn whole(self) -> bool {
        self.unit() == Unit::Count && self != MetricKind::AdConversions
    }

    /// A typing hint for the field, e.g. `"m:ss"`.
    pub fn hint(self) -> &'static str {
        match self.unit() {
            Unit::Count if !self.whole() => "number, e.g. 45.89",
            Unit::Count => "whole number, e.g. 2,847",
            Unit::Duration => "minutes:seconds, e.g. 3:42",
            Unit::Percent => "percent, 0 to 100",
            Unit::Money => "amount, e.g. 4,200",
            Unit::Position => "average position, 1 = top",
        }
    }

    /// Parse what was typed into this metric's field. `Ok(None)` for an empty field.
    pub fn parse_value(self, text: &str) -> Result<Option<f64>, ValueError> {
        self.parse_value_in(text, DecimalMark::Point)
    }

    /// [`MetricKind::parse_value`] with the workspace's decimal mark.
    pub fn parse_value_in(self, text: &str, mark: DecimalMark) -> Result<Option<f64>, ValueError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let value = match self.unit() {
            Unit::Count => {
                let v = parse_number_in(text, mark)?;
                if self.whole() && v.fract() != 0.0 {
                    return Err(ValueError::NotWhole);
                }
                v
            }
            Unit::Duration => parse_duration(text)?,
            Unit::Percent => {
                let v = parse_number_in(text.strip_suffix('%').unwrap_or(text).trim_end(), mark)?;
                if v > 100.0 {
                    return Err(ValueError::AbovePercent);
                }
                v
            }
            Unit::Money => parse_money_in(text, mark)?,
            Unit::Position => {
                let v = parse_number_in(text, mark)?;
                if v < 1.0 {
                    return Err(ValueError::BelowTop);
                }
                v
            }
        };
        Ok(Some(value))
    }

    /// The value as it goes back into an input field (parses back to the same value).
    pub fn format_input(self, value: f64) -> String {
        match self.unit() {
            Unit::Duration => format_duration(value),
            _ => format_plain(value),
        }
    }

    /// [`MetricKind::format_input`] written with `mark` (`4.200,5` with a decimal comma), so
    /// that [`MetricKind::parse_value_in`] with the same mark reads it back.
    pub fn format_input_in(self, value: f64, mark: DecimalMark) -> String {
        let text = self.format_input(value);
        match mark {
            DecimalMark::Point => text,
            DecimalMark::Comma => text
                .chars()
                .map(|c| match c {
                    '.' => ',',
                    ',' => '.',
                    c => c,
                })
                .collect(),
        }
    }

    /// The value for reading, money in `currency`.
    pub fn format_display(self, value: f64, currency: &str) -> String {
        match self.unit() {
            Unit::Count | Unit::Position => format_plain(value),
            Unit::Duration => format_duration(value),
            Unit::Percent => format!("{}%", format_plain(value)),
            Unit::Money => format_money(value, currency),
        }
    }
}

/// Why a typed metric value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("enter a number, e.g. 2,847")]
    NotANumber,
    #[error("must be zero or more")]
    Negative,
    #[error("must be a whole number")]
    NotWhole,
    #[error("thousands separators go every three digits, e.g. 12,500")]
    Grouping,
    #[error("too large (at most 10,000,000,000,000)")]
    TooLarge,
    #[error("enter minutes:seconds, e.g. 3:42")]
    Duration,
    #[error("seconds must be 00 to 59")]
    Seconds,
    #[error("a percentage is at most 100")]
    AbovePercent,
    #[error("a ranking position is 1 or more")]
    BelowTop,
}

/// A non-negative decimal with optional `,` thousands separators: `2,847`, `4200.5`, `0.25`.
pub fn parse_number(text: &str) -> Result<f64, ValueError> {
    parse_number_in(text, DecimalMark::Point)
}

/// A non-negative decimal written with `mark` (the workspace's number format): the engine's
/// [`refleqt_engine::number`] reads it; typed entry is stricter than imports (no exponent, no
/// trailing mark), and its errors become the messages the form shows.
pub fn parse_number_in(text: &str, mark: DecimalMark) -> Result<f64, ValueError> {
    let text = text.trim();
    if text.contains(['e', 'E']) || text.ends_with(['.', ',']) {
        return Err(ValueError::NotANumber);
    }
    let value = parse_decimal(text, NumberConvention::Fixed(mark)).map_err(|e| match e {
        NumberError::Grouping => ValueError::Grouping,
        NumberError::OutOfRange => ValueError::TooLarge,
        NumberError::Empty | NumberError::NotANumber | NumberError::Ambiguous { .. } => {
            ValueError::NotANumber
        }
    })?;
    if value < 0.0 {
        return Err(ValueError::Negative);
    }
    let value = value.abs();
    if value > MAX_VALUE {
        return Err(ValueError::TooLarge);
    }
    Ok(value)
}

/// A money amount: an optional `$ € £ ¥` sign or trailing ISO code around a number: `$4,200`,
/// `4200.50`, `1,250 EUR`.
pub fn parse_money(text: &str) -> Result<f64, ValueError> {
    parse_money_in(text, DecimalMark::Point)
}

/// [`parse_money`] with the workspace's decimal mark.
pub fn parse_money_in(text: &str, mark: DecimalMark) -> Result<f64, ValueError> {
    let mut t = text.trim();
    if t.starts_with('-') || t.starts_with('−') {
        return match parse_money_in(t.trim_start_matches(['-', '−']), mark) {
            Ok(0.0) => Ok(0.0),
            Ok(_) => Err(ValueError::Negative),
            Err(e) => Err(e),
        };
    }
    for sym in ['$', '€', '£', '¥'] {
        if let Some(rest) = t.strip_prefix(sym) {
            t = rest.trim_start();
            break;
        }
    }
    if let Some((number, code)) = t.rsplit_once(' ') {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            t = number.trim_end();
        }
    }
    parse_number_in(t, mark)
}

/// `m:ss` → seconds: `3:42` → 222, `0:05` → 5, `75:00` → 4500.
pub fn parse_duration(text: &str) -> Result<f64, ValueError> {
    let text = text.trim();
    let Some((m, s)) = text.split_once(':') else {
        return Err(ValueError::Duration);
    };
    let is_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(m) || m.len() > 6 || !is_digits(s) || s.len() != 2 {
        return Err(ValueError::Duration);
    }
    let (Ok(minutes), Ok(seconds)) = (m.parse::<u32>(), s.parse::<u32>()) else {
        return Err(ValueError::Duration);
    };
    if seconds > 59 {
        return Err(ValueError::Seconds);
    }
    Ok(f64::from(minutes) * 60.0 + f64::from(seconds))
}

/// Seconds → `m:ss`, rounded to the second: 222 → `3:42`.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return refleqt_engine::roi::NOT_A_NUMBER.to_owned();
    }
    let total = seconds.round() as u64;
    format!("{}:{:02}", total / 60, total % 60)
}

/// A number grouped by thousands with up to two decimals and no trailing `.00`: `2,847`,
/// `4,200.50`, `0.25`.
pub fn format_plain(value: f64) -> String {
    let s = format_money(value, "");
    match s.strip_suffix(".00") {
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(metric: MetricKind, text: &str, expected: Result<Option<f64>, ValueError>) {
        assert_eq!(metric.parse_value(text), expected, "{metric:?} {text:?}");
    }

    #[test]
    fn the_spec_example_parses() {
        check(MetricKind::Pageviews, "2,847", Ok(Some(2847.0)));
        check(MetricKind::TimeOnPage, "3:42", Ok(Some(222.0)));
        check(MetricKind::Signups, "12", Ok(Some(12.0)));
        check(MetricKind::Revenue, "$4,200", Ok(Some(4200.0)));
        check(MetricKind::Cost, "$150", Ok(Some(150.0)));
    }

    #[test]
    fn counts() {
        check(MetricKind::Pageviews, "", Ok(None));
        check(MetricKind::Pageviews, "   ", Ok(None));
        check(MetricKind::Pageviews, "2847", Ok(Some(2847.0)));
        check(MetricKind::Pageviews, "1,234,567", Ok(Some(1_234_567.0)));
        check(MetricKind::Pageviews, "0", Ok(Some(0.0)));
        check(MetricKind::Pageviews, "-0", Ok(Some(0.0)));
        check(MetricKind::Pageviews, "2.5", Err(ValueError::NotWhole));
        check(MetricKind::Pageviews, "-3", Err(ValueError::Negative));
        check(MetricKind::Pageviews, "28,47", Err(ValueError::Grouping));
        check(MetricKind::Pageviews, "2,8470", Err(ValueError::Grouping));
        check(MetricKind::Pageviews, ",847", Err(ValueError::Grouping));
        check(MetricKind::Pageviews, "abc", Err(ValueError::NotANumber));
        check(MetricKind::Pageviews, "1e5", Err(ValueError::NotANumber));
        check(MetricKind::Pageviews, "NaN", Err(ValueError::NotANumber));
        check(MetricKind::Pageviews, "inf", Err(ValueError::NotANumber));
        check(MetricKind::Pageviews, "12.", Err(ValueError::NotANumber));
        check(
            MetricKind::Pageviews,
            "99999999999999",
            Err(ValueError::TooLarge),
        );
    }

    /// Issue 14: manual entry reads what the engine's importers read under the same convention
    /// (`crates/engine/tests/number_agreement.rs` checks every importer against the same reader).
    #[test]
    fn manual_entry_agrees_with_the_importers() {
        use refleqt_engine::number::parse_quantity;
        const TEXTS: [&str; 14] = [
            "1,234",
            "1.234",
            "1.234,50",
            "1,234.50",
            "1 234,5",
            "-3",
            "$4,200",
            "45.89",
            "12,5",
            "0.5",
            "1,234,567",
            "€ 99",
            "7",
            "abc",
        ];
        for mark in [DecimalMark::Point, DecimalMark::Comma] {
            for text in TEXTS {
                let engine = parse_quantity(text, NumberConvention::Fixed(mark))
                    .ok()
                    .filter(|q| q.value >= 0.0 && !q.percent)
                    .map(|q| q.value);
                let typed = MetricKind::Revenue
                    .parse_value_in(text, mark)
                    .ok()
                    .flatten();
                assert_eq!(typed, engine, "{text:?} with {mark:?}");
            }
        }
        assert_eq!(parse_money_in("1.234,50", DecimalMark::Comma), Ok(1234.5));
        assert_eq!(parse_money_in("$4,200", DecimalMark::Point), Ok(4200.0));
        assert_eq!(parse_number_in("12,5", DecimalMark::Comma), Ok(12.5));
        assert_eq!(
            parse_number_in("12,5", DecimalMark::Point),
            Err(ValueError::Grouping)
        );
    }

    #[test]
    fn durations_are_minutes_and_seconds() {
        check(MetricKind::TimeOnPage, "0:05", Ok(Some(5.0)));
        check(MetricKind::TimeOnPage, "75:00", Ok(Some(4500.0)));
        check(MetricKind::TimeOnPage, "3:60", Err(ValueError::Seconds));
        check(MetricKind::TimeOnPage, "3:4", Err(ValueError::Duration));
        check(MetricKind::TimeOnPage, "222", Err(ValueError::Duration));
        check(MetricKind::TimeOnPage, ":42", Err(ValueError::Duration));
        check(MetricKind::TimeOnPage, "-3:42", Err(ValueError::Duration));
        check(MetricKind::TimeOnPage, "1:02:03", Err(ValueError::Duration));
        assert_eq!(format_duration(222.0), "3:42");
        assert_eq!(format_duration(5.4), "0:05");
        assert_eq!(format_duration(3599.6), "60:00");
    }

    #[test]
    fn money_percent_and_position() {
        check(MetricKind::Revenue, "4200.50", Ok(Some(4200.5)));
        check(MetricKind::Revenue, "€ 1,250", Ok(Some(1250.0)));
        check(MetricKind::Revenue, "1,250 EUR", Ok(Some(1250.0)));
        check(MetricKind::Cost, "-$150", Err(ValueError::Negative));
        check(MetricKind::Cost, "$", Err(ValueError::NotANumber));
        check(MetricKind::BounceRate, "42.5%", Ok(Some(42.5)));
        check(MetricKind::BounceRate, "101", Err(ValueError::AbovePercent));
        check(MetricKind::RankingPosition, "3.4", Ok(Some(3.4)));
        check(
            MetricKind::RankingPosition,
            "0.5",
            Err(ValueError::BelowTop),
        );
    }

    #[test]
    fn input_format_parses_back_to_the_same_value() {
        for metric in MetricKind::ALL {
            for v in [
                0.0_f64,
                1.0,
                12.0,
                100.0,
                222.0,
                2847.0,
                4200.5,
                1_234_567.0,
            ] {
                let v = match metric.unit() {
                    Unit::Percent => v.min(100.0),
                    Unit::Position => v.max(1.0),
                    Unit::Count | Unit::Duration => v.round(),
                    Unit::Money => v,
                };
                let text = metric.format_input(v);
                assert_eq!(
                    metric.parse_value(&text),
                    Ok(Some(v)),
                    "{metric:?} {v} {text:?}"
                );
                for mark in [DecimalMark::Point, DecimalMark::Comma] {
                    let text = metric.format_input_in(v, mark);
                    assert_eq!(
                        metric.parse_value_in(&text, mark),
                        Ok(Some(v)),
                        "{metric:?} {v} {text:?} {mark:?}"
                    );
                }
            }
        }
        assert_eq!(MetricKind::Pageviews.format_input(2847.0), "2,847");
        assert_eq!(MetricKind::Revenue.format_input(4200.0), "4,200");
        assert_eq!(
            MetricKind::Revenue.format_input_in(4200.5, DecimalMark::Comma),
            "4.200,50"
        );
        assert_eq!(
            MetricKind::Revenue.format_display(4200.0, "USD"),
            "$4,200.00"
        );
        assert_eq!(MetricKind::BounceRate.format_display(42.5, "USD"), "42.50%");
    }

    #[test]
    fn every_key_round_trips_and_the_catalog_covers_each_category() {
        for metric in MetricKind::ALL {
            assert_eq!(MetricKind::from_key(metric.key()), Some(metric));
            let json = serde_json::to_string(&metric).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", metric.key()));
        }
        for category in Category::ALL {
            assert!(MetricKind::ALL.iter().any(|m| m.category() == category));
        }
        assert_eq!(MetricKind::from_key("followers"), None);
    }
}
