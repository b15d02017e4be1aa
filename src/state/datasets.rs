//! The stored data sets as pages use them (list, save, read back, delete), so no page reaches
//! into `storage` itself. Each call opens the app's database, does one thing and closes it.

use crate::storage::datasets;
pub use crate::storage::datasets::{DatasetListing, DatasetMeta, DatasetSource};
use crate::storage::StorageError;
use refleqt_engine::JourneySet;

/// Every data set's metadata, newest first, with the count of unreadable entries.
pub async fn list() -> Result<DatasetListing, StorageError> {
    datasets::list_datasets().await
}

/// The journeys of data set `id`, decoded (the Import page's "Check").
pub async fn load(id: &str) -> Result<JourneySet, StorageError> {
    datasets::load_dataset(id).await
}

/// The undecoded blob of data set `id` (the attribution worker decodes it).
pub async fn load_blob(id: &str) -> Result<Vec<u8>, StorageError> {
    datasets::load_dataset_blob(id).await
}

/// Store `set` as a data set named `name`; `now` is the import time (unix ms).
pub async fn save(
    name: &str,
    set: &JourneySet,
    source: &DatasetSource,
    now: i64,
) -> Result<DatasetMeta, StorageError> {
    datasets::save_dataset(name, set, source, now).await
}

/// Delete data set `id` (a missing id is not an error).
pub async fn delete(id: &str) -> Result<(), StorageError> {
    datasets::delete_dataset(id).await
}
