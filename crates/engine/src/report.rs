//! The full attribution report of one data set: every model's credit per channel and per
//! calendar entry, with intervals, costs, ROI and ROAS, the parameters used and the data's range.
//!
//! This is the product's "context export" and the CLI's JSON output (layout documented in the
//! README): [`run`] takes journeys and [`ReportParams`] and returns a serialisable [`Report`]; [`to_csv`]
//! flattens it to one row per model and channel, [`entries_csv`] to one row per model and
//! calendar entry. Costs come from the data (an event log's cost column, summed per channel and
//! per calendar entry by [`costs_of`]) and from the workspace (the calendar entries' costs, which
//! replace the data's for every entry the journeys carry as `cal-<id>`: [`with_workspace_costs`]);
//! each entry's row says which ([`CostSource`]). ROI = (revenue − cost) / cost × 100 and
//! ROAS = revenue / cost, absent when there is no positive cost (see [`crate::roi`]); their
//! intervals follow from the revenue interval at the fixed cost (both are increasing in revenue).

use crate::bootstrap::{intervals_with, BootstrapOptions, ModelIntervals};
use crate::jobs::{Jobs, OneByOne};
use crate::journey::{EntryId, JourneySet};
use crate::models::logistic::LogisticDetails;
use crate::models::markov::MarkovDetails;
use crate::models::{
    attribute_all_with, AttributionResult, Details, Model, ModelError, ModelParams,
};
use crate::parse::events::EventLog;
use crate::parse::timestamp::format_iso_ms;
use crate::parse::{ColumnMatch, ParseReport, RowError};
use crate::roi::{roas, roi};
use crate::truth::{l1_distance, model_shares, Truth, TruthBasis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a calendar entry's cost came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The workspace's calendar entry (its recorded cost, else its planned cost).
    Workspace,
    /// The data's cost column, summed over the entry's touches.
    Data,
}

impl CostSource {
    /// How a page or a CSV names the source.
    pub fn label(self) -> &'static str {
        match self {
            CostSource::Workspace => "workspace",
            CostSource::Data => "data file",
        }
    }
}

/// Spend per channel (by channel id of the journey set) and per calendar entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    pub by_channel: Vec<f64>,
    pub by_entry: BTreeMap<EntryId, f64>,
    /// Where each entry's cost in `by_entry` came from (absent: the data).
    #[serde(default)]
    pub entry_source: BTreeMap<EntryId, CostSource>,
}

/// The data's costs with the workspace's: each calendar entry that the journeys carry
/// (`cal-<id>`) and that has a cost in `workspace` takes that cost instead of the data's, and its
/// channel's spend follows (the data's cost of the entry is taken out, the workspace's put in; an
/// entry seen on several channels counts on the first one met). Entries the journeys do not carry
/// are left out: nothing here can credit them. `None` when neither side has a cost.
pub fn with_workspace_costs(
    set: &JourneySet,
    data: Option<Costs>,
    workspace: &BTreeMap<EntryId, f64>,
) -> Option<Costs> {
    let mut channel_of: BTreeMap<EntryId, u32> = BTreeMap::new();
    for j in set.iter() {
        for t in j.touches {
            if let Some(e) = t.entry {
                channel_of.entry(e).or_insert(t.channel);
            }
        }
    }
    let had_data = data.is_some();
    let mut costs = data.unwrap_or_default();
    costs
        .by_channel
        .resize(set.channels.len().max(costs.by_channel.len()), 0.0);
    let mut any = false;
    for (entry, &cost) in workspace {
        let Some(&channel) = channel_of.get(entry) else {
            continue;
        };
        if !cost.is_finite() {
            continue;
        }
        let old = costs.by_entry.insert(*entry, cost).unwrap_or(0.0);
        costs.entry_source.insert(*entry, CostSource::Workspace);
        if let Some(x) = costs.by_channel.get_mut(channel as usize) {
            *x += cost - old;
        }
        any = true;
    }
    (had_data || any).then_some(costs)
}

/// Sum an event log's touch costs per channel and per calendar entry.
pub fn costs_of(log: &EventLog) -> Costs {
    costs_in(log, i64::MIN, i64::MAX)
}

