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
    apply, entry_keys, ApplyError, ApplySummary, Choices, Flow, JourneyCounts, Phase, Preview,
    Stage, MAX_IMPORT_BYTES,
};
use crate::web_tools;
use crate::worker::import::{journeys_from, ImportFailure, ImportReply, ImportRequest, Parsed};
use crate::worker::import_client::ImportWorker;
use leptos::prelude::*;
use refleqt_engine::imports::{ImportError, ImportField, Layout};
use refleqt_engine::roi::format_count;
use refleqt_engine::JourneySet;
use thiserror::Error;

/// The refusal of a file too big for this tab, in words (`None`: it may be read).
pub fn too_big(name: &str, size: f64) -> Option<String> {
    (size > MAX_IMPORT_BYTES as f64).then(|| {
        format!(
            "{name} is {} MB; this browser tab can import at most {} MB at once. Split the export by date and import the parts.",
            format_count((size / 1_048_576.0).ceil()),
            format_count((MAX_IMPORT_BYTES / 1_048_576) as f64)
        )
    })
}

/// What the session keeps between stages (large values are not reactive). The file's bytes are
/// never here: the worker reads the file itself.
struct Work {
    /// The picked file (or a blob of pulled bytes), kept for a re-parse with other choices.
    source: Option<web_sys::Blob>,
    file_name: String,
    /// The choices and request of the parse in flight.
    choices: Choices,
    pending: Option<ImportRequest>,
    journeys: Option<JourneySet>,
    /// The import worker (started with the first parse, dropped — terminated — by Cancel).
    worker: Option<ImportWorker>,
    /// No worker could start: parse on the page with `page_parser`, or fail without one.
    on_page: bool,
    /// The parser for the page's own thread, when a [`PageParser`] is provided (the browser
    /// tests, which have no worker script); `None` in the app.
    page_parser: Option<PageParse>,
}

/// The import worker's steps ([`crate::worker::import::run_import`]'s signature).
pub type PageParse =
    fn(&ImportRequest, Vec<u8>, &mut dyn FnMut(Stage)) -> (ImportReply, Option<Vec<u8>>);

