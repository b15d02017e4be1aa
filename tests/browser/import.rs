//! Browser tests of issue 5: the spec's UTM example rendered on the entry page, the data-set
//! store (compact blobs in IndexedDB) round trip, and the Import page from a chosen event log to
//! a stored, checked and deleted data set.

use crate::support::{
    choose_file, fresh_name, fresh_static_name, set_hash, until, wait_for, wait_for_text, wrapper,
};
use refleqt::app::AppWith;
use refleqt::model::entry::EntryForm;
use refleqt::model::workspace::Workspace;
use refleqt::state::import::PageParser;
use refleqt::storage::datasets::{DatasetSource, DatasetStore};
use refleqt::storage::idb_store::IdbStore;
use refleqt::storage::{Base, StorageError, WorkspaceStore};
use refleqt::worker::import::run_import;
use refleqt_engine::imports::Layout;
use refleqt_engine::{Channels, JourneySet, Touch};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn the_spec_utm_example_is_rendered_exactly() {
    let name = fresh_static_name("utm");
    let mut ws = Workspace::empty();
    ws.next_entry_id = 4782;
    let draft = EntryForm {
        title: "Brand post".into(),
        channel_choice: "LinkedIn".into(),
        campaign: "Q2-2025-Brand".into(),
        publish_date: "2025-04-01".into(),
        destination_url: "https://yoursite.com/blog/post".into(),
        ..EntryForm::default()
    }
    .parse()
    .expect("valid form");
    assert_eq!(ws.add_entry(draft), 4782);
    let store = IdbStore::open(name).await.expect("open");
    store.save(&ws, Base::Fresh, 1).await.expect("save");
    store.close();

    set_hash("#/entry/4782");
    let root = wrapper("utm-example");
    let handle = leptos::mount::mount_to(root.clone(), move || {
        leptos::view! { <AppWith db_name=name /> }
    });
    let text = wait_for(&root, "[data-testid=utm-url]")
        .await
        .text_content();
    assert_eq!(
        text.as_deref(),
        Some("https://yoursite.com/blog/post?utm_source=linkedin&utm_medium=social&utm_campaign=q2-2025-brand&utm_content=cal-4782")
    );
    // Clean values: no governance warning.
    assert!(root
        .query_selector("[data-testid=utm-warnings]")
        .expect("query")
        .is_none());
    drop(handle);
}

#[wasm_bindgen_test]
async fn datasets_round_trip_through_indexeddb() {
    let name = fresh_name("datasets");
    let store = DatasetStore::open(&name).await.expect("open");
    assert_eq!(store.list().await, Ok(vec![]));
    let mut channels = Channels::new();
    let a = channels.intern("linkedin");
    let b = channels.intern("email");
    let mut set = JourneySet::new(channels, true);
    for i in 0..1000u32 {
        let touches = [
            Touch {
                channel: a,
                entry: Some(u64::from(i % 7) + 1),
                age_secs: f64::from(i) * 3.5,
            },
            Touch {
                channel: b,
                entry: None,
                age_secs: 0.0,
            },
        ];
        let converted = i % 3 == 0;
        set.push(
            &touches,
            if converted { 1.0 } else { 0.0 },
            if converted { 12.5 } else { 0.0 },
            if converted { 0.0 } else { 1.0 },
            Some(1_740_000_000_000 + i64::from(i) * 1000),
        );
    }
    let source = DatasetSource {
        file_name: "events.csv".into(),
        format: Layout::EventLog,
        lookback_days: Some(30.0),
    };
    let meta = store.save("March", &set, &source, 42).await.expect("saved");
    assert_eq!((meta.journeys, meta.touches), (1000, 2000));
    let second = store.save("March", &set, &source, 42).await.expect("saved");
    assert_ne!(meta.id, second.id);
    let listed = store.list().await.expect("list");
    assert_eq!(listed.len(), 2);
    let back = store.load(&meta.id).await.expect("load");
    assert_eq!(back, set);
    store.delete(&second.id).await.expect("delete");
    assert_eq!(store.list().await.map(|l| l.len()), Ok(1));
    assert_eq!(
        store.load(&second.id).await,
        Err(StorageError::DatasetMissing(second.id.clone()))
    );
    store.close();
    // A new connection (a page reload) sees the same data set.
    let again = DatasetStore::open(&name).await.expect("reopen");
    assert_eq!(again.load(&meta.id).await, Ok(set));
    again.close();
}

fn click(root: &web_sys::Element, selector: &str) {
    root.query_selector(selector)
        .expect("query")
        .unwrap_or_else(|| panic!("{selector} is missing"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
async fn an_event_log_is_kept_as_a_data_set_checked_and_deleted() {
    let name = fresh_static_name("import-page");
    set_hash("#/import");
    let root = wrapper("import-page");
    // No worker script runs under the test runner: the page parses on its own thread with the
    // worker's steps (the app itself provides no page parser; issue 13).
    let handle = leptos::mount::mount_to(root.clone(), move || {
        leptos::prelude::provide_context(PageParser(run_import));
        leptos::view! { <AppWith db_name=name /> }
    });
    let data_set = format!("log-{}", js_sys::Math::random().to_bits());
    let file_name = format!("{data_set}.csv");
    wait_for_text(&root, "[data-testid=import]", "Import").await;
    let input: web_sys::HtmlInputElement = wait_for(&root, "#import-file").await.unchecked_into();
    choose_file(
        &input,
        &file_name,
        "user_id,timestamp,channel,conversion,revenue\n\
         u1,2025-03-01T10:00:00Z,linkedin,0,\n\
         u1,2025-03-02T10:00:00Z,email,1,120\n\
         u2,2025-03-01T11:00:00Z,google,0,\n",
    );
    let journeys = wait_for_text(&root, "[data-testid=import-journeys]", "journeys").await;
    assert!(
        journeys.starts_with("2 journeys, 3 touches, 1 conversions"),
        "{journeys}"
    );
    click(&root, "[data-testid=import-confirm]");
    let summary = wait_for_text(&root, "[data-testid=import-summary]", "data set").await;
    assert!(
        summary.contains(&format!("saved the data set \u{201c}{file_name}\u{201d}")),
        "{summary}"
    );
    wait_for_text(&root, "[data-testid=datasets]", &file_name).await;

    let check = format!("[aria-label=\"Check data set {file_name}\"]");
    click(&root, &check);
    wait_for_text(
        &root,
        "[data-testid=datasets-message]",
        "reads back intact: 2 journeys",
    )
    .await;
    let delete = format!("[aria-label=\"Delete data set {file_name}\"]");
    click(&root, &delete);
    wait_for_text(&root, "[data-testid=datasets-message]", "Data set deleted.").await;
    until("the deleted data set to leave the list", || async {
        let listed = root
            .query_selector("[data-testid=datasets]")
            .expect("query")
            .and_then(|e| e.text_content())
            .is_some_and(|t| t.contains(&file_name));
        (!listed).then_some(())
    })
    .await;
    drop(handle);
}
