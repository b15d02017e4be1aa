//! `refleqt attribute`: read a file, parse it, build journeys, run the models, print the report.
//! The file is a CSV (event log or path table) or a data set stored by the app (`RQJS` blob);
//! with `--workspace`, the app's calendar entries' costs replace the data's for every entry the
//! journeys tag `cal-<id>` (each entry row says which source its cost came from).

use crate::args::{AttributeArgs, InputLayout, Output};
use crate::CliError;
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::bootstrap::BootstrapOptions;
use refleqt_engine::dataset;
use refleqt_engine::detect::detect;
use refleqt_engine::imports::Layout;
use refleqt_engine::models::ModelParams;
use refleqt_engine::parse::{
    parse_event_log_split, parse_path_table, Delimiter, EventLogOptions, ParseReport,
    PathTableOptions,
};
use refleqt_engine::report::{
    self, costs_of, entries_csv, to_csv, with_workspace_costs, Costs, InputSummary, ReportParams,
};
use refleqt_engine::truth::Truth;
use refleqt_engine::JourneySet;
use std::io::Write;
use std::time::Instant;

/// The input file's bytes: memory-mapped when possible (no copy of a 200 MB file), else read.
pub(crate) enum Input {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Input {
    pub(crate) fn open(path: &std::path::Path) -> Result<Input, CliError> {
        let file = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
        // SAFETY: the map is only read, and only while this run holds it. Like any tool that
        // maps its input (ripgrep does), a file truncated by another process while we read it
        // could fault; files that cannot be mapped (pipes, empty files) are read instead.
        match unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            Ok(map) => Ok(Input::Mapped(map)),
            Err(_) => std::fs::read(path)
                .map(Input::Read)
                .map_err(|e| CliError::io(path, e)),
        }
    }
}

impl std::ops::Deref for Input {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Input::Mapped(m) => m,
            Input::Read(v) => v,
        }
    }
}

/// The layout by the engine's detector: a path table when it says so, else an event log (whose
/// parser then names what is missing).
fn detect_format(bytes: &[u8]) -> InputLayout {
    match detect(bytes, "") {
        Some(Layout::PathTable) => InputLayout::Paths,
        _ => InputLayout::Events,
    }
}

struct Timer {
    on: bool,
    last: Instant,
    start: Instant,
}

impl Timer {
    fn new(on: bool) -> Self {
        let now = Instant::now();
        Timer {
            on,
            last: now,
            start: now,
        }
    }

    fn lap(&mut self, what: &str) {
        let now = Instant::now();
        if self.on {
            eprintln!(
                "timing: {what:<28} {:>9.1} ms{}",
                (now - self.last).as_secs_f64() * 1e3,
                peak_memory().map_or(String::new(), |kb| format!(
                    "   peak memory so far {:>6.1} MB",
                    kb as f64 / 1024.0
                ))
            );
        }
        self.last = now;
    }