/// [`costs_of`] for the touches at `from_ms ≤ time < to_ms` only.
pub fn costs_in(log: &EventLog, from_ms: i64, to_ms: i64) -> Costs {
    let mut c = Costs {
        by_channel: vec![0.0; log.channels.len()],
        by_entry: BTreeMap::new(),
        entry_source: BTreeMap::new(),
    };
    // Per touch key: its channel and the slot of its calendar entry, so that the loop over the
    // events does no map look-ups (sums still run in event order: the same bits).
    let mut slots: BTreeMap<EntryId, usize> = BTreeMap::new();
    let keys: Vec<(usize, Option<usize>)> = log
        .touch_keys
        .iter()
        .map(|k| {
            let slot = k.entry.map(|e| {
                let next = slots.len();
                *slots.entry(e).or_insert(next)
            });
            (k.channel as usize, slot)
        })
        .collect();
    let mut by_slot: Vec<Option<f64>> = vec![None; slots.len()];
    for e in &log.events {
        let cost = e.cost();
        if cost == 0.0 || !cost.is_finite() || e.ts_ms() < from_ms || e.ts_ms() >= to_ms {
            continue;
        }
        let Some(&(channel, slot)) = e.touch_key().and_then(|k| keys.get(k as usize)) else {
            continue;
        };
        if let Some(x) = c.by_channel.get_mut(channel) {
            *x += cost;
        }
        if let Some(x) = slot.and_then(|s| by_slot.get_mut(s)) {
            *x = Some(x.unwrap_or(0.0) + cost);
        }
    }
    for (entry, slot) in slots {
        if let Some(Some(x)) = by_slot.get(slot) {
            c.by_entry.insert(entry, *x);
            c.entry_source.insert(entry, CostSource::Data);
        }
    }
    c
}

/// Where the data came from, as the caller describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    /// A file name, or what the app calls the data set.
    pub source: String,
    /// `events` or `paths`.
    pub format: String,
    pub delimiter: String,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    /// The first rejected rows (line, column, reason).
    pub rejected: Vec<RowError>,
    /// The detected column mapping.
    pub columns: Vec<ColumnMatch>,
    /// Journeys: one per conversion plus one per non-converting tail (event logs), or the sum of
    /// conversions and nulls (path tables).
    pub journeys: f64,
    /// Journeys as stored: event-log journeys, or path-table rows.
    pub distinct_rows: usize,
    /// Touches over all journeys (a path-table row counts once per journey it stands for).
    pub touches: f64,
    pub channels: Vec<String>,
    /// First and last journey end, ISO 8601 UTC, when the data has timestamps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_range: Option<[String; 2]>,
}

impl InputSummary {
    /// Describe `set`, parsed with `parse` from `source`.
    pub fn describe(source: &str, format: &str, parse: &ParseReport, set: &JourneySet) -> Self {
        InputSummary {
            source: source.to_owned(),
            format: format.to_owned(),
            delimiter: parse.delimiter.to_string(),
            rows_accepted: parse.accepted,
            rows_rejected: parse.rejected_count,
            rejected: parse.rejected.iter().take(100).cloned().collect(),
            columns: parse.columns.clone(),
            journeys: set.total_conversions() + set.total_nulls(),
            distinct_rows: set.len(),
            touches: set
                .iter()
                .map(|j| (j.conversions + j.nulls) * j.touches.len() as f64)
                .sum(),
            channels: set.channels.names().to_vec(),
            date_range: set
                .date_range_ms()
                .map(|(lo, hi)| [format_iso_ms(lo), format_iso_ms(hi)]),
        }
    }
}

/// Every setting that shaped the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback_days: Option<f64>,
    pub half_life_days: f64,
    pub position_first: f64,
    pub position_last: f64,
    pub last_non_direct: bool,
    pub markov_order: u8,
    /// The data-driven (logistic) model was run below its 1,000-conversion threshold.
    #[serde(default)]
    pub force_logistic: bool,
    pub bootstrap_replicates: usize,
    pub bootstrap_seed: u64,
    pub interval_level: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub conversions: f64,
    pub revenue: f64,
    pub non_converting_journeys: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// The calendar entries' part of `cost` (what the artifacts' ROI divides by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_cost: Option<f64>,
}

/// All calendar entries together under one model: their credit (with its interval), their cost,
/// and the ROI and ROAS of that cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactTotals {
    pub conversions: f64,
    pub revenue: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roas: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub channel: String,
    pub conversions: f64,
    pub revenue: f64,
    pub share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_high: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roas: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRow {
    pub entry: u64,
    pub utm_content: String,
    pub conversions: f64,
    pub revenue: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roas: Option<f64>,
    /// Where `cost` came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_source: Option<CostSource>,
    /// The bootstrap interval on the credited conversions, revenue, ROI and ROAS (absent without
    /// intervals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roas_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roas_high: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    pub model: Model,
    pub label: String,
    pub channels: Vec<ChannelRow>,
    pub entries: Vec<EntryRow>,
    /// The calendar entries together (absent when the data tags none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<ArtifactTotals>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markov: Option<MarkovDetails>,
    /// The data-driven model's fit: intercept and one log-odds coefficient per channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistic: Option<LogisticDetails>,
    /// L1 distance between this model's shares and the true shares (simulated data only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth_l1: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub model: Model,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthSummary {
    pub basis: String,
    pub shares: Vec<(String, f64)>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub refleqt: String,
    pub input: InputSummary,
    pub parameters: Parameters,
    pub totals: Totals,
    pub models: Vec<ModelReport>,
    pub skipped: Vec<Skipped>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth: Option<TruthSummary>,
}

