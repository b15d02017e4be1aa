//! The stored layout of a workspace: the recorded metric rows in **chunks** (one stored value per
//! entry's rows, at most [`CHUNK_ROWS`] rows each) and everything else in a small **main record**,
//! so that a save encodes and writes only the chunks that changed, not every row (issue 10: an
//! edit of one entry in a workspace of 1.1 million rows wrote 214 MB).
//!
//! Pure: the stores ([`super::MemoryStore`], [`super::idb_store::IdbStore`]) apply the
//! [`SavePlan`] made here inside their own transaction and hand stored texts back to
//! [`assemble`].
//!
//! # Layout
//! - The main record (key `current`) is the workspace file's envelope with
//!   `"schema_version": 4` ([`STORED_SCHEMA_VERSION`]), the workspace **without**
//!   `performance_entries`, and `row_chunks`, the manifest: `[{"key", "entry", "rows", "bytes"}]`
//!   in the order the rows are put back together. Builds before the chunked layout read schema 4
//!   as "written by a newer Refleqt" and leave it alone, instead of loading a workspace without
//!   its rows and saving that over it. Export files stay schema 3 ([`crate::model::file::SCHEMA_VERSION`]).
//! - A chunk is a JSON array of one entry's rows (the same row objects as in the export file),
//!   stored under `rows/<entry>/<part>-<hash>`: the hash covers the chunk's rows, so a key's
//!   content never changes. A save writes the chunks whose key is not stored yet and deletes the
//!   ones the stored manifest names and the new one does not, all in one transaction with the
//!   main record and the revision.
//! - Rows come back grouped by entry (entries in ascending id order), each entry's rows in their
//!   saved order: the order within an entry and metric is what [`crate::model::performance`]
//!   reads (later wins at the same instant); the order across entries means nothing.
//!
//! The hash (two 64-bit lanes over each row's fields, with the metric's and platform's stored
//! names, never enum positions) is only computed, never trusted for reading: a chunk is read by
//! the key its manifest names and checked against the manifest's row count and entry.

use crate::model::entry::CalendarEntry;
use crate::model::file::{FileError, FORMAT, MAX_FILE_BYTES};
use crate::model::performance::{PerformanceEntry, Source};
use crate::model::prediction::Alert;
use crate::model::workspace::{AttributionResultRow, Settings, Workspace};
use refleqt_engine::imports::Platform;
use refleqt_engine::EntryId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The main record's schema: the data of [`file::SCHEMA_VERSION`] with the rows in chunks. An
/// export-schema bump must move this past it.
pub const STORED_SCHEMA_VERSION: u32 = 4;
/// At most this many rows in one chunk (about 1.6 MB of JSON): years of daily rows of one entry
/// are a few chunks, and an edit rewrites one of them.
pub const CHUNK_ROWS: usize = 8192;
/// Every chunk key starts with this.
pub const CHUNK_PREFIX: &str = "rows/";

/// One chunk as the manifest names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRef {
    pub key: String,
    pub entry: EntryId,
    pub rows: usize,
    /// Length of the stored text (for the size limit without reading it).
    pub bytes: usize,
}

/// What a save writes, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct SavePlan {
    /// The main record's text (key `current`).
    pub main: String,
    /// The new manifest (also inside `main`).
    pub manifest: Vec<ChunkRef>,
    /// Chunks to write: key and text.
    pub writes: Vec<(String, String)>,
    /// Chunk keys to delete.
    pub deletes: Vec<String>,
    /// The whole workspace's stored size (main record and every chunk), about the size of its
    /// export file.
    pub total_bytes: usize,
}

impl SavePlan {
    /// Bytes this save writes (main record and new chunks).
    pub fn written_bytes(&self) -> usize {
        self.main.len() + self.writes.iter().map(|(_, t)| t.len()).sum::<usize>()
    }
}

/// The main record read back, rows not yet attached.
#[derive(Debug, Clone, PartialEq)]
pub struct MainRecord {
    pub workspace: Workspace,
    pub manifest: Vec<ChunkRef>,
}

