//! Connections as pages use them (issue 9): add and remove a connection (its settings live in the
//! workspace, never a token), Connect (discovery if needed, a fresh `model::oauth::Attempt` kept
//! in sessionStorage, then off to the server), the return (taken from the address bar at start,
//! checked against the attempt, the code exchanged), Pull (paginated, 429 waits, one refresh on
//! 401; the merged report goes into the Import session's preview, so nothing is written before
//! Confirm and a failure midway writes nothing), Cancel and Disconnect (RFC 7009 revocation).
//!
//! Tokens live here, in this tab's memory only ([`Connections`] holds them in a non-reactive
//! `StoredValue`): never in IndexedDB, localStorage, sessionStorage or cookies. A reload forgets
//! them, so a reload means Connect again.
//!
//! API-key sources (Plausible, PostHog, Matomo, Umami): the pasted key lives in the same memory;
//! only when the person ticks "remember" is it also written to this browser's localStorage
//! (`connectors::remember_key`), and Forget key (or Remove, or a refused key) deletes it. Their
//! pull asks `model::api_key` for each request and reads each answer into rows, then hands one
//! GA4-shaped report to the same Import preview.

use super::import::ImportSession;
use super::AppState;
use crate::connectors;
use crate::model::api_key::{self, KeyProvider, KeySource, MAX_REQUESTS};
use crate::model::connection::{
    decide, decide_key, run_report_request, Connection, Decision, Pages, PullError,
};
use crate::model::oauth::{Attempt, Endpoints, OAuthError, Return, Tokens};
use crate::web_tools;
use leptos::prelude::*;
use refleqt_engine::dates::format_iso_date;
use std::collections::HashMap;

/// Where the app lands after the server's answer.
pub const CONNECTIONS_FRAGMENT: &str = "#/connections";

/// A connection's live session: tokens and the endpoints they were issued by.
struct Live {
    tokens: Tokens,
    endpoints: Endpoints,
    client_id: String,
}

/// A message for the Connections page: an error (`role="alert"`) or news (`role="status"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

/// What a pull is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullPhase {
    Idle,
    Running {
        connection: u64,
        pages: u64,
        rows: usize,
        expected: Option<u64>,
        /// Waiting this many seconds because the provider asked to slow down.
        waiting: Option<u64>,
    },
}

/// The Connections state, in context. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct Connections {
    pub state: AppState,
    live: StoredValue<HashMap<u64, Live>, LocalStorage>,
    /// API keys of key sources, in memory.
    keys: StoredValue<HashMap<u64, String>, LocalStorage>,
    /// Ids whose key is also remembered on this device (localStorage).
    pub remembered: RwSignal<Vec<u64>>,
    /// Ids of the connected connections (the reactive mirror of `live`).
    pub connected: RwSignal<Vec<u64>>,
    /// A Connect or Disconnect under way, for this connection.
    pub busy: RwSignal<Option<u64>>,
    pub notice: RwSignal<Option<Notice>>,
    pub pull: RwSignal<PullPhase>,
    pull_job: StoredValue<u64>,
    /// The connection and period of the pull whose preview is shown (recorded on Confirm).
    pub pulled: RwSignal<Option<(u64, String, String)>>,
    /// Requests of the last pull (pages, retries and refreshes), for the page's summary.
    pub requests: RwSignal<u64>,
}

fn find(state: AppState, id: u64) -> Option<Connection> {
    state
        .workspace
        .with_untracked(|ws| ws.settings.connections.iter().find(|c| c.id == id).cloned())
}

