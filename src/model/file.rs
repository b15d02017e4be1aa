//! The workspace file: one versioned JSON layout used both for export/import and for what the
//! storage layer keeps, and the forward migrations from older layouts.
//!
//! ```json
//! { "format": "refleqt-workspace", "schema_version": 3, "saved_at": 1735689600000,
//!   "revision": 7, "workspace": { ... } }
//! ```
//!
//! Reading never trusts the file: the marker, the version, the shape and every rule of
//! [`Workspace::validate`] are checked before a [`Workspace`] is handed out, so a bad or foreign
//! file is refused whole with the reason and nothing is replaced. `revision` is only written by the
//! storage layer (it detects two tabs writing at once); exports leave it out.
//!
//! Schema history:
//! - **1**: entries carry `id`, `url` and their metric values inline (`"metrics": {"pageviews":
//!   2847}`); settings are top-level (`currency`, `demo`, `next_id`).
//! - **2**: `entry_id`/`destination_url`; values are dated rows in
//!   `performance_entries` with their source; `attribution_results`; `settings`.
//! - **3** (current): `settings.channel_mapping` (channel → utm_source/utm_medium, for links and
//!   import matching); imported rows may carry `platform` and `period` (a re-import of the same
//!   platform and period replaces them). A schema-2 build would drop those fields on saving and
//!   then duplicate re-imports, so it must refuse schema 3 ("written by a newer Refleqt").
//! - **4** is taken by storage only (`storage::chunked`: schema-3 data with the metric rows in
//!   separate chunks); export files are never schema 4, and the next export schema is 5.

use super::workspace::{Workspace, WorkspaceError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use thiserror::Error;

/// The marker that says "this is a Refleqt workspace".
pub const FORMAT: &str = "refleqt-workspace";
/// The layout this build writes.
pub const SCHEMA_VERSION: u32 = 3;
/// Files above this size are refused before parsing, and a save that would write more is refused
/// too (so that whatever is saved can be loaded again). Below a browser's longest string (about
/// 512 MB in Chromium).
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// Workspaces with more recorded rows than this are written without indentation (a third of the
/// size); smaller ones stay easy to read in an editor.
const PRETTY_MAX_ROWS: usize = 10_000;
/// ... and only while the compact text is at most this long: indentation can triple a file, and
/// a save is checked against the compact size, so a workspace that saves (with few rows but, say,
/// long notes) must not export past [`MAX_FILE_BYTES`] and be refused on import.
const PRETTY_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Why a file could not be read as a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large ({0} MB; at most {max} MB)", max = MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge(usize),
    #[error("the file is not valid JSON ({0})")]
    NotJson(String),
    #[error(
        "this is not a Refleqt workspace file (it has no \"format\": \"refleqt-workspace\" marker)"
    )]
    Foreign,
    #[error("the file has no valid \"schema_version\"")]
    NoVersion,
    #[error("the file was written by a newer Refleqt (schema {found}; this version reads up to {supported}); update the app first")]
    TooNew { found: u64, supported: u32 },
    #[error("the file could not be upgraded from schema {from}: {reason}")]
    Migration { from: u32, reason: String },
    #[error("the file's content has the wrong shape: {0}")]
    Shape(String),
    #[error("part of the recorded metrics is missing from storage ({0})")]
    MissingRows(String),
    #[error("the workspace in the file is inconsistent: {0}")]
    Invalid(#[from] WorkspaceError),
}

/// A workspace read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub workspace: Workspace,
    /// The schema the file was written with (older than [`SCHEMA_VERSION`] means it was migrated).
    pub schema_version: u32,
    /// The storage revision, when the file came from storage.
    pub revision: Option<u64>,
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'static str,
    schema_version: u32,
    saved_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<u64>,
    workspace: &'a Workspace,
}

/// The envelope's marker and version; everything else is skipped unread.
#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    format: Value,
    #[serde(default)]
    schema_version: Value,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    #[serde(default)]
    revision: Option<u64>,
    workspace: Workspace,
}

/// The workspace as a current-schema file. `revision` is for storage; exports pass `None`.
pub fn encode(workspace: &Workspace, saved_at: i64, revision: Option<u64>) -> String {
    let envelope = EnvelopeOut {
        format: FORMAT,
        schema_version: SCHEMA_VERSION,
        saved_at,
        revision,
        workspace,
    };
    // Serialising plain data with string keys cannot fail; an empty string would be refused on
    // reading, never taken for a workspace.
    let compact = serde_json::to_string(&envelope).unwrap_or_default();
    if workspace.performance_entries.len() > PRETTY_MAX_ROWS || compact.len() > PRETTY_MAX_BYTES {
        compact
    } else {
        serde_json::to_string_pretty(&envelope).unwrap_or_default()
    }
}

