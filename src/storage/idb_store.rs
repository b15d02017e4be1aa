//! The workspace in IndexedDB (via the `idb` crate): database `refleqt`, object store
//! `workspace`, keys `current` (the workspace file's JSON text) and `revision` (a number), written
//! together in one transaction. A save reads `revision` and writes only if it is still the one the
//! tab started from, inside the same read-write transaction, so two tabs cannot interleave.
//!
//! IndexedDB's own version (`db::DB_VERSION`) covers object stores only; the data inside carries the
//! workspace schema version and is migrated by `model::file`. When stored data of an older schema
//! is loaded, its original text is first copied to `backup-schema-<v>`.
//!
//! The database itself (name, version, object stores, upgrade) is owned by [`super::db`]; every
//! connection opens through [`super::db::open_db`].

use super::db::{classify, open_db_watching, transaction, WORKSPACE_STORE as STORE};
use super::{decode_stored, next_revision, Base, Loaded, StorageError, WorkspaceStore};
use crate::model::file;
use crate::model::workspace::Workspace;
use idb::{Database, TransactionMode};
use wasm_bindgen::JsValue;

pub const KEY_CURRENT: &str = "current";
pub const KEY_REVISION: &str = "revision";
/// Stored text this build could not read, kept when the user replaced it (`…-<revision>`).
pub const KEY_UNREADABLE_PREFIX: &str = "backup-unreadable-";

/// An open IndexedDB database holding the workspace.
#[derive(Debug)]
pub struct IdbStore {
    db: Database,
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
        let value = store
            .get(JsValue::from_str(key))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        Ok(value.and_then(|v| v.as_string()))
    }

    /// Close the connection (other tabs can then upgrade or delete the database).
    pub fn close(&self) {
        self.db.close();
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
        let loaded = decode_stored(&text, revision, now)?;
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
        if base == Base::Overwrite {
            self.keep_unreadable(&store, stored.unwrap_or(0)).await?;
        }
        let revision = match next_revision(stored, base) {
            Ok(r) => r,
            Err(conflict) => {
                // Nothing was written in this transaction; the conflict is what the user sees.
                if let Err(e) = tx.abort() {
                    crate::web_tools::warn(
                        "could not abort a read-only save transaction",
                        &JsValue::from_str(&e.to_string()),
                    );
                }
                return Err(conflict);
            }
        };
        let text = file::encode(workspace, now, Some(revision));
        if let Err(too_large) = file::check_size(&text) {
            if let Err(e) = tx.abort() {
                crate::web_tools::warn(
                    "could not abort a refused save",
                    &JsValue::from_str(&e.to_string()),
                );
            }
            return Err(StorageError::TooLarge(too_large));
        }
        store
            .put(
                &JsValue::from_str(&text),
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
        let result = tx.await.map_err(classify)?;
        if result.is_aborted() {
            return Err(StorageError::Failed(
                "the browser aborted the save (storage may be full)".into(),
            ));
        }
        Ok(revision)
    }
}

impl IdbStore {
    /// Before an overwrite: if the stored text cannot be read by this build, copy it to
    /// `backup-unreadable-<revision>` in the same transaction, so that replacing unreadable data
    /// (the user's choice) never destroys it.
    async fn keep_unreadable(
        &self,
        store: &idb::ObjectStore,
        revision: u64,
    ) -> Result<(), StorageError> {
        let current = store
            .get(JsValue::from_str(KEY_CURRENT))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        let Some(current) = current else {
            return Ok(());
        };
        let readable = current
            .as_string()
            .is_some_and(|text| file::decode(&text, 0).is_ok());
        if readable {
            return Ok(());
        }
        let key = format!("{KEY_UNREADABLE_PREFIX}{revision}");
        store
            .put(&current, Some(&JsValue::from_str(&key)))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn backup(&self, text: &str, schema: u32) -> Result<(), StorageError> {
        let tx = transaction(&self.db, &[STORE], TransactionMode::ReadWrite)?;
        let store = tx.object_store(STORE).map_err(classify)?;
        let key = format!("backup-schema-{schema}");
        store
            .put(&JsValue::from_str(text), Some(&JsValue::from_str(&key)))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        tx.await.map_err(classify)?;
        Ok(())
    }
}