impl Connections {
    /// Create the state, provide it as context and finish a sign-in whose answer is on the URL.
    pub fn provide(state: AppState) -> Connections {
        let c = Connections {
            state,
            live: StoredValue::new_local(HashMap::new()),
            keys: StoredValue::new_local(HashMap::new()),
            remembered: RwSignal::new(Vec::new()),
            connected: RwSignal::new(Vec::new()),
            busy: RwSignal::new(None),
            notice: RwSignal::new(None),
            pull: RwSignal::new(PullPhase::Idle),
            pull_job: StoredValue::new(0),
            pulled: RwSignal::new(None),
            requests: RwSignal::new(0),
        };
        provide_context(c);
        if let Some(back) = connectors::take_return(CONNECTIONS_FRAGMENT) {
            c.finish(back);
        }
        c
    }

    fn say(self, error: bool, text: impl Into<String>) {
        self.notice.set(Some(Notice {
            error,
            text: text.into(),
        }));
    }

    fn forget(self, id: u64) {
        self.live.update_value(|m| {
            m.remove(&id);
        });
        self.connected.update(|c| c.retain(|x| *x != id));
    }

    /// Add a connection after checking its settings; gives its id.
    pub fn add_connection(self, mut connection: Connection) -> Result<u64, String> {
        connection.validate().map_err(|e| e.to_string())?;
        let id = self.state.change(|ws| {
            let id = ws
                .settings
                .connections
                .iter()
                .map(|c| c.id)
                .max()
                .unwrap_or(0)
                + 1;
            connection.id = id;
            ws.settings.connections.push(connection);
            id
        });
        Ok(id)
    }

    /// Remove a connection (disconnect first if connected; a remembered key is deleted).
    pub fn remove(self, id: u64) {
        self.drop_key(id);
        self.forget(id);
        self.state
            .change(|ws| ws.settings.connections.retain(|c| c.id != id));
    }

    /// A key source's card appears: a key remembered on this device is taken into memory.
    pub fn load_remembered(self, id: u64) {
        if self.keys.with_value(|m| m.contains_key(&id)) {
            return;
        }
        if let Some(key) = connectors::remembered_key(id) {
            self.keys.update_value(|m| {
                m.insert(id, key);
            });
            self.mark(id, true);
        }
    }

    fn mark(self, id: u64, remembered: bool) {
        self.connected.update(|c| {
            if !c.contains(&id) {
                c.push(id);
            }
        });
        self.remembered.update(|r| {
            r.retain(|x| *x != id);
            if remembered {
                r.push(id);
            }
        });
    }

    /// Use a pasted key: in memory, and in localStorage only when `remember` is chosen.
    pub fn use_key(self, id: u64, key: &str, remember: bool) -> Result<(), String> {
        let key = key.trim();
        if key.is_empty() {
            return Err(PullError::NoKey.to_string());
        }
        self.keys.update_value(|m| {
            m.insert(id, key.to_owned());
        });
        let mut kept = remember;
        if remember {
            if let Err(e) = connectors::remember_key(id, key) {
                kept = false;
                self.say(true, e);
            }
        } else {
            connectors::forget_remembered_key(id);
        }
        self.mark(id, kept);
        if kept {
            self.say(false, "Key remembered on this device (in this browser's localStorage). Forget key deletes it.");
        } else if remember {
            // The refusal was said above.
        } else {
            self.say(
                false,
                "Key kept in this tab's memory only: reloading the page means pasting it again.",
            );
        }
        Ok(())
    }

    fn drop_key(self, id: u64) {
        self.keys.update_value(|m| {
            m.remove(&id);
        });
        connectors::forget_remembered_key(id);
        self.remembered.update(|r| r.retain(|x| *x != id));
    }

    /// Forget a key: out of memory and out of localStorage.
    pub fn forget_key(self, id: u64) {
        self.drop_key(id);
        self.forget(id);
        self.say(
            false,
            "Key forgotten: it is no longer in this tab's memory nor stored on this device.",
        );
    }