/// The workspace's fields except the rows, serialised as [`Workspace`] serialises them (a test
/// checks that nothing else is left out).
#[derive(Serialize)]
struct WorkspaceMainOut<'a> {
    is_demo: bool,
    next_entry_id: EntryId,
    settings: &'a Settings,
    entries: &'a [CalendarEntry],
    attribution_results: &'a [AttributionResultRow],
    alerts: &'a [Alert],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    past_artifacts: &'a [refleqt_engine::artifact::ArtifactRecord],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    beliefs: &'a [refleqt_engine::beliefs::Belief],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    ab_tests: &'a [crate::model::ab_record::AbTestRecord],
}

#[derive(Serialize)]
struct MainOut<'a> {
    format: &'static str,
    schema_version: u32,
    saved_at: i64,
    revision: u64,
    row_chunks: &'a [ChunkRef],
    workspace: WorkspaceMainOut<'a>,
}

#[derive(Deserialize)]
struct MainIn {
    row_chunks: Vec<ChunkRef>,
    workspace: Workspace,
}

/// Only the manifest of a main record (the rest is skipped unread).
#[derive(Deserialize)]
struct ManifestOnly {
    #[serde(default)]
    schema_version: Value,
    #[serde(default)]
    row_chunks: Vec<ChunkRef>,
}

/// Whether `text` is a chunked main record (otherwise it is the single-record layout of earlier
/// builds, or not readable at all). Reads only the envelope's header.
pub fn is_chunked(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Header {
        #[serde(default)]
        format: Value,
        #[serde(default)]
        schema_version: Value,
    }
    serde_json::from_str::<Header>(text).is_ok_and(|h| {
        h.format.as_str() == Some(FORMAT)
            && h.schema_version.as_u64() == Some(u64::from(STORED_SCHEMA_VERSION))
    })
}

/// The chunks a stored main record names; empty for the single-record layout or text this build
/// cannot read (its chunks, if any, are then left alone).
pub fn stored_manifest(text: &str) -> Vec<ChunkRef> {
    match serde_json::from_str::<ManifestOnly>(text) {
        Ok(m) if m.schema_version.as_u64() == Some(u64::from(STORED_SCHEMA_VERSION)) => {
            m.row_chunks
        }
        _ => Vec::new(),
    }
}

/// Plan a save of `workspace` at `revision` over storage whose main record names `stored`.
/// With `delete_unused`, stored chunks the new manifest does not name are deleted (not when the
/// stored data is being replaced while unreadable: its chunks are kept with it).
pub fn plan_save(
    workspace: &Workspace,
    saved_at: i64,
    revision: u64,
    stored: &[ChunkRef],
    delete_unused: bool,
) -> Result<SavePlan, FileError> {
    let stored_keys: HashMap<&str, &ChunkRef> =
        stored.iter().map(|c| (c.key.as_str(), c)).collect();
    let names = platform_names();
    let mut manifest = Vec::new();
    let mut writes = Vec::new();
    for (entry, indices) in group_by_entry(&workspace.performance_entries) {
        for (part, chunk) in indices.chunks(CHUNK_ROWS).enumerate() {
            let rows = chunk
                .iter()
                .filter_map(|&i| workspace.performance_entries.get(i));
            let hash = hash_rows(rows.clone(), &names);
            let key = format!("{CHUNK_PREFIX}{entry}/{part}-{hash:032x}");
            let bytes = match stored_keys.get(key.as_str()) {
                Some(known) if known.rows == chunk.len() => known.bytes,
                _ => {
                    let text = encode_rows(rows);
                    let bytes = text.len();
                    writes.push((key.clone(), text));
                    bytes
                }
            };
            manifest.push(ChunkRef {
                key,
                entry,
                rows: chunk.len(),
                bytes,
            });
        }
    }
    let deletes = if delete_unused {
        let kept: HashSet<&str> = manifest.iter().map(|c| c.key.as_str()).collect();
        stored
            .iter()
            .filter(|c| !kept.contains(c.key.as_str()))
            .map(|c| c.key.clone())
            .collect()
    } else {
        Vec::new()
    };
    let main = encode_main(workspace, saved_at, revision, &manifest);
    // The export file holds the same text, joined: a save past the file limit is refused, so
    // that whatever is stored can also be exported and imported again.
    let total_bytes = main.len() + manifest.iter().map(|c| c.bytes).sum::<usize>();
    if total_bytes > MAX_FILE_BYTES {
        return Err(FileError::TooLarge(total_bytes.div_ceil(1024 * 1024)));
    }
    Ok(SavePlan {
        main,
        manifest,
        writes,
        deletes,
        total_bytes,
    })
}