/// Refuse to store `text` when [`decode`] would refuse to read it back for its size.
pub fn check_size(text: &str) -> Result<(), FileError> {
    if text.len() > MAX_FILE_BYTES {
        Err(FileError::TooLarge(text.len().div_ceil(1024 * 1024)))
    } else {
        Ok(())
    }
}

/// Refuse a chosen file by the size the browser reports for it, before a byte is read (reading
/// it would hold it twice, as a browser string and as the app's text, only to refuse it then).
pub fn check_file_size(bytes: f64) -> Result<(), FileError> {
    if bytes > MAX_FILE_BYTES as f64 {
        Err(FileError::TooLarge((bytes / 1_048_576.0).ceil() as usize))
    } else {
        Ok(())
    }
}

/// Read a workspace file of any known schema, migrating it forward (`now` dates migrated rows).
pub fn decode(text: &str, now: i64) -> Result<Decoded, FileError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge(text.len() / (1024 * 1024)));
    }
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    // The envelope first, skipping the workspace: a current-schema file (every stored workspace)
    // is then read straight into its types, without a JSON tree of every row in between (10 s
    // instead of under 1 s for a million recorded rows).
    if !text.trim_start().starts_with('{') {
        // JSON, but not an object: not ours (or not JSON at all).
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => FileError::Foreign,
            Err(e) => FileError::NotJson(e.to_string()),
        });
    }
    let header: Header = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => FileError::Foreign,
        _ => FileError::NotJson(e.to_string()),
    })?;
    if header.format.as_str() != Some(FORMAT) {
        return Err(FileError::Foreign);
    }
    let found = header.schema_version.as_u64().ok_or(FileError::NoVersion)?;
    if found == 0 {
        return Err(FileError::NoVersion);
    }
    if found > u64::from(SCHEMA_VERSION) {
        return Err(FileError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == u64::from(SCHEMA_VERSION) {
        let envelope: EnvelopeIn =
            serde_json::from_str(text).map_err(|e| FileError::Shape(e.to_string()))?;
        envelope.workspace.validate()?;
        return Ok(Decoded {
            workspace: envelope.workspace,
            schema_version: SCHEMA_VERSION,
            revision: envelope.revision,
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| FileError::NotJson(e.to_string()))?;
    let from = found as u32;
    let value = migrate(value, from, now)?;
    let envelope: EnvelopeIn =
        serde_json::from_value(value).map_err(|e| FileError::Shape(e.to_string()))?;
    envelope.workspace.validate()?;
    Ok(Decoded {
        workspace: envelope.workspace,
        schema_version: from,
        revision: envelope.revision,
    })
}

/// Bring a file of schema `from` to [`SCHEMA_VERSION`], one step at a time.
pub fn migrate(mut value: Value, from: u32, now: i64) -> Result<Value, FileError> {
    let mut version = from;
    while version < SCHEMA_VERSION {
        value = match version {
            1 => v1_to_v2(value, now).map_err(|reason| FileError::Migration { from: 1, reason })?,
            2 => v2_to_v3(value).map_err(|reason| FileError::Migration { from: 2, reason })?,
            other => {
                return Err(FileError::Migration {
                    from: other,
                    reason: "no migration is known".into(),
                })
            }
        };
        version += 1;
    }
    Ok(value)
}

/// Schema 1 → 2: rename ids and URLs, move inline metric values to dated manual rows, group
/// settings. Values keep their numbers; `recorded_at` is the migration time (schema 1 had none).
pub fn v1_to_v2(mut file: Value, now: i64) -> Result<Value, String> {
    let root = file.as_object_mut().ok_or("not an object")?;
    let old = root.remove("workspace").ok_or("no \"workspace\"")?;
    let old = old.as_object().ok_or("\"workspace\" is not an object")?;
    let mut entries = Vec::new();
    let mut rows = Vec::new();
    let old_entries = match old.get("entries") {
        None => Vec::new(),
        Some(v) => v.as_array().ok_or("\"entries\" is not a list")?.clone(),
    };
    for (i, e) in old_entries.into_iter().enumerate() {
        let Value::Object(mut e) = e else {
            return Err(format!("entry {} is not an object", i + 1));
        };
        let id = e
            .remove("id")
            .and_then(|v| v.as_u64())
            .ok_or(format!("entry {} has no numeric \"id\"", i + 1))?;
        if let Some(metrics) = e.remove("metrics") {
            let metrics = metrics
                .as_object()
                .ok_or(format!("entry {id}: \"metrics\" is not an object"))?;
            for (key, v) in metrics {
                if super::metric::MetricKind::from_key(key).is_none() {
                    return Err(format!("entry {id}: unknown metric {key:?}"));
                }
                let number = v
                    .as_f64()
                    .ok_or(format!("entry {id}: {key} is not a number"))?;
                rows.push(json!({
                    "calendar_entry_id": id,
                    "metric_type": key,
                    "metric_value": number,
                    "recorded_at": now,
                    "source": "manual",
                }));
            }
        }
        let mut out = Map::new();
        out.insert("entry_id".into(), id.into());
        if let Some(url) = e.remove("url") {
            out.insert("destination_url".into(), url);
        }
        out.extend(e);
        entries.push(Value::Object(out));
    }
    let next = old
        .get("next_id")
        .and_then(Value::as_u64)
        .ok_or("no numeric \"next_id\"")?;
    let currency = old.get("currency").cloned().unwrap_or_else(|| "USD".into());
    let demo = old.get("demo").and_then(Value::as_bool).unwrap_or(false);
    root.insert(
        "workspace".into(),
        json!({
            "is_demo": demo,
            "next_entry_id": next,
            "settings": { "currency": currency },
            "entries": entries,
            "performance_entries": rows,
            "attribution_results": [],
        }),
    );
    root.insert("schema_version".into(), 2.into());
    Ok(file)
}

/// Schema 2 → 3: the default channel mapping is written into `settings` (schema 2 had none, and
/// links were not built yet). Performance rows are unchanged: rows without `platform`/`period`
/// keep the rule "latest imported row wins".
pub fn v2_to_v3(mut file: Value) -> Result<Value, String> {
    let root = file.as_object_mut().ok_or("not an object")?;
    let ws = root
        .get_mut("workspace")
        .and_then(Value::as_object_mut)
        .ok_or("no \"workspace\" object")?;
    let settings = ws
        .entry("settings")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or("\"settings\" is not an object")?;
    if !settings.contains_key("channel_mapping") {
        let mapping = serde_json::to_value(refleqt_engine::links::default_channel_mapping())
            .map_err(|e| e.to_string())?;
        settings.insert("channel_mapping".into(), mapping);
    }
    root.insert("schema_version".into(), 3.into());
    Ok(file)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::entry::EntryForm;
    use crate::model::metric::MetricKind;
    use crate::model::performance::Source;

    /// `entries` entries, each with `days` daily imported rows of ten metrics (as years of platform
    /// imports leave them).
    pub(crate) fn grown(entries: usize, days: i64) -> Workspace {
        use crate::model::performance::PerformanceEntry;
        use refleqt_engine::imports::{Period, Platform};
        let mut ws = Workspace::empty();
        let metrics = [
            MetricKind::Impressions,
            MetricKind::Clicks,
            MetricKind::Ctr,
            MetricKind::Purchases,
            MetricKind::Revenue,
            MetricKind::Cost,
            MetricKind::Pageviews,
            MetricKind::Signups,
            MetricKind::Opens,
            MetricKind::Shares,
        ];
        for e in 0..entries {
            let draft = EntryForm {
                title: format!("Artifact {e}"),
                channel_choice: "Blog / organic".into(),
                publish_date: "2023-01-01".into(),
                ..EntryForm::default()
            }
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}"));
            let id = ws.add_entry(draft);
            for day in 0..days {
                let at = 1_672_531_200_000 + day * 86_400_000;
                for (k, metric) in metrics.iter().enumerate() {
                    let value = if *metric == MetricKind::Ctr {
                        ((day + k as i64) % 100) as f64 / 10.0
                    } else {
                        ((day * 7 + k as i64 * 13 + e as i64) % 5000) as f64
                    };
                    ws.performance_entries.push(PerformanceEntry {
                        platform: Some(Platform::GoogleAdsCsv),
                        period: Some(Period::day(at)),
                        ..PerformanceEntry::new(id, *metric, value, at, Source::Imported)
                    });
                }
            }
        }
        ws.recalculate_attribution(7);
        ws
    }

    #[test]
    fn a_workspace_with_few_rows_but_much_text_is_written_compactly() {
        let mut ws = grown(3_500, 0);
        let small = encode(&ws, 1, None);
        assert!(small.contains("\n  "), "small files stay indented");
        // Long notes: no rows at all, but a compact text past the indentation bound.
        let notes = "x".repeat(4_900);
        for e in &mut ws.entries {
            e.notes = notes.clone();
        }
        let big = encode(&ws, 1, None);
        assert!(big.len() > PRETTY_MAX_BYTES);
        assert!(!big.contains("\n  "));
        let back = decode(&big, 2).map(|d| d.workspace);
        assert!(back.as_ref() == Ok(&ws), "{:?}", back.err());
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_its_size_alone() {
        assert_eq!(check_file_size(MAX_FILE_BYTES as f64), Ok(()));
        assert_eq!(check_file_size(0.0), Ok(()));
        let refused = check_file_size(300.0 * 1_048_576.0 + 1.0);
        assert_eq!(refused, Err(FileError::TooLarge(301)));
        assert_eq!(
            refused.err().map(|e| e.to_string()).unwrap_or_default(),
            "the file is too large (301 MB; at most 256 MB)"
        );
    }

    #[test]
    fn a_grown_workspace_saves_compactly_and_loads_back_the_same() {
        let ws = grown(20, 60);
        let text = encode(&ws, 9, Some(3));
        assert!(check_size(&text).is_ok());
        assert!(
            !text.contains("\n  "),
            "large workspaces are written without indentation"
        );
        let back = decode(&text, 10).expect("what was saved loads");
        assert_eq!(back.workspace, ws);
        // A save past the load limit is refused instead of writing what could not load.
        let huge = "x".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(check_size(&huge), Err(FileError::TooLarge(257)));
        assert!(matches!(decode(&huge, 0), Err(FileError::TooLarge(_))));
    }

    /// The measurement of issue 10: 100 entries × 10 metrics × 3 years of daily rows.
    /// `cargo test --release -p refleqt --lib grown_workspace_measure -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement: prints sizes and times"]
    fn grown_workspace_measure() {
        use std::time::Instant;
        let t = Instant::now();
        let mut ws = grown(100, 3 * 365);
        let built = t.elapsed();
        let t = Instant::now();
        let text = encode(&ws, 9, Some(3));
        let encoded = t.elapsed();
        let t = Instant::now();
        let back = decode(&text, 10).expect("what was saved loads");
        let decoded = t.elapsed();
        let t = Instant::now();
        ws.recalculate_attribution(11);
        let recalculated = t.elapsed();
        println!(
            "rows {} | stored {:.1} MB (limit {} MB) | build {built:?} | encode {encoded:?} | decode+validate {decoded:?} | recalculate {recalculated:?}",
            ws.performance_entries.len(),
            text.len() as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        );
        assert_eq!(
            back.workspace.performance_entries.len(),
            ws.performance_entries.len()
        );
    }

    fn sample() -> Workspace {
        let mut ws = Workspace::empty();
        let draft = EntryForm {
            title: "Q1 Product Launch Blog".into(),
            channel_choice: "Blog / organic".into(),
            publish_date: "2025-03-14".into(),
            ..EntryForm::default()
        }
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
        let id = ws.add_entry(draft);
        ws.record_manual(
            id,
            &[
                (MetricKind::Revenue, Some(4200.0)),
                (MetricKind::Cost, Some(150.0)),
            ],
            5,
        )
        .expect("the sample values fit");
        ws.recalculate_attribution(6);
        ws
    }

    fn v1_file() -> String {
        json!({
            "format": FORMAT,
            "schema_version": 1,
            "workspace": {
                "currency": "EUR",
                "demo": false,
                "next_id": 3,
                "entries": [{
                    "id": 2,
                    "title": "Spring webinar",
                    "channel": "Webinar",
                    "campaign": "Spring",
                    "publish_date": "2025-04-02",
                    "url": "https://example.com/webinar",
                    "cost": 300.0,
                    "metrics": { "signups": 40, "revenue": 1200.5 }
                }]
            }
        })
        .to_string()
    }

    #[test]
    fn export_round_trips() {
        let ws = sample();
        let text = encode(&ws, 99, None);
        assert!(!text.contains("\"revision\""));
        let back = decode(&text, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.workspace, ws);
        assert_eq!((back.schema_version, back.revision), (SCHEMA_VERSION, None));
        let stored = decode(&encode(&ws, 99, Some(7)), 100).map(|d| d.revision);
        assert_eq!(stored, Ok(Some(7)));
    }

    #[test]
    fn schema_1_migrates_to_the_current_layout() {
        let back = decode(&v1_file(), 1234).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.schema_version, 1);
        let ws = back.workspace;
        assert_eq!(ws.settings.currency, "EUR");
        assert_eq!(ws.next_entry_id, 3);
        let entry = ws.entry(2).cloned().unwrap_or_else(|| panic!("entry 2"));
        assert_eq!(entry.destination_url, "https://example.com/webinar");
        assert_eq!(entry.cost, Some(300.0));
        let revenue = ws.value(2, MetricKind::Revenue);
        assert_eq!(
            revenue.map(|v| (v.value, v.source, v.recorded_at)),
            Some((1200.5, Source::Manual, 1234))
        );
        assert_eq!(
            ws.value(2, MetricKind::Signups).map(|v| v.value),
            Some(40.0)
        );
    }

    #[test]
    fn schema_2_migrates_to_3_with_the_default_channel_mapping() {
        let mut v2: Value = serde_json::from_str(&encode(&sample(), 1, None)).unwrap_or_default();
        v2["schema_version"] = 2.into();
        let settings = v2["workspace"]["settings"].as_object_mut();
        settings.map(|s| s.remove("channel_mapping"));
        let text = v2.to_string();
        assert!(!text.contains("channel_mapping"));
        let back = decode(&text, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.schema_version, 2);
        assert_eq!(
            back.workspace.settings.channel_mapping,
            refleqt_engine::links::default_channel_mapping()
        );
        assert_eq!(back.workspace, sample());
        // A customised mapping is kept; a settings-less file gets the defaults.
        let mut custom = v2.clone();
        custom["workspace"]["settings"]["channel_mapping"] =
            json!([{"channel": "LinkedIn", "source": "li", "medium": "social"}]);
        let migrated = v2_to_v3(custom).unwrap_or_default();
        assert_eq!(
            migrated["workspace"]["settings"]["channel_mapping"][0]["source"],
            "li"
        );
        assert_eq!(migrated["schema_version"], 3);
        assert!(v2_to_v3(json!({"workspace": 3})).is_err());
    }

    #[test]
    fn migration_steps_are_pure_and_refuse_what_they_cannot_map() {
        let file: Value = serde_json::from_str(&v1_file()).unwrap_or_default();
        assert_eq!(v1_to_v2(file.clone(), 7), v1_to_v2(file.clone(), 7));
        let mut bad = file.clone();
        bad["workspace"]["entries"][0]["metrics"]["followers"] = 3.into();
        assert!(matches!(v1_to_v2(bad, 7), Err(reason) if reason.contains("followers")));
        let mut bad = file;
        bad["workspace"]["entries"][0]["id"] = "two".into();
        assert!(v1_to_v2(bad, 7).is_err());
    }

    fn refused(text: &str) -> FileError {
        match decode(text, 0) {
            Ok(d) => panic!("accepted {:?}", d.workspace),
            Err(e) => e,
        }
    }

    #[test]
    fn bad_and_foreign_files_are_refused_with_the_reason() {
        assert_eq!(refused(""), FileError::Empty);
        assert!(matches!(refused("{not json"), FileError::NotJson(_)));
        assert_eq!(refused("[1,2,3]"), FileError::Foreign);
        assert_eq!(
            refused(r#"{"name":"some other app","version":1}"#),
            FileError::Foreign
        );
        assert_eq!(
            refused(r#"{"format":"refleqt-workspace"}"#),
            FileError::NoVersion
        );
        assert_eq!(
            refused(r#"{"format":"refleqt-workspace","schema_version":9,"workspace":{}}"#),
            FileError::TooNew {
                found: 9,
                supported: SCHEMA_VERSION
            }
        );
        assert!(matches!(
            refused(
                r#"{"format":"refleqt-workspace","schema_version":2,"workspace":{"entries":"x"}}"#
            ),
            FileError::Shape(_)
        ));
        let mut text = encode(&sample(), 0, None);
        text = text.replace("\"next_entry_id\": 2", "\"next_entry_id\": 1");
        assert!(matches!(
            refused(&text),
            FileError::Invalid(WorkspaceError::IdNotBelowNext { .. })
        ));
        let text = encode(&sample(), 0, None).replace("2025-03-14", "2025-02-30");
        assert!(
            matches!(refused(&text), FileError::Shape(reason) if reason.contains("2025-02-30"))
        );
        for e in [FileError::Foreign, FileError::NoVersion, FileError::Empty] {
            assert!(!e.to_string().is_empty());
        }
    }
}
