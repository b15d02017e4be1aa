//! The Import page's state and pipeline ([`ImportSession`]): read a file, parse it in stages
//! (yielding to the browser between them so Cancel works), match rows to entries, cut journeys,
//! build the preview, all driven through `model::import::Flow`; then the confirm step
//! ([`confirm`]): keep the journeys as a data set, then write the metrics into the workspace; if
//! the metrics cannot be written (or the user cancelled meanwhile), take the data set back out.
//! A rollback that fails is reported, never dropped: the user is told which data set is left
//! over and where to delete it.

use super::datasets::{self, DatasetMeta, DatasetSource};
use super::{AppState, StorageError};
use crate::model::import::{
    apply, csv_headers, journeys_of, match_import, parse_import, ApplyError, ApplySummary, Choices,
    Flow, JourneyCounts, Preview, Stage, MAX_IMPORT_BYTES,
};
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::detect::detect;
use refleqt_engine::imports::{Container, ImportError, ImportField, Layout};
use refleqt_engine::parse::sniff_delimiter;
use refleqt_engine::roi::format_count;
use refleqt_engine::JourneySet;
use std::rc::Rc;
use thiserror::Error;

/// What the session keeps between stages (large values are not reactive).
struct Work {
    bytes: Option<Rc<Vec<u8>>>,
    file_name: String,
    journeys: Option<JourneySet>,
}

/// Why a file could not be imported, and what to do.
fn import_error_text(e: &ImportError) -> String {
    let what = match e {
        ImportError::Unrecognised => {
            " Choose the platform under \u{201c}Parse as\u{201d} below, or check that this is the export itself."
        }
        ImportError::MissingColumns { .. } | ImportError::UnknownColumn { .. } => {
            " Pick the right column for each field below, or choose another platform under \u{201c}Parse as\u{201d}."
        }
        ImportError::NoPeriod { .. } => {
            // A question, not a failure: the file is fine, it only does not say when.
            return "This export\u{2019}s rows carry no date. Which days does it cover? Enter the first and last day below.".to_owned();
        }
        _ => " Check the file, or export it again from the platform.",
    };
    format!("This file could not be imported: {e}.{what}")
}

