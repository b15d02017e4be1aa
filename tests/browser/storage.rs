//! Browser tests of storage: the workspace in real IndexedDB (round trip, migration from an older
//! schema, two writers), and a failed import through the Settings page leaving data intact.

use crate::support::{
    choose_file, fresh_name, fresh_static_name, set_hash, until, wait_for, wait_for_text, wrapper,
};
use leptos::prelude::*;
use refleqt::app::AppWith;
use refleqt::model::entry::EntryForm;
use refleqt::model::file::{self, SCHEMA_VERSION};
use refleqt::model::metric::MetricKind;
use refleqt::model::performance::Source;
use refleqt::model::workspace::Workspace;
use refleqt::storage::idb_store::IdbStore;
use refleqt::storage::{Base, StorageError, WorkspaceStore};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn sample() -> Workspace {
    let mut ws = Workspace::empty();
    let draft = EntryForm {
        title: "Q1 Product Launch Blog".into(),
        channel_choice: "Blog / organic".into(),
        publish_date: "2025-03-14".into(),
        ..EntryForm::default()
    }
    .parse()
    .expect("valid form");
    let id = ws.add_entry(draft);
    ws.record_manual(
        id,
        &[
            (MetricKind::Pageviews, Some(2847.0)),
            (MetricKind::TimeOnPage, Some(222.0)),
            (MetricKind::Revenue, Some(4200.0)),
            (MetricKind::Cost, Some(150.0)),
        ],
        1_000,
    )
    .expect("values fit");
    ws.recalculate_attribution(2_000);
    ws
}

#[wasm_bindgen_test]
async fn workspace_round_trips_through_indexeddb() {
    let name = fresh_name("roundtrip");
    let store = IdbStore::open(&name).await.expect("IndexedDB opens");
    assert_eq!(
        store.load(0).await,
        Ok(None),
        "a new database holds nothing"
    );
    let ws = sample();
    assert_eq!(store.save(&ws, Base::Fresh, 5_000).await, Ok(1));
    store.close();
    // A new connection, as after a reload.
    let again = IdbStore::open(&name).await.expect("reopens");
    let loaded = again
        .load(6_000)
        .await
        .expect("loads")
        .expect("something stored");
    assert_eq!(loaded.workspace, ws);
    assert_eq!(loaded.revision, 1);
    assert_eq!(loaded.migrated_from, None);
    again.close();
}

#[wasm_bindgen_test]
async fn two_connections_cannot_overwrite_each_other() {
    let name = fresh_name("conflict");
    let tab_a = IdbStore::open(&name).await.expect("opens");
    let tab_b = IdbStore::open(&name).await.expect("opens");
    let mut ws = sample();
    assert_eq!(tab_a.save(&ws, Base::Fresh, 1).await, Ok(1));
    let base = tab_b
        .load(2)
        .await
        .expect("loads")
        .map(|l| l.revision)
        .expect("stored");
    ws.settings.currency = "EUR".into();
    assert_eq!(tab_a.save(&ws, Base::Revision(1), 3).await, Ok(2));
    ws.settings.currency = "GBP".into();
    assert_eq!(
        tab_b.save(&ws, Base::Revision(base), 4).await,
        Err(StorageError::Conflict { stored: 2 })
    );
    let stored = tab_b.load(5).await.expect("loads").expect("stored");
    assert_eq!(
        stored.workspace.settings.currency, "EUR",
        "the refused save changed nothing"
    );
    assert_eq!(tab_b.save(&ws, Base::Overwrite, 6).await, Ok(3));
    tab_a.close();
    tab_b.close();
}

