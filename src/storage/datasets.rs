//! Data sets for the attribution page: imported event logs and path tables kept in IndexedDB as
//! one compact binary blob per data set (never one object per row), so a 1M-journey log reloads
//! after a page refresh without re-parsing its CSV.
//!
//! # API (for the attribution page)
//! ```ignore
//! use refleqt::storage::datasets;
//! let all: DatasetListing = datasets::list_datasets().await?;  // newest first, no blobs read
//! let set: refleqt_engine::JourneySet = datasets::load_dataset(&all.datasets[0].id).await?;
//! let meta = datasets::save_dataset("March events", &set, DatasetSource { file_name, format, lookback_days }).await?;
//! datasets::delete_dataset(&meta.id).await?;
//! ```
//! The free functions use the production database ([`DB_NAME`]); [`DatasetStore`] takes a
//! database name (tests use their own). Errors are [`StorageError`]: a missing data set is
//! [`StorageError::DatasetMissing`], a damaged blob [`StorageError::DatasetUnreadable`].
//!
//! # Layout
//! IndexedDB object stores (database version 2, created by [`super::db::open_db`]):
//! `datasets` — key = id, value = [`DatasetMeta`] as JSON text; `dataset_blobs` — key = id,
//! value = a `Uint8Array` made by [`dataset::encode`]. Listing reads only `datasets`.
//!
//! The blob is the engine's [`refleqt_engine::dataset`] format (`encode`/`decode`, layout and
//! checksum documented there); this module only stores it and its metadata.

use super::db::{
    classify, open_db, transaction, DATASET_BLOB_STORE as BLOB_STORE,
    DATASET_META_STORE as META_STORE, DB_NAME,
};
use super::StorageError;
use idb::{Database, TransactionMode};
use refleqt_engine::dataset::{self, DatasetError};
use refleqt_engine::imports::Layout;
use refleqt_engine::JourneySet;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// What is known about a stored data set without reading its blob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetMeta {
    pub id: String,
    /// The name the user gave (default: the file name).
    pub name: String,
    pub source_file: String,
    /// The parser that read it: event log, path table or GA4 BigQuery export.
    pub format: Layout,
    /// Unix milliseconds.
    pub imported_at: i64,
    pub journeys: usize,
    pub touches: usize,
    pub conversions: f64,
    pub revenue: f64,
    /// First and last journey end (unix ms), for timed data.
    pub date_range: Option<(i64, i64)>,
    pub channels: Vec<String>,
    /// The lookback window the journeys were cut with (event logs).
    pub lookback_days: Option<f64>,
    /// Bytes of the stored blob.
    pub stored_bytes: usize,
}

/// Where a data set came from (the rest of [`DatasetMeta`] is computed from the set).
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSource {
    pub file_name: String,
    pub format: Layout,
    pub lookback_days: Option<f64>,
}

/// The stored data sets' metadata, newest first, and how many metadata entries could not be read
/// (written by a newer build, or damaged): those are counted, never silently dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetListing {
    pub datasets: Vec<DatasetMeta>,
    pub unreadable: usize,
}

