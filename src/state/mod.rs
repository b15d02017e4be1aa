//! The app's state in context: the workspace signal, the storage status, and the effect that
//! saves every change.
//!
//! Changes go through [`AppState::change`], which bumps a change counter; an `Effect` watching
//! that counter saves the workspace. Saves run one at a time, each naming the revision the tab
//! last loaded or saved, so a save that would overwrite another tab's work is refused
//! ([`StorageError::Conflict`]) and shown with the choice of whose version to keep. After each save
//! the tab tells the others over a `BroadcastChannel`; they reload when they have nothing unsaved.
//! Nothing is ever dropped silently: a failed save keeps the change in the tab and says so.

pub mod connections;
pub mod datasets;
pub mod import;
pub mod insights;
pub mod learning;
pub mod updates;
pub mod workbench;

use crate::model::demo::demo_workspace;
use crate::model::workspace::{ValueIndex, Workspace};
use crate::storage::idb_store::IdbStore;
pub use crate::storage::StorageError;
use crate::storage::{Base, Loaded, MemoryStore, WorkspaceStore};
use crate::web_tools::{self, TabChannel};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;

/// The BroadcastChannel name shared by the app's tabs.
const CHANNEL: &str = "refleqt-workspace";

/// Where the workspace is kept.
pub enum Backend {
    Idb(IdbStore),
    /// IndexedDB is unavailable: the workspace lives only as long as the tab.
    Memory(MemoryStore),
}

impl WorkspaceStore for Backend {
    async fn load(&self, now: i64) -> Result<Option<Loaded>, StorageError> {
        match self {
            Backend::Idb(s) => s.load(now).await,
            Backend::Memory(s) => s.load(now).await,
        }
    }

    async fn save(&self, workspace: &Workspace, base: Base, now: i64) -> Result<u64, StorageError> {
        match self {
            Backend::Idb(s) => s.save(workspace, base, now).await,
            Backend::Memory(s) => s.save(workspace, base, now).await,
        }
    }
}

/// Whether the workspace is in storage.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    Loading,
    Saving,
    Saved {
        revision: u64,
    },
    /// The last change is not saved; the error says why and what to do.
    Failed(StorageError),
    /// No storage at all (private mode): working in memory only.
    MemoryOnly(StorageError),
    /// The database upgrade waits for another tab (an older version holding it open); the load
    /// continues by itself once that tab closes or reloads.
    UpgradeBlocked,
}

/// How this tab's workspace reaches storage: the backend, the revision the next save is based
/// on, the one-save-at-a-time queue and the channel to the other tabs.
struct Persistence {
    backend: Option<Rc<Backend>>,
    base: Base,
    saving: bool,
    again: bool,
    /// Storage holds data this build cannot read: never save over it unless told to.
    blocked: bool,
    channel: Option<TabChannel>,
}

/// Everything pages need, provided as context. `Copy`: signals and stored values are handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub workspace: RwSignal<Workspace>,
    /// Every entry's current metric values, rebuilt once per workspace change: pages look values
    /// up here, never with [`Workspace::value`] (a scan of every row per lookup).
    pub values: Memo<ValueIndex>,
    pub status: RwSignal<SaveStatus>,
    /// A short message for the user (shown in a polite live region), e.g. after a migration.
    pub notice: RwSignal<Option<String>>,
    /// Counts the changes made through [`AppState::change`] (not those the learners apply):
    /// `state::learning` watches it to run the entry learners again.
    pub edits: RwSignal<u64>,
    changes: RwSignal<u64>,
    persistence: StoredValue<Persistence, LocalStorage>,
}

impl AppState {
    /// Create the state, provide it as context, open the database `db_name` and load (or create
    /// the demo workspace on first run). Pages show a loading message until then.
    pub fn start(db_name: &str) -> AppState {
        let workspace = RwSignal::new(Workspace::empty());
        let state = AppState {
            workspace,
            values: Memo::new(move |_| workspace.with(ValueIndex::of)),
            status: RwSignal::new(SaveStatus::Loading),
            notice: RwSignal::new(None),
            edits: RwSignal::new(0),
            changes: RwSignal::new(0),
            persistence: StoredValue::new_local(Persistence {
                backend: None,
                base: Base::Fresh,
                saving: false,
                again: false,
                blocked: false,
                channel: None,
            }),
        };
        provide_context(state);
        Effect::new(move |previous: Option<u64>| {
            let count = state.changes.get();
            if previous.is_some_and(|p| p != count) {
                state.request_save();
            }
            count
        });
        web_tools::warn_before_unload(move || state.unsaved_work());
        let name = db_name.to_owned();
        spawn_local(async move { state.open(&name).await });
        state
    }