/// What [`run`] needs beyond the journeys.
#[derive(Debug, Clone)]
pub struct ReportParams<'a> {
    pub models: &'a [Model],
    pub params: ModelParams,
    pub bootstrap: BootstrapOptions,
    /// The lookback window the journeys were built with (event logs only).
    pub lookback_days: Option<f64>,
    pub costs: Option<&'a Costs>,
    pub truth: Option<&'a Truth>,
}

fn money(revenue: f64, cost: Option<f64>) -> (Option<f64>, Option<f64>) {
    (roi(revenue, cost).ok(), roas(revenue, cost).ok())
}

fn model_report(
    r: AttributionResult,
    iv: Option<&ModelIntervals>,
    costs: Option<&Costs>,
    truth: Option<&Truth>,
) -> ModelReport {
    let truth_l1 = truth.map(|t| l1_distance(&model_shares(&r), t, TruthBasis::Realised));
    let channels = r
        .channels
        .into_iter()
        .map(|c| {
            let i = iv.and_then(|iv| iv.channels.iter().find(|i| i.channel == c.channel));
            let cost = costs.and_then(|k| k.by_channel.get(c.channel as usize).copied());
            let (roi, roas) = money(c.revenue, cost);
            ChannelRow {
                channel: c.name,
                conversions: c.conversions,
                revenue: c.revenue,
                share: c.share,
                share_low: i.map(|i| i.low),
                share_high: i.map(|i| i.high),
                cost,
                roi,
                roas,
            }
        })
        .collect();
    let entries: Vec<EntryRow> = r
        .entries
        .into_iter()
        .map(|e| {
            let cost = costs.and_then(|k| k.by_entry.get(&e.entry).copied());
            let cost_source = cost.and(Some(
                costs
                    .and_then(|k| k.entry_source.get(&e.entry).copied())
                    .unwrap_or(CostSource::Data),
            ));
            let (roi, roas) = money(e.revenue, cost);
            let i = iv.and_then(|iv| iv.entries.iter().find(|i| i.entry == e.entry));
            let (roi_low, roas_low) = i.map_or((None, None), |i| money(i.revenue_low, cost));
            let (roi_high, roas_high) = i.map_or((None, None), |i| money(i.revenue_high, cost));
            EntryRow {
                entry: e.entry,
                utm_content: format!("cal-{}", e.entry),
                conversions: e.conversions,
                revenue: e.revenue,
                cost,
                roi,
                roas,
                cost_source,
                conversions_low: i.map(|i| i.conversions_low),
                conversions_high: i.map(|i| i.conversions_high),
                revenue_low: i.map(|i| i.revenue_low),
                revenue_high: i.map(|i| i.revenue_high),
                roi_low,
                roi_high,
                roas_low,
                roas_high,
            }
        })
        .collect();
    let artifacts = (!entries.is_empty()).then(|| {
        let conversions = entries.iter().map(|e| e.conversions).sum();
        let revenue = entries.iter().map(|e| e.revenue).sum();
        let cost = costs
            .map(|k| k.by_entry.values().sum::<f64>())
            .filter(|&c| c != 0.0);
        let total = iv.and_then(|iv| iv.entries_total.as_ref());
        let (roi, roas) = money(revenue, cost);
        let (roi_low, _) = total.map_or((None, None), |t| money(t.revenue_low, cost));
        let (roi_high, _) = total.map_or((None, None), |t| money(t.revenue_high, cost));
        ArtifactTotals {
            conversions,
            revenue,
            revenue_low: total.map(|t| t.revenue_low),
            revenue_high: total.map(|t| t.revenue_high),
            cost,
            roi,
            roi_low,
            roi_high,
            roas,
        }
    });
    ModelReport {
        model: r.model,
        label: r.model.label().to_owned(),
        channels,
        entries,
        artifacts,
        markov: match &r.details {
            Details::Markov(d) => Some(d.clone()),
            _ => None,
        },
        logistic: match r.details {
            Details::Logistic(d) => Some(d),
            _ => None,
        },
        truth_l1,
    }
}