impl DatasetListing {
    /// Read stored metadata texts (`None`: a value that is not text).
    pub fn from_texts(texts: impl IntoIterator<Item = Option<String>>) -> DatasetListing {
        let mut listing = DatasetListing::default();
        for text in texts {
            match text.and_then(|t| serde_json::from_str::<DatasetMeta>(&t).ok()) {
                Some(meta) => listing.datasets.push(meta),
                None => listing.unreadable += 1,
            }
        }
        listing.datasets.sort_by(|a, b| {
            b.imported_at
                .cmp(&a.imported_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        listing
    }
}

/// The metadata of `set`.
pub fn meta_of(
    id: &str,
    name: &str,
    set: &JourneySet,
    source: &DatasetSource,
    imported_at: i64,
    stored_bytes: usize,
) -> DatasetMeta {
    DatasetMeta {
        id: id.to_owned(),
        name: name.to_owned(),
        source_file: source.file_name.clone(),
        format: source.format,
        imported_at,
        journeys: set.len(),
        touches: set.touch_count(),
        conversions: set.total_conversions(),
        revenue: set.total_revenue(),
        date_range: set.date_range_ms(),
        channels: set.channels.names().to_vec(),
        lookback_days: source.lookback_days,
        stored_bytes,
    }
}

/// The data sets in one IndexedDB database.
#[derive(Debug)]
pub struct DatasetStore {
    db: Database,
}

impl DatasetStore {
    /// Open the database `db_name` (creating or upgrading its object stores).
    pub async fn open(db_name: &str) -> Result<DatasetStore, StorageError> {
        Ok(DatasetStore {
            db: open_db(db_name).await?,
        })
    }

    /// Every readable data set's metadata, newest first (see [`DatasetStore::listing`] for the
    /// count of unreadable ones).
    pub async fn list(&self) -> Result<Vec<DatasetMeta>, StorageError> {
        Ok(self.listing().await?.datasets)
    }

    /// Every data set's metadata, newest first, and how many entries could not be read.
    pub async fn listing(&self) -> Result<DatasetListing, StorageError> {
        let tx = transaction(&self.db, &[META_STORE], TransactionMode::ReadOnly)?;
        let store = tx.object_store(META_STORE).map_err(classify)?;
        let values = store
            .get_all(None, None)
            .map_err(classify)?
            .await
            .map_err(classify)?;
        Ok(DatasetListing::from_texts(
            values.iter().map(|v| v.as_string()),
        ))
    }

    /// The journeys of data set `id`.
    pub async fn load(&self, id: &str) -> Result<JourneySet, StorageError> {
        let blob = self.load_blob(id).await?;
        dataset::decode(&blob).map_err(StorageError::DatasetUnreadable)
    }

    /// The stored blob of data set `id`, undecoded (for handing to the attribution worker).
    pub async fn load_blob(&self, id: &str) -> Result<Vec<u8>, StorageError> {
        let tx = transaction(&self.db, &[BLOB_STORE], TransactionMode::ReadOnly)?;
        let store = tx.object_store(BLOB_STORE).map_err(classify)?;
        let value = store
            .get(JsValue::from_str(id))
            .map_err(classify)?
            .await
            .map_err(classify)?
            .ok_or_else(|| StorageError::DatasetMissing(id.to_owned()))?;
        let array = value
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| StorageError::DatasetUnreadable(DatasetError::BadMagic))?;
        Ok(array.to_vec())
    }

    /// Store `set` (metadata and blob in one transaction); returns its metadata.
    pub async fn save(
        &self,
        name: &str,
        set: &JourneySet,
        source: &DatasetSource,
        now: i64,
    ) -> Result<DatasetMeta, StorageError> {
        let blob = dataset::encode(set);
        let existing = self.list().await?;
        let mut id = format!("ds-{now}");
        let mut n = 1;
        while existing.iter().any(|m| m.id == id) {
            n += 1;
            id = format!("ds-{now}-{n}");
        }
        let meta = meta_of(&id, name, set, source, now, blob.len());
        let text = serde_json::to_string(&meta).map_err(|e| StorageError::Failed(e.to_string()))?;
        let tx = transaction(
            &self.db,
            &[META_STORE, BLOB_STORE],
            TransactionMode::ReadWrite,
        )?;
        let blobs = tx.object_store(BLOB_STORE).map_err(classify)?;
        let array = js_sys::Uint8Array::from(blob.as_slice());
        drop(blob);
        blobs
            .put(&array, Some(&JsValue::from_str(&id)))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        let metas = tx.object_store(META_STORE).map_err(classify)?;
        metas
            .put(&JsValue::from_str(&text), Some(&JsValue::from_str(&id)))
            .map_err(classify)?
            .await
            .map_err(classify)?;
        let result = tx.await.map_err(classify)?;
        if result.is_aborted() {
            return Err(StorageError::QuotaExceeded);
        }
        Ok(meta)
    }

    /// Delete data set `id` (nothing happens if it does not exist).
    pub async fn delete(&self, id: &str) -> Result<(), StorageError> {
        let tx = transaction(
            &self.db,
            &[META_STORE, BLOB_STORE],
            TransactionMode::ReadWrite,
        )?;
        for name in [META_STORE, BLOB_STORE] {
            let store = tx.object_store(name).map_err(classify)?;
            store
                .delete(JsValue::from_str(id))
                .map_err(classify)?
                .await
                .map_err(classify)?;
        }
        tx.await.map_err(classify)?;
        Ok(())
    }

    /// Close the connection.
    pub fn close(&self) {
        self.db.close();
    }
}

/// Every data set's metadata in the app's database, newest first, with the unreadable count.
pub async fn list_datasets() -> Result<DatasetListing, StorageError> {
    let store = DatasetStore::open(DB_NAME).await?;
    let r = store.listing().await;
    store.close();
    r
}

/// The undecoded blob of data set `id` in the app's database.
pub async fn load_dataset_blob(id: &str) -> Result<Vec<u8>, StorageError> {
    let store = DatasetStore::open(DB_NAME).await?;
    let r = store.load_blob(id).await;
    store.close();
    r
}

/// The journeys of data set `id` in the app's database.
pub async fn load_dataset(id: &str) -> Result<JourneySet, StorageError> {
    let store = DatasetStore::open(DB_NAME).await?;
    let r = store.load(id).await;
    store.close();
    r
}

/// Store a data set in the app's database; `now` is the import time (unix ms).
pub async fn save_dataset(
    name: &str,
    set: &JourneySet,
    source: &DatasetSource,
    now: i64,
) -> Result<DatasetMeta, StorageError> {
    let store = DatasetStore::open(DB_NAME).await?;
    let r = store.save(name, set, source, now).await;
    store.close();
    r
}

/// Delete data set `id` from the app's database.
pub async fn delete_dataset(id: &str) -> Result<(), StorageError> {
    let store = DatasetStore::open(DB_NAME).await?;
    let r = store.delete(id).await;
    store.close();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use refleqt_engine::{Channels, Touch};

    fn sample(timed: bool) -> JourneySet {
        let mut channels = Channels::new();
        let a = channels.intern("linkedin");
        let b = channels.intern("email newsletter ✉");
        let mut set = JourneySet::new(channels, timed);
        let t = |channel, entry, age: f64| Touch {
            channel,
            entry,
            age_secs: if timed { age } else { f64::NAN },
        };
        set.push(
            &[t(a, Some(4782), 86_400.5), t(b, None, 0.0)],
            1.0,
            120.25,
            0.0,
            timed.then_some(1_740_823_200_000),
        );
        set.push(
            &[t(b, Some(0), 1.0 / 3.0)],
            0.0,
            0.0,
            1.0,
            timed.then_some(-5),
        );
        set.push(&[t(a, Some(u64::MAX), 2.0)], 12.0, 340.0, 88.5, None);
        set.push(&[], 1.0, 10.0, 0.0, timed.then_some(0));
        set
    }

    #[test]
    fn metadata_sums_the_set() {
        let set = sample(true);
        let source = DatasetSource {
            file_name: "events.csv".into(),
            format: Layout::EventLog,
            lookback_days: Some(30.0),
        };
        let m = meta_of("ds-1", "March", &set, &source, 7, 99);
        assert_eq!((m.journeys, m.touches), (4, 4));
        assert_eq!(m.conversions, 14.0);
        assert_eq!(m.date_range, Some((-5, 1_740_823_200_000)));
        assert_eq!(m.channels.len(), 2);
        let text = serde_json::to_string(&m).unwrap_or_default();
        let back: Option<DatasetMeta> = serde_json::from_str(&text).ok();
        assert_eq!(back.as_ref(), Some(&m));

        let mut newer = m.clone();
        newer.id = "ds-2".into();
        newer.imported_at = 8;
        let listing = DatasetListing::from_texts([
            Some(text),
            Some("{\"id\": \"ds-3\"}".into()),
            serde_json::to_string(&newer).ok(),
            None,
        ]);
        assert_eq!(listing.datasets, vec![newer, m]);
        assert_eq!(listing.unreadable, 2);
    }
}
