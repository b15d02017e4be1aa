//! Browser tests of the app shell: mount into a wrapper element, act, let Leptos render, assert.
#![cfg(target_arch = "wasm32")]

use refleqt::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// A fresh element under `<body>` to mount into.
fn wrapper(id: &str) -> web_sys::HtmlElement {
    let doc = document();
    let el = doc.create_element("div").expect("create div");
    el.set_id(id);
    doc.body().expect("body").append_child(&el).expect("append");
    el.unchecked_into()
}

/// Let Leptos flush its effects and the browser deliver events.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
            .expect("timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("timer resolves");
}

fn set_hash(hash: &str) {
    web_sys::window()
        .expect("window")
        .location()
        .set_hash(hash)
        .expect("set hash");
}

#[wasm_bindgen_test]
async fn app_renders_navigation_and_overview() {
    set_hash("#/");
    let root = wrapper("app-renders");
    let handle = leptos::mount::mount_to(root.clone(), App);
    tick().await;
    let nav = root
        .query_selector("[data-testid=nav]")
        .expect("query")
        .expect("navigation is rendered");
    assert!(nav.text_content().unwrap_or_default().contains("Overview"));
    let home = root
        .query_selector("[data-testid=home]")
        .expect("query")
        .expect("overview page is rendered");
    assert!(home
        .text_content()
        .unwrap_or_default()
        .contains("Refleqt Attribution"));
    assert_eq!(document().title(), "Refleqt Attribution");
    drop(handle);
}

#[wasm_bindgen_test]
async fn unknown_fragment_shows_not_found_and_back_home_works() {
    set_hash("#/");
    let root = wrapper("not-found");
    let handle = leptos::mount::mount_to(root.clone(), App);
    tick().await;
    set_hash("#/no-such-page");
    tick().await;
    let page = root
        .query_selector("[data-testid=not-found]")
        .expect("query")
        .expect("not-found page after navigating to an unknown fragment");
    assert!(page
        .text_content()
        .unwrap_or_default()
        .contains("#/no-such-page"));
    set_hash("#/");
    tick().await;
    assert!(root
        .query_selector("[data-testid=not-found]")
        .expect("query")
        .is_none());
    assert!(root
        .query_selector("[data-testid=home]")
        .expect("query")
        .is_some());
    drop(handle);
}