    /// Whether closing the tab now would lose work: a save in flight or failed, or changes made
    /// in a tab that has no storage at all.
    pub fn unsaved_work(&self) -> bool {
        let changed = self.changes.try_get_untracked().unwrap_or(0) > 0;
        self.status
            .try_with_untracked(|s| match s {
                SaveStatus::Saving => true,
                SaveStatus::Failed(StorageError::Unreadable(_)) => false,
                SaveStatus::Failed(_) | SaveStatus::MemoryOnly(_) => changed,
                SaveStatus::Loading | SaveStatus::Saved { .. } | SaveStatus::UpgradeBlocked => {
                    false
                }
            })
            .unwrap_or(false)
    }

    /// Whether the stored workspace could not be read by this build (nothing is saved over it
    /// until the user replaces it).
    pub fn stored_is_unreadable(&self) -> bool {
        self.persistence
            .try_with_value(|s| s.blocked)
            .unwrap_or(false)
    }

    /// The stored workspace's text exactly as it is in storage (to export data this build cannot
    /// read; with the stored chunks of metric rows beside it when there are any), `None` when
    /// nothing is stored.
    pub async fn stored_text(self) -> Result<Option<String>, StorageError> {
        let backend = self
            .persistence
            .try_with_value(|s| s.backend.clone())
            .flatten();
        match backend.as_deref() {
            Some(Backend::Idb(store)) => store.stored_export().await,
            Some(Backend::Memory(store)) => Ok(store.stored_export()),
            None => Ok(None),
        }
    }

    /// The state from context (pages are always under the app shell that provides it).
    pub fn get() -> Option<AppState> {
        use_context::<AppState>()
    }

    pub fn is_loading(&self) -> bool {
        self.status.with(|s| matches!(s, SaveStatus::Loading))
    }

    async fn open(self, db_name: &str) {
        let now = web_tools::now_ms();
        let blocked = self.status;
        let on_blocked = move || blocked.set(SaveStatus::UpgradeBlocked);
        let backend = match IdbStore::open_watching(db_name, on_blocked).await {
            Ok(store) => Backend::Idb(store),
            Err(e) => {
                let _ = self.persistence.try_update_value(|s| {
                    s.backend = Some(Rc::new(Backend::Memory(MemoryStore::new())))
                });
                let ws = demo_workspace().unwrap_or_default();
                self.workspace.set(ws);
                self.status.set(SaveStatus::MemoryOnly(e));
                return;
            }
        };
        let backend = Rc::new(backend);
        let _ = self
            .persistence
            .try_update_value(|s| s.backend = Some(backend.clone()));
        match backend.load(now).await {
            Ok(Some(loaded)) => {
                if let Some(old) = loaded.migrated_from {
                    self.notice.set(Some(format!(
                        "Your saved workspace was upgraded from an older format (schema {old}). \
                         A copy of the original is kept in the browser."
                    )));
                }
                let _ = self
                    .persistence
                    .try_update_value(|s| s.base = Base::Revision(loaded.revision));
                self.workspace.set(loaded.workspace);
                self.status.set(SaveStatus::Saved {
                    revision: loaded.revision,
                });
            }
            Ok(None) => {
                let ws = demo_workspace().unwrap_or_default();
                self.workspace.set(ws);
                self.status.set(SaveStatus::Saving);
                self.request_save();
            }
            Err(e) => {
                let _ = self.persistence.try_update_value(|s| s.blocked = true);
                self.status.set(SaveStatus::Failed(e));
            }
        }
        let channel = TabChannel::open(CHANNEL, move |message| {
            if let Ok(revision) = message.parse::<u64>() {
                self.on_other_tab_saved(revision);
            }
        });
        let _ = self.persistence.try_update_value(|s| s.channel = channel);
    }

    /// Apply a change to the workspace; it is saved right after. Attribution results are
    /// recomputed with it; the entry learners (frozen predictions, alerts) run in the worker
    /// after it (`state::learning`).
    pub fn change<R>(&self, f: impl FnOnce(&mut Workspace) -> R) -> R {
        let now = web_tools::now_ms();
        let result = {
            let mut ws = self.workspace.write();
            let r = f(&mut ws);
            ws.recalculate_attribution(now);
            r
        };
        self.edits.update(|c| *c += 1);
        self.changes.update(|c| *c += 1);
        result
    }