/// The main record's text.
pub fn encode_main(
    workspace: &Workspace,
    saved_at: i64,
    revision: u64,
    manifest: &[ChunkRef],
) -> String {
    let out = MainOut {
        format: FORMAT,
        schema_version: STORED_SCHEMA_VERSION,
        saved_at,
        revision,
        row_chunks: manifest,
        workspace: WorkspaceMainOut {
            is_demo: workspace.is_demo,
            next_entry_id: workspace.next_entry_id,
            settings: &workspace.settings,
            entries: &workspace.entries,
            attribution_results: &workspace.attribution_results,
            alerts: &workspace.alerts,
            past_artifacts: &workspace.past_artifacts,
            beliefs: &workspace.beliefs,
            ab_tests: &workspace.ab_tests,
        },
    };
    // Plain data with string keys: serialising cannot fail; an empty text would be refused on
    // reading, never taken for a workspace.
    serde_json::to_string(&out).unwrap_or_default()
}

/// Read a chunked main record (rows not attached yet).
pub fn decode_main(text: &str) -> Result<MainRecord, FileError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge(text.len() / (1024 * 1024)));
    }
    let main: MainIn = serde_json::from_str(text).map_err(|e| FileError::Shape(e.to_string()))?;
    if !main.workspace.performance_entries.is_empty() {
        return Err(FileError::Shape(
            "the stored main record holds metric rows outside its chunks".into(),
        ));
    }
    Ok(MainRecord {
        workspace: main.workspace,
        manifest: main.row_chunks,
    })
}

/// Put the workspace back together: `chunk` gives the stored text of each key (`None`: missing).
/// Every chunk must be there with the manifest's row count and entry; the result is validated
/// as an imported file is.
pub fn assemble(
    main: MainRecord,
    mut chunk: impl FnMut(&ChunkRef) -> Option<String>,
) -> Result<Workspace, FileError> {
    let MainRecord {
        mut workspace,
        manifest,
    } = main;
    let mut rows = Vec::with_capacity(manifest.iter().map(|c| c.rows).sum());
    for part in &manifest {
        let text = chunk(part).ok_or_else(|| FileError::MissingRows(part.key.clone()))?;
        let read: Vec<PerformanceEntry> = serde_json::from_str(&text)
            .map_err(|e| FileError::Shape(format!("stored rows {}: {e}", part.key)))?;
        if read.len() != part.rows || read.iter().any(|r| r.calendar_entry_id != part.entry) {
            return Err(FileError::Shape(format!(
                "stored rows {} do not match their manifest ({} rows of entry {})",
                part.key, part.rows, part.entry
            )));
        }
        rows.extend(read);
    }
    workspace.performance_entries = rows;
    workspace.validate()?;
    Ok(workspace)
}

/// The rows of each entry (positions into `rows`, in order), entries ascending.
fn group_by_entry(rows: &[PerformanceEntry]) -> BTreeMap<EntryId, Vec<usize>> {
    let mut groups: BTreeMap<EntryId, Vec<usize>> = BTreeMap::new();
    let mut last: Option<(EntryId, Vec<usize>)> = None;
    for (i, r) in rows.iter().enumerate() {
        // Rows of one entry usually come in runs: look the map up once per run.
        match &mut last {
            Some((id, run)) if *id == r.calendar_entry_id => run.push(i),
            _ => {
                if let Some((id, run)) = last.take() {
                    groups.entry(id).or_default().extend(run);
                }
                last = Some((r.calendar_entry_id, vec![i]));
            }
        }
    }
    if let Some((id, run)) = last {
        groups.entry(id).or_default().extend(run);
    }
    groups
}

