//! The app's IndexedDB database, in one place: its name, version, object stores, the upgrade that
//! creates them and the one way to open a connection ([`open_db`]). The workspace store
//! ([`super::idb_store`]) and the data-set store ([`super::datasets`]) both open through here and
//! know nothing of each other.
//!
//! IndexedDB's own version ([`DB_VERSION`]) covers object stores only; the data inside carries its
//! own schema versions. Versions: 1 created [`WORKSPACE_STORE`]; 2 adds [`DATASET_META_STORE`] and
//! [`DATASET_BLOB_STORE`] (imported event logs). Each upgrade step only adds what is missing.

use super::StorageError;
use idb::event::VersionChangeEvent;
use idb::{
    Database, DatabaseEvent, Event, Factory, ObjectStoreParams, Request, Transaction,
    TransactionMode,
};
use wasm_bindgen::{JsCast, JsValue};

/// Name of the production database.
pub const DB_NAME: &str = "refleqt";
/// IndexedDB schema version (object stores), upgraded in [`open_db`].
pub const DB_VERSION: u32 = 2;
/// Object store of the workspace (keys `current`, `revision`, `backup-schema-<v>`), since version 1.
pub const WORKSPACE_STORE: &str = "workspace";
/// Object store of the data sets' metadata (JSON text by id), since version 2.
pub const DATASET_META_STORE: &str = "datasets";
/// Object store of the data sets' blobs (`Uint8Array` by id), since version 2.
pub const DATASET_BLOB_STORE: &str = "dataset_blobs";

/// Every object store of [`DB_VERSION`], in the order they were introduced.
const STORES: [&str; 3] = [WORKSPACE_STORE, DATASET_META_STORE, DATASET_BLOB_STORE];

/// Map an `idb` error to what the user needs to know.
pub(crate) fn classify(err: idb::Error) -> StorageError {
    let text = err.to_string();
    if text.contains("QuotaExceeded") || text.contains("quota") {
        StorageError::QuotaExceeded
    } else {
        StorageError::Failed(text)
    }
}

/// A transaction over `stores` (errors classified).
pub(crate) fn transaction(
    db: &Database,
    stores: &[&str],
    mode: TransactionMode,
) -> Result<Transaction, StorageError> {
    db.transaction(stores, mode).map_err(classify)
}

/// Open (and create or upgrade) the database `name` at [`DB_VERSION`].
pub async fn open_db(name: &str) -> Result<Database, StorageError> {
    open_db_watching(name, || {}).await
}

/// [`open_db`], calling `on_blocked` when the upgrade has to wait for another tab (an older
/// build holding a connection it does not close): the open then completes by itself once that
/// tab closes or reloads, and the caller can tell the user meanwhile.
pub async fn open_db_watching(
    name: &str,
    on_blocked: impl FnOnce() + 'static,
) -> Result<Database, StorageError> {
    let unavailable = |e: idb::Error| StorageError::Unavailable(e.to_string());
    let factory = Factory::new().map_err(unavailable)?;
    let mut request = factory.open(name, Some(DB_VERSION)).map_err(unavailable)?;
    request.on_blocked(move |_| on_blocked());
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else {
            return;
        };
        let names = db.store_names();
        // Version 0 → 1: the workspace; 1 → 2: data sets. Each step only adds what is missing.
        for store in STORES {
            if !names.iter().any(|s| s == store) {
                if let Err(e) = db.create_object_store(store, ObjectStoreParams::new()) {
                    // Without the store the database is unusable: abort the upgrade, so that the
                    // open request below fails and says so instead of succeeding without it.
                    crate::web_tools::warn(
                        &format!("could not create the object store {store}"),
                        &JsValue::from_str(&e.to_string()),
                    );
                    abort_upgrade(&event);
                    return;
                }
            }
        }
    });
    let mut db = request.await.map_err(unavailable)?;
    // A newer build in another tab wants to upgrade: let it (this connection closes).
    db.on_version_change(|event: web_sys::Event| {
        if let Some(target) = event.target() {
            let close = js_sys::Reflect::get(&target, &JsValue::from_str("close"));
            if let Ok(close) = close.and_then(|f| f.dyn_into::<js_sys::Function>()) {
                // The tab keeps working on its open data; the other tab's upgrade stays blocked.
                if let Err(e) = close.call0(&target) {
                    crate::web_tools::warn("could not close the database for an upgrade", &e);
                }
            }
        }
    });
    Ok(db)
}

/// Abort the version-change transaction of an upgrade in progress.
fn abort_upgrade(event: &VersionChangeEvent) {
    let tx = event
        .target()
        .ok()
        .and_then(|request| request.transaction());
    match tx.map(Transaction::abort) {
        Some(Ok(_)) => {}
        Some(Err(e)) => crate::web_tools::warn(
            "could not abort a failed database upgrade",
            &JsValue::from_str(&e.to_string()),
        ),
        None => crate::web_tools::warn(
            "a failed database upgrade has no transaction to abort",
            &JsValue::NULL,
        ),
    }
}