    /// Apply what the learners found: `f` returns whether it changed anything; only then are
    /// the pages told and the workspace saved. Does not count as an edit, so it never starts
    /// the learners again.
    pub fn apply_learned(&self, f: impl FnOnce(&mut Workspace) -> bool) -> bool {
        let changed = self.workspace.try_update_untracked(f).unwrap_or(false);
        if changed {
            self.workspace.notify();
            self.changes.try_update(|c| *c += 1);
        }
        changed
    }

    /// Replace the whole workspace (import, start empty, reset demo). Over unreadable stored
    /// data, this is the user's explicit choice to replace it.
    pub fn replace(&self, workspace: Workspace) {
        let _ = self.persistence.try_update_value(|s| {
            if s.blocked {
                s.blocked = false;
                s.base = Base::Replace;
            }
        });
        self.change(move |ws| *ws = workspace);
    }

    fn request_save(self) {
        let start = self
            .persistence
            .try_update_value(|s| {
                if s.blocked {
                    return false;
                }
                if s.saving {
                    s.again = true;
                    false
                } else {
                    s.saving = true;
                    true
                }
            })
            .unwrap_or(false);
        if start {
            spawn_local(async move { self.save_loop().await });
        }
    }

    async fn save_loop(self) {
        loop {
            let Some((backend, base)) = self
                .persistence
                .try_with_value(|s| s.backend.clone().map(|b| (b, s.base)))
                .flatten()
            else {
                break;
            };
            let memory_only = matches!(*backend, Backend::Memory(_));
            if !memory_only {
                self.status.set(SaveStatus::Saving);
            }
            let ws = self.workspace.get_untracked();
            match backend.save(&ws, base, web_tools::now_ms()).await {
                Ok(revision) => {
                    let _ = self.persistence.try_update_value(|s| {
                        s.base = Base::Revision(revision);
                        if let Some(c) = &s.channel {
                            c.post(&revision.to_string());
                        }
                    });
                    if !memory_only {
                        self.status.set(SaveStatus::Saved { revision });
                    }
                }
                Err(e) => {
                    self.status.set(SaveStatus::Failed(e));
                    let _ = self.persistence.try_update_value(|s| s.again = false);
                }
            }
            let again = self
                .persistence
                .try_update_value(|s| std::mem::take(&mut s.again))
                .unwrap_or(false);
            if !again {
                break;
            }
        }
        let _ = self.persistence.try_update_value(|s| s.saving = false);
    }

    fn on_other_tab_saved(self, revision: u64) {
        let idle = self
            .persistence
            .try_with_value(|s| {
                !s.saving && !s.blocked && matches!(s.base, Base::Revision(b) if b < revision)
            })
            .unwrap_or(false);
        let clean = self
            .status
            .with_untracked(|s| matches!(s, SaveStatus::Saved { .. }));
        // Otherwise this tab is saving or has an unsaved change: its next save detects the
        // conflict and asks the user.
        if idle && clean {
            spawn_local(async move {
                self.reload(Some("Updated with changes saved in another tab."))
                    .await
            });
        }
    }

    /// Load the stored workspace, discarding this tab's unsaved change (the conflict choice
    /// "load the other tab's version").
    pub async fn reload(self, notice: Option<&str>) {
        let Some(backend) = self
            .persistence
            .try_with_value(|s| s.backend.clone())
            .flatten()
        else {
            return;
        };
        match backend.load(web_tools::now_ms()).await {
            Ok(Some(loaded)) => {
                let _ = self
                    .persistence
                    .try_update_value(|s| s.base = Base::Revision(loaded.revision));
                self.workspace.set(loaded.workspace);
                self.status.set(SaveStatus::Saved {
                    revision: loaded.revision,
                });
                self.notice.set(notice.map(str::to_owned));
            }
            Ok(None) => {}
            Err(e) => self.status.set(SaveStatus::Failed(e)),
        }
    }

    /// Save this tab's workspace over whatever is stored (the conflict choice "keep this tab's
    /// version").
    pub fn keep_mine(self) {
        let _ = self
            .persistence
            .try_update_value(|s| s.base = Base::Overwrite);
        self.request_save();
    }

    /// Try the last failed save again.
    pub fn retry(self) {
        self.request_save();
    }
}