fn encode_rows<'a>(rows: impl Iterator<Item = &'a PerformanceEntry>) -> String {
    let rows: Vec<&PerformanceEntry> = rows.collect();
    serde_json::to_string(&rows).unwrap_or_default()
}

/// The platforms' stored names, by position in [`Platform::ALL`].
fn platform_names() -> Vec<(Platform, String)> {
    Platform::ALL
        .iter()
        .map(|&p| (p, serde_json::to_string(&p).unwrap_or_default()))
        .collect()
}

/// A 128-bit hash of rows over their stored meaning (names, not enum positions).
fn hash_rows<'a>(
    rows: impl Iterator<Item = &'a PerformanceEntry>,
    platforms: &[(Platform, String)],
) -> u128 {
    let mut h = RowHasher::new();
    let mut n = 0u64;
    for r in rows {
        n += 1;
        h.word(r.calendar_entry_id);
        h.text(r.metric_type.key());
        h.word(r.metric_value.to_bits());
        h.word(r.recorded_at as u64);
        h.text(match r.source {
            Source::Manual => "manual",
            Source::Imported => "imported",
        });
        match r.platform {
            None => h.word(0),
            Some(p) => {
                let name = platforms
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map_or("", |(_, name)| name.as_str());
                h.word(1);
                h.text(name);
            }
        }
        match r.period {
            None => h.word(0),
            Some(p) => {
                h.word(1);
                h.word(p.start_ms as u64);
                h.word(p.end_ms as u64);
            }
        }
    }
    h.word(n);
    h.finish()
}

/// Two independent multiply–rotate lanes, finished with the MurmurHash3 64-bit mixer.
struct RowHasher {
    a: u64,
    b: u64,
}

impl RowHasher {
    fn new() -> RowHasher {
        RowHasher {
            a: 0x243f_6a88_85a3_08d3,
            b: 0x1319_8a2e_0370_7344,
        }
    }

    fn word(&mut self, w: u64) {
        self.a = (self.a ^ w)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
        self.b = (self.b ^ w.rotate_left(32))
            .wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            .rotate_left(31)
            .wrapping_add(self.a);
    }

    fn text(&mut self, s: &str) {
        self.word(s.len() as u64);
        for part in s.as_bytes().chunks(8) {
            let mut buf = [0u8; 8];
            buf[..part.len()].copy_from_slice(part);
            self.word(u64::from_le_bytes(buf));
        }
    }

    fn finish(&self) -> u128 {
        (u128::from(fmix(self.a ^ self.b.rotate_left(17))) << 64) | u128::from(fmix(self.b))
    }
}

