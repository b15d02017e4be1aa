//! Persistence of the workspace behind the [`WorkspaceStore`] trait: IndexedDB in the browser
//! ([`idb_store::IdbStore`]), memory in tests and when the browser offers no storage
//! ([`MemoryStore`]).
//!
//! Every store keeps the versioned JSON of [`crate::model::file`] (so loading an older schema runs
//! the same migrations as importing an old file) and a **revision** number. A save names the
//! revision it was based on and is refused with [`StorageError::Conflict`] when another tab saved
//! in between: two tabs never silently overwrite each other.
//!
//! Imported event logs are kept apart from the workspace, as compact binary data sets
//! ([`datasets`]). Both stores share one IndexedDB database, owned by [`db`].

pub mod datasets;
pub mod db;
pub mod idb_store;

use crate::model::file::{self, FileError};
use crate::model::workspace::Workspace;
use std::cell::RefCell;
use thiserror::Error;

/// A workspace read from storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub workspace: Workspace,
    /// The revision to name in the next save.
    pub revision: u64,
    /// `Some(v)` when the stored data had the older schema `v` and was migrated while loading.
    pub migrated_from: Option<u32>,
}

/// What went wrong with storage. `Display` says what happened, [`StorageError::advice`] what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    #[error("this browser does not let Refleqt store data ({0})")]
    Unavailable(String),
    #[error("the browser's storage for this site is full")]
    QuotaExceeded,
    #[error("another tab saved a newer version of this workspace (revision {stored})")]
    Conflict { stored: u64 },
    #[error("the saved workspace could not be read: {0}")]
    Unreadable(FileError),
    #[error("saving failed: {0}")]
    Failed(String),
    #[error("the workspace has grown too large to store: {0}")]
    TooLarge(FileError),
    #[error("the data set {0:?} is not stored (it may have been deleted in another tab)")]
    DatasetMissing(String),
    #[error("the stored data set could not be read: {0}")]
    DatasetUnreadable(refleqt_engine::dataset::DatasetError),
}

impl StorageError {
    /// What the user can do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            StorageError::Unavailable(_) => {
                "Private browsing or blocked site data keeps Refleqt from saving. You can keep \
                 working in this tab, but your changes are lost when it closes: export the \
                 workspace from Settings, or allow site data / leave private mode and reload."
            }
            StorageError::QuotaExceeded => {
                "Your last change is kept in this tab but is not saved. Export the workspace from \
                 Settings now, then free space (clear other sites' data) and make any change to \
                 save again."
            }
            StorageError::Conflict { .. } => {
                "Your last change is kept in this tab but is not saved. Load the other tab's \
                 version (your unsaved change is discarded), or keep this tab's version (it \
                 replaces the other tab's changes)."
            }
            StorageError::Unreadable(_) => {
                "The saved data has been left untouched and nothing will be saved over it. \
                 Import a workspace file from Settings, or start an empty workspace there \
                 (which replaces the unreadable data)."
            }
            StorageError::TooLarge(_) => {
                "Your last change is kept in this tab but is not saved, so that what is stored \
                 stays loadable. Export the workspace from Settings, then delete entries or \
                 imported data you no longer need."
            }
            StorageError::Failed(_) => {
                "Your last change is kept in this tab but is not saved. Export the workspace from \
                 Settings to be safe, then reload the page."
            }
            StorageError::DatasetMissing(_) => {
                "Reload the list of data sets on the Import page, or import the file again."
            }
            StorageError::DatasetUnreadable(_) => {
                "Delete this data set on the Import page and import its file again; your \
                 workspace is not affected."
            }
        }
    }
}

/// Where workspaces are kept.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait WorkspaceStore {
    /// The stored workspace, `None` when nothing was ever saved.
    async fn load(&self, now: i64) -> Result<Option<Loaded>, StorageError>;

    /// Save `workspace` if `base` still matches what is stored. Returns the new revision.
    async fn save(&self, workspace: &Workspace, base: Base, now: i64) -> Result<u64, StorageError>;
}

/// What a save expects to find in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Nothing stored yet (first run).
    Fresh,
    /// The revision this tab loaded or last saved.
    Revision(u64),
    /// Replace whatever is stored: only after the user chose to (keep this tab's version, start
    /// empty over unreadable data).
    Overwrite,
}

/// The next revision when the stored one is `stored` and the writer expects `base`.
pub fn next_revision(stored: Option<u64>, base: Base) -> Result<u64, StorageError> {
    match (stored, base) {
        // Storage emptied under us (site data cleared): nothing is lost by writing.
        (None, Base::Revision(b)) => Ok(b + 1),
        (None, _) => Ok(1),
        (Some(s), Base::Revision(b)) if s == b => Ok(s + 1),
        (Some(s), Base::Overwrite) => Ok(s + 1),
        (Some(s), _) => Err(StorageError::Conflict { stored: s }),
    }
}

