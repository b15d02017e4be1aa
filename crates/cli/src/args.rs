//! Command-line arguments: parsed once into typed commands, with errors that say what to fix.

use refleqt_engine::Model;
use std::path::PathBuf;
use thiserror::Error;

pub const USAGE: &str = "\
refleqt — marketing attribution from the command line

USAGE:
  refleqt attribute FILE [options]
  refleqt simulate --journeys N [--seed S] [--process P] --events OUT.csv [--paths OUT.csv]
                   [--truth OUT.json]
  refleqt paths FILE [--out OUT.csv] [--lookback-days D] [--delimiter C] [--strict]
  refleqt context WORKSPACE.json [-o OUT.json]
  refleqt --help | --version

attribute options:
  --format events|paths     input layout (default: detected from the header; a data set
                            stored by the app, an RQJS blob, is always read as such)
  --model M                 all (default) or one of first, last, linear, time-decay, position,
                            markov, shapley, logistic; repeat or comma-separate for several
  --force-logistic          run the data-driven (logistic) model below 1,000 conversions
  --lookback-days D         journey lookback window in days (default 30)
  --half-life-days H        time-decay half-life in days (default 7)
  --position-first F        position-based share of the first touch (default 0.4)
  --position-last L         position-based share of the last touch (default 0.4)
  --last-non-direct         last touch skips direct touches
  --markov-order K          Markov chain order 1..4 (default 1)
  --bootstrap B             bootstrap replicates for 95% intervals (default 200, 0 = off)
  --seed S                  bootstrap seed (default 24301)
  --delimiter C             column separator: ',' ';' 'tab' (default: sniffed)
  --path-separator S        path table channel separator (default '>')
  --truth FILE.json         score each model against a simulator's truth (L1 distance)
  --workspace FILE.json     the app's workspace export: its calendar entries' costs replace
                            the file's cost column for every entry the data tags cal-<id>
  --output json|csv|entries-csv
                            output on stdout (default json; csv: one row per model and
                            channel; entries-csv: one row per model and calendar entry)
  --strict                  exit 2 if any input row is rejected
  --timings                 print stage timings to stderr

paths: the journeys of FILE (an event log, a GA4 BigQuery export CSV, a path table or a
stored data set) as a ChannelAttribution path table with a path_entries column (the
calendar entry of each step), the table the warehouse SQL in sql/ builds; on stdout unless
--out is given. --lookback-days, --delimiter and --strict as for attribute.

context: the training-context export (format refleqt-training-context, version 1; schema
schemas/training-context.v1.schema.json) of a workspace file exported by the app, the same
document as the app's \"Export training context\" (attribution: the stored results); on stdout
unless -o/--out is given.

Exit status: 0 success; 2 bad input or arguments (the message names file, line and column).";

/// The input file's layout, `--format events|paths` (detected by [`refleqt_engine::detect`]
/// when not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputLayout {
    Events,
    Paths,
}

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Json,
    Csv,
    EntriesCsv,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttributeArgs {
    pub file: PathBuf,
    pub format: Option<InputLayout>,
    pub models: Vec<Model>,
    pub lookback_days: f64,
    pub half_life_days: f64,
    pub position_first: f64,
    pub position_last: f64,
    pub last_non_direct: bool,
    pub markov_order: u8,
    pub force_logistic: bool,
    pub bootstrap: usize,
    pub seed: u64,
    pub delimiter: Option<u8>,
    pub path_separator: String,
    pub truth: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
    pub output: Output,
    pub strict: bool,
    pub timings: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimulateArgs {
    pub journeys: usize,
    pub seed: u64,
    pub events: PathBuf,
    pub paths: Option<PathBuf>,
    pub truth: Option<PathBuf>,
    /// The causal process of the demo configuration (default additive).
    pub process: refleqt_engine::simulate::TruthProcess,
}

/// `refleqt paths`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathsArgs {
    pub file: PathBuf,
    pub out: Option<PathBuf>,
    pub lookback_days: f64,
    pub delimiter: Option<u8>,
    pub strict: bool,
}

