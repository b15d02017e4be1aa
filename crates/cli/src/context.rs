//! `refleqt context WORKSPACE.json [-o OUT.json]`: the training-context export of a workspace
//! file exported by the app. The file is read by the app's own reader (`refleqt::model::file`,
//! with its migrations and checks) and the document is made by the app's own
//! `refleqt::model::context::document`, so the CLI and the app's "Export training context"
//! write the same document for the same workspace (the CLI has no workbench: attribution is the
//! workspace's stored results).

use crate::args::ContextArgs;
use crate::CliError;
use refleqt::model::{context, file};
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Now in Unix milliseconds (0 for a clock before 1970).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The document of the workspace file's text at `now`, or why the text is not a workspace.
pub fn document_of(text: &str, now: i64) -> Result<String, String> {
    let decoded =
        file::decode(text, now).map_err(|e| format!("not a usable workspace file: {e}"))?;
    Ok(context::document(&decoded.workspace, now, None).to_json())
}

pub fn run(a: &ContextArgs) -> Result<(), CliError> {
    let text = std::fs::read(&a.workspace).map_err(|e| CliError::io(&a.workspace, e))?;
    let input_error = |message: String| CliError::Input {
        path: a.workspace.display().to_string(),
        message,
    };
    let text = String::from_utf8(text)
        .map_err(|e| input_error(format!("not a workspace file (not UTF-8 text: {e})")))?;
    let mut json = document_of(&text, now_ms()).map_err(input_error)?;
    json.push('\n');
    match &a.out {
        Some(path) => std::fs::write(path, json).map_err(|e| CliError::io(path, e)),
        None => std::io::stdout()
            .lock()
            .write_all(json.as_bytes())
            .map_err(|e| CliError::io(std::path::Path::new("<stdout>"), e)),
    }
}
