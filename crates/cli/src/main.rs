//! `refleqt`: the command line over the attribution engine (argument parsing and file IO only).

mod args;
mod attribute;
mod context;
mod paths;
mod threads;
mod workspace;

use args::Command;
use refleqt_engine::simulate::{simulate_to_csv, SimConfig};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use thiserror::Error;

/// Everything that ends a run early; printed once, in `main`.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{0}\n\n{usage}", usage = args::USAGE)]
    Args(#[from] args::ArgError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    #[error("{0}")]
    Params(String),
}

impl CliError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

fn main() -> ExitCode {
    // `std::env::args` panics on an argument that is not UTF-8; read them as `OsString`s.
    let argv = match args::utf8_args(std::env::args_os().skip(1)) {
        Ok(argv) => argv,
        Err(e) => {
            eprintln!("refleqt: {}", CliError::from(e));
            return ExitCode::from(2);
        }
    };
    match run(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("refleqt: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(argv: &[String]) -> Result<(), CliError> {
    match args::parse(argv)? {
        Command::Help => {
            println!("{}", args::USAGE);
            Ok(())
        }
        Command::Version => {
            println!("refleqt {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Attribute(a) => attribute::run(&a),
        Command::Simulate(s) => simulate(&s),
        Command::Paths(p) => paths::run(&p),
        Command::Context(c) => context::run(&c),
    }
}

fn create(path: &Path) -> Result<BufWriter<File>, CliError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| CliError::io(path, e))
}

fn simulate(a: &args::SimulateArgs) -> Result<(), CliError> {
    let config = SimConfig {
        journeys: a.journeys as u64,
        seed: a.seed,
        ..SimConfig::demo_process(a.process)
    };
    let mut events = create(&a.events)?;
    let mut paths = a.paths.as_deref().map(create).transpose()?;
    let summary = simulate_to_csv(
        &config,
        Some(&mut events),
        paths.as_mut().map(|p| p as &mut dyn Write),
    )
    .map_err(|e| CliError::Params(format!("simulate: {e}")))?;
    events.flush().map_err(|e| CliError::io(&a.events, e))?;
    if let (Some(p), Some(path)) = (paths.as_mut(), a.paths.as_deref()) {
        p.flush().map_err(|e| CliError::io(path, e))?;
    }
    if let Some(path) = &a.truth {
        let mut f = create(path)?;
        serde_json::to_writer_pretty(&mut f, &summary.truth)
            .map_err(|e| CliError::io(path, e.into()))?;
        f.write_all(b"\n").map_err(|e| CliError::io(path, e))?;
        f.flush().map_err(|e| CliError::io(path, e))?;
    }
    eprintln!(
        "simulated {} users, {} journeys, {} touches, {} conversions",
        summary.truth.users,
        summary.truth.journeys,
        summary.truth.touches,
        summary.truth.conversions
    );
    Ok(())
}