/// What a confirm wrote, as one sentence.
fn summary_text(s: &ApplySummary, dataset: Option<&DatasetMeta>) -> String {
    let mut parts = Vec::new();
    if s.period.is_some() {
        parts.push(format!(
            "Added {} imported value{} to {} entr{}",
            s.added,
            if s.added == 1 { "" } else { "s" },
            s.entries.len(),
            if s.entries.len() == 1 { "y" } else { "ies" }
        ));
        parts.push(format!(
            "replaced {} earlier imported value{} of the same platform and period",
            s.replaced,
            if s.replaced == 1 { "" } else { "s" }
        ));
        if !s.overridden.is_empty() {
            parts.push(format!(
                "kept your manual values for {} (manual values win): {}",
                s.overridden.len(),
                s.overridden
                    .iter()
                    .map(|(e, m)| format!("#{e} {}", m.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !s.skipped.is_empty() {
            parts.push(format!(
                "skipped {}: {}",
                s.skipped.len(),
                s.skipped
                    .iter()
                    .take(5)
                    .map(|(e, m, why)| format!("#{e} {m} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(d) = dataset {
        parts.push(format!(
            "saved the data set \u{201c}{}\u{201d} ({} journeys, {:.1} MB stored) for the Attribution page",
            d.name,
            format_count(d.journeys as f64),
            d.stored_bytes as f64 / 1_048_576.0
        ));
    }
    if parts.is_empty() {
        return "Nothing to write: no rows were assigned to calendar entries.".to_owned();
    }
    let mut text = parts.join("; ");
    text.push('.');
    text
}

/// The Import page's signals and the bytes between stages. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct ImportSession {
    pub state: AppState,
    pub flow: RwSignal<Flow>,
    pub preview: RwSignal<Option<Preview>>,
    work: StoredValue<Work, LocalStorage>,
    pub journeys: RwSignal<Option<JourneyCounts>>,
    pub keep_dataset: RwSignal<bool>,
    pub dataset_name: RwSignal<String>,
    /// The export has no dates: the page asks for the period.
    pub needs_period: RwSignal<bool>,
    /// The choices of the last parse (a failed one included), for the controls of the error.
    pub last_choices: RwSignal<Choices>,
    /// Fields a failed parse could not find a column for, and the file's columns to pick from.
    pub missing_fields: RwSignal<Vec<ImportField>>,
    pub file_headers: RwSignal<Vec<String>>,
    pub cancelled: RwSignal<bool>,
    /// The data-set list's status line.
    pub list_message: RwSignal<Option<String>>,
    /// Bumped when the data-set list should be read again.
    pub reload_list: RwSignal<u64>,
}

impl ImportSession {
    pub fn new(state: AppState) -> ImportSession {
        ImportSession {
            state,
            flow: RwSignal::new(Flow::default()),
            preview: RwSignal::new(None),
            work: StoredValue::new_local(Work {
                bytes: None,
                file_name: String::new(),
                journeys: None,
            }),
            journeys: RwSignal::new(None),
            keep_dataset: RwSignal::new(true),
            dataset_name: RwSignal::new(String::new()),
            needs_period: RwSignal::new(false),
            last_choices: RwSignal::new(Choices::default()),
            missing_fields: RwSignal::new(Vec::new()),
            file_headers: RwSignal::new(Vec::new()),
            cancelled: RwSignal::new(false),
            list_message: RwSignal::new(None),
            reload_list: RwSignal::new(0),
        }
    }

    /// Forget the parsed file (Cancel, a new file).
    pub fn clear(self) {
        let ImportSession {
            preview,
            journeys,
            needs_period,
            work,
            ..
        } = self;
        preview.set(None);
        journeys.set(None);
        needs_period.set(false);
        self.missing_fields.set(Vec::new());
        self.last_choices.set(Choices::default());
        work.update_value(|w| {
            w.bytes = None;
            w.journeys = None;
        });
    }

    fn advance(self, job: u64, stage: Stage) -> bool {
        self.flow
            .try_update(|f| f.advance(job, stage))
            .unwrap_or(false)
    }

    /// Parse the kept bytes with `choices`, in stages, as run `job`.
    async fn parse(self, job: u64, choices: Choices) {
        let ImportSession {
            state,
            flow,
            preview,
            work,
            journeys,
            dataset_name,
            needs_period,
            ..
        } = self;
        let Some((bytes, name)) =
            work.with_value(|w| w.bytes.clone().map(|b| (b, w.file_name.clone())))
        else {
            return;
        };
        if !self.advance(job, Stage::Parsing) {
            return;
        }
        web_tools::yield_now().await;
        if !flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        let detected = detect(&bytes, &name);
        let parsed = state
            .workspace
            .with_untracked(|ws| parse_import(&bytes, &name, &choices, ws));
        self.last_choices.set(choices.clone());
        self.missing_fields.set(Vec::new());
        let mut import = match parsed {
            Ok(i) => i,
            Err(e) => {
                needs_period.set(matches!(e, ImportError::NoPeriod { .. }));
                // What the error's advice needs on screen: the fields to pick a column for,
                // and every column of the file.
                let (missing, found) = match &e {
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
                self.missing_fields.set(missing);
                self.file_headers.set(headers);
                flow.update(|f| {
                    f.finish(job, Err(import_error_text(&e)));
                });
                return;
            }
        };
        needs_period.set(false);
        if !self.advance(job, Stage::Matching) {
            return;
        }
        web_tools::yield_now().await;
        let matches = state
            .workspace
            .with_untracked(|ws| match_import(&import, ws));
        let mut set = None;
        if import.event_log.is_some() || import.path_table.is_some() {
            if !self.advance(job, Stage::Journeys) {
                return;
            }
            web_tools::yield_now().await;
            if !flow.with_untracked(|f| f.is_live(job)) {
                return;
            }
            set = journeys_of(&import);
            // The journeys are what is kept; the parsed events can go.
            import.event_log = None;
            if let Some(t) = import.path_table.as_mut() {
                t.set = JourneySet::default();
            }
        }
        web_tools::yield_now().await;
        if !flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        let headers = match import.format {
            Container::Csv => csv_headers(&bytes, import.report.delimiter, import.header_line),
            Container::Json => import
                .columns
                .iter()
                .map(|c| c.header.clone())
                .chain(import.ignored_columns.iter().cloned())
                .collect(),
        };
        journeys.set(set.as_ref().map(JourneyCounts::of));
        work.update_value(|w| w.journeys = set);
        if dataset_name.get_untracked().is_empty() {
            dataset_name.set(name.clone());
        }
        preview.set(Some(Preview::new(
            &name, detected, choices, import, matches, headers,
        )));
        flow.update(|f| {
            f.preview(job);
        });
    }

    /// Start a new run on a new file: forget the earlier one (its preview, its cancelled flag,
    /// the data-set name taken from its file) and start the flow at `stage`; returns the job.
    fn begin(self, name: &str, stage: Stage) -> u64 {
        let ImportSession {
            flow,
            cancelled,
            dataset_name,
            ..
        } = self;
        cancelled.set(false);
        self.clear();
        dataset_name.set(String::new());
        flow.try_update(|f| f.start(name, stage)).unwrap_or(0)
    }

    /// Read a picked or dropped file and parse it.
    pub fn start_file(self, file: web_sys::File) {
        let ImportSession { flow, work, .. } = self;
        let name = file.name();
        let job = self.begin(&name, Stage::Reading);
        if file.size() > MAX_IMPORT_BYTES as f64 {
            flow.update(|f| {
                f.finish(
                    job,
                    Err(format!(
                        "{name} is {:.0} MB; this browser tab can import at most {} MB at once. Split the export by date and import the parts.",
                        file.size() / 1_048_576.0,
                        MAX_IMPORT_BYTES / 1_048_576
                    )),
                );
            });
            return;
        }
        leptos::task::spawn_local(async move {
            web_tools::yield_now().await;
            let bytes = match web_tools::read_file(&file).await {
                Ok(b) => b,
                Err(e) => {
                    flow.update(|f| {
                        f.finish(job, Err(format!("{e}. Try choosing the file again.")));
                    });
                    return;
                }
            };
            if !flow.with_untracked(|f| f.is_live(job)) {
                return;
            }
            work.update_value(|w| {
                w.bytes = Some(Rc::new(bytes));
                w.file_name = name;
            });
            self.parse(job, Choices::default()).await;
        });
    }

    /// Parse bytes that did not come from a file (a connection's pull, already merged into one
    /// export): the same stages, preview and confirm as a chosen file.
    pub fn start_bytes(self, name: String, bytes: Vec<u8>) {
        let ImportSession { work, .. } = self;
        let job = self.begin(&name, Stage::Parsing);
        work.update_value(|w| {
            w.bytes = Some(Rc::new(bytes));
            w.file_name = name;
        });
        leptos::task::spawn_local(self.parse(job, Choices::default()));
    }

    /// Parse the same file again with other choices (platform, columns, period).
    pub fn reparse(self, choices: Choices) {
        let ImportSession { flow, work, .. } = self;
        let name = work.with_value(|w| w.file_name.clone());
        let job = flow
            .try_update(|f| f.start(&name, Stage::Parsing))
            .unwrap_or(0);
        leptos::task::spawn_local(self.parse(job, choices));
    }

    /// Stop whatever runs; nothing is written.
    pub fn cancel(self) {
        let ImportSession {
            flow, cancelled, ..
        } = self;
        flow.update(Flow::cancel);
        self.clear();
        cancelled.set(true);
    }

    /// Confirm the preview: keep the data set (if chosen) and write the metrics ([`confirm`]).
    pub fn confirm_preview(self) {
        let ImportSession {
            state,
            flow,
            preview,
            work,
            journeys,
            keep_dataset,
            dataset_name,
            list_message,
            reload_list,
            ..
        } = self;
        let Some(p) = preview.get_untracked() else {
            return;
        };
        let name = p.file_name.clone();
        let job = flow
            .try_update(|f| f.start(&name, Stage::Saving))
            .unwrap_or(0);
        let keep = keep_dataset.get_untracked();
        let ds_name = {
            let n = dataset_name.get_untracked();
            if n.trim().is_empty() {
                name.clone()
            } else {
                n.trim().to_owned()
            }
        };
        leptos::task::spawn_local(async move {
            web_tools::yield_now().await;
            let set = work.try_update_value(|w| w.journeys.take()).flatten();
            let keep = match (keep, set.as_ref()) {
                (true, Some(journeys)) => {
                    if !flow.with_untracked(|f| f.is_live(job)) {
                        return;
                    }
                    Some(KeepDataset {
                        name: ds_name,
                        journeys,
                    })
                }
                _ => None,
            };
            let still_wanted = move || flow.with_untracked(|f| f.is_live(job));
            match confirm(state, &p, keep, web_tools::now_ms(), still_wanted).await {
                Ok(Confirmed::Done { summary, dataset }) => {
                    flow.update(|f| {
                        f.finish(job, Ok(summary_text(&summary, dataset.as_ref())));
                    });
                }
                Ok(Confirmed::Cancelled { left_over }) => {
                    if let Some(l) = left_over {
                        list_message.set(Some(format!(
                            "The cancelled import\u{2019}s data set \u{201c}{}\u{201d} could not be removed ({}): delete it below.",
                            l.dataset.name, l.error
                        )));
                        reload_list.update(|n| *n += 1);
                    }
                    return;
                }
                Err(e) => {
                    let nothing_saved = matches!(e, ConfirmError::DatasetNotSaved(_));
                    flow.update(|f| {
                        f.finish(job, Err(e.to_string()));
                    });
                    if nothing_saved {
                        return;
                    }
                }
            }
            preview.set(None);
            journeys.set(None);
            work.update_value(|w| w.bytes = None);
            reload_list.update(|n| *n += 1);
        });
    }
}

/// A data set that was saved but could not be taken back out.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOver {
    pub dataset: DatasetMeta,
    pub error: StorageError,
}

/// How a confirm ended without an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    /// Metrics written; `dataset` kept when asked for.
    Done {
        summary: ApplySummary,
        dataset: Option<DatasetMeta>,
    },
    /// The user cancelled while the data set was being saved; it was taken back out, unless
    /// `left_over` says otherwise.
    Cancelled { left_over: Option<LeftOver> },
}

/// Why a confirm wrote nothing (or could not undo what it wrote). `Display` is the page's text.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfirmError {
    #[error("Nothing was written: the data set could not be saved ({0}). {advice}", advice = .0.advice())]
    DatasetNotSaved(StorageError),
    #[error("Nothing was written: {0}.")]
    NotApplied(ApplyError),
    #[error(
        "The metrics were not written: {error}. The data set \u{201c}{name}\u{201d} was saved but could not be taken back out ({rollback}): delete it under Data sets below.",
        name = left_over.dataset.name,
        rollback = left_over.error
    )]
    NotAppliedDatasetLeftOver {
        error: ApplyError,
        left_over: Box<LeftOver>,
    },
}

/// What to keep as a data set alongside the metrics.
pub struct KeepDataset<'a> {
    pub name: String,
    pub journeys: &'a JourneySet,
}

/// Where the data set of `preview` came from.
fn source_of(preview: &Preview) -> DatasetSource {
    DatasetSource {
        file_name: preview.file_name.clone(),
        format: preview.import.layout,
        lookback_days: (preview.import.layout != Layout::PathTable).then_some(30.0),
    }
}

/// Delete a data set saved by this confirm; a failure is returned, not dropped.
async fn take_back(dataset: DatasetMeta) -> Option<LeftOver> {
    match datasets::delete(&dataset.id).await {
        Ok(()) => None,
        Err(error) => Some(LeftOver { dataset, error }),
    }
}

/// Confirm `preview`: save `keep` (if any) as a data set, then apply the metrics at `now`.
/// `still_wanted` is asked after the save (the user may have cancelled meanwhile).
pub async fn confirm(
    state: AppState,
    preview: &Preview,
    keep: Option<KeepDataset<'_>>,
    now: i64,
    still_wanted: impl Fn() -> bool,
) -> Result<Confirmed, ConfirmError> {
    let mut saved = None;
    if let Some(keep) = keep {
        let meta = datasets::save(&keep.name, keep.journeys, &source_of(preview), now)
            .await
            .map_err(ConfirmError::DatasetNotSaved)?;
        if !still_wanted() {
            return Ok(Confirmed::Cancelled {
                left_over: take_back(meta).await,
            });
        }
        saved = Some(meta);
    }
    let applied = if preview.import.rows.is_empty() {
        Ok(ApplySummary::default())
    } else {
        state.change(|ws| apply(ws, preview, now))
    };
    match applied {
        Ok(summary) => Ok(Confirmed::Done {
            summary,
            dataset: saved,
        }),
        Err(error) => match saved {
            None => Err(ConfirmError::NotApplied(error)),
            Some(meta) => Err(match take_back(meta).await {
                None => ConfirmError::NotApplied(error),
                Some(left_over) => ConfirmError::NotAppliedDatasetLeftOver {
                    error,
                    left_over: Box::new(left_over),
                },
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_says_what_was_written_and_what_is_left() {
        let not_saved = ConfirmError::DatasetNotSaved(StorageError::QuotaExceeded).to_string();
        assert!(not_saved.starts_with(
            "Nothing was written: the data set could not be saved (the browser's storage for this site is full). "
        ));
        assert!(not_saved.ends_with(StorageError::QuotaExceeded.advice()));
        assert_eq!(
            ConfirmError::NotApplied(ApplyError::NoPeriod).to_string(),
            format!("Nothing was written: {}.", ApplyError::NoPeriod)
        );
        let source = DatasetSource {
            file_name: "events.csv".into(),
            format: Layout::EventLog,
            lookback_days: Some(30.0),
        };
        let dataset = crate::storage::datasets::meta_of(
            "ds-1",
            "March",
            &JourneySet::default(),
            &source,
            0,
            0,
        );
        let left = ConfirmError::NotAppliedDatasetLeftOver {
            error: ApplyError::NoPeriod,
            left_over: Box::new(LeftOver {
                dataset,
                error: StorageError::Failed("blocked".into()),
            }),
        }
        .to_string();
        assert!(
            left.contains("\u{201c}March\u{201d}") && left.contains("saving failed: blocked"),
            "{left}"
        );
        assert!(!left.starts_with("Nothing was written"));
    }

    #[test]
    fn summaries_say_what_was_written() {
        assert_eq!(
            summary_text(&ApplySummary::default(), None),
            "Nothing to write: no rows were assigned to calendar entries."
        );
        let source = DatasetSource {
            file_name: "events.csv".into(),
            format: Layout::EventLog,
            lookback_days: Some(30.0),
        };
        let dataset = crate::storage::datasets::meta_of(
            "ds-1",
            "March",
            &JourneySet::default(),
            &source,
            0,
            0,
        );
        let text = summary_text(&ApplySummary::default(), Some(&dataset));
        assert!(
            text.starts_with("saved the data set \u{201c}March\u{201d} (0 journeys"),
            "{text}"
        );
        assert!(import_error_text(&ImportError::Unrecognised).contains("Parse as"));
        // An undated export is asked for its period, not told it failed.
        let question = import_error_text(&ImportError::NoPeriod {
            platform: refleqt_engine::imports::Platform::GoogleAdsCsv,
        });
        assert!(question.contains("Which days does it cover?"), "{question}");
        assert!(!question.contains("could not be imported"), "{question}");
    }
}
