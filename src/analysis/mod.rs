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
//! an entry's cost comes from the workspace whenever the journeys carry its `cal-<id>` (for the
//! demo, for an imported event log, path table or stored data set alike), otherwise from the
//! data's cost column.
//!
//! - [`debounce`]: which parameter change still deserves a run;
//! - [`learning`]: the entry learners (frozen predictions, alerts, planned entries' predictions)
//!   on a compact job, and how their outcome is applied;
//! - [`pipeline`]: one job from bytes to replies, with the parsed data cached between jobs;
//! - [`views`]: the report turned into table rows, rollups and the recommendation.

pub mod debounce;
pub mod insights;
pub mod journey_map;
pub mod learning;
pub mod overview;
pub mod pipeline;
pub mod views;

use crate::model::demo::DEMO_USERS;
use crate::model::workspace::{ValueIndex, Workspace};
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::bootstrap::BootstrapOptions;
use refleqt_engine::detect::detect;
use refleqt_engine::explore::{top_paths, PathRow, Rank};
use refleqt_engine::imports::{import_as, ImportOptions, Layout, Platform};
use refleqt_engine::models::markov::MarkovDetails;
use refleqt_engine::models::{attribute, Details, Model, ModelParams};
use refleqt_engine::parse::events::EventLog;
use refleqt_engine::parse::{parse_event_log, parse_path_table, EventLogOptions, PathTableOptions};
use refleqt_engine::report::{
    self, costs_in, with_workspace_costs, Costs, InputSummary, Report, ReportParams,
};
use refleqt_engine::segments::{segment_journeys, Segmentation};
use refleqt_engine::simulate::{simulate, write_events_csv, SimConfig, TruthProcess};
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
    /// Only the journeys that end in the last this many days of the data (and the touch costs
    /// of those days); `None`, the default: all of it. Data without dates is always whole.
    pub period_days: Option<u32>,
    /// The causal process the demo's journeys are simulated under (the simulator's
    /// interactions); default additive, the demo workspace's own. Other data ignore it.
    pub demo_process: TruthProcess,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lookback_days: JourneyOptions::default().lookback_days,
            params: ModelParams::default(),
            replicates: BootstrapOptions::default().replicates,
            period_days: None,
            demo_process: TruthProcess::Additive,
        }
    }
}

/// The periods a page offers, in days ([`RunOptions::period_days`]).
pub const PERIODS: [u32; 4] = [7, 30, 90, 365];

/// A window of time, `from_ms ≤ t < to_ms` (Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Window {
    /// The last `days` days of data whose last journey ends at `last_ms`.
    pub fn last_days(last_ms: i64, days: u32) -> Window {
        let to_ms = last_ms.saturating_add(1);
        Window {
            from_ms: to_ms.saturating_sub(i64::from(days) * DAY_MS),
            to_ms,
        }
    }

    /// The window of the same length just before this one.
    pub fn previous(self) -> Window {
        Window {
            from_ms: self.from_ms.saturating_sub(self.to_ms - self.from_ms),
            to_ms: self.from_ms,
        }
    }

    pub fn contains(self, ms: i64) -> bool {
        self.from_ms <= ms && ms < self.to_ms
    }
}

const DAY_MS: i64 = 86_400_000;

/// The journeys of `set` that end inside `window`.
pub fn within(set: &JourneySet, window: Window) -> JourneySet {
    let mut out = JourneySet::new(set.channels.clone(), set.timed);
    for j in set.iter() {
        if j.end_ms.is_some_and(|t| window.contains(t)) {
            out.push(j.touches, j.conversions, j.revenue, j.nulls, j.end_ms);
        }
    }
    out
}

/// The period before the analysed one, for comparison: its totals and each model's calendar
/// entries together (no intervals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousPeriod {
    pub window: Window,
    pub totals: report::Totals,
    pub artifacts: Vec<(Model, Option<report::ArtifactTotals>)>,
}

