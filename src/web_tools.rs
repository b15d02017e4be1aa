//! The one place for browser glue: window, document, location, the crash banner, files (chosen
//! or dropped), the clipboard, yielding to the event loop, the site's storage (persistence, usage)
//! and the warning before a tab with unsaved work closes.

use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};

/// What the browser refused. `Display` is the reason as shown to the user inside a sentence
/// ("The download failed: …").
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BrowserError {
    #[error("no document")]
    NoDocument,
    #[error("no browser window")]
    NoWindow,
    #[error("no browser navigator")]
    NoNavigator,
    /// A browser call threw; the text is the browser's own.
    #[error("{0}")]
    Refused(String),
    #[error("the file could not be read ({0})")]
    FileUnreadable(String),
    #[error("the picture could not be made ({0})")]
    Picture(String),
    #[error("this browser offers no clipboard here (it needs https or localhost)")]
    NoClipboard,
    #[error("this browser cannot write to the clipboard")]
    ClipboardUnwritable,
    #[error("the clipboard did not answer")]
    ClipboardSilent,
    #[error("the browser refused access to the clipboard")]
    ClipboardRefused,
    #[error("the browser could not hold the data in memory ({0})")]
    OutOfMemory(String),
}

/// A thrown JavaScript value as a [`BrowserError::Refused`].
fn refused(e: wasm_bindgen::JsValue) -> BrowserError {
    BrowserError::Refused(format!("{e:?}"))
}

/// The current `location.hash`, or `""` outside a browser window.
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Set `document.title`.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

/// Remove the "Loading…" placeholder that `index.html` shows until the wasm runs.
pub fn remove_boot_placeholder() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        el.remove();
    }
}

/// Show the crash banner from `index.html` with `message`, so a panic never leaves a blank or
/// frozen page without explanation.
pub fn show_crash(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(banner) = doc.get_element_by_id("crash") else {
        return;
    };
    if let Some(detail) = doc.get_element_by_id("crash-detail") {
        detail.set_text_content(Some(message));
    }
    if let Ok(el) = banner.dyn_into::<web_sys::HtmlElement>() {
        el.set_hidden(false);
    }
}

/// Log panics to the console and show them in the crash banner.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash(&info.to_string());
    }));
}

/// Milliseconds since the Unix epoch from the browser clock (only for dating records).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Report a browser call that failed where nothing else can be done about it (the page keeps
/// working): a warning in the console names what did not happen, so it is not silent.
pub fn warn(what: &str, err: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(what), err);
}