/// `refleqt context`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextArgs {
    pub workspace: PathBuf,
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Attribute(Box<AttributeArgs>),
    Simulate(SimulateArgs),
    Paths(PathsArgs),
    Context(ContextArgs),
    Help,
    Version,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ArgError {
    #[error("no command given")]
    NoCommand,
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
    #[error("unknown option {0:?}")]
    UnknownOption(String),
    #[error("option {0} needs a value")]
    MissingValue(String),
    #[error("option {option}: {value:?} is not {expected}")]
    BadValue {
        option: String,
        value: String,
        expected: &'static str,
    },
    #[error("{0} is required")]
    Required(&'static str),
    #[error("unexpected argument {0:?}")]
    Unexpected(String),
    #[error("argument {position} is not valid UTF-8 ({lossy:?}); rename the file or pass the value in UTF-8")]
    NotUtf8 { position: usize, lossy: String },
}

/// The arguments as UTF-8 strings; the first that is not is an [`ArgError::NotUtf8`] (1-based
/// position after the program name), never a panic.
pub fn utf8_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<Vec<String>, ArgError> {
    args.into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.into_string().map_err(|raw| ArgError::NotUtf8 {
                position: i + 1,
                lossy: raw.to_string_lossy().into_owned(),
            })
        })
        .collect()
}

/// A finite number in `range`, else [`ArgError::BadValue`] with `expected`.
fn bounded(
    raw: &str,
    option: &str,
    range: std::ops::RangeInclusive<f64>,
    open_start: bool,
    expected: &'static str,
) -> Result<f64, ArgError> {
    let v: f64 = number(raw, option, expected)?;
    let start_ok = if open_start {
        v > *range.start()
    } else {
        v >= *range.start()
    };
    if v.is_finite() && start_ok && v <= *range.end() {
        Ok(v)
    } else {
        Err(ArgError::BadValue {
            option: option.to_owned(),
            value: raw.to_owned(),
            expected,
        })
    }
}

/// The longest lookback window or half-life the CLI accepts: a century.
const MAX_DAYS: f64 = 36_500.0;
const SHARE: &str = "a share between 0 and 1";
const ORDER: &str = "an order from 1 to 4";
const REPLICATES: &str = "a whole number of replicates from 0 to 10000 (bootstrap::MAX_REPLICATES)";

fn value<'a>(
    it: &mut impl Iterator<Item = &'a String>,
    option: &str,
) -> Result<&'a String, ArgError> {
    it.next()
        .ok_or_else(|| ArgError::MissingValue(option.to_owned()))
}

fn number<T: std::str::FromStr>(
    raw: &str,
    option: &str,
    expected: &'static str,
) -> Result<T, ArgError> {
    raw.trim().parse().map_err(|_| ArgError::BadValue {
        option: option.to_owned(),
        value: raw.to_owned(),
        expected,
    })
}

fn models(raw: &str, into: &mut Vec<Model>) -> Result<(), ArgError> {
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "all" {
            into.extend(Model::ALL);
            continue;
        }
        let m = Model::from_key(part).ok_or_else(|| ArgError::BadValue {
            option: "--model".into(),
            value: part.into(),
            expected:
                "a model (all, first, last, linear, time-decay, position, markov, shapley, logistic)",
        })?;
        into.push(m);
    }
    Ok(())
}

/// Parse the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, ArgError> {
    let mut it = args.iter();
    let Some(cmd) = it.next() else {
        return Err(ArgError::NoCommand);
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "-V" | "--version" | "version" => Ok(Command::Version),
        "attribute" => parse_attribute(&mut it).map(|a| Command::Attribute(Box::new(a))),
        "simulate" => parse_simulate(&mut it).map(Command::Simulate),
        "paths" => parse_paths(&mut it).map(Command::Paths),
        "context" => parse_context(&mut it).map(Command::Context),
        other => Err(ArgError::UnknownCommand(other.to_owned())),
    }
}

