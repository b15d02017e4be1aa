//! The Import page's confirm step: keep the journeys as a data set, then write the metrics into
//! the workspace; if the metrics cannot be written (or the user cancelled meanwhile), take the
//! data set back out. A rollback that fails is reported, never dropped: the user is told which
//! data set is left over and where to delete it.

use super::datasets::{self, DatasetMeta, DatasetSource};
use super::{AppState, StorageError};
use crate::model::import::{apply, ApplyError, ApplySummary, Preview};
use refleqt_engine::imports::Platform;
use refleqt_engine::JourneySet;
use thiserror::Error;

/// A data set that was saved but could not be taken back out.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOver {
    pub dataset: DatasetMeta,
    pub error: StorageError,
}

/// How a confirm ended without an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    /// Metrics written; `dataset` kept when asked for.
    Done {
        summary: ApplySummary,
        dataset: Option<DatasetMeta>,
    },
    /// The user cancelled while the data set was being saved; it was taken back out, unless
    /// `left_over` says otherwise.
    Cancelled { left_over: Option<LeftOver> },
}

/// Why a confirm wrote nothing (or could not undo what it wrote). `Display` is the page's text.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfirmError {
    #[error("Nothing was written: the data set could not be saved ({0}). {advice}", advice = .0.advice())]
    DatasetNotSaved(StorageError),
    #[error("Nothing was written: {0}.")]
    NotApplied(ApplyError),
    #[error(
        "The metrics were not written: {error}. The data set \u{201c}{name}\u{201d} was saved but could not be taken back out ({rollback}): delete it under Data sets below.",
        name = left_over.dataset.name,
        rollback = left_over.error
    )]
    NotAppliedDatasetLeftOver {
        error: ApplyError,
        left_over: Box<LeftOver>,
    },
}

/// What to keep as a data set alongside the metrics.
pub struct KeepDataset<'a> {
    pub name: String,
    pub journeys: &'a JourneySet,
}

/// Where the data set of `preview` came from.
fn source_of(preview: &Preview) -> DatasetSource {
    DatasetSource {
        file_name: preview.file_name.clone(),
        format: preview.import.platform,
        lookback_days: (preview.import.platform != Platform::PathTableCsv).then_some(30.0),
    }
}

/// Delete a data set saved by this confirm; a failure is returned, not dropped.
async fn take_back(dataset: DatasetMeta) -> Option<LeftOver> {
    match datasets::delete(&dataset.id).await {
        Ok(()) => None,
        Err(error) => Some(LeftOver { dataset, error }),
    }
}

/// Confirm `preview`: save `keep` (if any) as a data set, then apply the metrics at `now`.
/// `still_wanted` is asked after the save (the user may have cancelled meanwhile).
pub async fn confirm(
    state: AppState,
    preview: &Preview,
    keep: Option<KeepDataset<'_>>,
    now: i64,
    still_wanted: impl Fn() -> bool,
) -> Result<Confirmed, ConfirmError> {
    let mut saved = None;
    if let Some(keep) = keep {
        let meta = datasets::save(&keep.name, keep.journeys, &source_of(preview), now)
            .await
            .map_err(ConfirmError::DatasetNotSaved)?;
        if !still_wanted() {
            return Ok(Confirmed::Cancelled {
                left_over: take_back(meta).await,
            });
        }
        saved = Some(meta);
    }
    let applied = if preview.import.rows.is_empty() {
        Ok(ApplySummary::default())
    } else {
        state.change(|ws| apply(ws, preview, now))
    };
    match applied {
        Ok(summary) => Ok(Confirmed::Done {
            summary,
            dataset: saved,
        }),
        Err(error) => match saved {
            None => Err(ConfirmError::NotApplied(error)),
            Some(meta) => Err(match take_back(meta).await {
                None => ConfirmError::NotApplied(error),
                Some(left_over) => ConfirmError::NotAppliedDatasetLeftOver {
                    error,
                    left_over: Box::new(left_over),
                },
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_says_what_was_written_and_what_is_left() {
        let not_saved = ConfirmError::DatasetNotSaved(StorageError::QuotaExceeded).to_string();
        assert!(not_saved.starts_with(
            "Nothing was written: the data set could not be saved (the browser's storage for this site is full). "
        ));
        assert!(not_saved.ends_with(StorageError::QuotaExceeded.advice()));
        assert_eq!(
            ConfirmError::NotApplied(ApplyError::NoPeriod).to_string(),
            format!("Nothing was written: {}.", ApplyError::NoPeriod)
        );
        let source = DatasetSource {
            file_name: "events.csv".into(),
            format: Platform::EventLogCsv,
            lookback_days: Some(30.0),
        };
        let dataset = crate::storage::datasets::meta_of(
            "ds-1",
            "March",
            &JourneySet::default(),
            &source,
            0,
            0,
        );
        let left = ConfirmError::NotAppliedDatasetLeftOver {
            error: ApplyError::NoPeriod,
            left_over: Box::new(LeftOver {
                dataset,
                error: StorageError::Failed("blocked".into()),
            }),
        }
        .to_string();
        assert!(
            left.contains("\u{201c}March\u{201d}") && left.contains("saving failed: blocked"),
            "{left}"
        );
        assert!(!left.starts_with("Nothing was written"));
    }
}
