//! `refleqt paths`: read a file, build its journeys as `refleqt attribute` does, write them as
//! the ChannelAttribution path table with the `path_entries` column (the engine's
//! `path_table`), the table the warehouse SQL in `sql/` builds from the same events.

use crate::args::PathsArgs;
use crate::attribute::{report_rejections, Input};
use crate::CliError;
use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::dataset;
use refleqt_engine::detect::import;
use refleqt_engine::imports::ImportOptions;
use refleqt_engine::parse::{Delimiter, EventLogOptions, PathTableOptions};
use refleqt_engine::path_table;
use refleqt_engine::JourneySet;
use std::io::Write;

pub fn run(a: &PathsArgs) -> Result<(), CliError> {
    let path = a.file.display().to_string();
    let input = Input::open(&a.file)?;
    let bytes: &[u8] = &input;
    let input_error = |message: String| CliError::Input {
        path: path.clone(),
        message,
    };
    let delimiter =
        match a.delimiter {
            Some(b) => Some(Delimiter::new(b).ok_or_else(|| {
                CliError::Params(format!("{:?} cannot be a delimiter", b as char))
            })?),
            None => None,
        };
    let jopts = JourneyOptions {
        lookback_days: a.lookback_days,
    };
    jopts
        .validate()
        .map_err(|e| CliError::Params(e.to_string()))?;
    let set: JourneySet = if dataset::is_dataset_blob(bytes) {
        dataset::decode(bytes)
            .map_err(|e| input_error(format!("the stored data set cannot be read: {e}")))?
    } else {
        let opts = ImportOptions {
            delimiter,
            event_log: EventLogOptions {
                delimiter,
                ..Default::default()
            },
            path_table: PathTableOptions {
                delimiter,
                ..Default::default()
            },
            ..Default::default()
        };
        let file_name = a
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let imported = import(bytes, &file_name, &opts).map_err(|e| input_error(e.to_string()))?;
        report_rejections(&path, &imported.report);
        if let Some(first) = imported.report.rejected.first() {
            if a.strict {
                return Err(input_error(format!(
                    "{} rows rejected (--strict); first at line {}, column {}: {}",
                    imported.report.rejected_count,
                    first.line,
                    first.column.as_deref().unwrap_or("-"),
                    first.reason
                )));
            }
        }
        if imported.report.accepted == 0 {
            return Err(input_error("no data row could be read".into()));
        }
        match (imported.event_log, imported.path_table, imported.layout) {
            (Some(log), _, _) => build_journeys(&log, &jopts),
            (None, Some(table), _) => table.set,
            (None, None, layout) => {
                return Err(input_error(format!(
                    "this file is a {} export of daily metrics, not events; a path table needs an event log (user, time, channel per row) or a GA4 BigQuery export",
                    layout.label()
                )))
            }
        }
    };
    drop(input);
    let csv = path_table::to_csv(&set).map_err(|e| input_error(e.to_string()))?;
    match &a.out {
        Some(out) => std::fs::write(out, csv.as_bytes()).map_err(|e| CliError::io(out, e))?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(csv.as_bytes())
                .map_err(|e| CliError::io(std::path::Path::new("stdout"), e))?;
        }
    }
    Ok(())
}