/// A request to the worker: the data, the parameters, and the workspace's costs per calendar
/// entry (they replace the data's cost for every entry the journeys carry as `cal-<id>`).
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
    /// The analysed window when a period was chosen and the data has dates.
    #[serde(default)]
    pub window: Option<Window>,
    /// The period just before it, when it holds any journey.
    #[serde(default)]
    pub previous: Option<PreviousPeriod>,
    /// The journey map: a sample of the journeys with what their touches' credit needs, and the
    /// channel graph.
    #[serde(default)]
    pub journey_map: journey_map::JourneyMap,
    /// The causal process that generated the data, when it is the simulated demo.
    #[serde(default)]
    pub process: Option<TruthProcess>,
    /// Customer segments by channel affinity (engine `segments`) of the analysed journeys;
    /// `None` below `segments::MIN_JOURNEYS` journeys or with a single channel profile.
    #[serde(default)]
    pub segments: Option<Segmentation>,
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
    /// The Insights learners' findings for a [`insights::LearnJob`].
    Insights {
        learn: u64,
        insights: Box<insights::ArtifactInsights>,
    },
    /// The entry learners' outcome for a [`learning::LearningJob`].
    Learning {
        outcome: Box<learning::LearningOutcome>,
    },
}

/// Why a run could not produce results; each message says what to do.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum AnalysisError {
    #[error("The file could not be read: {0}. Pick it again; if it keeps failing, copy it to this computer first.")]
    Read(String),
    #[error("The file is not an event log or a path table we can read: {0}. Check that the first line holds the column names (user_id, timestamp, channel, … or path, total_conversions, …).")]
    Parse(String),
    #[error("This is a {0}: it holds metrics per campaign or day, not customer journeys. Bring it in on the Import page (#/import) to add its values to calendar entries; for attribution pick an event log, a path table or a GA4 BigQuery export.")]
    NotJourneys(String),
    #[error("No row of the file could be used ({0} rejected). Check the columns and the date format, then pick the file again.")]
    NoRows(usize),
    #[error("A parameter cannot be used: {0}. Correct it above.")]
    Parameter(String),
    #[error("No journey of the data ends in the chosen period ({0}). Choose a longer period or \"All data\".")]
    EmptyPeriod(String),
    #[error("The demo data could not be simulated: {0}.")]
    Demo(String),
    #[error("The calculation stopped unexpectedly: {0}. Reload the page and try again.")]
    Internal(String),
    /// The worker died mid-run (a panic, out of memory); a fresh one has been started.
    #[error("The background worker stopped unexpectedly ({0}). It has been restarted: change a setting or pick the data again to rerun.")]
    WorkerStopped(String),
    /// No worker runs the models: the browser would not start one (the page's own wasm does not
    /// hold the models, so that its first load stays small).
    #[error("The background worker that runs the models could not start ({0}). Use a current version of Chrome, Edge, Firefox or Safari, and allow this site's scripts.")]
    NoWorker(String),
}

/// Data parsed once and reused for every parameter change.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: DataSource,
    kind: LoadedKind,
    pub truth: Option<Truth>,
    /// The demo's causal process (`None`: not the demo).
    pub process: Option<TruthProcess>,
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
    demo_config_for(TruthProcess::Additive)
}

/// The demo's simulation config under a causal process (additive: [`demo_config`]).
pub fn demo_config_for(process: TruthProcess) -> SimConfig {
    SimConfig {
        journeys: DEMO_USERS,
        ..SimConfig::demo_process(process)
    }
}

/// Parse a file's bytes with the Import page's detector: a path table, a GA4 BigQuery export
/// (CSV or NDJSON, its events named by channel as on the Import page), or else an event log.
/// A platform's metric report is refused with the way to the Import page.
pub fn load_file(source: DataSource, bytes: &[u8]) -> Result<Loaded, AnalysisError> {
    let name = match &source {
        DataSource::File { name, .. } | DataSource::Dataset { name, .. } => name.as_str(),
        DataSource::Demo => "",
    };
    let detected = detect(bytes, name);
    if let Some(Layout::Export(p)) = detected {
        if p != Platform::Ga4BigQueryCsv {
            return Err(AnalysisError::NotJourneys(p.label().to_owned()));
        }
        let imported = import_as(Layout::Export(p), bytes, &ImportOptions::default())
            .map_err(|e| AnalysisError::Parse(e.to_string()))?;
        let log = imported
            .event_log
            .ok_or_else(|| AnalysisError::Parse("no events in the export".into()))?;
        if log.report.accepted == 0 {
            return Err(AnalysisError::NoRows(log.report.rejected_count));
        }
        return Ok(Loaded {
            source,
            kind: LoadedKind::Events(Box::new(log)),
            truth: None,
            process: None,
        });
    }
    let kind = if detected == Some(Layout::PathTable) {
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
        process: None,
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
        process: None,
    })
}