/// Decode stored text with its revision.
pub fn decode_stored(text: &str, revision: u64, now: i64) -> Result<Loaded, StorageError> {
    let decoded = file::decode(text, now).map_err(StorageError::Unreadable)?;
    Ok(Loaded {
        workspace: decoded.workspace,
        revision,
        migrated_from: (decoded.schema_version < file::SCHEMA_VERSION)
            .then_some(decoded.schema_version),
    })
}

/// A store in memory: for tests, and for browsers that refuse IndexedDB (nothing survives the tab).
#[derive(Debug, Default)]
pub struct MemoryStore {
    slot: RefCell<Option<(String, u64)>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The stored text as it is.
    pub fn raw_text(&self) -> Option<String> {
        self.slot.borrow().as_ref().map(|(text, _)| text.clone())
    }

    /// Put raw stored text, as an older version of the app would have left it.
    pub fn put_raw(&self, text: &str, revision: u64) {
        *self.slot.borrow_mut() = Some((text.to_owned(), revision));
    }
}

impl WorkspaceStore for MemoryStore {
    async fn load(&self, now: i64) -> Result<Option<Loaded>, StorageError> {
        let slot = self.slot.borrow().clone();
        slot.map(|(text, revision)| decode_stored(&text, revision, now))
            .transpose()
    }

    async fn save(&self, workspace: &Workspace, base: Base, now: i64) -> Result<u64, StorageError> {
        let stored = self.slot.borrow().as_ref().map(|(_, r)| *r);
        let revision = next_revision(stored, base)?;
        let text = file::encode(workspace, now, Some(revision));
        file::check_size(&text).map_err(StorageError::TooLarge)?;
        *self.slot.borrow_mut() = Some((text, revision));
        Ok(revision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Run a future that never waits (the memory store's).
    fn run<T>(f: impl Future<Output = T>) -> T {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the memory store never waits"),
        }
    }

    #[test]
    fn revisions_detect_a_second_writer() {
        assert_eq!(next_revision(None, Base::Fresh), Ok(1));
        assert_eq!(next_revision(None, Base::Revision(3)), Ok(4));
        assert_eq!(next_revision(Some(4), Base::Revision(4)), Ok(5));
        assert_eq!(
            next_revision(Some(5), Base::Revision(4)),
            Err(StorageError::Conflict { stored: 5 })
        );
        assert_eq!(
            next_revision(Some(5), Base::Fresh),
            Err(StorageError::Conflict { stored: 5 })
        );
        assert_eq!(next_revision(Some(5), Base::Overwrite), Ok(6));
    }

    #[test]
    fn two_tabs_on_one_store_cannot_overwrite_each_other() {
        let store = MemoryStore::new();
        let mut ws = Workspace::empty();
        assert_eq!(run(store.save(&ws, Base::Fresh, 1)), Ok(1));
        let tab_a = run(store.load(2)).ok().flatten().map_or(0, |l| l.revision);
        let tab_b = tab_a;
        ws.settings.currency = "EUR".into();
        assert_eq!(run(store.save(&ws, Base::Revision(tab_a), 3)), Ok(2));
        ws.settings.currency = "GBP".into();
        assert_eq!(
            run(store.save(&ws, Base::Revision(tab_b), 4)),
            Err(StorageError::Conflict { stored: 2 })
        );
        let stored = run(store.load(5))
            .ok()
            .flatten()
            .map(|l| l.workspace.settings.currency);
        assert_eq!(stored.as_deref(), Some("EUR"));
        assert_eq!(run(store.save(&ws, Base::Overwrite, 6)), Ok(3));
    }

    #[test]
    fn older_schemas_load_migrated_and_unreadable_data_is_reported() {
        let store = MemoryStore::new();
        assert_eq!(run(store.load(0)), Ok(None));
        store.put_raw(
            r#"{"format":"refleqt-workspace","schema_version":1,"workspace":{"next_id":1,"entries":[]}}"#,
            3,
        );
        let loaded = run(store.load(0)).ok().flatten();
        assert_eq!(
            loaded.map(|l| (l.revision, l.migrated_from)),
            Some((3, Some(1)))
        );
        store.put_raw("{broken", 4);
        assert!(matches!(
            run(store.load(0)),
            Err(StorageError::Unreadable(FileError::NotJson(_)))
        ));
    }

    #[test]
    fn every_error_says_what_to_do() {
        for e in [
            StorageError::Unavailable("x".into()),
            StorageError::QuotaExceeded,
            StorageError::Conflict { stored: 1 },
            StorageError::Unreadable(FileError::Empty),
            StorageError::Failed("x".into()),
            StorageError::DatasetMissing("x".into()),
            StorageError::DatasetUnreadable(refleqt_engine::dataset::DatasetError::Checksum),
        ] {
            assert!(e.advice().len() > 40, "{e}");
        }
    }
}