/// Run the models and the bootstrap on `set` and assemble the report. Models that cannot run on
/// this data (time-decay without timestamps, Shapley beyond its budget, a Markov chain over its
/// state limit or a solve that did not converge, the data-driven model below 1,000 conversions
/// without `force_logistic`) are listed under
/// `skipped` with the reason; an invalid parameter is an error.
pub fn run(
    set: &JourneySet,
    input: InputSummary,
    report_params: &ReportParams<'_>,
) -> Result<Report, ModelError> {
    run_with(set, input, report_params, &OneByOne)
}

/// [`run`] with the models and the bootstrap's replicates shared out as `jobs` (the CLI's
/// threads): the same report to the last bit.
pub fn run_with(
    set: &JourneySet,
    input: InputSummary,
    report_params: &ReportParams<'_>,
    jobs: &dyn Jobs,
) -> Result<Report, ModelError> {
    report_params.params.validate()?;
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for (model, result) in
        attribute_all_with(set, report_params.models, &report_params.params, jobs)
    {
        match result {
            Ok(r) => results.push(r),
            Err(
                e @ (ModelError::NoTimestamps
                | ModelError::ShapleyTooExpensive { .. }
                | ModelError::TooFewConversions { .. }
                | ModelError::Markov(_)),
            ) => skipped.push(Skipped {
                model,
                reason: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    let ran: Vec<Model> = results.iter().map(|r| r.model).collect();
    let ivs = intervals_with(
        set,
        &ran,
        &report_params.params,
        &report_params.bootstrap,
        jobs,
    )?;
    let models = results
        .into_iter()
        .map(|r| {
            let iv = ivs.iter().find(|iv| iv.model == r.model);
            model_report(r, iv, report_params.costs, report_params.truth)
        })
        .collect();
    let p = &report_params.params;
    Ok(Report {
        refleqt: env!("CARGO_PKG_VERSION").to_owned(),
        input,
        parameters: Parameters {
            lookback_days: report_params.lookback_days,
            half_life_days: p.half_life_days,
            position_first: p.position_first,
            position_last: p.position_last,
            last_non_direct: p.last_non_direct,
            markov_order: p.markov_order,
            force_logistic: p.force_logistic,
            bootstrap_replicates: report_params.bootstrap.replicates,
            bootstrap_seed: report_params.bootstrap.seed,
            interval_level: report_params.bootstrap.level,
        },
        totals: Totals {
            conversions: set.total_conversions(),
            revenue: set.total_revenue(),
            non_converting_journeys: set.total_nulls(),
            cost: report_params.costs.map(|c| c.by_channel.iter().sum()),
            entry_cost: report_params
                .costs
                .map(|c| c.by_entry.values().sum::<f64>())
                .filter(|&c| c != 0.0),
        },
        models,
        skipped,
        truth: report_params.truth.map(|t| TruthSummary {
            basis: "realised".to_owned(),
            shares: t.shares(TruthBasis::Realised),
        }),
    })
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// One row per model and channel (channel names through [`crate::csv_out::cell`], safe to open
/// in a spreadsheet):
/// `model,channel,conversions,revenue,share,share_low,share_high,cost,roi,roas`.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(
        "model,channel,conversions,revenue,share,share_low,share_high,cost,roi,roas\n",
    );
    for m in &report.models {
        for c in &m.channels {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                m.model.key(),
                crate::csv_out::cell(&c.channel),
                c.conversions,
                c.revenue,
                c.share,
                opt(c.share_low),
                opt(c.share_high),
                opt(c.cost),
                opt(c.roi),
                opt(c.roas)
            ));
        }
    }
    out
}

/// One row per model and calendar entry (spreadsheet-safe cells):
/// `model,entry,utm_content,conversions,conversions_low,conversions_high,revenue,revenue_low,revenue_high,cost,cost_source,roi,roi_low,roi_high,roas,roas_low,roas_high`.
pub fn entries_csv(report: &Report) -> String {
    let mut out = String::from(
        "model,entry,utm_content,conversions,conversions_low,conversions_high,revenue,revenue_low,\
         revenue_high,cost,cost_source,roi,roi_low,roi_high,roas,roas_low,roas_high\n",
    );
    for m in &report.models {
        for e in &m.entries {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                m.model.key(),
                e.entry,
                crate::csv_out::cell(&e.utm_content),
                e.conversions,
                opt(e.conversions_low),
                opt(e.conversions_high),
                e.revenue,
                opt(e.revenue_low),
                opt(e.revenue_high),
                opt(e.cost),
                e.cost_source.map(CostSource::label).unwrap_or_default(),
                opt(e.roi),
                opt(e.roi_low),
                opt(e.roi_high),
                opt(e.roas),
                opt(e.roas_low),
                opt(e.roas_high),
            ));
        }
    }
    out
}