/// Simulate the demo data as an event log (so the lookback window applies) with its truth.
pub fn load_demo() -> Result<Loaded, AnalysisError> {
    load_demo_under(TruthProcess::Additive)
}

/// [`load_demo`] under one of the simulator's causal processes.
pub fn load_demo_under(process: TruthProcess) -> Result<Loaded, AnalysisError> {
    let out =
        simulate(&demo_config_for(process)).map_err(|e| AnalysisError::Demo(e.to_string()))?;
    let mut csv = Vec::new();
    write_events_csv(&out, &mut csv).map_err(|e| AnalysisError::Demo(e.to_string()))?;
    let mut loaded = load_file(DataSource::Demo, &csv)?;
    loaded.truth = Some(out.truth);
    loaded.process = Some(process);
    Ok(loaded)
}

/// The workspace's cost of every calendar entry that has one: a recorded `cost` metric (manual
/// wins), else the planned cost ([`Workspace::cost`]); one pass over the rows.
pub fn entry_costs(ws: &Workspace) -> BTreeMap<EntryId, f64> {
    let index = ValueIndex::of(ws);
    ws.entries
        .iter()
        .filter_map(|e| index.cost(ws, e.entry_id).map(|(c, _)| (e.entry_id, c)))
        .collect()
}

/// Journeys, parse report and costs of loaded data under `options`, in `window` when given.
fn journeys(
    loaded: &Loaded,
    options: &RunOptions,
    entry_costs: &BTreeMap<EntryId, f64>,
    window: Option<Window>,
) -> Result<(JourneySet, InputSummary, Option<Costs>), AnalysisError> {
    let name = loaded.source.label();
    let cut = |set: JourneySet| match window {
        Some(w) => within(&set, w),
        None => set,
    };
    match &loaded.kind {
        LoadedKind::Events(log) => {
            let jopts = JourneyOptions {
                lookback_days: options.lookback_days,
            };
            jopts
                .validate()
                .map_err(|e| AnalysisError::Parameter(e.to_string()))?;
            let set = cut(build_journeys(log, &jopts));
            // The demo's log has no cost column of its own: its entries' costs are the
            // workspace's. Any other log keeps its cost column for what the workspace lacks.
            let (from, to) = window.map_or((i64::MIN, i64::MAX), |w| (w.from_ms, w.to_ms));
            let data = (loaded.source != DataSource::Demo)
                .then(|| costs_in(log, from, to))
                .filter(|c| c.by_channel.iter().any(|&x| x != 0.0));
            let costs = with_workspace_costs(&set, data, entry_costs);
            let input = InputSummary::describe(&name, "events", &log.report, &set);
            Ok((set, input, costs))
        }
        LoadedKind::Paths { set, report } => {
            let input = InputSummary::describe(&name, "paths", report, set);
            let costs = with_workspace_costs(set, None, entry_costs);
            Ok((set.clone(), input, costs))
        }
        LoadedKind::Journeys(set) => {
            let set = cut(set.clone());
            let report = refleqt_engine::parse::ParseReport {
                accepted: set.len(),
                ..Default::default()
            };
            let format = if set.timed { "events" } else { "paths" };
            let input = InputSummary::describe(&name, format, &report, &set);
            let costs = with_workspace_costs(&set, None, entry_costs);
            Ok((set, input, costs))
        }
    }
}

