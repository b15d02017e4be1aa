//! The attribution workbench's computation, pure and natively tested: what data to analyse
//! ([`DataSource`]), with which parameters ([`RunOptions`]), and what comes back ([`Outcome`]).
//!
//! A job runs in one pass through [`pipeline::run_job`] (load unless cached, journeys and costs,
//! a quick answer, then the intervals), reporting progress through a callback; the Web Worker
//! (`src/worker/`) only turns messages into that call and its replies into messages, and the
//! page only reads the [`Outcome`]. Everything numeric is the engine's
//! (`refleqt_engine::report::run`, `explore::top_paths`, Markov details); this module chooses the
//! inputs: the demo's journeys come from the same seeded simulation as the demo workspace (so
//! the known truth applies), a file is parsed by the engine's event-log or path-table parser, and
//! costs come from the workspace's calendar entries for the demo, otherwise from the data.
//!
//! - [`debounce`]: which parameter change still deserves a run;
//! - [`pipeline`]: one job from bytes to replies, with the parsed data cached between jobs;
//! - [`views`]: the report turned into table rows, rollups and the recommendation.

pub mod debounce;
pub mod pipeline;
pub mod views;

use crate::model::demo::DEMO_USERS;
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::bootstrap::BootstrapOptions;
use refleqt_engine::detect::detect;
use refleqt_engine::explore::{top_paths, PathRow, Rank};
use refleqt_engine::imports::Layout;
use refleqt_engine::models::markov::MarkovDetails;
use refleqt_engine::models::{attribute, Details, Model, ModelParams};
use refleqt_engine::parse::events::EventLog;
use refleqt_engine::parse::{parse_event_log, parse_path_table, EventLogOptions, PathTableOptions};
use refleqt_engine::report::{self, costs_of, Costs, InputSummary, Report, ReportParams};
use refleqt_engine::simulate::{simulate, write_events_csv, SimConfig};
use refleqt_engine::truth::Truth;
use refleqt_engine::{EntryId, JourneySet, PathAggregate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// How many of the most common paths the journey explorer lists.
pub const TOP_PATHS: usize = 25;

/// The data to analyse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataSource {
    /// The demo workspace's simulated journeys, with their known truth.
    Demo,
    /// A file the user picked or dropped; the bytes travel separately (a `File` to the worker).
    File {
        name: String,
        size: f64,
        last_modified: f64,
    },
    /// A data set stored by the Import page: journeys already cut (with the lookback window of
    /// the import); its blob travels separately, like a file's bytes.
    Dataset { id: String, name: String },
}

impl DataSource {
    /// What identifies the data for caching (the same file is not parsed twice).
    pub fn cache_key(&self) -> String {
        match self {
            DataSource::Demo => "demo".to_owned(),
            DataSource::File {
                name,
                size,
                last_modified,
            } => format!("file:{name}:{size}:{last_modified}"),
            DataSource::Dataset { id, .. } => format!("dataset:{id}"),
        }
    }

    /// A short name for the data, as shown to the user.
    pub fn label(&self) -> String {
        match self {
            DataSource::Demo => "Demo data (simulated journeys with known truth)".to_owned(),
            DataSource::File { name, .. } => name.clone(),
            DataSource::Dataset { name, .. } => format!("{name} (stored data set)"),
        }
    }
}

/// Every parameter of a run, with the engine's documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunOptions {
    /// Lookback window in days (event logs). Default 30.
    pub lookback_days: f64,
    pub params: ModelParams,
    /// Bootstrap replicates for the 95 % intervals. Default 200; 0 turns them off.
    pub replicates: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lookback_days: JourneyOptions::default().lookback_days,
            params: ModelParams::default(),
            replicates: BootstrapOptions::default().replicates,
        }
    }
}

/// A request to the worker: the data, the parameters, and the workspace's costs per calendar
/// entry (used for the demo, whose entries are the workspace's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Increases with every request; answers to older jobs are ignored.
    pub job_id: u64,
    pub source: DataSource,
    pub options: RunOptions,
    pub entry_costs: BTreeMap<EntryId, f64>,
}

/// What a run found, everything the pages show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The engine's report: also the JSON context export, unchanged.
    pub report: Report,
    /// Days between the first and last journey end, when the data has timestamps.
    pub span_days: Option<f64>,
    /// The most common paths.
    pub paths: Vec<PathRow>,
    /// The order-1 Markov chain (for the transition graph), whatever order the report used.
    pub transitions: Option<MarkovDetails>,
    /// Whether the report carries bootstrap intervals yet.
    pub with_intervals: bool,
}

