//! The Import page's side of its own worker: start it, post a parse ([`ImportRequest`] plus the
//! file or blob, which the worker reads itself), hand replies (and the journeys' blob) to a
//! callback. Cancel drops the [`ImportWorker`], which terminates it: a parse in progress ends at
//! once, and the next file gets a fresh worker. A worker that dies after it started reports
//! [`ImportFailure::WorkerStopped`] as job 0; one that never starts reports
//! [`ImportWorker::failed_to_start`] so the page can parse on its own thread instead.

use super::client::error_text;
use super::import::{ImportFailure, ImportReply, ImportRequest, IMPORT_TAG};
use super::{CSP_VIOLATION_PREFIX, WORKER_SCRIPT};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type OnReply = Rc<dyn Fn(ImportReply, Option<Vec<u8>>)>;

/// A running import worker; dropping it terminates the worker.
pub struct ImportWorker {
    worker: web_sys::Worker,
    ready: Rc<Cell<bool>>,
    failed_to_start: Rc<Cell<bool>>,
    dead: Rc<Cell<bool>>,
    waiting: Rc<RefCell<Option<js_sys::Array>>>,
    _listener: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl ImportWorker {
    /// Start a worker; `on_reply` gets every reply on the page's thread. `None` when the
    /// browser cannot start workers at all.
    pub fn start(
        on_reply: impl Fn(ImportReply, Option<Vec<u8>>) + 'static,
    ) -> Option<ImportWorker> {
        let on_reply: OnReply = Rc::new(on_reply);
        let worker = web_sys::Worker::new(WORKER_SCRIPT).ok()?;
        let ready = Rc::new(Cell::new(false));
        let failed_to_start = Rc::new(Cell::new(false));
        let dead = Rc::new(Cell::new(false));
        let waiting: Rc<RefCell<Option<js_sys::Array>>> = Rc::new(RefCell::new(None));
        let (cb, r, w, me) = (
            on_reply.clone(),
            ready.clone(),
            waiting.clone(),
            worker.clone(),
        );
        let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |e: web_sys::MessageEvent| {
                let data = e.data();
                // Import replies are arrays (text, then the journeys' blob); the `ready` and a
                // policy violation are plain strings.
                let (text, blob) = match data.dyn_ref::<js_sys::Array>() {
                    Some(parts) => (
                        parts.get(0).as_string().unwrap_or_default(),
                        parts
                            .get(1)
                            .dyn_into::<js_sys::Uint8Array>()
                            .ok()
                            .map(|a| a.to_vec()),
                    ),
                    None => (data.as_string().unwrap_or_default(), None),
                };
                if text.starts_with(CSP_VIOLATION_PREFIX) {
                    web_sys::console::error_1(&JsValue::from_str(&text));
                    return;
                }
                let reply = serde_json::from_str::<ImportReply>(&text).unwrap_or_else(|err| {
                    ImportReply::Failed {
                        job_id: 0,
                        failure: ImportFailure::Internal(format!(
                            "unreadable reply from the background worker: {err}"
                        )),
                    }
                });
                if reply == ImportReply::Ready {
                    r.set(true);
                    if let Some(msg) = w.borrow_mut().take() {
                        if let Err(e) = me.post_message(&msg) {
                            cb(
                                ImportReply::Failed {
                                    job_id: 0,
                                    failure: ImportFailure::Internal(format!(
                                        "the file could not be sent to the background worker ({e:?})"
                                    )),
                                },
                                None,
                            );
                        }
                    }
                    return;
                }
                cb(reply, blob);
            },
        );
        let (cb, r, f, d) = (
            on_reply.clone(),
            ready.clone(),
            failed_to_start.clone(),
            dead.clone(),
        );
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            e.prevent_default();
            if r.get() {
                d.set(true);
                cb(
                    ImportReply::Failed {
                        job_id: 0,
                        failure: ImportFailure::WorkerStopped(error_text(&e)),
                    },
                    None,
                );
            } else {
                f.set(true);
                cb(
                    ImportReply::Failed {
                        job_id: 0,
                        failure: ImportFailure::Internal(
                            "the background worker could not start".into(),
                        ),
                    },
                    None,
                );
            }
        });
        worker.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(ImportWorker {
            worker,
            ready,
            failed_to_start,
            dead,
            waiting,
            _listener: listener,
            _on_error: on_error,
        })
    }

    /// The worker never started (its script did not load): parse on the page instead.
    pub fn failed_to_start(&self) -> bool {
        self.failed_to_start.get()
    }

    /// The worker ran and died: replace it.
    pub fn is_dead(&self) -> bool {
        self.dead.get()
    }

    /// Post a parse of `source` (a picked file, or a blob of pulled bytes).
    pub fn post(&self, req: &ImportRequest, source: &web_sys::Blob) -> Result<(), ImportFailure> {
        let text =
            serde_json::to_string(req).map_err(|e| ImportFailure::Internal(e.to_string()))?;
        let msg = js_sys::Array::of3(
            &JsValue::from_str(&text),
            source,
            &JsValue::from_str(IMPORT_TAG),
        );
        if !self.ready.get() {
            *self.waiting.borrow_mut() = Some(msg);
            return Ok(());
        }
        self.worker.post_message(&msg).map_err(|e| {
            ImportFailure::Internal(format!(
                "the file could not be sent to the background worker ({e:?})"
            ))
        })
    }
}

impl Drop for ImportWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
