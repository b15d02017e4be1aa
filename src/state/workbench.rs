//! The attribution workbench's state in context: which data, which parameters, the run's
//! progress and its outcome. Shared by the attribution page, the dashboards and the entry trends.
//!
//! Parameter changes go through [`Workbench::schedule`]: debounced ([`QUIET_MS`]), then posted to
//! the worker. Every job has an id; replies to an older job are ignored, so a slow run can never
//! overwrite a newer one's results.

use super::AppState;
use crate::analysis::debounce::{Debounce, QUIET_MS};
use crate::analysis::{DataSource, Job, Outcome, RunOptions, WorkerReply};
use crate::web_tools;
use crate::worker::client::Client;
use leptos::prelude::*;
use refleqt_engine::models::Model;
use std::sync::Arc;

/// Where a run is.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    Idle,
    Running {
        step: String,
        fraction: f64,
    },
    /// Results are shown; intervals are still being computed.
    Refining {
        step: String,
    },
    Failed(String),
}

/// The workbench's state; `Copy` handles.
#[derive(Clone, Copy)]
pub struct Workbench {
    pub source: RwSignal<DataSource>,
    pub options: RwSignal<RunOptions>,
    pub status: RwSignal<RunStatus>,
    pub outcome: RwSignal<Option<Arc<Outcome>>>,
    /// The model the per-artifact view and the dashboards read.
    pub chosen: RwSignal<Model>,
    /// Milliseconds from starting the last job to its first results.
    pub first_result_ms: RwSignal<Option<f64>>,
    /// Whether jobs run in a worker (false: on the page).
    pub in_worker: RwSignal<bool>,
    state: AppState,
    file: StoredValue<Option<web_sys::File>, LocalStorage>,
    client: StoredValue<Option<Client>, LocalStorage>,
    debounce: StoredValue<Debounce>,
    job: StoredValue<(u64, f64)>,
}

impl Workbench {
    /// Create the state and provide it as context (the worker starts with the first run).
    pub fn provide(state: AppState) -> Workbench {
        let a = Workbench {
            source: RwSignal::new(DataSource::Demo),
            options: RwSignal::new(RunOptions::default()),
            status: RwSignal::new(RunStatus::Idle),
            outcome: RwSignal::new(None),
            chosen: RwSignal::new(Model::Linear),
            first_result_ms: RwSignal::new(None),
            in_worker: RwSignal::new(true),
            state,
            file: StoredValue::new_local(None),
            client: StoredValue::new_local(None),
            debounce: StoredValue::new(Debounce::default()),
            job: StoredValue::new((0, 0.0)),
        };
        provide_context(a);
        a
    }

    /// Start a run unless there are results or one is under way.
    pub fn ensure_started(self) {
        let idle = self.status.with_untracked(|s| matches!(s, RunStatus::Idle));
        if idle && self.outcome.with_untracked(Option::is_none) {
            self.run_now();
        }
    }

    /// Analyse a file the user chose.
    pub fn use_file(self, file: web_sys::File) {
        // Earlier results never stay on screen under the new file's name.
        self.outcome.set(None);
        self.source.set(DataSource::File {
            name: file.name(),
            size: file.size(),
            last_modified: file.last_modified(),
        });
        self.file.set_value(Some(file));
        self.run_now();
    }

    /// Analyse a data set stored by the Import page: its blob is read from IndexedDB here and
    /// handed to the worker like a file's bytes.
    pub fn use_dataset(self, id: String, name: String) {
        self.outcome.set(None);
        self.status.set(RunStatus::Running {
            step: "Reading the stored data set".to_owned(),
            fraction: 0.05,
        });
        leptos::task::spawn_local(async move {
            let blob = match super::datasets::load_blob(&id).await {
                Ok(b) => b,
                Err(e) => {
                    self.status
                        .set(RunStatus::Failed(format!("{e}. {}", e.advice())));
                    return;
                }
            };
            match web_tools::file_from_bytes(&blob, &name) {
                Ok(file) => {
                    self.source.set(DataSource::Dataset { id, name });
                    self.file.set_value(Some(file));
                    self.run_now();
                }
                Err(e) => self.status.set(RunStatus::Failed(e.to_string())),
            }
        });
    }

    /// Analyse the demo data.
    pub fn use_demo(self) {
        self.source.set(DataSource::Demo);
        self.file.set_value(None);
        self.run_now();
    }

    /// Recompute after the quiet period, unless another change comes first.
    pub fn schedule(self) {
        let ticket = self.debounce.try_update_value(|d| d.ticket()).unwrap_or(0);
        web_tools::after(QUIET_MS, move || {
            if self.debounce.with_value(|d| d.is_latest(ticket)) {
                self.run_now();
            }
        });
    }

    /// Post a job for the current data and parameters now.
    pub fn run_now(self) {
        let job_id = self.job.with_value(|j| j.0) + 1;
        self.job.set_value((job_id, web_tools::perf_now()));
        let source = self.source.get_untracked();
        let entry_costs = self
            .state
            .workspace
            .with_untracked(crate::analysis::entry_costs);
        let job = Job {
            job_id,
            source,
            options: self.options.get_untracked(),
            entry_costs,
        };
        self.status.set(RunStatus::Running {
            step: "Starting".into(),
            fraction: 0.0,
        });
        if self.client.with_value(Option::is_none) {
            let client = Client::start(move |r| self.receive(r));
            self.in_worker.set(client.in_worker());
            self.client.set_value(Some(client));
        }
        let file = self.file.with_value(Clone::clone);
        self.client.with_value(|c| {
            if let Some(c) = c {
                c.post(&job, file.as_ref());
            }
        });
    }

    fn receive(self, reply: WorkerReply) {
        let (current, started) = self.job.get_value();
        match reply {
            WorkerReply::Progress {
                job_id,
                step,
                fraction,
            } if job_id == current => {
                let refining = self.outcome.with_untracked(Option::is_some)
                    && self
                        .status
                        .with_untracked(|s| matches!(s, RunStatus::Refining { .. }));
                self.status.set(if refining {
                    RunStatus::Refining { step }
                } else {
                    RunStatus::Running { step, fraction }
                });
            }
            WorkerReply::Result {
                job_id,
                final_result,
                outcome,
            } if job_id == current => {
                let first = self
                    .status
                    .with_untracked(|s| matches!(s, RunStatus::Running { .. }));
                if first {
                    self.first_result_ms
                        .set(Some(web_tools::perf_now() - started));
                }
                self.outcome.set(Some(Arc::new(*outcome)));
                self.status.set(if final_result {
                    RunStatus::Idle
                } else {
                    RunStatus::Refining {
                        step: "Computing 95 % intervals".into(),
                    }
                });
            }
            WorkerReply::Failed { job_id, error } if job_id == current || job_id == 0 => {
                // A failed load clears what was shown: no earlier results under this source.
                self.outcome.set(None);
                self.status.set(RunStatus::Failed(error.to_string()));
                if self
                    .client
                    .with_value(|c| c.as_ref().is_some_and(Client::is_dead))
                {
                    // The worker died: start a fresh one (after this callback of the old one).
                    leptos::task::spawn_local(async move {
                        self.client.set_value(None);
                        let client = Client::start(move |r| self.receive(r));
                        self.in_worker.set(client.in_worker());
                        self.client.set_value(Some(client));
                    });
                }
            }
            _ => {}
        }
    }
}