/// A message from the worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerReply {
    /// The worker has started and listens (messages sent earlier would be lost).
    Ready,
    /// A step of a long run started.
    Progress {
        job_id: u64,
        step: String,
        /// 0..=1, how far the run is.
        fraction: f64,
    },
    /// Results; `final_result` is false while intervals are still being computed.
    Result {
        job_id: u64,
        final_result: bool,
        outcome: Box<Outcome>,
    },
    Failed {
        job_id: u64,
        error: AnalysisError,
    },
}

/// Why a run could not produce results; each message says what to do.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum AnalysisError {
    #[error("The file could not be read: {0}. Pick it again; if it keeps failing, copy it to this computer first.")]
    Read(String),
    #[error("The file is not an event log or a path table we can read: {0}. Check that the first line holds the column names (user_id, timestamp, channel, … or path, total_conversions, …).")]
    Parse(String),
    #[error("No row of the file could be used ({0} rejected). Check the columns and the date format, then pick the file again.")]
    NoRows(usize),
    #[error("A parameter cannot be used: {0}. Correct it above.")]
    Parameter(String),
    #[error("The demo data could not be simulated: {0}.")]
    Demo(String),
    #[error("The calculation stopped unexpectedly: {0}. Reload the page and try again.")]
    Internal(String),
}

/// Data parsed once and reused for every parameter change.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: DataSource,
    kind: LoadedKind,
    pub truth: Option<Truth>,
}

#[derive(Debug, Clone)]
enum LoadedKind {
    /// Journeys are cut from the log per lookback window.
    Events(Box<EventLog>),
    /// A path table is already journeys.
    Paths {
        set: JourneySet,
        report: refleqt_engine::parse::ParseReport,
    },
    /// A stored data set: journeys cut at import time.
    Journeys(JourneySet),
}

/// Whether `bytes` hold a path table, by the engine's detector ([`refleqt_engine::detect`]);
/// anything else is read as an event log, whose parser names what is missing.
pub fn looks_like_path_table(bytes: &[u8]) -> bool {
    detect(bytes, "") == Some(Layout::PathTable)
}

/// The demo's simulation config: the same as the demo workspace's.
pub fn demo_config() -> SimConfig {
    SimConfig {
        journeys: DEMO_USERS,
        ..SimConfig::demo()
    }
}

/// Parse a file's bytes (event log or path table).
pub fn load_file(source: DataSource, bytes: &[u8]) -> Result<Loaded, AnalysisError> {
    let kind = if looks_like_path_table(bytes) {
        let table = parse_path_table(bytes, &PathTableOptions::default())
            .map_err(|e| AnalysisError::Parse(e.to_string()))?;
        if table.report.accepted == 0 {
            return Err(AnalysisError::NoRows(table.report.rejected_count));
        }
        LoadedKind::Paths {
            set: table.set,
            report: table.report,
        }
    } else {
        let log = parse_event_log(bytes, &EventLogOptions::default())
            .map_err(|e| AnalysisError::Parse(e.to_string()))?;
        if log.report.accepted == 0 {
            return Err(AnalysisError::NoRows(log.report.rejected_count));
        }
        LoadedKind::Events(Box::new(log))
    };
    Ok(Loaded {
        source,
        kind,
        truth: None,
    })
}

/// Decode a stored data set's blob (the engine's [`refleqt_engine::dataset`] format).
pub fn load_dataset(source: DataSource, blob: &[u8]) -> Result<Loaded, AnalysisError> {
    let set = refleqt_engine::dataset::decode(blob)
        .map_err(|e| AnalysisError::Read(format!("the stored data set is damaged ({e})")))?;
    if set.is_empty() {
        return Err(AnalysisError::NoRows(0));
    }
    Ok(Loaded {
        source,
        kind: LoadedKind::Journeys(set),
        truth: None,
    })
}

/// Simulate the demo data as an event log (so the lookback window applies) with its truth.
pub fn load_demo() -> Result<Loaded, AnalysisError> {
    let out = simulate(&demo_config()).map_err(|e| AnalysisError::Demo(e.to_string()))?;
    let mut csv = Vec::new();
    write_events_csv(&out, &mut csv).map_err(|e| AnalysisError::Demo(e.to_string()))?;
    let mut loaded = load_file(DataSource::Demo, &csv)?;
    loaded.truth = Some(out.truth);
    Ok(loaded)
}

/// Costs from the workspace: per calendar entry as entered, per channel summed over the entries
/// whose touches carry that channel in `set`.
pub fn workspace_costs(set: &JourneySet, entry_costs: &BTreeMap<EntryId, f64>) -> Costs {
    let mut channel_of: BTreeMap<EntryId, u32> = BTreeMap::new();
    for j in set.iter() {
        for t in j.touches {
            if let Some(e) = t.entry {
                channel_of.entry(e).or_insert(t.channel);
            }
        }
    }
    let mut by_channel = vec![0.0; set.channels.len()];
    for (entry, cost) in entry_costs {
        if let Some(slot) = channel_of
            .get(entry)
            .and_then(|&c| by_channel.get_mut(c as usize))
        {
            *slot += cost;
        }
    }
    Costs {
        by_channel,
        by_entry: entry_costs.clone(),
    }
}

