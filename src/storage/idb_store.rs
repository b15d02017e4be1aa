//! The workspace in IndexedDB (via the `idb` crate): database `refleqt`, object store
//! `workspace`, keys `current` (the main record), `revision` (a number) and the chunks of metric
//! rows (`rows/…`, layout in [`super::chunked`]), written together in one transaction. A save
//! reads `revision` and writes only if it is still the one the tab started from, inside the same
//! read-write transaction, so two tabs cannot interleave; it writes the main record and only the
//! chunks that changed, and deletes the ones no longer named.
//!
//! IndexedDB's own version (`db::DB_VERSION`) covers object stores only; the data inside carries the
//! workspace schema version and is migrated by `model::file`. When stored data of an older schema
//! is loaded, its original text is first copied to `backup-schema-<v>`. Data of the single-record
//! layout (schema 3 and older, every earlier build) loads as it always did; the next save writes
//! it in chunks, replacing the single record in the same transaction.
//!
//! The database itself (name, version, object stores, upgrade) is owned by [`super::db`]; every
//! connection opens through [`super::db::open_db`].

use super::chunked::{self, ChunkRef};
use super::db::{classify, open_db_watching, transaction, WORKSPACE_STORE as STORE};
use super::{
    decode_any, keep_aside, next_revision, Base, Loaded, SaveStats, StorageError, WorkspaceStore,
};
pub use super::{KEY_CURRENT, KEY_UNREADABLE_PREFIX};
use crate::model::file;
use crate::model::workspace::Workspace;
use idb::{Database, ObjectStore, TransactionMode};
use std::cell::Cell;
use std::collections::HashMap;
use wasm_bindgen::JsValue;

pub const KEY_REVISION: &str = "revision";

/// An open IndexedDB database holding the workspace.
#[derive(Debug)]
pub struct IdbStore {
    db: Database,
    last_save: Cell<Option<SaveStats>>,
}

impl IdbStore {
    /// Open (and create or upgrade) the database `name`.
    pub async fn open(name: &str) -> Result<IdbStore, StorageError> {
        IdbStore::open_watching(name, || {}).await
    }

    /// [`IdbStore::open`], calling `on_blocked` while the upgrade waits for another tab.
    pub async fn open_watching(
        name: &str,
        on_blocked: impl FnOnce() + 'static,
    ) -> Result<IdbStore, StorageError> {
        Ok(IdbStore {
            db: open_db_watching(name, on_blocked).await?,
            last_save: Cell::new(None),
        })
    }

    /// Write raw text and revision as-is (tests use it to leave data of an older schema).
    pub async fn put_raw(&self, text: &str, revision: u64) -> Result<(), StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadWrite)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        store
            .put(
                &JsValue::from_str(text),
                Some(&JsValue::from_str(KEY_CURRENT)),
            )
            .map_err(classify)?
            .await
            .map_err(classify)?;
        store
            .put(
                &JsValue::from_f64(revision as f64),
                Some(&JsValue::from_str(KEY_REVISION)),
            )
            .map_err(classify)?
            .await
            .map_err(classify)?;
        tx.await.map_err(classify)?;
        Ok(())
    }

    /// Read a key as text.
    pub async fn get_text(&self, key: &str) -> Result<Option<String>, StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadOnly)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        get_text(&store, key).await
    }

    /// Every key of the workspace's object store, as text.
    pub async fn keys(&self) -> Result<Vec<String>, StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadOnly)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        let keys = store
            .get_all_keys(None, None)
            .map_err(classify)?
            .await
            .map_err(classify)?;
        Ok(keys.into_iter().filter_map(|k| k.as_string()).collect())
    }

    /// What is stored, for the export of data this build cannot read: the main record as it is,
    /// with every stored chunk's text when there are chunks (`None`: nothing stored).
    pub async fn stored_export(&self) -> Result<Option<String>, StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadOnly)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        let Some(main) = get_text(&store, KEY_CURRENT).await? else {
            return Ok(None);
        };
        let keys = store
            .get_all_keys(None, None)
            .map_err(classify)?
            .await
            .map_err(classify)?;
        let mut chunks = Vec::new();
        for key in keys.into_iter().filter_map(|k| k.as_string()) {
            if key.starts_with(chunked::CHUNK_PREFIX) {
                if let Some(text) = get_text(&store, &key).await? {
                    chunks.push((key, text));
                }
            }
        }
        Ok(Some(chunked::with_chunk_texts(&main, chunks)))
    }

    /// What the last successful save wrote.
    pub fn last_save(&self) -> Option<SaveStats> {
        self.last_save.get()
    }

    /// Close the connection (other tabs can then upgrade or delete the database).
    pub fn close(&self) {
        self.db.close();
    }
}