#[wasm_bindgen_test]
async fn data_written_by_schema_1_loads_after_migration() {
    let name = fresh_name("migration");
    let store = IdbStore::open(&name).await.expect("opens");
    // What a schema-1 build left in IndexedDB.
    let v1 = serde_json::json!({
        "format": "refleqt-workspace",
        "schema_version": 1,
        "workspace": {
            "currency": "EUR",
            "demo": false,
            "next_id": 5,
            "entries": [{
                "id": 4,
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
    .to_string();
    store.put_raw(&v1, 3).await.expect("raw write");
    let loaded = store.load(9_000).await.expect("loads").expect("stored");
    assert_eq!(loaded.migrated_from, Some(1));
    assert_eq!(loaded.revision, 3);
    let ws = &loaded.workspace;
    assert_eq!(ws.settings.currency, "EUR");
    assert_eq!(
        ws.entry(4).map(|e| e.destination_url.as_str()),
        Some("https://example.com/webinar")
    );
    let revenue = ws.value(4, MetricKind::Revenue).expect("migrated value");
    assert_eq!(
        (revenue.value, revenue.source, revenue.recorded_at),
        (1200.5, Source::Manual, 9_000)
    );
    assert_eq!(
        store
            .get_text("backup-schema-1")
            .await
            .expect("reads")
            .as_deref(),
        Some(v1.as_str()),
        "the original is kept before anything is saved over it"
    );
    // Saving writes the current schema; the next load needs no migration.
    assert_eq!(store.save(ws, Base::Revision(3), 10_000).await, Ok(4));
    let again = store.load(11_000).await.expect("loads").expect("stored");
    assert_eq!(again.migrated_from, None);
    assert_eq!(&again.workspace, ws);
    let text = store
        .get_text("current")
        .await
        .expect("reads")
        .expect("stored");
    // The stored main record: the current data schema in the chunked layout.
    assert!(text.contains(&format!(
        "\"schema_version\":{}",
        refleqt::storage::chunked::STORED_SCHEMA_VERSION
    )));
    assert_eq!(
        SCHEMA_VERSION + 1,
        refleqt::storage::chunked::STORED_SCHEMA_VERSION
    );
    store.close();
}

/// `entries` entries with `days` daily imported rows of four metrics each.
fn with_rows(entries: usize, days: i64) -> Workspace {
    use refleqt::model::performance::PerformanceEntry;
    let mut ws = Workspace::empty();
    for e in 0..entries {
        let draft = EntryForm {
            title: format!("Artifact {e}"),
            channel_choice: "Blog / organic".into(),
            publish_date: "2024-01-01".into(),
            ..EntryForm::default()
        }
        .parse()
        .expect("valid form");
        let id = ws.add_entry(draft);
        for day in 0..days {
            let at = 1_704_067_200_000 + day * 86_400_000;
            for (k, metric) in [
                MetricKind::Impressions,
                MetricKind::Clicks,
                MetricKind::Cost,
                MetricKind::Revenue,
            ]
            .into_iter()
            .enumerate()
            {
                let value = ((day * 7 + k as i64 * 13 + e as i64) % 500) as f64;
                ws.performance_entries.push(PerformanceEntry::new(
                    id,
                    metric,
                    value,
                    at,
                    Source::Imported,
                ));
            }
        }
    }
    ws.recalculate_attribution(1);
    ws
}

/// The rows as a load gives them back: grouped by entry, each entry's in order.
fn grouped(ws: &Workspace) -> Workspace {
    let mut out = ws.clone();
    out.performance_entries.sort_by_key(|r| r.calendar_entry_id);
    out
}

fn chunk_keys(keys: &[String]) -> Vec<&String> {
    keys.iter()
        .filter(|k| k.starts_with(refleqt::storage::chunked::CHUNK_PREFIX))
        .collect()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
async fn an_edit_of_one_entry_writes_one_chunk_and_everything_loads_back() {
    let name = fresh_name("chunks");
    let store = IdbStore::open(&name).await.expect("opens");
    // 40 entries × 4 metrics × 2 years: 116,800 rows.
    let mut ws = with_rows(40, 730);
    let t = now_ms();
    assert_eq!(store.save(&ws, Base::Fresh, 1).await, Ok(1));
    let first_ms = now_ms() - t;
    let first = store.last_save().expect("stats");
    assert_eq!(first.written_chunks, 40);
    assert_eq!(chunk_keys(&store.keys().await.expect("keys")).len(), 40);

    ws.record_manual(17, &[(MetricKind::Revenue, Some(123.0))], 2)
        .expect("fits");
    let t = now_ms();
    assert_eq!(store.save(&ws, Base::Revision(1), 3).await, Ok(2));
    let edit_ms = now_ms() - t;
    let edit = store.last_save().expect("stats");
    assert_eq!((edit.written_chunks, edit.deleted_chunks), (1, 1));
    assert!(
        edit.written_bytes * 20 < first.written_bytes,
        "{edit:?} vs {first:?}"
    );
    assert_eq!(chunk_keys(&store.keys().await.expect("keys")).len(), 40);
    web_sys::console::log_1(
        &format!(
            "chunked save, {} rows: first {first_ms:.0} ms ({} bytes), one edit {edit_ms:.0} ms \
             ({} bytes)",
            ws.performance_entries.len(),
            first.written_bytes,
            edit.written_bytes
        )
        .into(),
    );
    store.close();

    let again = IdbStore::open(&name).await.expect("reopens");
    let loaded = again.load(4).await.expect("loads").expect("stored");
    assert_eq!(loaded.revision, 2);
    assert_eq!(loaded.workspace, grouped(&ws));
    assert_eq!(
        loaded
            .workspace
            .value(17, MetricKind::Revenue)
            .map(|v| v.value),
        Some(123.0)
    );
    again.close();
}

#[wasm_bindgen_test]
async fn the_single_record_layout_of_earlier_builds_loads_and_the_next_save_chunks_it() {
    let name = fresh_name("layout");
    let store = IdbStore::open(&name).await.expect("opens");
    let ws = with_rows(3, 20);
    // What every build before the chunked layout left: the whole workspace under `current`.
    let single = file::encode(&ws, 1, Some(5));
    store.put_raw(&single, 5).await.expect("raw write");
    let loaded = store.load(2).await.expect("loads").expect("stored");
    assert_eq!((loaded.revision, loaded.migrated_from), (5, None));
    assert_eq!(loaded.workspace, ws);
    assert_eq!(
        store.save(&loaded.workspace, Base::Revision(5), 3).await,
        Ok(6)
    );
    let keys = store.keys().await.expect("keys");
    assert_eq!(chunk_keys(&keys).len(), 3);
    let main = store
        .get_text("current")
        .await
        .expect("reads")
        .expect("main");
    assert!(
        main.len() * 4 < single.len(),
        "the rows left the main record"
    );
    assert!(!keys.iter().any(|k| k.starts_with("backup-")));
    let again = store.load(4).await.expect("loads").expect("stored");
    assert_eq!(again.workspace, ws);
    assert_eq!(again.revision, 6);
    store.close();
}

#[wasm_bindgen_test]
async fn a_stale_tab_cannot_overwrite_chunks_and_keeping_its_version_leaves_no_chunk_behind() {
    let name = fresh_name("chunk-conflict");
    let tab_a = IdbStore::open(&name).await.expect("opens");
    let tab_b = IdbStore::open(&name).await.expect("opens");
    let mut ws = with_rows(4, 30);
    assert_eq!(tab_a.save(&ws, Base::Fresh, 1).await, Ok(1));
    let base = tab_b
        .load(2)
        .await
        .expect("loads")
        .expect("stored")
        .revision;
    let mut mine = ws.clone();

    ws.record_manual(2, &[(MetricKind::Cost, Some(9.0))], 3)
        .expect("fits");
    assert_eq!(tab_a.save(&ws, Base::Revision(base), 3).await, Ok(2));
    let keys_after_a = tab_b.keys().await.expect("keys");

    mine.delete_entry(3).expect("exists");
    assert_eq!(
        tab_b.save(&mine, Base::Revision(base), 4).await,
        Err(StorageError::Conflict { stored: 2 })
    );
    assert_eq!(
        tab_b.keys().await.expect("keys"),
        keys_after_a,
        "the refused save wrote and deleted nothing"
    );
    let stored = tab_b.load(5).await.expect("loads").expect("stored");
    assert_eq!(stored.workspace, grouped(&ws));

    // The user keeps tab B's version: tab A's changed chunk and entry 3's chunk go.
    assert_eq!(tab_b.save(&mine, Base::Overwrite, 6).await, Ok(3));
    assert_eq!(chunk_keys(&tab_b.keys().await.expect("keys")).len(), 3);
    let last = tab_a.load(7).await.expect("loads").expect("stored");
    assert_eq!(last.workspace, grouped(&mine));
    tab_a.close();
    tab_b.close();
}

fn count_rows(root: &web_sys::Element) -> u32 {
    root.query_selector_all("[data-testid=entry-row]")
        .map(|l| l.length())
        .unwrap_or(0)
}

#[wasm_bindgen_test]
async fn a_failed_import_changes_nothing_and_says_why() {
    let name = fresh_static_name("import");
    set_hash("#/calendar?view=table");
    let root = wrapper("failed-import");
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <AppWith db_name=name /> });
    wait_for(&root, "[data-testid=entry-row]").await;
    // First run: the demo workspace, saved.
    let before_rows = count_rows(&root);
    assert_eq!(before_rows, 30);
    let stored_before = until("the demo to be saved", || async {
        let store = IdbStore::open(name).await.expect("opens");
        let loaded = store.load(0).await.expect("loads");
        store.close();
        loaded
    })
    .await;

    set_hash("#/settings");
    let input: web_sys::HtmlInputElement = wait_for(&root, "#import-file").await.unchecked_into();
    for (file_name, contents, reason) in [
        (
            "notes.json",
            r#"{"name":"some other app"}"#,
            "not a Refleqt workspace file",
        ),
        (
            "broken.json",
            "{\"format\": \"refleqt-workspace\", ",
            "not valid JSON",
        ),
        (
            "bad.json",
            &file::encode(&sample(), 0, None)
                .replace("\"next_entry_id\": 2", "\"next_entry_id\": 1"),
            "inconsistent",
        ),
    ] {
        choose_file(&input, file_name, contents);
        // Re-queried while waiting: the message element is replaced for every file.
        let text = wait_for_text(&root, "[data-testid=settings-message]", reason).await;
        assert!(text.contains("nothing was changed"), "{file_name}: {text}");
        assert!(text.contains(reason), "{file_name}: {text}");
        assert!(root
            .query_selector("[data-testid=confirm]")
            .expect("query")
            .is_none());
    }

    set_hash("#/calendar?view=table");
    wait_for(&root, "[data-testid=entry-row]").await;
    assert_eq!(
        count_rows(&root),
        before_rows,
        "the workspace in the tab is unchanged"
    );
    let store = IdbStore::open(name).await.expect("opens");
    let stored_after = store.load(0).await.expect("loads").expect("stored");
    store.close();
    assert_eq!(
        stored_after.revision, stored_before.revision,
        "nothing was saved"
    );
    assert_eq!(stored_after.workspace, stored_before.workspace);
    drop(handle);
}