/// Journeys, parse report, costs and the format name of loaded data under `options`.
fn journeys(
    loaded: &Loaded,
    options: &RunOptions,
    entry_costs: &BTreeMap<EntryId, f64>,
) -> Result<(JourneySet, InputSummary, Option<Costs>), AnalysisError> {
    let name = loaded.source.label();
    match &loaded.kind {
        LoadedKind::Events(log) => {
            let jopts = JourneyOptions {
                lookback_days: options.lookback_days,
            };
            jopts
                .validate()
                .map_err(|e| AnalysisError::Parameter(e.to_string()))?;
            let set = build_journeys(log, &jopts);
            let costs = if loaded.source == DataSource::Demo {
                Some(workspace_costs(&set, entry_costs))
            } else {
                Some(costs_of(log)).filter(|c| c.by_channel.iter().any(|&x| x != 0.0))
            };
            let input = InputSummary::describe(&name, "events", &log.report, &set);
            Ok((set, input, costs))
        }
        LoadedKind::Paths { set, report } => {
            let input = InputSummary::describe(&name, "paths", report, set);
            Ok((set.clone(), input, None))
        }
        LoadedKind::Journeys(set) => {
            let report = refleqt_engine::parse::ParseReport {
                accepted: set.len(),
                ..Default::default()
            };
            let format = if set.timed { "events" } else { "paths" };
            let input = InputSummary::describe(&name, format, &report, set);
            Ok((set.clone(), input, None))
        }
    }
}

/// The journeys, input summary and costs of loaded data under one job's options: built once per
/// job, then reported on with and without intervals.
#[derive(Debug, Clone)]
pub struct Prepared {
    set: JourneySet,
    input: InputSummary,
    costs: Option<Costs>,
}

/// Check the parameters and cut the journeys of `loaded` for `options`.
pub fn prepare(
    loaded: &Loaded,
    options: &RunOptions,
    entry_costs: &BTreeMap<EntryId, f64>,
) -> Result<Prepared, AnalysisError> {
    options
        .params
        .validate()
        .map_err(|e| AnalysisError::Parameter(e.to_string()))?;
    let (set, input, costs) = journeys(loaded, options, entry_costs)?;
    Ok(Prepared { set, input, costs })
}

/// Run every model on prepared journeys; `replicates` 0 leaves the intervals out (a quick first
/// answer).
pub fn outcome_of(
    loaded: &Loaded,
    prepared: &Prepared,
    options: &RunOptions,
    replicates: usize,
) -> Result<Outcome, AnalysisError> {
    let Prepared { set, input, costs } = prepared;
    let timed = matches!(loaded.kind, LoadedKind::Events(_));
    let report_params = ReportParams {
        models: &Model::ALL,
        params: options.params,
        bootstrap: BootstrapOptions {
            replicates,
            ..BootstrapOptions::default()
        },
        lookback_days: timed.then_some(options.lookback_days),
        costs: costs.as_ref(),
        truth: loaded.truth.as_ref(),
    };
    let report = report::run(set, input.clone(), &report_params)
        .map_err(|e| AnalysisError::Parameter(e.to_string()))?;
    let agg = PathAggregate::from_set(set);
    let paths = top_paths(set, &agg, Rank::Journeys, TOP_PATHS);
    let transitions = order_one_chain(set, &report, &options.params);
    let span_days = set
        .date_range_ms()
        .map(|(lo, hi)| (hi - lo) as f64 / 86_400_000.0);
    Ok(Outcome {
        report,
        span_days,
        paths,
        transitions,
        with_intervals: replicates > 0,
    })
}

/// Run every model on loaded data; `replicates` 0 leaves the intervals out (a quick first answer).
pub fn compute(
    loaded: &Loaded,
    options: &RunOptions,
    entry_costs: &BTreeMap<EntryId, f64>,
    replicates: usize,
) -> Result<Outcome, AnalysisError> {
    let prepared = prepare(loaded, options, entry_costs)?;
    outcome_of(loaded, &prepared, options, replicates)
}

