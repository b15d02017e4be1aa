//! The workspace: everything a user has in the app (calendar entries, recorded metrics,
//! attribution results, settings) and every change that can be made to it. Pure: the clock comes
//! in as an argument, storage happens elsewhere.
//!
//! **V1 attribution** is last touch on manual data (spec, "V1 — Proof of Concept"): the revenue
//! recorded on an entry is attributed to that entry. Results are kept as the spec's
//! `attribution_results` rows: model, attributed revenue, cost, ROI
//! ((revenue − cost) / cost × 100, computed by `refleqt_engine::roi`), calculated_at.

use super::entry::{CalendarEntry, EntryDraft, EntryError};
use super::metric::MetricKind;
use super::performance::{
    current_value, current_values, value_fits, CurrentValue, PerformanceEntry, Source,
};
use super::prediction::{Alert, DEFAULT_ALERT_THRESHOLD_PERCENT};
use refleqt_engine::links::{default_channel_mapping, ChannelUtm};
use refleqt_engine::number::DecimalMark;
use refleqt_engine::recommend::BusinessType;
use refleqt_engine::roi::{self, NoRoi};
use refleqt_engine::EntryId;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use thiserror::Error;

/// The model name stored in V1 attribution rows.
pub const LAST_TOUCH: &str = "last_touch";

/// Currencies offered in Settings (ISO 4217). Stored files may hold any three-letter code.
pub const CURRENCIES: [&str; 10] = [
    "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK", "INR", "BRL",
];

/// The sales cycle assumed until the user sets one, in days.
pub const DEFAULT_SALES_CYCLE_DAYS: u32 = 14;

/// User preferences stored with the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// ISO 4217 code of every money amount. Default `USD`.
    pub currency: String,
    /// Channel → `utm_source`/`utm_medium` for the link builder and import matching (schema 3).
    /// Default [`default_channel_mapping`]; edited in Settings ([`super::mapping`]).
    pub channel_mapping: Vec<ChannelUtm>,
    /// B2C or B2B, for the model recommendation. Default B2C.
    pub business_type: BusinessType,
    /// Typical days from first touch to purchase, for the model recommendation. Default 14.
    pub sales_cycle_days: u32,
    /// How typed numbers are written, and how imports read a number that could be either
    /// (`1,234`). Default a decimal point. Files older than this field load with the default.
    pub decimal_mark: DecimalMark,
    /// Connections to providers (issue 9): settings and the last period pulled, never a token.
    /// Files older than this field load with none.
    pub connections: Vec<super::connection::Connection>,
    /// An actual outside its predicted range by more than this percent of the nearer bound
    /// raises an alert. Default 25.
    pub alert_threshold_percent: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            currency: "USD".to_owned(),
            channel_mapping: default_channel_mapping(),
            business_type: BusinessType::B2c,
            sales_cycle_days: DEFAULT_SALES_CYCLE_DAYS,
            decimal_mark: DecimalMark::Point,
            connections: Vec::new(),
            alert_threshold_percent: DEFAULT_ALERT_THRESHOLD_PERCENT,
        }
    }
}

/// Whether `code` looks like an ISO 4217 code (three ASCII capitals).
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// One row of the spec's `attribution_results` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionResultRow {
    pub calendar_entry_id: EntryId,
    /// `"last_touch"` in V1.
    pub attribution_model: String,
    pub attributed_revenue: f64,
    pub cost: Option<f64>,
    /// Percent; `None` when it cannot be computed (see [`RoiStatus`]).
    pub roi: Option<f64>,
    /// Unix milliseconds.
    pub calculated_at: i64,
}

/// Where the cost used for ROI came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostSource {
    /// A recorded `cost` metric.
    Recorded(Source),
    /// The planned cost on the calendar entry.
    Planned,
}

/// Why an entry shows no ROI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRoiReason {
    NoRevenue,
    Engine(NoRoi),
}

