//! The entry learners in context: after every edit (debounced, [`QUIET_MS`]) and once the
//! workspace has loaded, a compact [`LearningJob`] goes to a Web Worker; its
//! [`LearningOutcome`] — predictions frozen at publication, alerts, the planned entries'
//! predictions — comes back and is applied in one step ([`AppState::apply_learned`]) that is not
//! an edit, so it never starts another run. Each job has the debounce's ticket as its number:
//! an answer to a job older than the latest edit is dropped (the newer job is on its way). While
//! a run is pending, [`Learning::running`] is true and the pages say the figures are being
//! updated. A worker that cannot start (or dies before answering) is replaced by a run on the
//! page (same results).

use super::AppState;
use crate::analysis::debounce::{Debounce, QUIET_MS};
use crate::analysis::learning::{apply, LearningJob, LearningOutcome};
use crate::analysis::WorkerReply;
use crate::web_tools;
use crate::worker::client::Client;
use leptos::prelude::*;
use std::sync::Arc;

/// The entry learners' state; `Copy` handles.
#[derive(Clone, Copy)]
pub struct Learning {
    /// The latest outcome applied (the planned entries' predictions are read from it).
    pub outcome: RwSignal<Option<Arc<LearningOutcome>>>,
    /// A run is scheduled or under way: what is shown may be about to change.
    pub running: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// Whether the learners run in a worker (false: on the page, as a fallback).
    pub in_worker: RwSignal<bool>,
    state: AppState,
    client: StoredValue<Option<Client>, LocalStorage>,
    debounce: StoredValue<Debounce>,
    /// An answer came from the worker (so a later failure is the worker dying, not failing to
    /// start).
    answered: StoredValue<bool>,
}

impl Learning {
    /// Create the state, provide it as context and run the learners after each edit.
    pub fn provide(state: AppState) -> Learning {
        let l = Learning {
            outcome: RwSignal::new(None),
            running: RwSignal::new(false),
            error: RwSignal::new(None),
            in_worker: RwSignal::new(true),
            state,
            client: StoredValue::new_local(None),
            debounce: StoredValue::new(Debounce::default()),
            answered: StoredValue::new(false),
        };
        provide_context(l);
        let loading = Memo::new(move |_| state.is_loading());
        Effect::new(move |_| {
            state.edits.track();
            if !loading.get() {
                l.schedule();
            }
        });
        l
    }

    /// The state from context.
    pub fn get() -> Option<Learning> {
        use_context::<Learning>()
    }

    /// Run the learners after the quiet period, unless another edit comes first.
    pub fn schedule(self) {
        // `try_` throughout: timers and replies may come after the app is gone (tests unmount it).
        let ticket = self.debounce.try_update_value(|d| d.ticket()).unwrap_or(0);
        self.running.try_set(true);
        web_tools::after(QUIET_MS, move || {
            let latest = self
                .debounce
                .try_with_value(|d| d.is_latest(ticket))
                .unwrap_or(false);
            if latest {
                self.send(ticket);
            }
        });
    }

    fn send(self, ticket: u64) {
        let job = self.state.workspace.try_with_untracked(|ws| {
            self.state
                .values
                .try_with_untracked(|index| LearningJob::of(ws, index, ticket, web_tools::now_ms()))
        });
        let Some(Some(job)) = job else {
            return;
        };
        let Some(replace) = self
            .client
            .try_with_value(|c| c.as_ref().is_none_or(Client::is_dead))
        else {
            return;
        };
        if replace {
            let client = if self.in_worker.try_get_untracked().unwrap_or(false) {
                Client::start(move |r| self.receive(r))
            } else {
                Client::on_page(move |r| self.receive(r))
            };
            self.in_worker.try_set(client.in_worker());
            self.client.try_set_value(Some(client));
        }
        self.client.try_with_value(|c| {
            if let Some(c) = c {
                c.post_learning(&job);
            }
        });
    }

    fn receive(self, reply: WorkerReply) {
        match reply {
            WorkerReply::Learning { outcome } => {
                self.answered.try_set_value(true);
                let latest = self
                    .debounce
                    .try_with_value(|d| d.is_latest(outcome.learning))
                    .unwrap_or(false);
                if !latest {
                    return; // an edit came after this job (its own job answers next), or no app
                }
                self.state.apply_learned(|ws| apply(ws, &outcome));
                self.outcome.try_set(Some(Arc::new(*outcome)));
                self.error.try_set(None);
                self.running.try_set(false);
            }
            WorkerReply::Failed { error, .. } => {
                let answered = self.answered.try_get_value().unwrap_or(true);
                if !answered && self.in_worker.try_get_untracked().unwrap_or(false) {
                    // No worker to be had: learn on the page instead (same results). After this
                    // task: the failing client is still calling us, so it is not dropped here.
                    self.in_worker.try_set(false);
                    web_tools::after(0, move || {
                        self.client.try_set_value(None);
                        if let Some(latest) = self.debounce.try_with_value(|d| d.latest()) {
                            self.send(latest);
                        }
                    });
                    return;
                }
                self.error.try_set(Some(error.to_string()));
                self.running.try_set(false);
            }
            _ => {}
        }
    }
}