/// Provided as a context, the parser the Import page runs on its own thread when no import
/// worker starts. The app provides none: the parsers then load only with the worker, after the
/// first paint, so the page's own wasm stays small (issue 13), and without a worker an import
/// fails with [`ImportFailure::NoWorker`]. The browser tests (no worker script there) provide
/// `run_import`, so they drive the same page flow as before.
#[derive(Clone, Copy)]
pub struct PageParser(pub PageParse);

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
                source: None,
                file_name: String::new(),
                choices: Choices::default(),
                pending: None,
                journeys: None,
                worker: None,
                on_page: false,
                page_parser: use_context::<PageParser>().map(|p| p.0),
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
            w.source = None;
            w.pending = None;
            w.journeys = None;
        });
    }

    fn advance(self, job: u64, stage: Stage) -> bool {
        self.flow
            .try_update(|f| f.advance(job, stage))
            .unwrap_or(false)
    }

    /// Parse the kept file with `choices` as run `job`: in the import worker, or on the page
    /// when no worker could start. The replies arrive in [`ImportSession::receive`].
    fn parse(self, job: u64, choices: Choices) {
        let ImportSession { state, work, .. } = self;
        let Some((source, name)) =
            work.with_value(|w| w.source.clone().map(|s| (s, w.file_name.clone())))
        else {
            return;
        };
        self.last_choices.set(choices.clone());
        self.missing_fields.set(Vec::new());
        let req = state.workspace.with_untracked(|ws| ImportRequest {
            job_id: job,
            file_name: name,
            choices: choices.clone(),
            channel_mapping: ws.settings.channel_mapping.clone(),
            decimal_mark: ws.settings.decimal_mark,
            entries: entry_keys(ws),
        });
        work.update_value(|w| {
            w.choices = choices;
            w.pending = Some(req.clone());
            if w.worker.is_none() && !w.on_page {
                w.worker = ImportWorker::start(move |reply, blob| self.receive(reply, blob));
                w.on_page = w.worker.is_none();
            }
        });
        if work.with_value(|w| w.on_page) {
            leptos::task::spawn_local(self.parse_on_page(req, source));
            return;
        }
        let posted = work.with_value(|w| w.worker.as_ref().map(|c| c.post(&req, &source)));
        if let Some(Err(e)) = posted {
            self.flow.update(|f| {
                f.finish(job, Err(e.to_string()));
            });
        }
    }

    /// Without a worker: the same steps on the page's thread with the provided [`PageParser`],
    /// or a failure that says why (the app provides none).
    async fn parse_on_page(self, req: ImportRequest, source: web_sys::Blob) {
        let job = req.job_id;
        web_tools::yield_now().await;
        let bytes = match wasm_bindgen_futures::JsFuture::from(source.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(e) => {
                self.receive(
                    ImportReply::Failed {
                        job_id: job,
                        failure: ImportFailure::Read(format!("{e:?}")),
                    },
                    None,
                );
                return;
            }
        };
        if !self.flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        web_tools::yield_now().await;
        let Some(parse) = self.work.with_value(|w| w.page_parser) else {
            self.receive(
                ImportReply::Failed {
                    job_id: job,
                    failure: ImportFailure::NoWorker,
                },
                None,
            );
            return;
        };
        let (reply, blob) = parse(&req, bytes, &mut |stage| {
            self.advance(job, stage);
        });
        self.receive(reply, blob);
    }

    /// A reply of the import worker (or of the page's fallback).
    fn receive(self, reply: ImportReply, blob: Option<Vec<u8>>) {
        match reply {
            ImportReply::Ready => {}
            ImportReply::Progress { job_id, stage } => {
                self.advance(job_id, stage);
            }
            ImportReply::Parsed { job_id, parsed } => self.show(job_id, *parsed, blob),
            ImportReply::Failed { job_id: 0, failure } => self.worker_failed(failure),
            ImportReply::Failed { job_id, failure } => self.show_failure(job_id, failure),
        }
    }

    /// The worker failed outside a job: it died (its job ends with the reason, a fresh worker
    /// starts), never started (the page parses instead), or sent something unreadable.
    fn worker_failed(self, failure: ImportFailure) {
        let ImportSession { flow, work, .. } = self;
        let (never_started, dead) = work.with_value(|w| {
            w.worker
                .as_ref()
                .map_or((false, false), |c| (c.failed_to_start(), c.is_dead()))
        });
        // Dropping the worker inside its own callback is not allowed: after it returns.
        leptos::task::spawn_local(async move {
            if never_started {
                work.update_value(|w| {
                    w.worker = None;
                    w.on_page = true;
                });
                let pending = work.with_value(|w| {
                    w.pending
                        .clone()
                        .zip(w.source.clone())
                        .filter(|(r, _)| flow.with_untracked(|f| f.is_live(r.job_id)))
                });
                if let Some((req, source)) = pending {
                    self.parse_on_page(req, source).await;
                }
                return;
            }
            if dead {
                work.update_value(|w| w.worker = None);
                let fresh = ImportWorker::start(move |reply, blob| self.receive(reply, blob));
                work.update_value(|w| {
                    w.on_page = fresh.is_none();
                    w.worker = fresh;
                });
            }
            flow.update(|f| {
                let job = f.job();
                f.finish(job, Err(failure.to_string()));
            });
        });
    }

    /// A parse that gave no preview: the error, and what its advice needs on screen.
    fn show_failure(self, job: u64, failure: ImportFailure) {
        if !self.flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        let text = match failure {
            ImportFailure::Parse {
                error,
                missing,
                headers,
            } => {
                self.needs_period
                    .set(matches!(error, ImportError::NoPeriod { .. }));
                self.missing_fields.set(missing);
                self.file_headers.set(headers);
                import_error_text(&error)
            }
            other => {
                self.needs_period.set(false);
                other.to_string()
            }
        };
        self.flow.update(|f| {
            f.finish(job, Err(text));
        });
    }

    /// A parse that worked: the preview.
    fn show(self, job: u64, parsed: Parsed, blob: Option<Vec<u8>>) {
        let ImportSession {
            flow,
            preview,
            work,
            journeys,
            dataset_name,
            needs_period,
            ..
        } = self;
        if !flow.with_untracked(|f| f.is_live(job)) {
            return;
        }
        let set = match journeys_from(blob.as_deref()) {
            Ok(s) => s,
            Err(e) => {
                self.show_failure(job, e);
                return;
            }
        };
        needs_period.set(false);
        let (name, choices) = work.with_value(|w| (w.file_name.clone(), w.choices.clone()));
        journeys.set(parsed.journeys);
        work.update_value(|w| {
            w.journeys = set;
            w.pending = None;
        });
        if dataset_name.get_untracked().is_empty() {
            dataset_name.set(name.clone());
        }
        preview.set(Some(Preview::new(
            &name,
            parsed.detected,
            choices,
            parsed.import,
            parsed.matches,
            parsed.headers,
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

    /// Parse a picked or dropped file (the worker reads it), after refusing one too big for
    /// the tab.
    pub fn start_file(self, file: web_sys::File) {
        let ImportSession { flow, work, .. } = self;
        let name = file.name();
        let job = self.begin(&name, Stage::Reading);
        if let Some(refusal) = too_big(&name, file.size()) {
            flow.update(|f| {
                f.finish(job, Err(refusal));
            });
            return;
        }
        work.update_value(|w| {
            w.source = Some(file.into());
            w.file_name = name;
        });
        self.parse(job, Choices::default());
    }

    /// Parse bytes that did not come from a file (a connection's pull, already merged into one
    /// export): the same stages, preview and confirm as a chosen file.
    pub fn start_bytes(self, name: String, bytes: Vec<u8>) {
        let ImportSession { flow, work, .. } = self;
        let job = self.begin(&name, Stage::Parsing);
        let array = js_sys::Uint8Array::from(bytes.as_slice());
        drop(bytes);
        match web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array)) {
            Ok(blob) => {
                work.update_value(|w| {
                    w.source = Some(blob);
                    w.file_name = name;
                });
                self.parse(job, Choices::default());
            }
            Err(e) => flow.update(|f| {
                f.finish(
                    job,
                    Err(ImportFailure::Internal(format!("{e:?}")).to_string()),
                );
            }),
        }
    }

    /// Parse the same file again with other choices (platform, columns, period).
    pub fn reparse(self, choices: Choices) {
        let ImportSession { flow, work, .. } = self;
        let name = work.with_value(|w| w.file_name.clone());
        let job = flow
            .try_update(|f| f.start(&name, Stage::Parsing))
            .unwrap_or(0);
        self.parse(job, choices);
    }

    /// Stop whatever runs; nothing is written. A parse in the worker ends at once: the worker is
    /// terminated (the next file starts a fresh one).
    pub fn cancel(self) {
        let ImportSession {
            flow,
            cancelled,
            work,
            ..
        } = self;
        let parsing = flow.with_untracked(
            |f| matches!(&f.phase, Phase::Working { stage, .. } if *stage != Stage::Saving),
        );
        if parsing {
            work.update_value(|w| w.worker = None);
        }
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
            work.update_value(|w| w.source = None);
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
    fn a_file_too_big_for_the_tab_is_refused_with_its_size_and_the_limit() {
        assert_eq!(too_big("small.csv", MAX_IMPORT_BYTES as f64), None);
        let text = too_big("huge.csv", 3.5 * 1024.0 * 1_048_576.0).expect("refused");
        assert_eq!(
            text,
            "huge.csv is 3,584 MB; this browser tab can import at most 1,024 MB at once. Split the export by date and import the parts."
        );
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
