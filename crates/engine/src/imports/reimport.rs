//! Re-import semantics as pure functions: what the stored performance values become after an
//! import is confirmed.
//!
//! A stored value ([`PerformanceValue`]) is one metric of one calendar entry over a [`Period`]
//! (a day, or a range such as Meta's `date_start..date_stop`), entered by hand
//! ([`ValueSource::Manual`]) or imported from a platform ([`ValueSource::Imported`]).
//!
//! 1. [`imported_values`] turns the matched rows of an import into values: rows assigned to the
//!    same entry, metric and period are combined — summed, except the rates and averages of
//!    [`AVERAGED_METRICS`](super::AVERAGED_METRICS), which take their mean — and unassigned rows
//!    are left out.
//! 2. [`reimport`] merges them into what is stored, for one platform and one period:
//!    - every stored value **imported from the same platform** whose period overlaps the import
//!      period is removed (reported in [`Reimport::replaced`]): importing March again, daily or
//!      monthly, never duplicates March; other platforms' values are untouched (GA4 revenue and
//!      Google Ads revenue live side by side);
//!    - a new value whose entry and metric have a **manual** value with an overlapping period is
//!      not added (reported in [`Reimport::overridden`]): manual values always win and are never
//!      removed;
//!    - the other new values are added ([`Reimport::added`]).
//!
//! The result keeps the stored values' order, followed by the added values in input order.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{ImportedRow, Period, Platform, AVERAGED_METRICS};
use crate::journey::EntryId;

/// Who entered a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "platform", rename_all = "snake_case")]
pub enum ValueSource {
    Manual,
    Imported(Platform),
}

/// One stored metric value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceValue {
    pub entry: EntryId,
    /// A catalog key ([`super::METRIC_KEYS`]).
    pub metric: String,
    pub period: Period,
    pub value: f64,
    pub source: ValueSource,
}

/// An imported value not stored because a manual one covers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overridden {
    pub imported: PerformanceValue,
    pub manual: PerformanceValue,
}

/// The stored values after a re-import, and what changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reimport {
    pub values: Vec<PerformanceValue>,
    pub added: Vec<PerformanceValue>,
    pub replaced: Vec<PerformanceValue>,
    pub overridden: Vec<Overridden>,
}

/// A re-import that cannot be applied.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReimportError {
    #[error("the period ends before it starts")]
    BadPeriod,
    #[error("a new value of entry {entry} ({metric}) is not imported from {platform}")]
    WrongSource {
        entry: EntryId,
        metric: String,
        platform: Platform,
    },
    #[error("a new value of entry {entry} ({metric}) lies outside the import period")]
    OutsidePeriod { entry: EntryId, metric: String },
    #[error("a new value of entry {entry} ({metric}) is not a finite number ≥ 0")]
    BadValue { entry: EntryId, metric: String },
}

/// The values of `rows` assigned to entries (`assignments[i]` is row `i`'s entry; missing or
/// `None` leaves the row out), combined per entry, metric and period (module documentation).
/// Sorted by entry, metric, period.
pub fn imported_values(
    platform: Platform,
    rows: &[ImportedRow],
    assignments: &[Option<EntryId>],
) -> Vec<PerformanceValue> {
    // (entry, metric, period) → (sum, count)
    let mut acc: std::collections::BTreeMap<(EntryId, &str, Period), (f64, u32)> =
        std::collections::BTreeMap::new();
    for (row, entry) in rows.iter().zip(assignments) {
        let Some(entry) = *entry else { continue };
        for (metric, v) in &row.metrics {
            let a = acc
                .entry((entry, metric.as_str(), row.period))
                .or_insert((0.0, 0));
            a.0 += v;
            a.1 += 1;
        }
    }
    acc.into_iter()
        .map(|((entry, metric, period), (sum, n))| PerformanceValue {
            entry,
            metric: metric.to_owned(),
            period,
            value: if AVERAGED_METRICS.contains(&metric) && n > 0 {
                sum / f64::from(n)
            } else {
                sum
            },
            source: ValueSource::Imported(platform),
        })
        .collect()
}

/// Merge `new` (values imported from `platform` for `period`) into `existing` (module
/// documentation).
pub fn reimport(
    existing: &[PerformanceValue],
    platform: Platform,
    period: Period,
    new: &[PerformanceValue],
) -> Result<Reimport, ReimportError> {
    if period.end_ms < period.start_ms {
        return Err(ReimportError::BadPeriod);
    }
    for v in new {
        if v.source != ValueSource::Imported(platform) {
            return Err(ReimportError::WrongSource {
                entry: v.entry,
                metric: v.metric.clone(),
                platform,
            });
        }
        if !period.contains(&v.period) {
            return Err(ReimportError::OutsidePeriod {
                entry: v.entry,
                metric: v.metric.clone(),
            });
        }
        if !(v.value.is_finite() && v.value >= 0.0) {
            return Err(ReimportError::BadValue {
                entry: v.entry,
                metric: v.metric.clone(),
            });
        }
    }
    let mut out = Reimport::default();
    for v in existing {
        if v.source == ValueSource::Imported(platform) && v.period.overlaps(&period) {
            out.replaced.push(v.clone());
        } else {
            out.values.push(v.clone());
        }
    }
    for v in new {
        let manual = existing.iter().find(|m| {
            m.source == ValueSource::Manual
                && m.entry == v.entry
                && m.metric == v.metric
                && m.period.overlaps(&v.period)
        });
        match manual {
            Some(m) => out.overridden.push(Overridden {
                imported: v.clone(),
                manual: m.clone(),
            }),
            None => {
                out.values.push(v.clone());
                out.added.push(v.clone());
            }
        }
    }
    Ok(out)
}
