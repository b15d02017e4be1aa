//! Shared set-up for the browser tests (tier 2): a fresh element to mount into, fresh database
//! names, choosing a file, and polling for what Leptos renders asynchronously — tests wait for a
//! condition (up to [`TIMEOUT_MS`]) instead of sleeping a fixed time and hoping.

use std::future::Future;
use wasm_bindgen::JsCast;

/// How long a test waits for something to appear before it fails.
pub const TIMEOUT_MS: f64 = 5_000.0;
/// How often a waiting test looks again.
const POLL_MS: i32 = 10;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

pub fn document() -> web_sys::Document {
    window().document().expect("a browser document")
}

/// A fresh element under `<body>` to mount into.
pub fn wrapper(id: &str) -> web_sys::HtmlElement {
    let doc = document();
    let el = doc.create_element("div").expect("create div");
    el.set_id(id);
    doc.body().expect("body").append_child(&el).expect("append");
    el.unchecked_into()
}

/// A database name no other test (or earlier run) uses.
pub fn fresh_name(what: &str) -> String {
    format!("refleqt-test-{what}-{}", js_sys::Math::random().to_bits())
}

/// The same, leaked to `'static` for components that take a `&'static str`.
pub fn fresh_static_name(what: &str) -> &'static str {
    Box::leak(fresh_name(what).into_boxed_str())
}

pub fn set_hash(hash: &str) {
    window().location().set_hash(hash).expect("set hash");
}

/// Wait `ms` milliseconds (lets Leptos flush effects and the browser deliver events).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("timer resolves");
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Poll `probe` until it gives `Some`, or fail after [`TIMEOUT_MS`] naming `what`.
pub async fn until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = now_ms();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        if now_ms() - start > TIMEOUT_MS {
            panic!("waited {TIMEOUT_MS} ms for {what}");
        }
        sleep(POLL_MS).await;
    }
}

/// The first element matching `selector` under `root`, once it exists.
pub async fn wait_for(root: &web_sys::Element, selector: &str) -> web_sys::Element {
    until(selector, || async {
        root.query_selector(selector).ok().flatten()
    })
    .await
}

/// The text of the element matching `selector`, once it contains `needle` (re-queried each time:
/// Leptos may replace the element).
pub async fn wait_for_text(root: &web_sys::Element, selector: &str, needle: &str) -> String {
    until(&format!("{selector} to contain {needle:?}"), || async {
        root.query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
            .filter(|t| t.contains(needle))
    })
    .await
}

/// Wait until nothing under `root` matches `selector`.
pub async fn wait_for_none(root: &web_sys::Element, selector: &str) {
    until(&format!("{selector} to disappear"), || async {
        matches!(root.query_selector(selector), Ok(None)).then_some(())
    })
    .await
}

/// Choose a file with `contents` in the `<input type="file">` and fire `change`.
pub fn choose_file(input: &web_sys::HtmlInputElement, name: &str, contents: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let file = web_sys::File::new_with_str_sequence(&parts, name).expect("file");
    let transfer = web_sys::DataTransfer::new().expect("data transfer");
    transfer.items().add_with_file(&file).expect("add file");
    input.set_files(transfer.files().as_ref());
    let event = web_sys::Event::new("change").expect("event");
    input.dispatch_event(&event).expect("dispatch");
}