impl fmt::Display for NoRoiReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoRoiReason::NoRevenue => {
                f.write_str("No ROI: no revenue recorded yet. Enter the revenue to see it.")
            }
            NoRoiReason::Engine(NoRoi::NoCost) => f.write_str(
                "No ROI: no cost recorded. ROI divides by the cost; enter it to see the ROI.",
            ),
            NoRoiReason::Engine(NoRoi::ZeroCost) => f.write_str(
                "No ROI: the cost is 0, and ROI divides by the cost. Organic work has a cost too \
                 (time, tools): enter it to see the ROI.",
            ),
            NoRoiReason::Engine(other) => write!(f, "No ROI: {other}."),
        }
    }
}

/// The ROI of an entry, or why there is none.
pub type RoiStatus = Result<f64, NoRoiReason>;

/// ROI from revenue and cost as the engine computes it; no revenue → no ROI.
pub fn roi_status(revenue: Option<f64>, cost: Option<f64>) -> RoiStatus {
    let revenue = revenue.ok_or(NoRoiReason::NoRevenue)?;
    roi::roi(revenue, cost).map_err(NoRoiReason::Engine)
}

/// The cost used for ROI from the recorded cost value and the entry (its planned cost).
fn cost_of(
    recorded: Option<CurrentValue>,
    entry: Option<&CalendarEntry>,
) -> Option<(f64, CostSource)> {
    if let Some(v) = recorded {
        return Some((v.value, CostSource::Recorded(v.source)));
    }
    entry.and_then(|e| e.cost).map(|c| (c, CostSource::Planned))
}

/// The current value of every entry and metric, built in one pass over the recorded rows
/// ([`current_values`]) once per workspace change, for pages that look up many values:
/// [`Workspace::value`] scans every row per lookup (with 1.1 million rows, a calendar of 100
/// entries made 500 scans per render). Gives exactly what the workspace's own methods give.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueIndex {
    values: HashMap<(EntryId, MetricKind), CurrentValue>,
}

impl ValueIndex {
    pub fn of(ws: &Workspace) -> ValueIndex {
        ValueIndex {
            values: current_values(&ws.performance_entries),
        }
    }

    /// [`Workspace::value`].
    pub fn value(&self, entry_id: EntryId, metric: MetricKind) -> Option<CurrentValue> {
        self.values.get(&(entry_id, metric)).copied()
    }

    /// [`Workspace::cost`] (`ws` gives the planned cost).
    pub fn cost(&self, ws: &Workspace, entry_id: EntryId) -> Option<(f64, CostSource)> {
        cost_of(self.value(entry_id, MetricKind::Cost), ws.entry(entry_id))
    }

    /// [`Workspace::roi`].
    pub fn roi(&self, ws: &Workspace, entry_id: EntryId) -> RoiStatus {
        roi_status(
            self.value(entry_id, MetricKind::Revenue).map(|v| v.value),
            self.cost(ws, entry_id).map(|(c, _)| c),
        )
    }

    /// [`Workspace::recorded_metrics`].
    pub fn recorded_metrics(&self, entry_id: EntryId) -> Vec<MetricKind> {
        MetricKind::ALL
            .into_iter()
            .filter(|m| self.values.contains_key(&(entry_id, *m)))
            .collect()
    }
}

/// Why a change or a loaded workspace was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkspaceError {
    #[error("there is no calendar entry {0}")]
    NoSuchEntry(EntryId),
    #[error("entry id 0 is not allowed (ids start at 1)")]
    ZeroId,
    #[error("two calendar entries have the id {0}")]
    DuplicateId(EntryId),
    #[error("entry id {id} is not below the next id {next}, so a new entry could reuse it")]
    IdNotBelowNext { id: EntryId, next: EntryId },
    #[error("calendar entry {id}: {error}")]
    Entry { id: EntryId, error: EntryError },
    #[error("a metric value refers to calendar entry {0}, which does not exist")]
    OrphanMetric(EntryId),
    #[error("calendar entry {id}: {metric} value {value} is not possible")]
    BadValue {
        id: EntryId,
        metric: &'static str,
        value: String,
    },
    #[error("an attribution result refers to calendar entry {0}, which does not exist")]
    OrphanResult(EntryId),
    #[error("an attribution result of entry {0} has a number that is not finite")]
    BadResult(EntryId),
    #[error("{0:?} is not a currency code (three capital letters, e.g. USD)")]
    Currency(String),
}