/// The browser's `localStorage` method `name`, bound to it (reached by reflection, so no extra
/// web-sys feature is needed); `None` when storage is unavailable (private mode, blocked).
fn local_storage_method(name: &str) -> Option<(JsValue, js_sys::Function)> {
    let w = web_sys::window()?;
    let storage = js_sys::Reflect::get(&w, &JsValue::from_str("localStorage")).ok()?;
    if storage.is_null() || storage.is_undefined() {
        return None;
    }
    let method = js_sys::Reflect::get(&storage, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    Some((storage, method))
}

/// A small preference kept in `localStorage` (a view choice); `None` when unset or unavailable.
pub fn preference(key: &str) -> Option<String> {
    let (storage, get) = local_storage_method("getItem")?;
    get.call1(&storage, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// Keep a small preference in `localStorage`; where storage is unavailable it is simply not
/// remembered (a warning says so).
pub fn set_preference(key: &str, value: &str) {
    if let Some((storage, set)) = local_storage_method("setItem") {
        if let Err(e) = set.call2(&storage, &JsValue::from_str(key), &JsValue::from_str(value)) {
            warn(&format!("could not remember {key}"), &e);
        }
    }
}

/// Navigate to a fragment such as `#/calendar`.
pub fn go(fragment: &str) {
    if let Some(w) = web_sys::window() {
        if let Err(e) = w.location().set_hash(fragment) {
            warn(&format!("could not navigate to {fragment}"), &e);
        }
    }
}

/// A `BroadcastChannel` to the app's other tabs; the listener lives as long as this value.
pub struct TabChannel {
    channel: web_sys::BroadcastChannel,
    _listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl TabChannel {
    /// Open channel `name`; `on_message` gets every text message other tabs post. `None` when the
    /// browser has no `BroadcastChannel` (conflicts are still caught when saving).
    pub fn open(name: &str, mut on_message: impl FnMut(String) + 'static) -> Option<TabChannel> {
        let channel = web_sys::BroadcastChannel::new(name).ok()?;
        let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    on_message(text);
                }
            },
        );
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(TabChannel {
            channel,
            _listener: listener,
        })
    }

    /// Send `text` to the other tabs (never to this one).
    pub fn post(&self, text: &str) {
        // The other tabs are not told; their next save still meets the revision check.
        if let Err(e) = self.channel.post_message(&JsValue::from_str(text)) {
            warn("could not tell the other tabs about a change", &e);
        }
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// Offer `contents` as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, contents: &str) -> Result<(), BrowserError> {
    let describe = refused;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(BrowserError::NoDocument)?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let anchor: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(describe)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let body = doc.body().ok_or(BrowserError::NoDocument)?;
    body.append_child(&anchor).map_err(refused)?;
    anchor.click();
    anchor.remove();
    // The download has started; failing to free the URL only keeps the blob until the tab closes.
    if let Err(e) = web_sys::Url::revoke_object_url(&url) {
        warn("could not free a download's object URL", &e);
    }
    Ok(())
}

/// The size in bytes of the file chosen in `input` (`None`: no file), known without reading it.
pub fn chosen_file_size(input: &web_sys::HtmlInputElement) -> Option<f64> {
    input.files().and_then(|list| list.get(0)).map(|f| f.size())
}

/// The text of the first file chosen in an `<input type="file">`, `None` when none is chosen.
pub async fn read_chosen_file(
    input: &web_sys::HtmlInputElement,
) -> Result<Option<String>, BrowserError> {
    let Some(file) = input.files().and_then(|list| list.get(0)) else {
        return Ok(None);
    };
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|e| BrowserError::FileUnreadable(format!("{e:?}")))?;
    Ok(text.as_string())
}

/// The `change` handler of an `<input type="file">` whose file is read as text: `then` gets the
/// text (or why it could not be read) once it has arrived; choosing no file does nothing. The
/// field is cleared afterwards, so choosing the same file again reads it again.
pub fn on_text_file_chosen(
    ev: &web_sys::Event,
    then: impl FnOnce(Result<String, BrowserError>) + 'static,
) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        match read_chosen_file(&input).await {
            Ok(Some(text)) => then(Ok(text)),
            Ok(None) => {}
            Err(e) => then(Err(e)),
        }
        input.set_value("");
    });
}

/// The screen's device pixel ratio (1 outside a browser).
pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
}

/// Offer a canvas as a PNG download named `file_name`.
pub fn download_canvas_png(
    canvas: &web_sys::HtmlCanvasElement,
    file_name: &str,
) -> Result<(), BrowserError> {
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|e| BrowserError::Picture(format!("{e:?}")))?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(BrowserError::NoDocument)?;
    let anchor: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(refused)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let body = doc.body().ok_or(BrowserError::NoDocument)?;
    body.append_child(&anchor).map_err(refused)?;
    anchor.click();
    anchor.remove();
    Ok(())
}

/// Milliseconds from the page's time origin (`performance.now()`), for showing how long a run took.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Call `f` once after `ms` milliseconds.
pub fn after(ms: u32, f: impl FnOnce() + 'static) {
    let cb = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        if let Err(e) =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms as i32)
        {
            warn("could not schedule a timer", &e);
        }
    }
}

/// The first file chosen in an `<input type="file">`.
pub fn chosen_file(input: &web_sys::HtmlInputElement) -> Option<web_sys::File> {
    input.files().and_then(|list| list.get(0))
}

/// The first file dropped in a `drop` event (read through `dataTransfer.files`).
pub fn dropped_file(event: &web_sys::Event) -> Option<web_sys::File> {
    let transfer = js_sys::Reflect::get(event, &"dataTransfer".into()).ok()?;
    let files = js_sys::Reflect::get(&transfer, &"files".into()).ok()?;
    files.dyn_into::<web_sys::FileList>().ok()?.get(0)
}

