//! Import parsing off the page's thread: the request the Import page posts ([`ImportRequest`]:
//! the user's choices and what the parse needs of the workspace), the worker's steps
//! ([`run_import`]: detect, parse, the columns to offer, match rows to entries, build journeys —
//! pure, so natively tested) and its replies ([`ImportReply`], JSON; an event log's or path
//! table's journeys travel beside it as the engine's binary data-set blob, transferred, not
//! copied). The file's bytes live only in the worker, and only during the parse.

use crate::model::import::{csv_headers, journeys_of, match_with, Choices, JourneyCounts, Stage};
use refleqt_engine::dataset;
use refleqt_engine::detect::{detect, import};
use refleqt_engine::imports::{
    Container, EntryKey, Import, ImportError, ImportField, Layout, MatchReport,
};
use refleqt_engine::links::ChannelUtm;
use refleqt_engine::number::DecimalMark;
use refleqt_engine::parse::sniff_delimiter;
use refleqt_engine::JourneySet;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The third element of the message array that marks an import request (the worker also runs
/// attribution jobs, whose messages have two elements).
pub const IMPORT_TAG: &str = "import";

/// One parse of one file, as the page posts it (the file itself travels beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub job_id: u64,
    pub file_name: String,
    pub choices: Choices,
    pub channel_mapping: Vec<ChannelUtm>,
    pub decimal_mark: DecimalMark,
    /// The workspace's entries, for matching rows to them.
    pub entries: Vec<EntryKey>,
}

/// What a successful parse sends back (the journeys, if any, travel beside it as a blob).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parsed {
    pub detected: Option<Layout>,
    /// The parsed export, without its event log and with an empty path table: the journeys
    /// built from them are what is kept.
    pub import: Import,
    pub matches: MatchReport,
    /// The file's columns, for the preview's mapping.
    pub headers: Vec<String>,
    pub journeys: Option<JourneyCounts>,
}

/// Why a parse in the worker gave no preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Error)]
pub enum ImportFailure {
    /// The file is not what the chosen (or detected) platform exports: `missing` fields to pick a
    /// column for, among `headers`.
    #[error("{error}")]
    Parse {
        error: ImportError,
        missing: Vec<ImportField>,
        headers: Vec<String>,
    },
    #[error("The file could not be read: {0}. Try choosing the file again.")]
    Read(String),
    /// The worker stopped (a crash, or it ran out of memory); the page starts a fresh one.
    #[error("The background worker that reads files stopped unexpectedly ({0}). It has been restarted: try the import again. If it stops again, the file may be too large for this tab: split the export by date and import the parts.")]
    WorkerStopped(String),
    #[error("Something went wrong while reading the file: {0}. Try again.")]
    Internal(String),
    /// No import worker could start (the page's own wasm holds no parsers: issue 13).
    #[error("The background worker that reads files could not start. Use a current version of Chrome, Edge, Firefox or Safari, and allow this site's scripts.")]
    NoWorker,
}

/// A message from the worker about an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ImportReply {
    /// The worker listens (the same message as the attribution side's `ready`).
    Ready,
    Progress {
        job_id: u64,
        stage: Stage,
    },
    Parsed {
        job_id: u64,
        parsed: Box<Parsed>,
    },
    Failed {
        job_id: u64,
        failure: ImportFailure,
    },
}

/// Parse `bytes` as `req` asks, reporting each stage to `progress`. Returns the reply and the
/// encoded journeys (`refleqt_engine::dataset` blob) of an event log or path table. `bytes` is
/// dropped as soon as the columns have been read off it.
pub fn run_import(
    req: &ImportRequest,
    bytes: Vec<u8>,
    progress: &mut dyn FnMut(Stage),
) -> (ImportReply, Option<Vec<u8>>) {
    let job_id = req.job_id;
    progress(Stage::Parsing);
    let detected = detect(&bytes, &req.file_name);
    let opts = req
        .choices
        .options_with(&req.channel_mapping, req.decimal_mark);
    let mut parsed = match import(&bytes, &req.file_name, &opts) {
        Ok(i) => i,
        Err(error) => {
            let (missing, found) = match &error {
                ImportError::MissingColumns { missing, found, .. } => {
                    (missing.clone(), found.clone())
                }
                ImportError::UnknownColumn { field, .. } => (vec![field.clone()], Vec::new()),
                _ => (Vec::new(), Vec::new()),
            };
            let headers = if found.is_empty() {
                csv_headers(&bytes, sniff_delimiter(&bytes).as_char(), None)
            } else {
                found
            };
            let failure = ImportFailure::Parse {
                error,
                missing,
                headers,
            };
            return (ImportReply::Failed { job_id, failure }, None);
        }
    };
    let headers = match parsed.format {
        Container::Csv => csv_headers(&bytes, parsed.report.delimiter, parsed.header_line),
        Container::Json => parsed
            .columns
            .iter()
            .map(|c| c.header.clone())
            .chain(parsed.ignored_columns.iter().cloned())
            .collect(),
    };
    drop(bytes);
    progress(Stage::Matching);
    let matches = match_with(&parsed, &req.entries, &req.channel_mapping);
    let mut blob = None;
    let mut counts = None;
    if parsed.event_log.is_some() || parsed.path_table.is_some() {
        progress(Stage::Journeys);
        let set = journeys_of(&parsed);
        // The journeys are what is kept; the parsed events can go.
        parsed.event_log = None;
        if let Some(t) = parsed.path_table.as_mut() {
            t.set = JourneySet::default();
        }
        counts = set.as_ref().map(JourneyCounts::of);
        blob = set.as_ref().map(dataset::encode);
    }
    let parsed = Parsed {
        detected,
        import: parsed,
        matches,
        headers,
        journeys: counts,
    };
    (
        ImportReply::Parsed {
            job_id,
            parsed: Box::new(parsed),
        },
        blob,
    )
}

