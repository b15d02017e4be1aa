//! Browser tests of the app shell: mount into a wrapper element, act, let Leptos render, assert.

use crate::support::{document, set_hash, wait_for, wait_for_none, wrapper};
use refleqt::app::App;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn app_renders_navigation_and_overview() {
    set_hash("#/");
    let root = wrapper("app-renders");
    let handle = leptos::mount::mount_to(root.clone(), App);
    let nav = wait_for(&root, "[data-testid=nav]").await;
    assert!(nav.text_content().unwrap_or_default().contains("Overview"));
    let home = wait_for(&root, "[data-testid=home]").await;
    assert!(home.text_content().unwrap_or_default().contains("Overview"));
    assert_eq!(document().title(), "Refleqt Attribution");
    drop(handle);
}

#[wasm_bindgen_test]
async fn unknown_fragment_shows_not_found_and_back_home_works() {
    set_hash("#/");
    let root = wrapper("not-found");
    let handle = leptos::mount::mount_to(root.clone(), App);
    wait_for(&root, "[data-testid=home]").await;
    set_hash("#/no-such-page");
    let page = wait_for(&root, "[data-testid=not-found]").await;
    assert!(page
        .text_content()
        .unwrap_or_default()
        .contains("#/no-such-page"));
    set_hash("#/");
    wait_for(&root, "[data-testid=home]").await;
    wait_for_none(&root, "[data-testid=not-found]").await;
    drop(handle);
}
