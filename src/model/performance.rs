//! Recorded metric values, one row per value and date, as the spec's `performance_entries` table
//! (`calendar_entry_id`, `metric_type`, `metric_value`, `recorded_at`) plus where the value came
//! from. History is kept: a new value is a new row, so later pages can draw trends.
//!
//! **Manual always wins**: the current value of a metric is the latest manual value when there is
//! one, and the latest imported value only otherwise, so an import can never overwrite what a
//! person typed.
//!
//! Imported rows from a platform export (issue 5) also carry the **platform** and the **period**
//! (whole UTC days) they cover; such rows of one entry and metric add up (counts and money are
//! summed, rates and averages averaged), and the imported value shown is that of the platform
//! imported most recently. Older imported rows without a platform (the demo) keep the rule
//! "latest row wins".

use super::metric::{MetricKind, Unit, MAX_VALUE};
use refleqt_engine::imports::{Period, Platform, AVERAGED_METRICS};
use refleqt_engine::EntryId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Typed by a person in the app.
    Manual,
    /// Read from a platform export (or simulated, in the demo workspace).
    Imported,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Imported => "imported",
        }
    }
}

/// One recorded value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerformanceEntry {
    pub calendar_entry_id: EntryId,
    pub metric_type: MetricKind,
    pub metric_value: f64,
    /// Unix milliseconds.
    pub recorded_at: i64,
    pub source: Source,
    /// The export's platform, for rows imported from a file (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The days the imported value covers (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

impl PerformanceEntry {
    /// A row without platform or period (manual values, demo values).
    pub fn new(
        calendar_entry_id: EntryId,
        metric_type: MetricKind,
        metric_value: f64,
        recorded_at: i64,
        source: Source,
    ) -> PerformanceEntry {
        PerformanceEntry {
            calendar_entry_id,
            metric_type,
            metric_value,
            recorded_at,
            source,
            platform: None,
            period: None,
        }
    }
}

/// The value a metric has now, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurrentValue {
    pub value: f64,
    pub source: Source,
    pub recorded_at: i64,
}

/// The current value of `metric` for an entry: the latest manual row, else the imported value —
/// the sum (or, for rates and averages, the mean) of the rows of the platform imported most
/// recently, or the latest row when it has no platform. Rows recorded at the same instant are
/// ordered by position (later wins).
pub fn current_value(
    rows: &[PerformanceEntry],
    entry_id: EntryId,
    metric: MetricKind,
) -> Option<CurrentValue> {
    let of = |source: Source| {
        rows.iter().enumerate().filter(move |(_, r)| {
            r.calendar_entry_id == entry_id && r.metric_type == metric && r.source == source
        })
    };
    let latest = |source: Source| of(source).max_by_key(|(i, r)| (r.recorded_at, *i));
    if let Some((_, r)) = latest(Source::Manual) {
        return Some(CurrentValue {
            value: r.metric_value,
            source: r.source,
            recorded_at: r.recorded_at,
        });
    }
    let (_, last) = latest(Source::Imported)?;
    let Some(platform) = last.platform else {
        return Some(CurrentValue {
            value: last.metric_value,
            source: Source::Imported,
            recorded_at: last.recorded_at,
        });
    };
    let (sum, n) = of(Source::Imported)
        .filter(|(_, r)| r.platform == Some(platform))
        .fold((0.0, 0u32), |(s, n), (_, r)| (s + r.metric_value, n + 1));
    let value = if AVERAGED_METRICS.contains(&metric.key()) && n > 0 {
        sum / f64::from(n)
    } else {
        sum
    };
    Some(CurrentValue {
        value,
        source: Source::Imported,
        recorded_at: last.recorded_at,
    })
}