/// The journeys of a [`Parsed`] reply, from the blob that came with it.
pub fn journeys_from(blob: Option<&[u8]>) -> Result<Option<JourneySet>, ImportFailure> {
    blob.map(|b| {
        dataset::decode(b)
            .map_err(|e| ImportFailure::Internal(format!("the journeys came back damaged ({e})")))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str) -> ImportRequest {
        ImportRequest {
            job_id: 7,
            file_name: name.into(),
            choices: Choices::default(),
            channel_mapping: refleqt_engine::links::default_channel_mapping(),
            decimal_mark: DecimalMark::Point,
            entries: Vec::new(),
        }
    }

    /// What crosses the thread boundary: the reply survives JSON, the journeys the blob.
    fn round_trip(reply: &ImportReply) -> ImportReply {
        let text = serde_json::to_string(reply).expect("serialize");
        serde_json::from_str(&text).expect("deserialize")
    }

    #[test]
    fn an_event_log_comes_back_as_counts_and_a_journey_blob() {
        let csv = b"user_id,timestamp,channel,conversion,revenue\n\
            u1,2025-03-01T10:00:00Z,linkedin,0,\n\
            u1,2025-03-02T10:00:00Z,email,1,120\n\
            u2,2025-03-01T11:00:00Z,google,0,\n"
            .to_vec();
        let mut stages = Vec::new();
        let (reply, blob) = run_import(&request("log.csv"), csv, &mut |s| stages.push(s));
        assert_eq!(stages, [Stage::Parsing, Stage::Matching, Stage::Journeys]);
        let ImportReply::Parsed { job_id, parsed } = round_trip(&reply) else {
            panic!("not parsed: {reply:?}");
        };
        assert_eq!(job_id, 7);
        assert_eq!(parsed.detected, Some(Layout::EventLog));
        assert!(
            parsed.import.event_log.is_none(),
            "the events stay in the worker"
        );
        let counts = parsed.journeys.expect("counts");
        assert_eq!((counts.journeys, counts.touches), (2, 3));
        let set = journeys_from(blob.as_deref())
            .expect("decodes")
            .expect("journeys");
        assert_eq!(JourneyCounts::of(&set), counts);
        assert_eq!(parsed.headers[0], "user_id");
    }

    #[test]
    fn a_platform_export_round_trips_with_its_rows_and_matches() {
        let csv = b"Day,Campaign,Impr.,Clicks,Cost,Currency code\n\
            2026-03-01,Spring sale,1000,50,12.50,USD\n\
            2026-03-02,Spring sale,900,40,10.00,USD\n"
            .to_vec();
        let (reply, blob) = run_import(&request("ads.csv"), csv, &mut |_| {});
        assert!(blob.is_none());
        let back = round_trip(&reply);
        assert_eq!(back, reply, "nothing is lost on the way to the page");
        let ImportReply::Parsed { parsed, .. } = back else {
            panic!("not parsed: {reply:?}");
        };
        assert_eq!(parsed.import.rows.len(), 2);
        assert_eq!(parsed.matches.matches.len(), 2);
    }

    #[test]
    fn an_unrecognised_file_fails_with_its_columns_to_pick_from() {
        let (reply, blob) = run_import(
            &request("mystery.csv"),
            b"alpha,beta\n1,2\n".to_vec(),
            &mut |_| {},
        );
        assert!(blob.is_none());
        let ImportReply::Failed {
            failure: ImportFailure::Parse { error, headers, .. },
            ..
        } = round_trip(&reply)
        else {
            panic!("not a parse failure: {reply:?}");
        };
        assert_eq!(error, ImportError::Unrecognised);
        assert_eq!(headers, ["alpha", "beta"]);
    }

    #[test]
    fn a_damaged_blob_is_an_error_not_a_panic() {
        assert!(journeys_from(Some(b"not a blob")).is_err());
        assert_eq!(journeys_from(None), Ok(None));
    }

    #[test]
    fn a_stopped_worker_is_told_in_words() {
        let text = ImportFailure::WorkerStopped("out of memory".into()).to_string();
        assert!(
            text.contains("stopped unexpectedly (out of memory)"),
            "{text}"
        );
        assert!(text.contains("has been restarted"), "{text}");
    }
}