/// The last journey end of loaded data (before any period is cut), when it has dates.
fn last_end_ms(loaded: &Loaded) -> Option<i64> {
    match &loaded.kind {
        // Every event ends a journey or lies in one that ends later, so the last event is the
        // last journey end.
        LoadedKind::Events(log) => log.events.iter().map(|e| e.ts_ms()).max(),
        LoadedKind::Journeys(set) => set.date_range_ms().map(|(_, hi)| hi),
        LoadedKind::Paths { .. } => None,
    }
}

/// The journeys, input summary and costs of loaded data under one job's options: built once per
/// job, then reported on with and without intervals.
#[derive(Debug, Clone)]
pub struct Prepared {
    set: JourneySet,
    input: InputSummary,
    costs: Option<Costs>,
    window: Option<Window>,
    previous: Option<PreviousPeriod>,
    segments: Option<Segmentation>,
}

/// Check the parameters and cut the journeys of `loaded` for `options` (and, with a period, the
/// period before it, reported at once without intervals).
pub fn prepare(
    loaded: &Loaded,
    options: &RunOptions,
    entry_costs: &BTreeMap<EntryId, f64>,
) -> Result<Prepared, AnalysisError> {
    options
        .params
        .validate()
        .map_err(|e| AnalysisError::Parameter(e.to_string()))?;
    let window = options
        .period_days
        .and_then(|days| last_end_ms(loaded).map(|last| Window::last_days(last, days)));
    let (set, input, costs) = journeys(loaded, options, entry_costs, window)?;
    if set.is_empty() {
        return Err(AnalysisError::EmptyPeriod(format!(
            "last {} days",
            options.period_days.unwrap_or_default()
        )));
    }
    let previous = match window {
        Some(w) => {
            let (pset, pinput, pcosts) =
                journeys(loaded, options, entry_costs, Some(w.previous()))?;
            if pset.is_empty() {
                None
            } else {
                let quick = report_of(loaded, false, &pset, pinput, pcosts.as_ref(), options, 0)?;
                Some(PreviousPeriod {
                    window: w.previous(),
                    totals: quick.totals,
                    artifacts: quick
                        .models
                        .into_iter()
                        .map(|m| (m.model, m.artifacts))
                        .collect(),
                })
            }
        }
        None => None,
    };
    // Each journey's segment is not shown: only the segments travel.
    let segments = segment_journeys(&set, insights::SEGMENT_SEED).map(|mut s| {
        s.assignment = Vec::new();
        s
    });
    Ok(Prepared {
        set,
        input,
        costs,
        window,
        previous,
        segments,
    })
}

/// The engine's report of `set` with every model; `whole`: `set` is all of the loaded data (the
/// simulation's truth is that of all its journeys, not of a period's).
fn report_of(
    loaded: &Loaded,
    whole: bool,
    set: &JourneySet,
    input: InputSummary,
    costs: Option<&Costs>,
    options: &RunOptions,
    replicates: usize,
) -> Result<Report, AnalysisError> {
    let report_params = ReportParams {
        models: &Model::ALL,
        params: options.params,
        bootstrap: BootstrapOptions {
            replicates,
            ..BootstrapOptions::default()
        },
        lookback_days: matches!(loaded.kind, LoadedKind::Events(_))
            .then_some(options.lookback_days),
        costs,
        truth: loaded.truth.as_ref().filter(|_| whole),
    };
    report::run(set, input, &report_params).map_err(|e| AnalysisError::Parameter(e.to_string()))
}

