//! The CLI's output: the documented JSON layout (see README "CLI") and the CSV table.

use refleqt_engine::bootstrap::ModelIntervals;
use refleqt_engine::models::markov::MarkovDetails;
use refleqt_engine::models::{AttributionResult, Details};
use refleqt_engine::parse::{ColumnMatch, RowError};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Report {
    pub refleqt: &'static str,
    pub input: InputSummary,
    pub parameters: Parameters,
    pub totals: Totals,
    pub models: Vec<ModelReport>,
    pub skipped: Vec<Skipped>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth: Option<TruthSummary>,
}

#[derive(Debug, Serialize)]
pub struct InputSummary {
    pub file: String,
    pub format: &'static str,
    pub delimiter: String,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    /// The first rejected rows (line, column, reason).
    pub rejected: Vec<RowError>,
    pub columns: Vec<ColumnMatch>,
    /// Journeys: for event logs one per conversion plus one per non-converting tail; for path
    /// tables the sum of conversions and nulls.
    pub journeys: f64,
    /// Journeys as stored: event-log journeys, or path-table rows.
    pub distinct_rows: usize,
    /// Touches over all journeys (path-table rows count once per journey they stand for).
    pub touches: f64,
    pub channels: Vec<String>,
    /// First and last journey end (ISO 8601 UTC), when the data has timestamps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_range: Option<[String; 2]>,
}

#[derive(Debug, Serialize)]
pub struct Parameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback_days: Option<f64>,
    pub half_life_days: f64,
    pub position_first: f64,
    pub position_last: f64,
    pub last_non_direct: bool,
    pub markov_order: u8,
    pub bootstrap_replicates: usize,
    pub bootstrap_seed: u64,
    pub interval_level: f64,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub conversions: f64,
    pub revenue: f64,
    pub non_converting_journeys: f64,
}

#[derive(Debug, Serialize)]
pub struct ChannelRow {
    pub channel: String,
    pub conversions: f64,
    pub revenue: f64,
    pub share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_high: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct EntryRow {
    pub entry: u64,
    pub utm_content: String,
    pub conversions: f64,
    pub revenue: f64,
}

#[derive(Debug, Serialize)]
pub struct ModelReport {
    pub model: &'static str,
    pub label: &'static str,
    pub channels: Vec<ChannelRow>,
    pub entries: Vec<EntryRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markov: Option<MarkovDetails>,
    /// L1 distance between this model's shares and the true shares (with `--truth`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth_l1: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Skipped {
    pub model: &'static str,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct TruthSummary {
    pub basis: &'static str,
    pub shares: Vec<(String, f64)>,
}

impl ModelReport {
    pub fn new(
        result: AttributionResult,
        intervals: Option<&ModelIntervals>,
        truth_l1: Option<f64>,
    ) -> Self {
        let channels = result
            .channels
            .into_iter()
            .map(|c| {
                let iv =
                    intervals.and_then(|iv| iv.channels.iter().find(|i| i.channel == c.channel));
                ChannelRow {
                    channel: c.name,
                    conversions: c.conversions,
                    revenue: c.revenue,
                    share: c.share,
                    share_low: iv.map(|i| i.low),
                    share_high: iv.map(|i| i.high),
                }
            })
            .collect();
        let entries = result
            .entries
            .into_iter()
            .map(|e| EntryRow {
                entry: e.entry,
                utm_content: format!("cal-{}", e.entry),
                conversions: e.conversions,
                revenue: e.revenue,
            })
            .collect();
        let markov = match result.details {
            Details::Markov(d) => Some(d),
            Details::None => None,
        };
        ModelReport {
            model: result.model.key(),
            label: result.model.label(),
            channels,
            entries,
            markov,
            truth_l1,
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// One row per model and channel.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("model,channel,conversions,revenue,share,share_low,share_high\n");
    for m in &report.models {
        for c in &m.channels {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                m.model,
                csv_field(&c.channel),
                c.conversions,
                c.revenue,
                c.share,
                opt(c.share_low),
                opt(c.share_high)
            ));
        }
    }
    out
}