    /// Start Connect: the attempt goes to sessionStorage, the browser to the server.
    pub fn connect(self, id: u64) {
        let Some(conn) = find(self.state, id) else {
            return;
        };
        self.busy.set(Some(id));
        self.notice.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = self.start_attempt(&conn).await {
                self.busy.set(None);
                self.say(true, e.to_string());
            }
        });
    }

    async fn start_attempt(self, conn: &Connection) -> Result<(), OAuthError> {
        let endpoints = if conn.endpoints.authorization.is_empty() {
            let mut e = connectors::discover(&conn.issuer).await?;
            if !conn.endpoints.revocation.is_empty() {
                e.revocation = conn.endpoints.revocation.clone();
            }
            e
        } else {
            conn.endpoints.clone()
        };
        let redirect = connectors::redirect_uri()
            .ok_or_else(|| OAuthError::Internal("this page has no address".to_owned()))?;
        let (v, s, n) = (
            connectors::random_bytes()?,
            connectors::random_bytes()?,
            connectors::random_bytes()?,
        );
        let attempt = Attempt::new(
            conn.id,
            endpoints,
            &conn.client_id,
            &redirect,
            [&v, &s, &n],
            web_tools::now_ms(),
        )?;
        connectors::keep_attempt(&attempt)?;
        connectors::go_to(&attempt.authorize_url(&conn.scopes))
    }

    /// The server sent the user back: check the answer against the attempt (deleted now, used
    /// or not) and trade the code for tokens.
    fn finish(self, back: Return) {
        let Some(attempt) = connectors::take_attempt() else {
            self.say(true, OAuthError::AttemptExpired.to_string());
            return;
        };
        let code = match attempt.check(&back, web_tools::now_ms()) {
            Ok(code) => code,
            Err(e) => {
                self.say(true, e.to_string());
                return;
            }
        };
        self.busy.set(Some(attempt.connection_id));
        leptos::task::spawn_local(async move {
            let result = connectors::exchange(&attempt, &code).await;
            self.busy.set(None);
            let id = attempt.connection_id;
            match result {
                Ok(tokens) => {
                    // Back from the server the page has just started: the workspace (which holds
                    // the connection's name) may still be loading.
                    while self.state.is_loading() {
                        connectors::sleep(20).await;
                    }
                    let name = find(self.state, id)
                        .map(|c| format!(" to {}", c.name))
                        .unwrap_or_default();
                    self.live.update_value(|m| {
                        m.insert(
                            id,
                            Live {
                                tokens,
                                endpoints: attempt.endpoints.clone(),
                                client_id: attempt.client_id.clone(),
                            },
                        );
                    });
                    self.connected.update(|c| {
                        if !c.contains(&id) {
                            c.push(id);
                        }
                    });
                    self.say(
                        false,
                        format!("Connected{name}. The sign-in is kept in this tab's memory only: reloading the page means Connect again."),
                    );
                }
                Err(e) => self.say(true, e.to_string()),
            }
        });
    }

    /// Disconnect: revoke the tokens at the server and forget them.
    pub fn disconnect(self, id: u64) {
        let Some(live) = self.live.try_update_value(|m| m.remove(&id)).flatten() else {
            self.forget(id);
            return;
        };
        self.connected.update(|c| c.retain(|x| *x != id));
        self.busy.set(Some(id));
        leptos::task::spawn_local(async move {
            let result = connectors::revoke(&live.endpoints, &live.client_id, &live.tokens).await;
            self.busy.set(None);
            match result {
                Ok(true) => self.say(false, "Disconnected: the provider revoked this app's access, and the app forgot the sign-in."),
                Ok(false) => self.say(false, "Disconnected: the app forgot the sign-in. This provider offers no revocation, so also remove the app's access in your account settings there."),
                Err(e) => self.say(true, format!("The app forgot the sign-in, but the provider did not confirm the revocation: {e} Remove the app's access in your account settings there.")),
            }
        });
    }

    /// Stop a running pull; nothing is written.
    pub fn cancel_pull(self) {
        self.pull_job.update_value(|j| *j += 1);
        self.pull.set(PullPhase::Idle);
        self.say(false, "Pull cancelled: nothing was written.");
    }

    fn live_job(self, job: u64) -> bool {
        self.pull_job.get_value() == job
    }

    /// Pull the days `start`..=`end` (days since 1970-01-01) into `session`'s preview.
    pub fn pull(self, id: u64, start: i64, end: i64, session: ImportSession) {
        let Some(conn) = find(self.state, id) else {
            return;
        };
        self.pull_job.update_value(|j| *j += 1);
        let job = self.pull_job.get_value();
        self.notice.set(None);
        self.pulled.set(None);
        self.requests.set(0);
        session.clear();
        self.pull.set(PullPhase::Running {
            connection: id,
            pages: 0,
            rows: 0,
            expected: None,
            waiting: None,
        });
        leptos::task::spawn_local(async move {
            let result = match conn.shape.key_provider() {
                Some(p) => self.fetch_key_pages(&conn, p, start, end, job).await,
                None => self.fetch_pages(&conn, start, end, job).await,
            };
            if !self.live_job(job) {
                return;
            }
            self.pull.set(PullPhase::Idle);
            match result {
                Ok(bytes) => {
                    let (a, b) = (format_iso_date(start), format_iso_date(end));
                    self.pulled.set(Some((id, a.clone(), b.clone())));
                    session.start_bytes(format!("{} {a} to {b}.json", conn.name), bytes);
                }
                Err(PullError::Unauthorized) => {
                    self.forget(id);
                    self.say(true, PullError::Unauthorized.to_string());
                }
                Err(PullError::KeyRefused) => {
                    self.drop_key(id);
                    self.forget(id);
                    self.say(true, PullError::KeyRefused.to_string());
                }
                Err(e) => self.say(true, e.to_string()),
            }
        });
    }

    fn token(self, id: u64) -> Option<(String, bool)> {
        self.live.with_value(|m| {
            m.get(&id).map(|l| {
                (
                    l.tokens.access_token.clone(),
                    l.tokens.refresh_token.is_some(),
                )
            })
        })
    }

    /// Refresh the access token of `id` (rotation); `false` when it cannot be refreshed.
    async fn refresh(self, id: u64) -> bool {
        let Some((endpoints, client_id, refresh)) = self.live.with_value(|m| {
            m.get(&id).and_then(|l| {
                l.tokens
                    .refresh_token
                    .clone()
                    .map(|r| (l.endpoints.clone(), l.client_id.clone(), r))
            })
        }) else {
            return false;
        };
        self.requests.update(|n| *n += 1);
        match connectors::refresh(&endpoints, &client_id, &refresh).await {
            Ok(tokens) => {
                self.live.update_value(|m| {
                    if let Some(l) = m.get_mut(&id) {
                        l.tokens = tokens;
                    }
                });
                true
            }
            Err(e) => {
                web_tools::warn("refreshing the sign-in failed", &e.to_string().into());
                false
            }
        }
    }

    async fn fetch_pages(
        self,
        conn: &Connection,
        start: i64,
        end: i64,
        job: u64,
    ) -> Result<Vec<u8>, PullError> {
        let id = conn.id;
        let expired = self
            .live
            .with_value(|m| m.get(&id).map(|l| l.tokens.expired(web_tools::now_ms())));
        match expired {
            None => return Err(PullError::NotConnected),
            Some(true) if !self.refresh(id).await => return Err(PullError::Unauthorized),
            _ => {}
        }
        let mut pages = Pages::default();
        let mut offset = 0;
        let mut retries = 0;
        let mut refreshed = false;
        loop {
            if !self.live_job(job) {
                return Err(PullError::NotConnected);
            }
            let Some((token, _)) = self.token(id) else {
                return Err(PullError::NotConnected);
            };
            self.requests.update(|n| *n += 1);
            let answer = connectors::report_page(
                &conn.data_endpoint,
                &token,
                &run_report_request(start, end, offset),
            )
            .await?;
            if !self.live_job(job) {
                return Err(PullError::NotConnected);
            }
            match decide(
                answer.status,
                answer.retry_after.as_deref(),
                retries,
                refreshed,
                web_tools::now_ms(),
            ) {
                Decision::Use => {
                    retries = 0;
                    refreshed = false;
                    let next = pages.add(&answer.body)?;
                    self.pull.set(PullPhase::Running {
                        connection: id,
                        pages: pages.pages,
                        rows: pages.rows(),
                        expected: pages.expected_rows(),
                        waiting: None,
                    });
                    match next {
                        Some(n) => offset = n,
                        None => return Ok(pages.merged()),
                    }
                }
                Decision::Retry { after_ms } => {
                    retries += 1;
                    self.pull.update(|p| {
                        if let PullPhase::Running { waiting, .. } = p {
                            *waiting = Some(after_ms.div_ceil(1000));
                        }
                    });
                    connectors::sleep(after_ms).await;
                }
                Decision::Refresh => {
                    refreshed = true;
                    if !self.refresh(id).await {
                        return Err(PullError::Unauthorized);
                    }
                }
                Decision::Fail(e) => return Err(e),
            }
        }
    }

    fn progress(self, id: u64, pages: u64, rows: usize, waiting: Option<u64>) {
        self.pull.set(PullPhase::Running {
            connection: id,
            pages,
            rows,
            expected: None,
            waiting,
        });
    }

    /// An API-key pull: every request `model::api_key` asks for, the answers read into rows,
    /// one GA4-shaped report at the end (nothing before the last page is used).
    async fn fetch_key_pages(
        self,
        conn: &Connection,
        provider: KeyProvider,
        start: i64,
        end: i64,
        job: u64,
    ) -> Result<Vec<u8>, PullError> {
        let id = conn.id;
        let Some(key) = self.keys.with_value(|m| m.get(&id).cloned()) else {
            return Err(PullError::NoKey);
        };
        let source = KeySource {
            provider,
            base: &conn.data_endpoint,
            site: &conn.site,
        };
        let mut rows = Vec::new();
        let mut page = 0;
        let mut pages = 0;
        let mut retries = 0;
        loop {
            if !self.live_job(job) {
                return Err(PullError::NotConnected);
            }
            if self.requests.get_untracked() >= MAX_REQUESTS {
                return Err(PullError::TooManyPages);
            }
            let request = api_key::request(source, &key, start, end, page);
            self.requests.update(|n| *n += 1);
            let answer = connectors::key_page(&request).await?;
            if !self.live_job(job) {
                return Err(PullError::NotConnected);
            }
            match decide_key(
                answer.status,
                answer.retry_after.as_deref(),
                retries,
                web_tools::now_ms(),
            ) {
                Decision::Use => {
                    retries = 0;
                    let got = api_key::read_page(provider, &answer.body, start, end, page)?;
                    rows.extend(got.rows);
                    pages += 1;
                    self.progress(id, pages, rows.len(), None);
                    match got.next {
                        Some(n) => page = n,
                        None => return Ok(api_key::run_report(&rows)),
                    }
                }
                Decision::Retry { after_ms } => {
                    retries += 1;
                    self.progress(id, pages, rows.len(), Some(after_ms.div_ceil(1000)));
                    connectors::sleep(after_ms).await;
                }
                Decision::Refresh => return Err(PullError::KeyRefused),
                Decision::Fail(e) => return Err(e),
            }
        }
    }

    /// The pulled preview was confirmed: remember the period on the connection.
    pub fn confirmed(self) {
        if let Some((id, a, b)) = self.pulled.get_untracked() {
            self.pulled.set(None);
            self.state.change(|ws| {
                if let Some(c) = ws.settings.connections.iter_mut().find(|c| c.id == id) {
                    c.last_pulled = Some((a, b));
                }
            });
        }
    }
}