fn fmix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// For the export of stored data this build cannot read: the main record with the stored chunks'
/// texts under `"stored_row_chunks"` (key → text), so nothing stored is left out. Text that is
/// not a JSON object is given back unchanged.
pub fn with_chunk_texts(main: &str, chunks: Vec<(String, String)>) -> String {
    if chunks.is_empty() {
        return main.to_owned();
    }
    match serde_json::from_str::<Value>(main) {
        Ok(Value::Object(mut object)) => {
            let texts = chunks
                .into_iter()
                .map(|(k, t)| (k, Value::String(t)))
                .collect();
            object.insert("stored_row_chunks".into(), Value::Object(texts));
            Value::Object(object).to_string()
        }
        _ => main.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::file::{self, tests::grown};
    use crate::model::metric::MetricKind;

    fn stored_map(plan: &SavePlan, into: &mut HashMap<String, String>) {
        for key in &plan.deletes {
            into.remove(key);
        }
        for (key, text) in &plan.writes {
            into.insert(key.clone(), text.clone());
        }
    }

    fn load(main: &str, chunks: &HashMap<String, String>) -> Result<Workspace, FileError> {
        assemble(decode_main(main)?, |c| chunks.get(&c.key).cloned())
    }

    /// Rows grouped by entry, as a load gives them back.
    fn grouped(ws: &Workspace) -> Workspace {
        let mut out = ws.clone();
        out.performance_entries.sort_by_key(|r| r.calendar_entry_id);
        out
    }

    #[test]
    fn the_main_record_leaves_out_only_the_rows() {
        let mut ws = grown(3, 4);
        // Fields left out when empty must be tested filled.
        ws.past_artifacts
            .push(refleqt_engine::artifact::ArtifactRecord {
                values: vec![("pageviews".into(), 10.0)],
                ..Default::default()
            });
        ws.beliefs = crate::model::belief_edit::demo_beliefs();
        ws.ab_tests = vec![crate::model::ab_record::demo_ab_test()];
        let mut whole = serde_json::to_value(&ws).unwrap_or_default();
        if let Some(o) = whole.as_object_mut() {
            o.remove("performance_entries");
        }
        let main: Value = serde_json::from_str(&encode_main(&ws, 1, 2, &[])).unwrap_or_default();
        assert_eq!(
            main["workspace"], whole,
            "a field added to Workspace must be added to the main record too"
        );
        assert_eq!(main["schema_version"], STORED_SCHEMA_VERSION);
        assert!(is_chunked(&encode_main(&ws, 1, 2, &[])));
        assert!(!is_chunked(&file::encode(&ws, 1, Some(2))));
    }

    #[test]
    fn a_save_round_trips_and_a_second_save_of_the_same_workspace_writes_no_chunk() {
        let ws = grown(5, 20);
        let first = plan_save(&ws, 1, 1, &[], true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.writes.len(), 5, "one chunk per entry");
        assert!(first.deletes.is_empty());
        let mut chunks = HashMap::new();
        stored_map(&first, &mut chunks);
        let back = load(&first.main, &chunks).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, grouped(&ws));
        let again = plan_save(&back, 2, 2, &first.manifest, true).unwrap_or_else(|e| panic!("{e}"));
        assert!(again.writes.is_empty() && again.deletes.is_empty());
        assert_eq!(again.manifest, first.manifest);
        assert_eq!(again.total_bytes, first.total_bytes);
    }

    #[test]
    fn an_edit_of_one_entry_rewrites_only_that_entrys_last_chunk() {
        // Entry 1 has more rows than one chunk holds.
        let days = (CHUNK_ROWS / 10 + 50) as i64;
        let mut ws = grown(3, days);
        let first = plan_save(&ws, 1, 1, &[], true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.manifest.len(), 6, "two chunks per entry");
        let mut chunks = HashMap::new();
        stored_map(&first, &mut chunks);
        ws.record_manual(2, &[(MetricKind::Revenue, Some(99.5))], 7)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let edit = plan_save(&ws, 2, 2, &first.manifest, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edit.writes.len(), 1);
        assert!(edit.writes[0].0.starts_with("rows/2/1-"));
        assert_eq!(edit.deletes.len(), 1);
        assert!(edit.deletes[0].starts_with("rows/2/1-"));
        assert!(edit.written_bytes() < first.written_bytes() / 4);
        stored_map(&edit, &mut chunks);
        assert_eq!(chunks.len(), 6);
        let back = load(&edit.main, &chunks).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, grouped(&ws));
        assert_eq!(
            back.value(2, MetricKind::Revenue).map(|v| v.value),
            Some(99.5)
        );

        // Deleting an entry deletes its chunks and writes none.
        ws.delete_entry(3).unwrap_or_else(|e| panic!("{e:?}"));
        let del = plan_save(&ws, 3, 3, &edit.manifest, true).unwrap_or_else(|e| panic!("{e}"));
        assert!(del.writes.is_empty());
        assert_eq!(del.deletes.len(), 2);
        // Replacing unreadable data keeps whatever it had stored.
        let keep = plan_save(&ws, 3, 3, &edit.manifest, false).unwrap_or_else(|e| panic!("{e}"));
        assert!(keep.deletes.is_empty());
    }

    #[test]
    fn interleaved_rows_load_grouped_by_entry_in_their_order_with_the_same_values() {
        let mut ws = grown(4, 3);
        // Interleave: reverse the rows, then record a manual value at the same instant twice.
        ws.performance_entries.reverse();
        ws.record_manual(1, &[(MetricKind::Cost, Some(1.0))], 50)
            .unwrap_or_else(|e| panic!("{e:?}"));
        ws.record_manual(1, &[(MetricKind::Cost, Some(2.0))], 50)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let plan = plan_save(&ws, 1, 1, &[], true).unwrap_or_else(|e| panic!("{e}"));
        let mut chunks = HashMap::new();
        stored_map(&plan, &mut chunks);
        let back = load(&plan.main, &chunks).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, grouped(&ws));
        for id in 1..=4 {
            for m in MetricKind::ALL {
                assert_eq!(back.value(id, m), ws.value(id, m), "{id} {m:?}");
            }
        }
        assert_eq!(back.value(1, MetricKind::Cost).map(|v| v.value), Some(2.0));
    }

    #[test]
    fn a_missing_or_altered_chunk_is_unreadable_not_an_empty_entry() {
        let ws = grown(2, 3);
        let plan = plan_save(&ws, 1, 1, &[], true).unwrap_or_else(|e| panic!("{e}"));
        let mut chunks = HashMap::new();
        stored_map(&plan, &mut chunks);
        let key = plan.manifest[0].key.clone();
        let text = chunks.remove(&key).unwrap_or_default();
        assert_eq!(
            load(&plan.main, &chunks),
            Err(FileError::MissingRows(key.clone()))
        );
        // A chunk with a row fewer than its manifest says.
        let mut rows: Vec<PerformanceEntry> = serde_json::from_str(&text).unwrap_or_default();
        rows.pop();
        chunks.insert(
            key.clone(),
            serde_json::to_string(&rows).unwrap_or_default(),
        );
        assert!(matches!(load(&plan.main, &chunks), Err(FileError::Shape(m)) if m.contains(&key)));
        chunks.insert(key, "[{".into());
        assert!(matches!(
            load(&plan.main, &chunks),
            Err(FileError::Shape(_))
        ));
        // Rows smuggled into the main record are refused.
        let mut main: Value = serde_json::from_str(&plan.main).unwrap_or_default();
        main["workspace"]["performance_entries"] =
            serde_json::to_value(&ws.performance_entries).unwrap_or_default();
        assert!(decode_main(&main.to_string()).is_err());
    }

    #[test]
    fn hashes_tell_apart_what_differs_in_any_field() {
        let names = platform_names();
        let ws = grown(1, 2);
        let base = hash_rows(ws.performance_entries.iter(), &names);
        let variants: [fn(&mut PerformanceEntry); 7] = [
            |r| r.metric_value += 1e-9,
            |r| r.recorded_at += 1,
            |r| r.source = Source::Manual,
            |r| r.platform = Some(Platform::MetaAdsInsights),
            |r| r.platform = None,
            |r| r.period = None,
            |r| r.metric_type = MetricKind::Replies,
        ];
        let mut seen = HashSet::from([base]);
        for change in variants {
            let mut rows = ws.performance_entries.clone();
            change(&mut rows[3]);
            assert!(seen.insert(hash_rows(rows.iter(), &names)));
        }
        let mut swapped = ws.performance_entries.clone();
        swapped.swap(0, 1);
        assert_ne!(hash_rows(swapped.iter(), &names), base, "order counts");
        assert_ne!(
            hash_rows(ws.performance_entries.iter().take(19), &names),
            base
        );
    }

    #[test]
    fn a_workspace_past_the_file_limit_is_refused_and_unreadable_text_is_exported_whole() {
        let ws = grown(1, 2);
        let fake = [ChunkRef {
            key: "rows/9/0-x".into(),
            entry: 9,
            rows: 1,
            bytes: MAX_FILE_BYTES,
        }];
        // A stored chunk of another workspace counts only if the new manifest names it; a huge
        // one named by the manifest would make the export too large.
        assert!(plan_save(&ws, 1, 1, &fake, true).is_ok());
        let mut plan = plan_save(&ws, 1, 1, &[], true).unwrap_or_else(|e| panic!("{e}"));
        plan.manifest[0].bytes = MAX_FILE_BYTES;
        let known = plan.manifest.clone();
        assert!(matches!(
            plan_save(&ws, 1, 1, &known, true),
            Err(FileError::TooLarge(_))
        ));
        let whole = with_chunk_texts(&plan.main, vec![("rows/1/0-a".into(), "[1]".into())]);
        let v: Value = serde_json::from_str(&whole).unwrap_or_default();
        assert_eq!(v["stored_row_chunks"]["rows/1/0-a"], "[1]");
        assert_eq!(
            with_chunk_texts("{broken", vec![("k".into(), "t".into())]),
            "{broken"
        );
        assert_eq!(with_chunk_texts("{}", Vec::new()), "{}");
    }

    /// Issue 10's per-edit measurement at 100 entries × 10 metrics × 3 years (1,095,000 rows):
    /// `cargo test --release -p refleqt --lib per_edit_save_measure -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement: prints sizes and times"]
    fn per_edit_save_measure() {
        use std::time::Instant;
        let mut ws = grown(100, 3 * 365);
        // As the app leaves it after its first change: predictions frozen once.
        ws.refresh_learning(98);
        let t = Instant::now();
        let single = file::encode(&ws, 1, Some(1));
        let single_time = t.elapsed();
        let t = Instant::now();
        let first = plan_save(&ws, 1, 1, &[], true).unwrap_or_else(|e| panic!("{e}"));
        let first_time = t.elapsed();
        let t = Instant::now();
        ws.record_manual(42, &[(MetricKind::Revenue, Some(1234.0))], 99)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let record_time = t.elapsed();
        let t = Instant::now();
        ws.recalculate_attribution(99);
        let recalc_time = t.elapsed();
        let t = Instant::now();
        ws.refresh_learning(99);
        let learning_time = t.elapsed();
        let change_time = record_time + recalc_time + learning_time;
        let t = Instant::now();
        let index = crate::model::workspace::ValueIndex::of(&ws);
        let index_time = t.elapsed();
        let t = Instant::now();
        let scanned = ws.value(42, MetricKind::Revenue);
        let scan_time = t.elapsed();
        assert_eq!(index.value(42, MetricKind::Revenue), scanned);
        let t = Instant::now();
        let edit = plan_save(&ws, 2, 2, &first.manifest, true).unwrap_or_else(|e| panic!("{e}"));
        let edit_time = t.elapsed();
        let t = Instant::now();
        let cloned = ws.clone();
        let clone_time = t.elapsed();
        let mut chunks = HashMap::new();
        stored_map(&first, &mut chunks);
        stored_map(&edit, &mut chunks);
        let t = Instant::now();
        let back = load(&edit.main, &chunks).unwrap_or_else(|e| panic!("{e}"));
        let load_time = t.elapsed();
        println!(
            "rows {} | before: single record {:.1} MB encoded in {single_time:?} per save | \
             chunked first save {} chunks {:.1} MB in {first_time:?} | edit: {} chunk(s) written, \
             {} deleted, {:.2} MB written (main {:.3} MB), planned in {edit_time:?} | change + \
             recalculate + learning {change_time:?} (record {record_time:?}, recalculate \
             {recalc_time:?}, learning {learning_time:?}) | value index {index_time:?} (one \
             Workspace::value scan {scan_time:?}) | workspace clone {clone_time:?} | load \
             {load_time:?}",
            ws.performance_entries.len(),
            single.len() as f64 / 1_048_576.0,
            first.manifest.len(),
            first.total_bytes as f64 / 1_048_576.0,
            edit.writes.len(),
            edit.deletes.len(),
            edit.written_bytes() as f64 / 1_048_576.0,
            edit.main.len() as f64 / 1_048_576.0,
        );
        assert_eq!(
            back.performance_entries.len(),
            cloned.performance_entries.len()
        );
        assert_eq!(edit.writes.len(), 1);
    }
}