async fn get_text(store: &ObjectStore, key: &str) -> Result<Option<String>, StorageError> {
    let value = store
        .get(JsValue::from_str(key))
        .map_err(classify)?
        .await
        .map_err(classify)?;
    Ok(value.and_then(|v| v.as_string()))
}

async fn put_text(store: &ObjectStore, key: &str, text: &str) -> Result<(), StorageError> {
    store
        .put(&JsValue::from_str(text), Some(&JsValue::from_str(key)))
        .map_err(classify)?
        .await
        .map_err(classify)?;
    Ok(())
}

/// Abort a transaction that wrote nothing (a refused save).
fn abort(tx: idb::Transaction, what: &str) {
    if let Err(e) = tx.abort() {
        crate::web_tools::warn(what, &JsValue::from_str(&e.to_string()));
    }
}

impl WorkspaceStore for IdbStore {
    async fn load(&self, now: i64) -> Result<Option<Loaded>, StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadOnly)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        let text = store
            .get(JsValue::from_str(KEY_CURRENT))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        let revision = store
            .get(JsValue::from_str(KEY_REVISION))
            .map_err(classify)?
            .await
            .map_err(classify)?
            .and_then(|v| v.as_f64())
            .map_or(0, |r| r as u64);
        let Some(text) = text else {
            return Ok(None);
        };
        let Some(text) = text.as_string() else {
            return Err(StorageError::Unreadable(file::FileError::Foreign));
        };
        // The chunks the main record names, read in the same transaction (one consistent
        // revision); none for the single-record layout.
        let mut chunks: HashMap<String, String> = HashMap::new();
        if chunked::is_chunked(&text) {
            let main = chunked::decode_main(&text).map_err(StorageError::Unreadable)?;
            for part in &main.manifest {
                if let Some(chunk) = get_text(&store, &part.key).await? {
                    chunks.insert(part.key.clone(), chunk);
                }
            }
        }
        let loaded = decode_any(&text, revision, now, |c: &ChunkRef| chunks.remove(&c.key))?;
        if let Some(old) = loaded.migrated_from {
            // Keep the original before anything is saved over it in the new schema.
            self.backup(&text, old).await?;
        }
        Ok(Some(loaded))
    }

    async fn save(&self, workspace: &Workspace, base: Base, now: i64) -> Result<u64, StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadWrite)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        let stored = store
            .get(JsValue::from_str(KEY_REVISION))
            .map_err(classify)?
            .await
            .map_err(classify)?
            .and_then(|v| v.as_f64())
            .map(|r| r as u64);
        let revision = match next_revision(stored, base) {
            Ok(r) => r,
            Err(conflict) => {
                // Nothing was written in this transaction; the conflict is what the user sees.
                abort(tx, "could not abort a read-only save transaction");
                return Err(conflict);
            }
        };
        let current = get_text(&store, KEY_CURRENT).await?;
        let aside = current.as_deref().is_some_and(|t| keep_aside(t, base));
        let manifest = match (&current, aside) {
            (Some(text), false) => chunked::stored_manifest(text),
            _ => Vec::new(),
        };
        let plan = match chunked::plan_save(workspace, now, revision, &manifest, !aside) {
            Ok(plan) => plan,
            Err(too_large) => {
                abort(tx, "could not abort a refused save");
                return Err(StorageError::TooLarge(too_large));
            }
        };
        if let (true, Some(text)) = (aside, &current) {
            // Replacing data this tab could not read: keep it, in the same transaction.
            let key = format!("{KEY_UNREADABLE_PREFIX}{}", stored.unwrap_or(0));
            put_text(&store, &key, text).await?;
        }
        for key in &plan.deletes {
            store
                .delete(JsValue::from_str(key))
                .map_err(classify)?
                .await
                .map_err(classify)?;
        }
        for (key, text) in &plan.writes {
            put_text(&store, key, text).await?;
        }
        put_text(&store, KEY_CURRENT, &plan.main).await?;
        store
            .put(
                &JsValue::from_f64(revision as f64),
                Some(&JsValue::from_str(KEY_REVISION)),
            )
            .map_err(classify)?
            .await
            .map_err(classify)?;
        let result = tx.await.map_err(classify)?;
        if result.is_aborted() {
            return Err(StorageError::Failed(
                "the browser aborted the save (storage may be full)".into(),
            ));
        }
        self.last_save.set(Some(SaveStats::of(&plan)));
        Ok(revision)
    }
}

impl IdbStore {
    async fn backup(&self, text: &str, schema: u32) -> Result<(), StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadWrite)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        put_text(&store, &format!("backup-schema-{schema}"), text).await?;
        tx.await.map_err(classify)?;
        Ok(())
    }
}