    fn total(&self) {
        if self.on {
            eprintln!(
                "timing: {:<28} {:>9.1} ms",
                "total",
                self.start.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}

/// The process's peak resident memory in KiB (`VmHWM`), where the system says (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn report_rejections(path: &str, report: &ParseReport) {
    for r in report.rejected.iter().take(20) {
        eprintln!(
            "{path}:{}:{}: {}",
            r.line,
            r.column.as_deref().unwrap_or("-"),
            r.reason
        );
    }
    if report.rejected_count > 20 {
        eprintln!("{path}: … {} rejected rows in all", report.rejected_count);
    }
}

pub fn run(a: &AttributeArgs) -> Result<(), CliError> {
    let mut timer = Timer::new(a.timings);
    let path = a.file.display().to_string();
    let input = Input::open(&a.file)?;
    let bytes: &[u8] = &input;
    timer.lap("read file");
    let format = a.format.unwrap_or_else(|| detect_format(bytes));
    let delimiter =
        match a.delimiter {
            Some(b) => Some(Delimiter::new(b).ok_or_else(|| {
                CliError::Params(format!("{:?} cannot be a delimiter", b as char))
            })?),
            None => None,
        };
    let input_error = |message: String| CliError::Input {
        path: path.clone(),
        message,
    };
    let mut costs: Option<Costs> = None;
    // A data set stored by the app (its blob saved to a file): journeys already cut.
    let stored = dataset::is_dataset_blob(bytes);
    let (set, report): (JourneySet, ParseReport) = match format {
        _ if stored => {
            let set = dataset::decode(bytes)
                .map_err(|e| input_error(format!("the stored data set cannot be read: {e}")))?;
            timer.lap("decode data set");
            drop(input);
            let report = ParseReport {
                accepted: set.len(),
                ..ParseReport::default()
            };
            (set, report)
        }
        InputLayout::Events => {
            let opts = EventLogOptions {
                delimiter,
                ..Default::default()
            };
            let log = parse_event_log_split(bytes, &opts, &crate::threads::Threads::from_env())
                .map_err(|e| input_error(e.to_string()))?;
            timer.lap("parse event log");
            // The log owns everything it needs: let the file's pages go before the journeys are
            // built (peak memory).
            drop(input);
            let jopts = JourneyOptions {
                lookback_days: a.lookback_days,
            };
            jopts
                .validate()
                .map_err(|e| CliError::Params(e.to_string()))?;
            let set = build_journeys(&log, &jopts);
            timer.lap("build journeys");
            costs = Some(costs_of(&log)).filter(|c| c.by_channel.iter().any(|&x| x != 0.0));
            (set, log.report)
        }
        InputLayout::Paths => {
            let opts = PathTableOptions {
                delimiter,
                path_separator: a.path_separator.clone(),
                ..Default::default()
            };
            let table = parse_path_table(bytes, &opts).map_err(|e| input_error(e.to_string()))?;
            timer.lap("parse path table");
            drop(input);
            (table.set, table.report)
        }
    };
    report_rejections(&path, &report);
    if let Some(first) = report.rejected.first() {
        if a.strict {
            return Err(input_error(format!(
                "{} rows rejected (--strict); first at line {}, column {}: {}",
                report.rejected_count,
                first.line,
                first.column.as_deref().unwrap_or("-"),
                first.reason
            )));
        }
    }
    if report.accepted == 0 {
        return Err(input_error("no data row could be read".into()));
    }

    let params = ModelParams {
        half_life_days: a.half_life_days,
        position_first: a.position_first,
        position_last: a.position_last,
        last_non_direct: a.last_non_direct,
        markov_order: a.markov_order,
        force_logistic: a.force_logistic,
    };
    params
        .validate()
        .map_err(|e| CliError::Params(e.to_string()))?;
    let truth: Option<Truth> = match &a.truth {
        Some(p) => {
            let raw = std::fs::read(p).map_err(|e| CliError::io(p, e))?;
            Some(serde_json::from_slice(&raw).map_err(|e| CliError::Input {
                path: p.display().to_string(),
                message: format!("not a truth file from `refleqt simulate --truth`: {e}"),
            })?)
        }
        None => None,
    };
    if let Some(p) = &a.workspace {
        let raw = std::fs::read(p).map_err(|e| CliError::io(p, e))?;
        let entry_costs =
            crate::workspace::entry_costs(&raw).map_err(|message| CliError::Input {
                path: p.display().to_string(),
                message,
            })?;
        costs = with_workspace_costs(&set, costs, &entry_costs);
    }
    let report_params = ReportParams {
        models: &a.models,
        params,
        bootstrap: BootstrapOptions {
            replicates: a.bootstrap,
            seed: a.seed,
            ..Default::default()
        },
        lookback_days: (!stored && format == InputLayout::Events).then_some(a.lookback_days),
        costs: costs.as_ref(),
        truth: truth.as_ref(),
    };
    let format_name = match format {
        _ if stored => "dataset",
        InputLayout::Events => "events",
        InputLayout::Paths => "paths",
    };
    let mut input = InputSummary::describe(&path, format_name, &report, &set);
    if stored {
        input.delimiter.clear();
    }
    let out = report::run_with(
        &set,
        input,
        &report_params,
        &crate::threads::Threads::from_env(),
    )
    .map_err(|e| CliError::Params(e.to_string()))?;
    timer.lap(&format!("models + bootstrap x{}", a.bootstrap));
    let text = match a.output {
        Output::Json => {
            serde_json::to_string_pretty(&out).map_err(|e| CliError::Params(e.to_string()))? + "\n"
        }
        Output::Csv => to_csv(&out),
        Output::EntriesCsv => entries_csv(&out),
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(text.as_bytes())
        .map_err(|e| CliError::io(std::path::Path::new("stdout"), e))?;
    timer.lap("write output");
    timer.total();
    Ok(())
}