/// Run every model on prepared journeys; `replicates` 0 leaves the intervals out (a quick first
/// answer).
pub fn outcome_of(
    loaded: &Loaded,
    prepared: &Prepared,
    options: &RunOptions,
    replicates: usize,
) -> Result<Outcome, AnalysisError> {
    let Prepared {
        set,
        input,
        costs,
        window,
        previous,
        segments,
    } = prepared;
    let report = report_of(
        loaded,
        window.is_none(),
        set,
        input.clone(),
        costs.as_ref(),
        options,
        replicates,
    )?;
    let agg = PathAggregate::from_set(set);
    let paths = top_paths(set, &agg, Rank::Journeys, TOP_PATHS);
    let transitions = order_one_chain(set, &report, &options.params);
    let model_of = |m: Model| report.models.iter().find(|r| r.model == m);
    let journey_map = journey_map::build(
        set,
        &agg,
        model_of(Model::Logistic).is_some(),
        model_of(Model::Markov).and_then(|r| r.markov.as_ref()),
        transitions.as_ref(),
    );
    let span_days = set
        .date_range_ms()
        .map(|(lo, hi)| (hi - lo) as f64 / 86_400_000.0);
    Ok(Outcome {
        report,
        span_days,
        paths,
        transitions,
        with_intervals: replicates > 0,
        window: *window,
        previous: previous.clone(),
        journey_map,
        process: loaded.process,
        segments: segments.clone(),
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
            _ => None,
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
    fn an_imported_log_takes_the_workspace_costs_of_its_tagged_entries() {
        let log = b"user_id,timestamp,channel,utm_content,cost,event,revenue
u1,2025-01-01T10:00:00Z,email,cal-1,2,touch,
u1,2025-01-02T10:00:00Z,ads,cal-2,10,touch,
u1,2025-01-02T11:00:00Z,,,,conversion,100
u2,2025-01-03T10:00:00Z,ads,cal-2,10,touch,
u2,2025-01-03T10:05:00Z,,,,conversion,50
";
        let file = DataSource::File {
            name: "log.csv".into(),
            size: 1.0,
            last_modified: 0.0,
        };
        let loaded = load_file(file, log).unwrap_or_else(|e| panic!("{e}"));
        let costs: BTreeMap<EntryId, f64> = [(2, 60.0)].into();
        let out =
            compute(&loaded, &RunOptions::default(), &costs, 20).unwrap_or_else(|e| panic!("{e}"));
        let last = views::model(&out.report, Model::Last).unwrap_or_else(|| panic!("last"));
        let e2 = last.entries.iter().find(|e| e.entry == 2);
        let e2 = e2.unwrap_or_else(|| panic!("entry 2"));
        assert_eq!(e2.cost, Some(60.0));
        assert_eq!(e2.roi, Some(150.0));
        assert_eq!(e2.cost_source, Some(report::CostSource::Workspace));
        assert!(e2.roi_low.is_some() && e2.roi_high.is_some());
        let first = views::model(&out.report, Model::First).unwrap_or_else(|| panic!("first"));
        let e1 = first.entries.iter().find(|e| e.entry == 1);
        assert_eq!(
            e1.and_then(|e| e.cost_source),
            Some(report::CostSource::Data)
        );
        assert_eq!(out.report.totals.cost, Some(62.0));
        let ws = crate::model::demo::demo_workspace().unwrap_or_else(|e| panic!("{e}"));
        let from_ws = entry_costs(&ws);
        assert_eq!(
            from_ws.len(),
            ws.entries
                .iter()
                .filter(|e| ws.cost(e.entry_id).is_some())
                .count()
        );
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
    fn the_attribution_page_reads_files_like_the_import_page() {
        let file = |name: &str| DataSource::File {
            name: name.into(),
            size: 1.0,
            last_modified: 0.0,
        };
        // A GA4 BigQuery export as NDJSON: detected and read as events.
        let ndjson = concat!(
            r#"{"event_date":"20250301","event_timestamp":"1740823200000000","event_name":"session_start","user_pseudo_id":"u1","collected_traffic_source":{"manual_source":"newsletter","manual_medium":"email"}}"#,
            "\n",
            r#"{"event_date":"20250301","event_timestamp":"1740823260000000","event_name":"purchase","user_pseudo_id":"u1","ecommerce":{"purchase_revenue":30}}"#,
            "\n",
        );
        let loaded =
            load_file(file("events.ndjson"), ndjson.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let out = compute(&loaded, &RunOptions::default(), &BTreeMap::new(), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.report.totals.conversions, 1.0);
        assert_eq!(out.report.totals.revenue, 30.0);
        // A metric report is sent to the Import page, by name.
        let ads = b"campaign.name,segments.date,metrics.clicks\nSpring,2025-03-01,3\n";
        let err = load_file(file("ads.csv"), ads).err();
        assert_eq!(
            err,
            Some(AnalysisError::NotJourneys("Google Ads report".into()))
        );
        assert!(err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("Import page"));
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