fn parse_attribute<'a>(
    it: &mut impl Iterator<Item = &'a String>,
) -> Result<AttributeArgs, ArgError> {
    let mut a = AttributeArgs {
        file: PathBuf::new(),
        format: None,
        models: Vec::new(),
        lookback_days: 30.0,
        half_life_days: 7.0,
        position_first: 0.4,
        position_last: 0.4,
        last_non_direct: false,
        markov_order: 1,
        force_logistic: false,
        bootstrap: 200,
        seed: 0x5EED,
        delimiter: None,
        path_separator: ">".into(),
        truth: None,
        workspace: None,
        output: Output::Json,
        strict: false,
        timings: false,
    };
    let mut file = None;
    while let Some(arg) = it.next() {
        let opt = arg.as_str();
        match opt {
            "--format" => {
                a.format = Some(match value(it, opt)?.as_str() {
                    "events" => InputLayout::Events,
                    "paths" => InputLayout::Paths,
                    v => {
                        return Err(ArgError::BadValue {
                            option: opt.into(),
                            value: v.into(),
                            expected: "events or paths",
                        })
                    }
                })
            }
            "--model" => models(value(it, opt)?, &mut a.models)?,
            "--lookback-days" => {
                a.lookback_days = bounded(
                    value(it, opt)?,
                    opt,
                    0.0..=MAX_DAYS,
                    true,
                    "a number of days above 0 and at most 36500",
                )?
            }
            "--half-life-days" => {
                a.half_life_days = bounded(
                    value(it, opt)?,
                    opt,
                    0.0..=MAX_DAYS,
                    true,
                    "a number of days above 0 and at most 36500",
                )?
            }
            "--position-first" => {
                a.position_first = bounded(value(it, opt)?, opt, 0.0..=1.0, false, SHARE)?
            }
            "--position-last" => {
                a.position_last = bounded(value(it, opt)?, opt, 0.0..=1.0, false, SHARE)?
            }
            "--last-non-direct" => a.last_non_direct = true,
            "--force-logistic" => a.force_logistic = true,
            "--markov-order" => {
                let raw = value(it, opt)?;
                a.markov_order = number(raw, opt, ORDER)?;
                if !(1..=refleqt_engine::models::markov::MAX_ORDER).contains(&a.markov_order) {
                    return Err(ArgError::BadValue {
                        option: opt.into(),
                        value: raw.clone(),
                        expected: ORDER,
                    });
                }
            }
            "--bootstrap" => {
                let raw = value(it, opt)?;
                a.bootstrap = number(raw, opt, REPLICATES)?;
                if a.bootstrap > refleqt_engine::bootstrap::MAX_REPLICATES {
                    return Err(ArgError::BadValue {
                        option: opt.into(),
                        value: raw.clone(),
                        expected: REPLICATES,
                    });
                }
            }
            "--seed" => a.seed = number(value(it, opt)?, opt, "a whole number")?,
            "--delimiter" => a.delimiter = Some(delimiter(value(it, opt)?, opt)?),
            "--path-separator" => a.path_separator = value(it, opt)?.clone(),
            "--truth" => a.truth = Some(PathBuf::from(value(it, opt)?)),
            "--workspace" => a.workspace = Some(PathBuf::from(value(it, opt)?)),
            "--output" => {
                a.output = match value(it, opt)?.as_str() {
                    "json" => Output::Json,
                    "csv" => Output::Csv,
                    "entries-csv" => Output::EntriesCsv,
                    v => {
                        return Err(ArgError::BadValue {
                            option: opt.into(),
                            value: v.into(),
                            expected: "json, csv or entries-csv",
                        })
                    }
                }
            }
            "--strict" => a.strict = true,
            "--timings" => a.timings = true,
            o if o.starts_with("--") => return Err(ArgError::UnknownOption(o.into())),
            f => {
                if file.is_some() {
                    return Err(ArgError::Unexpected(f.into()));
                }
                file = Some(PathBuf::from(f));
            }
        }
    }
    a.file = file.ok_or(ArgError::Required("FILE"))?;
    if a.models.is_empty() {
        a.models.extend(Model::ALL);
    }
    a.models.sort();
    a.models.dedup();
    Ok(a)
}