/// The current value of every (entry, metric) with rows, in one pass over `rows`: exactly what
/// [`current_value`] gives for each, without a pass per lookup (with years of daily imported rows,
/// a pass per entry and metric made every edit cost entries × metrics × rows).
pub fn current_values(rows: &[PerformanceEntry]) -> HashMap<(EntryId, MetricKind), CurrentValue> {
    /// Per (entry, metric): the latest manual and imported rows by (time, position), and the
    /// running sum and count of imported rows per platform (in row order, as `current_value`).
    #[derive(Default)]
    struct Acc {
        manual: Option<(i64, usize, f64)>,
        imported: Option<(i64, usize, f64, Option<Platform>)>,
        platforms: Vec<(Platform, f64, u32)>,
    }
    let mut accs: HashMap<(EntryId, MetricKind), Acc> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let acc = accs
            .entry((r.calendar_entry_id, r.metric_type))
            .or_default();
        match r.source {
            Source::Manual => {
                if acc
                    .manual
                    .is_none_or(|(t, j, _)| (r.recorded_at, i) >= (t, j))
                {
                    acc.manual = Some((r.recorded_at, i, r.metric_value));
                }
            }
            Source::Imported => {
                if acc
                    .imported
                    .is_none_or(|(t, j, _, _)| (r.recorded_at, i) >= (t, j))
                {
                    acc.imported = Some((r.recorded_at, i, r.metric_value, r.platform));
                }
                if let Some(p) = r.platform {
                    match acc.platforms.iter_mut().find(|(q, _, _)| *q == p) {
                        Some((_, sum, n)) => {
                            *sum += r.metric_value;
                            *n += 1;
                        }
                        None => acc.platforms.push((p, r.metric_value, 1)),
                    }
                }
            }
        }
    }
    accs.into_iter()
        .filter_map(|((entry, metric), acc)| {
            let value = if let Some((at, _, value)) = acc.manual {
                CurrentValue {
                    value,
                    source: Source::Manual,
                    recorded_at: at,
                }
            } else {
                let (at, _, last, platform) = acc.imported?;
                let value = match platform {
                    None => last,
                    Some(p) => {
                        let (sum, n) = acc
                            .platforms
                            .iter()
                            .find(|(q, _, _)| *q == p)
                            .map_or((0.0, 0), |(_, s, n)| (*s, *n));
                        if AVERAGED_METRICS.contains(&metric.key()) && n > 0 {
                            sum / f64::from(n)
                        } else {
                            sum
                        }
                    }
                };
                CurrentValue {
                    value,
                    source: Source::Imported,
                    recorded_at: at,
                }
            };
            Some(((entry, metric), value))
        })
        .collect()
}

