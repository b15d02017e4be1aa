//! The Insights page's learners in context: the workspace's history goes to a Web Worker of its
//! own (so a long attribution run never delays it, and it never blocks the page), the findings
//! come back as [`ArtifactInsights`]. Every request has a number; answers to older ones are
//! dropped. Without workers the learners run on the page (same results).

use super::AppState;
use crate::analysis::insights::{ArtifactInsights, LearnJob};
use crate::analysis::WorkerReply;
use crate::model::learning::history_in;
use crate::worker::client::Client;
use leptos::prelude::*;
use std::sync::Arc;

/// The Insights learners' state; `Copy` handles.
#[derive(Clone, Copy)]
pub struct Insights {
    /// The latest findings (kept while newer ones are computed).
    pub findings: RwSignal<Option<Arc<ArtifactInsights>>>,
    /// A request is under way.
    pub computing: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// Whether the learners run in a worker (false: on the page).
    pub in_worker: RwSignal<bool>,
    state: AppState,
    client: StoredValue<Option<Client>, LocalStorage>,
    latest: StoredValue<u64>,
}

impl Insights {
    /// Create the state and provide it as context (the worker starts with the first request).
    pub fn provide(state: AppState) -> Insights {
        let i = Insights {
            findings: RwSignal::new(None),
            computing: RwSignal::new(false),
            error: RwSignal::new(None),
            in_worker: RwSignal::new(true),
            state,
            client: StoredValue::new_local(None),
            latest: StoredValue::new(0),
        };
        provide_context(i);
        i
    }

    /// Learn from the workspace's current history, in the worker.
    pub fn request(self) {
        let learn = self.latest.get_value() + 1;
        self.latest.set_value(learn);
        // Read from the memoised value index, not a fresh pass over every row.
        let index = self.state.values.get_untracked();
        let records = self
            .state
            .workspace
            .with_untracked(|ws| history_in(ws, index).records);
        self.computing.set(true);
        // None yet, or one whose worker died (its request was told so): start a fresh one.
        if self
            .client
            .with_value(|c| c.as_ref().is_none_or(Client::is_dead))
        {
            let client = Client::start(move |r| self.receive(r));
            self.in_worker.set(client.in_worker());
            self.client.set_value(Some(client));
        }
        let job = LearnJob { learn, records };
        self.client.with_value(|c| {
            if let Some(c) = c {
                c.post_learn(&job);
            }
        });
    }

    /// A reply may arrive after the app is gone (the tab's shell unmounted, as in the browser
    /// tests): every signal is then disposed and the reply is dropped.
    fn receive(self, reply: WorkerReply) {
        match reply {
            WorkerReply::Insights { learn, insights }
                if self.latest.try_get_value() == Some(learn) =>
            {
                self.findings.try_set(Some(Arc::new(*insights)));
                self.error.try_set(None);
                self.computing.try_set(false);
            }
            WorkerReply::Failed { error, .. } => {
                self.error.try_set(Some(error.to_string()));
                self.computing.try_set(false);
            }
            _ => {}
        }
    }
}