/// A `--delimiter` value.
fn delimiter(v: &str, opt: &str) -> Result<u8, ArgError> {
    Ok(match v {
        "," | "comma" => b',',
        ";" | "semicolon" => b';',
        "\t" | "tab" | "\\t" => b'\t',
        "|" | "pipe" => b'|',
        _ => {
            return Err(ArgError::BadValue {
                option: opt.into(),
                value: v.to_owned(),
                expected: "one of , ; tab |",
            })
        }
    })
}

fn parse_paths<'a>(it: &mut impl Iterator<Item = &'a String>) -> Result<PathsArgs, ArgError> {
    let mut a = PathsArgs {
        file: PathBuf::new(),
        out: None,
        lookback_days: 30.0,
        delimiter: None,
        strict: false,
    };
    let mut file = None;
    while let Some(arg) = it.next() {
        let opt = arg.as_str();
        match opt {
            "--out" => a.out = Some(PathBuf::from(value(it, opt)?)),
            "--lookback-days" => {
                a.lookback_days = bounded(
                    value(it, opt)?,
                    opt,
                    0.0..=MAX_DAYS,
                    true,
                    "a number of days above 0 and at most 36500",
                )?
            }
            "--delimiter" => a.delimiter = Some(delimiter(value(it, opt)?, opt)?),
            "--strict" => a.strict = true,
            o if o.starts_with("--") => return Err(ArgError::UnknownOption(o.into())),
            f => {
                if file.is_some() {
                    return Err(ArgError::Unexpected(f.into()));
                }
                file = Some(PathBuf::from(f));
            }
        }
    }
    a.file = file.ok_or(ArgError::Required("FILE"))?;
    Ok(a)
}

fn parse_context<'a>(it: &mut impl Iterator<Item = &'a String>) -> Result<ContextArgs, ArgError> {
    let (mut workspace, mut out) = (None, None);
    while let Some(arg) = it.next() {
        let opt = arg.as_str();
        match opt {
            "-o" | "--out" => out = Some(PathBuf::from(value(it, opt)?)),
            o if o.starts_with('-') && o.len() > 1 => {
                return Err(ArgError::UnknownOption(o.into()))
            }
            f => {
                if workspace.is_some() {
                    return Err(ArgError::Unexpected(f.into()));
                }
                workspace = Some(PathBuf::from(f));
            }
        }
    }
    Ok(ContextArgs {
        workspace: workspace.ok_or(ArgError::Required("WORKSPACE.json"))?,
        out,
    })
}