/// The bytes of a file the user chose or dropped.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, BrowserError> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| BrowserError::FileUnreadable(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Let the browser render and handle events (a `setTimeout(0)` turn) before continuing.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let done = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .is_ok()
        });
        if done != Some(true) {
            // No timer: continue at once (calling `resolve` cannot throw).
            if let Err(e) = resolve.call0(&JsValue::NULL) {
                warn("could not yield to the browser", &e);
            }
        }
    });
    // The promise only ever resolves.
    if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
        warn("yielding to the browser failed", &e);
    }
}

/// Put `text` on the clipboard (`navigator.clipboard.writeText`).
pub async fn copy_text(text: &str) -> Result<(), BrowserError> {
    let window = web_sys::window().ok_or(BrowserError::NoWindow)?;
    let navigator = js_sys::Reflect::get(&window, &"navigator".into())
        .map_err(|_| BrowserError::NoNavigator)?;
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined())
        .ok_or(BrowserError::NoClipboard)?;
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or(BrowserError::ClipboardUnwritable)?;
    let promise = write
        .call1(&clipboard, &wasm_bindgen::JsValue::from_str(text))
        .map_err(refused)?;
    let promise: js_sys::Promise = promise
        .dyn_into()
        .map_err(|_| BrowserError::ClipboardSilent)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| BrowserError::ClipboardRefused)
}

/// A `File` holding `bytes` (to hand stored data to a worker the way a picked file is handed).
pub fn file_from_bytes(bytes: &[u8], name: &str) -> Result<web_sys::File, BrowserError> {
    let parts = js_sys::Array::new();
    parts.push(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name)
        .map_err(|e| BrowserError::OutOfMemory(format!("{e:?}")))
}

/// What the browser says about this site's storage (`navigator.storage`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageInfo {
    /// `Some(true)`: the browser will not clear the site's data to free space on its own.
    /// `None`: this browser has no `navigator.storage`.
    pub persisted: Option<bool>,
    /// Bytes used by this site, and the most it may use, when the browser says.
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Older browsers and insecure contexts have no `navigator.storage`.
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    (!storage.is_undefined() && !storage.is_null()).then(|| navigator.storage())
}

async fn promised(promise: Result<js_sys::Promise, JsValue>) -> Option<JsValue> {
    let promise = promise.ok()?;
    wasm_bindgen_futures::JsFuture::from(promise).await.ok()
}

/// The site's storage: persistence, usage and quota, as far as the browser tells.
pub async fn storage_info() -> StorageInfo {
    let Some(manager) = storage_manager() else {
        return StorageInfo {
            persisted: None,
            usage: None,
            quota: None,
        };
    };
    let persisted = promised(manager.persisted())
        .await
        .and_then(|v| v.as_bool());
    let estimate = promised(manager.estimate())
        .await
        .map(web_sys::StorageEstimate::from);
    StorageInfo {
        persisted,
        usage: estimate.as_ref().and_then(|e| e.get_usage()),
        quota: estimate.as_ref().and_then(|e| e.get_quota()),
    }
}

/// Ask the browser to keep this site's data (`navigator.storage.persist()`); `Some(granted)`,
/// `None` when the browser has no such request.
pub async fn request_persistent_storage() -> Option<bool> {
    let manager = storage_manager()?;
    promised(manager.persist()).await.and_then(|v| v.as_bool())
}

/// Ask before the tab closes or reloads whenever `pending()` says unsaved work would be lost.
/// The listener lives as long as the page.
pub fn warn_before_unload(pending: impl Fn() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
        move |event: web_sys::BeforeUnloadEvent| {
            if pending() {
                // Both, for the browsers that still read `returnValue`.
                event.prevent_default();
                event.set_return_value("unsaved");
            }
        },
    );
    match window.add_event_listener_with_callback("beforeunload", listener.as_ref().unchecked_ref())
    {
        Ok(()) => listener.forget(),
        Err(e) => warn("could not watch for the tab closing", &e),
    }
}