/// Everything the user has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    /// True for the generated demo until the user starts an empty workspace.
    #[serde(default)]
    pub is_demo: bool,
    /// The id the next new entry gets; ids are never reused.
    pub next_entry_id: EntryId,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub entries: Vec<CalendarEntry>,
    #[serde(default)]
    pub performance_entries: Vec<PerformanceEntry>,
    #[serde(default)]
    pub attribution_results: Vec<AttributionResultRow>,
    /// Anomaly alerts (`model::learning`).
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// Results of past artifacts that are not calendar entries (the demo's year before its
    /// calendar): the learners draw on them as on entries with results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub past_artifacts: Vec<refleqt_engine::artifact::ArtifactRecord>,
    /// Planning beliefs (engine `beliefs`; scored by `model::evidence`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beliefs: Vec<refleqt_engine::beliefs::Belief>,
    /// Recorded A/B tests with the user's decision on each insight (`model::ab_record`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ab_tests: Vec<super::ab_record::AbTestRecord>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::empty()
    }
}

impl Workspace {
    /// A workspace with nothing in it.
    pub fn empty() -> Workspace {
        Workspace {
            is_demo: false,
            next_entry_id: 1,
            settings: Settings::default(),
            entries: Vec::new(),
            performance_entries: Vec::new(),
            attribution_results: Vec::new(),
            alerts: Vec::new(),
            past_artifacts: Vec::new(),
            beliefs: Vec::new(),
            ab_tests: Vec::new(),
        }
    }

    pub fn entry(&self, entry_id: EntryId) -> Option<&CalendarEntry> {
        self.entries.iter().find(|e| e.entry_id == entry_id)
    }

    /// Add an entry; returns its new id.
    pub fn add_entry(&mut self, draft: EntryDraft) -> EntryId {
        let entry_id = self.next_entry_id.max(1);
        self.next_entry_id = entry_id + 1;
        self.entries
            .push(CalendarEntry::from_draft(entry_id, draft));
        entry_id
    }