/// Whether `value` is possible for `metric` (finite, in range, whole for counts).
pub fn value_fits(metric: MetricKind, value: f64) -> bool {
    if !value.is_finite() || !(0.0..=MAX_VALUE).contains(&value) {
        return false;
    }
    match metric.unit() {
        Unit::Count => !metric.whole() || value.fract() == 0.0,
        Unit::Percent => value <= 100.0,
        Unit::Position => value >= 1.0,
        Unit::Duration | Unit::Money => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: MetricKind, value: f64, at: i64, source: Source) -> PerformanceEntry {
        PerformanceEntry::new(1, metric, value, at, source)
    }

    fn imported(
        metric: MetricKind,
        value: f64,
        at: i64,
        platform: Platform,
        day: i64,
    ) -> PerformanceEntry {
        PerformanceEntry {
            platform: Some(platform),
            period: Some(Period::day(day * 86_400_000)),
            ..row(metric, value, at, Source::Imported)
        }
    }

    #[test]
    fn the_one_pass_index_agrees_with_each_lookup() {
        // A seeded mix of manual and imported rows, with and without platforms, equal times.
        let metrics = [MetricKind::Clicks, MetricKind::Ctr, MetricKind::Revenue];
        let platforms = [
            None,
            Some(Platform::GoogleAdsCsv),
            Some(Platform::MetaAdsInsights),
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut rows = Vec::new();
        for _ in 0..2000 {
            let entry = 1 + next(5);
            let metric = metrics[next(3) as usize];
            let source = if next(6) == 0 {
                Source::Manual
            } else {
                Source::Imported
            };
            let mut r =
                PerformanceEntry::new(entry, metric, next(50) as f64, next(20) as i64, source);
            if source == Source::Imported {
                r.platform = platforms[next(3) as usize];
            }
            rows.push(r);
        }
        let index = current_values(&rows);
        for entry in 1..=6 {
            for metric in MetricKind::ALL {
                assert_eq!(
                    index.get(&(entry, metric)).copied(),
                    current_value(&rows, entry, metric),
                    "entry {entry} {metric:?}"
                );
            }
        }
    }

    #[test]
    fn imported_rows_of_the_latest_platform_add_up_and_rates_average() {
        let rows = [
            row(MetricKind::Clicks, 7.0, 1, Source::Imported),
            imported(MetricKind::Clicks, 10.0, 5, Platform::GoogleAdsCsv, 1),
            imported(MetricKind::Clicks, 15.0, 5, Platform::GoogleAdsCsv, 2),
            imported(MetricKind::Ctr, 2.0, 5, Platform::GoogleAdsCsv, 1),
            imported(MetricKind::Ctr, 4.0, 5, Platform::GoogleAdsCsv, 2),
        ];
        let v = current_value(&rows, 1, MetricKind::Clicks);
        assert_eq!(v.map(|v| (v.value, v.recorded_at)), Some((25.0, 5)));
        let v = current_value(&rows, 1, MetricKind::Ctr);
        assert_eq!(v.map(|v| v.value), Some(3.0));
        // A later import from another platform is shown instead (never added to the first).
        let mut more = rows.to_vec();
        more.push(imported(
            MetricKind::Clicks,
            3.0,
            9,
            Platform::MetaAdsInsights,
            1,
        ));
        let v = current_value(&more, 1, MetricKind::Clicks);
        assert_eq!(v.map(|v| v.value), Some(3.0));
        // Manual still wins.
        more.push(row(MetricKind::Clicks, 1.0, 2, Source::Manual));
        let v = current_value(&more, 1, MetricKind::Clicks);
        assert_eq!(v.map(|v| (v.value, v.source)), Some((1.0, Source::Manual)));
    }

    #[test]
    fn manual_wins_over_any_import_even_a_newer_one() {
        let rows = [
            row(MetricKind::Pageviews, 100.0, 10, Source::Imported),
            row(MetricKind::Pageviews, 2847.0, 20, Source::Manual),
            row(MetricKind::Pageviews, 9999.0, 30, Source::Imported),
        ];
        let v = current_value(&rows, 1, MetricKind::Pageviews);
        assert_eq!(
            v.map(|v| (v.value, v.source)),
            Some((2847.0, Source::Manual))
        );
    }

    #[test]
    fn latest_of_a_source_wins_and_ties_go_to_the_later_row() {
        let rows = [
            row(MetricKind::Signups, 3.0, 10, Source::Imported),
            row(MetricKind::Signups, 5.0, 30, Source::Imported),
            row(MetricKind::Signups, 4.0, 20, Source::Imported),
            row(MetricKind::Revenue, 1.0, 5, Source::Manual),
            row(MetricKind::Revenue, 2.0, 5, Source::Manual),
        ];
        assert_eq!(
            current_value(&rows, 1, MetricKind::Signups).map(|v| v.value),
            Some(5.0)
        );
        assert_eq!(
            current_value(&rows, 1, MetricKind::Revenue).map(|v| v.value),
            Some(2.0)
        );
        assert_eq!(current_value(&rows, 2, MetricKind::Signups), None);
        assert_eq!(current_value(&rows, 1, MetricKind::Cost), None);
    }

    #[test]
    fn values_fit_their_unit() {
        assert!(value_fits(MetricKind::Pageviews, 2847.0));
        assert!(!value_fits(MetricKind::Pageviews, 2.5));
        assert!(!value_fits(MetricKind::Revenue, -1.0));
        assert!(!value_fits(MetricKind::Revenue, f64::NAN));
        assert!(!value_fits(MetricKind::Revenue, f64::INFINITY));
        assert!(!value_fits(MetricKind::BounceRate, 100.5));
        assert!(!value_fits(MetricKind::RankingPosition, 0.0));
        assert!(value_fits(MetricKind::TimeOnPage, 222.0));
    }
}