/// The order-1 Markov chain: from the report when it used order 1, else computed once more.
fn order_one_chain(
    set: &JourneySet,
    report: &Report,
    params: &ModelParams,
) -> Option<MarkovDetails> {
    let from_report = report
        .models
        .iter()
        .find(|m| m.model == Model::Markov)
        .and_then(|m| m.markov.clone())
        .filter(|d| d.order == 1);
    from_report.or_else(|| {
        let p = ModelParams {
            markov_order: 1,
            ..*params
        };
        match attribute(set, Model::Markov, &p).ok()?.details {
            Details::Markov(d) => Some(d),
            Details::None => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Loaded {
        load_demo().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_stored_data_set_runs_every_model_and_a_damaged_one_says_so() {
        let config = refleqt_engine::simulate::SimConfig {
            journeys: 2_000,
            ..refleqt_engine::simulate::SimConfig::demo()
        };
        let (set, _) = refleqt_engine::simulate::simulate_journey_set(&config)
            .unwrap_or_else(|e| panic!("{e}"));
        let blob = refleqt_engine::dataset::encode(&set);
        let source = DataSource::Dataset {
            id: "ds-1".into(),
            name: "march.csv".into(),
        };
        assert_eq!(source.cache_key(), "dataset:ds-1");
        let loaded = load_dataset(source.clone(), &blob).unwrap_or_else(|e| panic!("{e}"));
        let out = compute(&loaded, &RunOptions::default(), &BTreeMap::new(), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.report.models.len(), 7, "{:?}", out.report.skipped);
        assert_eq!(out.report.input.format, "events");
        assert_eq!(out.report.totals.conversions, set.total_conversions());
        assert!(out.report.input.source.contains("march.csv"));
        let damaged = &blob[..blob.len() / 2];
        assert!(matches!(
            load_dataset(source, damaged),
            Err(AnalysisError::Read(_))
        ));
    }

    #[test]
    fn demo_runs_all_seven_models_with_truth_and_workspace_costs() {
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let costs: BTreeMap<EntryId, f64> = ws
            .entries
            .iter()
            .filter_map(|e| e.cost.map(|c| (e.entry_id, c)))
            .collect();
        let out =
            compute(&demo(), &RunOptions::default(), &costs, 20).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.report.models.len(), 7, "{:?}", out.report.skipped);
        assert!(out.report.truth.is_some());
        assert!(out.report.models.iter().all(|m| m.truth_l1.is_some()));
        let total: f64 = costs.values().sum();
        let reported = out.report.totals.cost.unwrap_or_default();
        assert!((total - reported).abs() < 1e-6, "{total} vs {reported}");
        assert!(out.transitions.is_some());
        assert!(!out.paths.is_empty());
        assert!(out.span_days.is_some_and(|d| d > 100.0));
        assert!(out.with_intervals);
        let c = &out.report.models[0].channels[0];
        assert!(c.share_low.is_some() && c.share_high.is_some());
    }

    #[test]
    fn half_life_changes_time_decay_and_nothing_else() {
        let loaded = demo();
        let none = BTreeMap::new();
        let a =
            compute(&loaded, &RunOptions::default(), &none, 0).unwrap_or_else(|e| panic!("{e}"));
        let mut o = RunOptions::default();
        o.params.half_life_days = 2.0;
        let b = compute(&loaded, &o, &none, 0).unwrap_or_else(|e| panic!("{e}"));
        for (x, y) in a.report.models.iter().zip(&b.report.models) {
            if x.model == Model::TimeDecay {
                assert_ne!(x.channels, y.channels);
            } else {
                assert_eq!(x.channels, y.channels, "{}", x.label);
            }
        }
    }

    #[test]
    fn bad_files_and_parameters_are_typed_errors() {
        let file = DataSource::File {
            name: "x.csv".into(),
            size: 3.0,
            last_modified: 0.0,
        };
        assert!(load_file(file.clone(), b"").is_err());
        assert!(matches!(
            load_file(
                file.clone(),
                b"user_id,timestamp,channel\nu1,not a date,email\n"
            ),
            Err(AnalysisError::NoRows(_) | AnalysisError::Parse(_))
        ));
        let mut o = RunOptions::default();
        o.params.markov_order = 9;
        assert!(matches!(
            compute(&demo(), &o, &BTreeMap::new(), 0),
            Err(AnalysisError::Parameter(_))
        ));
    }

    #[test]
    fn path_tables_are_detected_and_have_no_costs() {
        let bytes = b"path,total_conversions,total_conversion_value,total_null\nemail > search,3,30,5\nsearch,1,10,9\n";
        assert!(looks_like_path_table(bytes));
        let file = DataSource::File {
            name: "p.csv".into(),
            size: 1.0,
            last_modified: 0.0,
        };
        let loaded = load_file(file, bytes).unwrap_or_else(|e| panic!("{e}"));
        let out = compute(&loaded, &RunOptions::default(), &BTreeMap::new(), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.report.totals.conversions, 4.0);
        assert!(out.report.totals.cost.is_none());
        assert!(out.span_days.is_none());
        assert!(out
            .report
            .skipped
            .iter()
            .any(|s| s.model == Model::TimeDecay));
    }
}