fn parse_simulate<'a>(it: &mut impl Iterator<Item = &'a String>) -> Result<SimulateArgs, ArgError> {
    let (mut journeys, mut seed, mut events, mut paths, mut truth) = (None, 1, None, None, None);
    let mut process = refleqt_engine::simulate::TruthProcess::Additive;
    while let Some(arg) = it.next() {
        let opt = arg.as_str();
        match opt {
            "--journeys" => journeys = Some(number(value(it, opt)?, opt, "a whole number")?),
            "--seed" => seed = number(value(it, opt)?, opt, "a whole number")?,
            "--events" => events = Some(PathBuf::from(value(it, opt)?)),
            "--paths" => paths = Some(PathBuf::from(value(it, opt)?)),
            "--truth" => truth = Some(PathBuf::from(value(it, opt)?)),
            "--process" => {
                let raw = value(it, opt)?;
                process =
                    refleqt_engine::simulate::TruthProcess::from_key(raw).ok_or_else(|| {
                        ArgError::BadValue {
                            option: opt.into(),
                            value: raw.clone(),
                            expected: "additive, synergy or order",
                        }
                    })?
            }
            o if o.starts_with("--") => return Err(ArgError::UnknownOption(o.into())),
            o => return Err(ArgError::Unexpected(o.into())),
        }
    }
    Ok(SimulateArgs {
        journeys: journeys.ok_or(ArgError::Required("--journeys"))?,
        seed,
        events: events.ok_or(ArgError::Required("--events"))?,
        paths,
        truth,
        process,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn logistic_model_process_and_force_flag_parse() {
        let Ok(Command::Attribute(a)) = parse(&argv(
            "attribute p.csv --model logistic,shapley --force-logistic",
        )) else {
            panic!("parses");
        };
        assert_eq!(a.models, vec![Model::Shapley, Model::Logistic]);
        assert!(a.force_logistic);
        let Ok(Command::Simulate(s)) = parse(&argv(
            "simulate --journeys 10 --process order --events e.csv",
        )) else {
            panic!("parses");
        };
        assert_eq!(s.process, refleqt_engine::simulate::TruthProcess::Order);
        assert!(parse(&argv(
            "simulate --journeys 10 --process chaos --events e.csv"
        ))
        .is_err());
    }

    #[test]
    fn attribute_defaults_to_all_models() {
        let Command::Attribute(a) = parse(&argv("attribute data.csv")).expect("parses") else {
            panic!("not attribute")
        };
        assert_eq!(a.models, Model::ALL.to_vec());
        assert_eq!(a.lookback_days, 30.0);
        assert_eq!(a.bootstrap, 200);
        assert_eq!(a.file, PathBuf::from("data.csv"));
    }

    #[test]
    fn attribute_options_are_read() {
        let Command::Attribute(a) = parse(&argv(
            "attribute p.csv --format paths --model markov,shapley --markov-order 3 --bootstrap 0 --output csv --delimiter ;",
        ))
        .expect("parses") else {
            panic!("not attribute")
        };
        assert_eq!(a.format, Some(InputLayout::Paths));
        assert_eq!(a.models, vec![Model::Markov, Model::Shapley]);
        assert_eq!(a.markov_order, 3);
        assert_eq!(a.bootstrap, 0);
        assert_eq!(a.output, Output::Csv);
        assert_eq!(a.delimiter, Some(b';'));
    }

    #[test]
    fn bad_values_name_the_option() {
        let err = parse(&argv("attribute f --model magic")).expect_err("rejects");
        assert!(err.to_string().contains("--model"), "{err}");
        let err = parse(&argv("attribute f --lookback-days soon")).expect_err("rejects");
        assert!(err.to_string().contains("--lookback-days"), "{err}");
        assert_eq!(
            parse(&argv("attribute")).expect_err("needs a file"),
            ArgError::Required("FILE")
        );
        assert_eq!(
            parse(&argv("simulate --journeys 10")).expect_err("needs --events"),
            ArgError::Required("--events")
        );
    }

    #[test]
    fn paths_options_are_read() {
        let Ok(Command::Context(c)) = parse(&argv("context ws.json -o out.json")) else {
            panic!("context parses")
        };
        assert_eq!(c.workspace, PathBuf::from("ws.json"));
        assert_eq!(c.out, Some(PathBuf::from("out.json")));
        assert_eq!(
            parse(&argv("context")),
            Err(ArgError::Required("WORKSPACE.json"))
        );
        assert!(matches!(
            parse(&argv("context a.json b.json")),
            Err(ArgError::Unexpected(_))
        ));
        assert!(matches!(
            parse(&argv("context a.json --pretty")),
            Err(ArgError::UnknownOption(_))
        ));
        let Command::Paths(a) = parse(&argv(
            "paths ev.csv --out p.csv --lookback-days 7.5 --delimiter ; --strict",
        ))
        .expect("valid") else {
            panic!("not paths")
        };
        assert_eq!(
            a,
            PathsArgs {
                file: PathBuf::from("ev.csv"),
                out: Some(PathBuf::from("p.csv")),
                lookback_days: 7.5,
                delimiter: Some(b';'),
                strict: true,
            }
        );
        assert_eq!(
            parse(&argv("paths ev.csv --lookback-days 0")).expect_err("0 days"),
            ArgError::BadValue {
                option: "--lookback-days".into(),
                value: "0".into(),
                expected: "a number of days above 0 and at most 36500",
            }
        );
        assert_eq!(
            parse(&argv("paths ev.csv --model markov")).expect_err("not a paths option"),
            ArgError::UnknownOption("--model".into())
        );
    }
}