    /// Replace the fields of an entry, keeping its id.
    pub fn update_entry(
        &mut self,
        entry_id: EntryId,
        draft: EntryDraft,
    ) -> Result<(), WorkspaceError> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.entry_id == entry_id)
            .ok_or(WorkspaceError::NoSuchEntry(entry_id))?;
        // An edit never re-freezes the prediction made at publication.
        *entry = entry.edited(draft);
        Ok(())
    }

    /// Replace the entry with the same id by `entry` (an edit merged with another tab's change).
    pub fn put_entry(&mut self, entry: CalendarEntry) -> Result<(), WorkspaceError> {
        let slot = self
            .entries
            .iter_mut()
            .find(|e| e.entry_id == entry.entry_id)
            .ok_or(WorkspaceError::NoSuchEntry(entry.entry_id))?;
        *slot = entry;
        Ok(())
    }

    /// Delete an entry with its metrics and results. Its id is not reused.
    pub fn delete_entry(&mut self, entry_id: EntryId) -> Result<CalendarEntry, WorkspaceError> {
        let index = self
            .entries
            .iter()
            .position(|e| e.entry_id == entry_id)
            .ok_or(WorkspaceError::NoSuchEntry(entry_id))?;
        self.performance_entries
            .retain(|r| r.calendar_entry_id != entry_id);
        self.attribution_results
            .retain(|r| r.calendar_entry_id != entry_id);
        self.alerts.retain(|a| a.entry_id != entry_id);
        Ok(self.entries.remove(index))
    }

    /// The current value of a metric (manual wins).
    pub fn value(&self, entry_id: EntryId, metric: MetricKind) -> Option<CurrentValue> {
        current_value(&self.performance_entries, entry_id, metric)
    }

    /// The metrics that have a value for an entry, in catalog order.
    pub fn recorded_metrics(&self, entry_id: EntryId) -> Vec<MetricKind> {
        MetricKind::ALL
            .into_iter()
            .filter(|m| self.value(entry_id, *m).is_some())
            .collect()
    }

    /// Record what a person typed: a changed value becomes a new manual row dated `now`; an
    /// unchanged one adds nothing; `None` removes the manual rows of that metric (imported values,
    /// if any, show again). Returns how many metrics changed.
    pub fn record_manual(
        &mut self,
        entry_id: EntryId,
        values: &[(MetricKind, Option<f64>)],
        now: i64,
    ) -> Result<usize, WorkspaceError> {
        if self.entry(entry_id).is_none() {
            return Err(WorkspaceError::NoSuchEntry(entry_id));
        }
        for (metric, value) in values {
            if let Some(v) = value {
                if !value_fits(*metric, *v) {
                    return Err(WorkspaceError::BadValue {
                        id: entry_id,
                        metric: metric.key(),
                        value: v.to_string(),
                    });
                }
            }
        }
        let mut changed = 0;
        // The entry's own rows, in order, read once (not one scan of every row per metric) and
        // kept in step with the changes below.
        let mut own: Vec<PerformanceEntry> = self
            .performance_entries
            .iter()
            .filter(|r| r.calendar_entry_id == entry_id)
            .copied()
            .collect();
        for (metric, value) in values {
            let current = current_value(&own, entry_id, *metric);
            let is_manual_row = |r: &PerformanceEntry| {
                r.calendar_entry_id == entry_id
                    && r.metric_type == *metric
                    && r.source == Source::Manual
            };
            match value {
                Some(v) if current.map(|c| c.value) != Some(*v) => {
                    let row = PerformanceEntry::new(entry_id, *metric, *v, now, Source::Manual);
                    own.push(row);
                    self.performance_entries.push(row);
                    changed += 1;
                }
                Some(_) => {}
                None => {
                    let before = self.performance_entries.len();
                    own.retain(|r| !is_manual_row(r));
                    self.performance_entries.retain(|r| !is_manual_row(r));
                    if self.performance_entries.len() != before {
                        changed += 1;
                    }
                }
            }
        }
        Ok(changed)
    }

    /// Record a value read from a platform export. It never hides a manual value.
    pub fn record_imported(
        &mut self,
        entry_id: EntryId,
        metric: MetricKind,
        value: f64,
        recorded_at: i64,
    ) -> Result<(), WorkspaceError> {
        if self.entry(entry_id).is_none() {
            return Err(WorkspaceError::NoSuchEntry(entry_id));
        }
        if !value_fits(metric, value) {
            return Err(WorkspaceError::BadValue {
                id: entry_id,
                metric: metric.key(),
                value: value.to_string(),
            });
        }
        self.performance_entries.push(PerformanceEntry::new(
            entry_id,
            metric,
            value,
            recorded_at,
            Source::Imported,
        ));
        Ok(())
    }

    /// The cost used for ROI: a recorded `cost` metric, else the entry's planned cost.
    pub fn cost(&self, entry_id: EntryId) -> Option<(f64, CostSource)> {
        cost_of(self.value(entry_id, MetricKind::Cost), self.entry(entry_id))
    }

    /// The ROI of an entry (V1: its own revenue over its cost), or why there is none.
    pub fn roi(&self, entry_id: EntryId) -> RoiStatus {
        roi_status(
            self.value(entry_id, MetricKind::Revenue).map(|v| v.value),
            self.cost(entry_id).map(|(c, _)| c),
        )
    }

    /// Recompute the V1 last-touch results: one row per entry with revenue or cost. One pass over
    /// the recorded rows (their index), not one per entry.
    pub fn recalculate_attribution(&mut self, now: i64) {
        let values = current_values(&self.performance_entries);
        let rows = self
            .entries
            .iter()
            .filter_map(|e| {
                let revenue = values
                    .get(&(e.entry_id, MetricKind::Revenue))
                    .map(|v| v.value);
                let cost = values
                    .get(&(e.entry_id, MetricKind::Cost))
                    .map(|v| v.value)
                    .or(e.cost);
                if revenue.is_none() && cost.is_none() {
                    return None;
                }
                Some(AttributionResultRow {
                    calendar_entry_id: e.entry_id,
                    attribution_model: LAST_TOUCH.to_owned(),
                    attributed_revenue: revenue.unwrap_or(0.0),
                    cost,
                    roi: roi_status(revenue, cost).ok(),
                    calculated_at: now,
                })
            })
            .collect();
        self.attribution_results = rows;
    }

    /// Campaign names in use, sorted, without empties.
    pub fn campaigns(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .entries
            .iter()
            .map(|e| e.campaign.clone())
            .filter(|c| !c.is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Channel names in use, sorted.
    pub fn channels(&self) -> Vec<String> {
        let mut names: Vec<String> = self.entries.iter().map(|e| e.channel.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Check everything a loaded or imported workspace must satisfy.
    pub fn validate(&self) -> Result<(), WorkspaceError> {
        if !is_currency_code(&self.settings.currency) {
            return Err(WorkspaceError::Currency(self.settings.currency.clone()));
        }
        let mut ids = HashSet::new();
        for e in &self.entries {
            if e.entry_id == 0 {
                return Err(WorkspaceError::ZeroId);
            }
            if !ids.insert(e.entry_id) {
                return Err(WorkspaceError::DuplicateId(e.entry_id));
            }
            if e.entry_id >= self.next_entry_id {
                return Err(WorkspaceError::IdNotBelowNext {
                    id: e.entry_id,
                    next: self.next_entry_id,
                });
            }
            e.check().map_err(|error| WorkspaceError::Entry {
                id: e.entry_id,
                error,
            })?;
        }
        for r in &self.performance_entries {
            if !ids.contains(&r.calendar_entry_id) {
                return Err(WorkspaceError::OrphanMetric(r.calendar_entry_id));
            }
            if !value_fits(r.metric_type, r.metric_value) {
                return Err(WorkspaceError::BadValue {
                    id: r.calendar_entry_id,
                    metric: r.metric_type.key(),
                    value: r.metric_value.to_string(),
                });
            }
        }
        for r in &self.attribution_results {
            if !ids.contains(&r.calendar_entry_id) {
                return Err(WorkspaceError::OrphanResult(r.calendar_entry_id));
            }
            let finite = r.attributed_revenue.is_finite()
                && r.cost.is_none_or(f64::is_finite)
                && r.roi.is_none_or(f64::is_finite);
            if !finite {
                return Err(WorkspaceError::BadResult(r.calendar_entry_id));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::EntryForm;

    #[test]
    fn settings_without_a_number_format_load_with_a_decimal_point() {
        let old: Settings = serde_json::from_str(r#"{"currency": "EUR", "sales_cycle_days": 30}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.decimal_mark, DecimalMark::Point);
        assert_eq!(old.currency, "EUR");
        let comma = Settings {
            decimal_mark: DecimalMark::Comma,
            ..Settings::default()
        };
        let text = serde_json::to_string(&comma).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains(r#""decimal_mark":"comma""#), "{text}");
        let back: Settings = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, comma);
    }
    use refleqt_engine::roi::format_percent;

    pub(crate) fn draft(title: &str) -> EntryDraft {
        EntryForm {
            title: title.into(),
            channel_choice: "Blog / organic".into(),
            campaign: "Q1 Product Launch".into(),
            publish_date: "2025-03-14".into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn the_spec_example_reads_2700_percent() {
        let mut ws = Workspace::empty();
        let id = ws.add_entry(draft("Q1 Product Launch Blog"));
        let values = [
            (MetricKind::Pageviews, Some(2847.0)),
            (MetricKind::TimeOnPage, Some(222.0)),
            (MetricKind::Signups, Some(12.0)),
            (MetricKind::Revenue, Some(4200.0)),
            (MetricKind::Cost, Some(150.0)),
        ];
        assert_eq!(ws.record_manual(id, &values, 1000), Ok(5));
        let roi = ws.roi(id).unwrap_or(f64::NAN);
        assert_eq!(format_percent(roi), "2,700%");
        ws.recalculate_attribution(2000);
        let row = &ws.attribution_results[0];
        assert_eq!(row.attribution_model, LAST_TOUCH);
        assert_eq!(
            (row.attributed_revenue, row.cost, row.roi),
            (4200.0, Some(150.0), Some(2700.0))
        );
        assert_eq!(row.calculated_at, 2000);
        // Saving the same values again records nothing new.
        assert_eq!(ws.record_manual(id, &values, 3000), Ok(0));
        assert_eq!(ws.performance_entries.len(), 5);
    }

    #[test]
    fn missing_or_zero_cost_and_missing_revenue_give_reasons_not_numbers() {
        assert_eq!(
            roi_status(Some(4200.0), None),
            Err(NoRoiReason::Engine(NoRoi::NoCost))
        );
        assert_eq!(
            roi_status(Some(4200.0), Some(0.0)),
            Err(NoRoiReason::Engine(NoRoi::ZeroCost))
        );
        assert_eq!(roi_status(None, Some(150.0)), Err(NoRoiReason::NoRevenue));
        assert_eq!(roi_status(Some(0.0), Some(150.0)), Ok(-100.0));
        for reason in [
            NoRoiReason::NoRevenue,
            NoRoiReason::Engine(NoRoi::NoCost),
            NoRoiReason::Engine(NoRoi::ZeroCost),
        ] {
            assert!(reason.to_string().starts_with("No ROI: "));
        }
    }

    #[test]
    fn recorded_cost_wins_over_the_planned_cost() {
        let mut ws = Workspace::empty();
        let mut d = draft("A");
        d.cost = Some(100.0);
        let id = ws.add_entry(d);
        assert_eq!(ws.cost(id), Some((100.0, CostSource::Planned)));
        assert_eq!(
            ws.record_manual(id, &[(MetricKind::Cost, Some(150.0))], 1),
            Ok(1)
        );
        assert_eq!(
            ws.cost(id),
            Some((150.0, CostSource::Recorded(Source::Manual)))
        );
    }

    #[test]
    fn imports_never_overwrite_manual_values_and_clearing_shows_the_import_again() {
        let mut ws = Workspace::empty();
        let id = ws.add_entry(draft("A"));
        assert_eq!(
            ws.record_manual(id, &[(MetricKind::Pageviews, Some(2847.0))], 10),
            Ok(1)
        );
        assert_eq!(
            ws.record_imported(id, MetricKind::Pageviews, 500.0, 20),
            Ok(())
        );
        let v = ws.value(id, MetricKind::Pageviews);
        assert_eq!(
            v.map(|v| (v.value, v.source)),
            Some((2847.0, Source::Manual))
        );
        assert_eq!(
            ws.record_manual(id, &[(MetricKind::Pageviews, None)], 30),
            Ok(1)
        );
        let v = ws.value(id, MetricKind::Pageviews);
        assert_eq!(
            v.map(|v| (v.value, v.source)),
            Some((500.0, Source::Imported))
        );
    }

    #[test]
    fn refused_values_change_nothing() {
        let mut ws = Workspace::empty();
        let id = ws.add_entry(draft("A"));
        let before = ws.clone();
        let values = [
            (MetricKind::Pageviews, Some(1.0)),
            (MetricKind::BounceRate, Some(120.0)),
        ];
        assert!(matches!(
            ws.record_manual(id, &values, 1),
            Err(WorkspaceError::BadValue { .. })
        ));
        assert_eq!(
            ws.record_manual(99, &[(MetricKind::Pageviews, Some(1.0))], 1),
            Err(WorkspaceError::NoSuchEntry(99))
        );
        assert_eq!(ws, before);
    }

    #[test]
    fn ids_are_stable_and_never_reused() {
        let mut ws = Workspace::empty();
        let a = ws.add_entry(draft("A"));
        let b = ws.add_entry(draft("B"));
        assert_eq!((a, b), (1, 2));
        assert_eq!(
            ws.record_manual(b, &[(MetricKind::Revenue, Some(10.0))], 1),
            Ok(1)
        );
        ws.recalculate_attribution(1);
        assert_eq!(ws.delete_entry(b).map(|e| e.title), Ok("B".to_owned()));
        assert!(ws.performance_entries.is_empty());
        assert!(ws.attribution_results.is_empty());
        assert_eq!(ws.add_entry(draft("C")), 3);
        assert_eq!(ws.delete_entry(b), Err(WorkspaceError::NoSuchEntry(2)));
        let mut d = draft("A2");
        d.channel = "Podcast".into();
        assert_eq!(ws.update_entry(a, d), Ok(()));
        assert_eq!(ws.entry(a).map(|e| e.channel.as_str()), Some("Podcast"));
        assert_eq!(ws.validate(), Ok(()));
    }

    #[test]
    fn the_value_index_gives_what_the_workspace_gives() {
        let mut ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let id = ws.entries[0].entry_id;
        ws.record_manual(
            id,
            &[(MetricKind::Revenue, Some(10.0)), (MetricKind::Cost, None)],
            9,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let no_values = ws.add_entry(EntryDraft {
            cost: Some(5.0),
            ..draft("Planned only")
        });
        let index = ValueIndex::of(&ws);
        let mut compared = 0;
        for e in &ws.entries {
            for m in MetricKind::ALL {
                assert_eq!(index.value(e.entry_id, m), ws.value(e.entry_id, m));
                compared += usize::from(index.value(e.entry_id, m).is_some());
            }
            assert_eq!(index.cost(&ws, e.entry_id), ws.cost(e.entry_id));
            assert_eq!(index.roi(&ws, e.entry_id), ws.roi(e.entry_id));
            assert_eq!(
                index.recorded_metrics(e.entry_id),
                ws.recorded_metrics(e.entry_id)
            );
        }
        assert!(compared > 30, "the demo has values to compare ({compared})");
        assert_eq!(index.cost(&ws, no_values), Some((5.0, CostSource::Planned)));
        assert_eq!(index.value(999, MetricKind::Revenue), None);
    }

    #[test]
    fn validate_catches_broken_workspaces() {
        let mut ws = Workspace::empty();
        let id = ws.add_entry(draft("A"));
        let check = |f: &dyn Fn(&mut Workspace), expected: WorkspaceError| {
            let mut broken = ws.clone();
            f(&mut broken);
            assert_eq!(broken.validate(), Err(expected));
        };
        check(
            &|w| w.next_entry_id = 1,
            WorkspaceError::IdNotBelowNext { id, next: 1 },
        );
        check(
            &|w| {
                let e = w.entries[0].clone();
                w.entries.push(e);
            },
            WorkspaceError::DuplicateId(id),
        );
        check(&|w| w.entries[0].entry_id = 0, WorkspaceError::ZeroId);
        check(
            &|w| w.entries[0].title.clear(),
            WorkspaceError::Entry {
                id,
                error: EntryError::TitleEmpty,
            },
        );
        check(
            &|w| w.settings.currency = "dollars".into(),
            WorkspaceError::Currency("dollars".into()),
        );
        check(
            &|w| {
                w.performance_entries.push(PerformanceEntry::new(
                    42,
                    MetricKind::Signups,
                    1.0,
                    0,
                    Source::Manual,
                ))
            },
            WorkspaceError::OrphanMetric(42),
        );
        check(
            &|w| {
                w.performance_entries.push(PerformanceEntry::new(
                    id,
                    MetricKind::Signups,
                    f64::NAN,
                    0,
                    Source::Manual,
                ))
            },
            WorkspaceError::BadValue {
                id,
                metric: "signups",
                value: "NaN".into(),
            },
        );
    }
}
