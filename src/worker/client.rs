//! The page's side of the worker: start it, post jobs, receive replies.

use super::{CSP_VIOLATION_PREFIX, WORKER_SCRIPT};
use crate::analysis::insights::LearnJob;
use crate::analysis::learning::LearningJob;
use crate::analysis::{AnalysisError, Job, WorkerReply};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type OnReply = Rc<dyn Fn(WorkerReply)>;

/// Runs jobs in the worker; without one a job fails with [`AnalysisError::NoWorker`] (the models
/// load with the worker, not with the page).
pub struct Client {
    worker: Option<web_sys::Worker>,
    on_reply: OnReply,
    /// Whether the worker said it listens; until then only the latest job waits here.
    ready: Rc<Cell<bool>>,
    /// The worker ran and then died; the owner replaces this client.
    dead: Rc<Cell<bool>>,
    waiting: Rc<RefCell<Option<js_sys::Array>>>,
    _listener: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Client {
    /// Start the worker; `on_reply` gets every reply (on the page's thread).
    pub fn start(on_reply: impl Fn(WorkerReply) + 'static) -> Client {
        let on_reply: OnReply = Rc::new(on_reply);
        let cb = on_reply.clone();
        let ready = Rc::new(Cell::new(false));
        let dead = Rc::new(Cell::new(false));
        let waiting: Rc<RefCell<Option<js_sys::Array>>> = Rc::new(RefCell::new(None));
        let worker = web_sys::Worker::new(WORKER_SCRIPT).ok();
        let (r, w, me) = (ready.clone(), waiting.clone(), worker.clone());
        let listener =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let text = e.data().as_string().unwrap_or_default();
                if let Some(v) = text.strip_prefix(CSP_VIOLATION_PREFIX) {
                    web_sys::console::error_1(&JsValue::from_str(&format!(
                        "{CSP_VIOLATION_PREFIX}{v}"
                    )));
                    return;
                }
                let reply = serde_json::from_str::<WorkerReply>(&text).unwrap_or_else(|err| {
                    WorkerReply::Failed {
                        job_id: 0,
                        error: AnalysisError::Internal(format!(
                            "unreadable reply from the worker: {err}"
                        )),
                    }
                });
                if reply == WorkerReply::Ready {
                    r.set(true);
                    if let (Some(msg), Some(worker)) = (w.borrow_mut().take(), &me) {
                        if let Err(e) = worker.post_message(&msg) {
                            // Job 0: whatever job is current hears it (it would wait forever).
                            cb(WorkerReply::Failed {
                                job_id: 0,
                                error: AnalysisError::Internal(format!(
                                    "the job could not be sent to the background worker ({e:?})"
                                )),
                            });
                        }
                    }
                    return;
                }
                cb(reply);
            });
        let cb = on_reply.clone();
        let (r, d) = (ready.clone(), dead.clone());
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let error = if r.get() {
                // It ran and died (a panic, out of memory): the job it ran ends here; the owner
                // starts a fresh worker ([`Client::is_dead`]).
                d.set(true);
                e.prevent_default();
                AnalysisError::WorkerStopped(error_text(&e))
            } else {
                AnalysisError::Internal(
                    "the background worker could not start (is refleqt-worker_loader.js served next to index.html?)".into(),
                )
            };
            cb(WorkerReply::Failed { job_id: 0, error });
        });
        if let Some(w) = &worker {
            w.set_onmessage(Some(listener.as_ref().unchecked_ref()));
            w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        }
        Client {
            worker,
            on_reply,
            ready,
            dead,
            waiting,
            _listener: Some(listener),
            _on_error: on_error,
        }
    }

    /// A client without a worker: the learners' requests run on the page (after the current
    /// task); an attribution job fails with [`AnalysisError::NoWorker`].
    pub fn on_page(on_reply: impl Fn(WorkerReply) + 'static) -> Client {
        Client {
            worker: None,
            on_reply: Rc::new(on_reply),
            ready: Rc::new(Cell::new(true)),
            dead: Rc::new(Cell::new(false)),
            waiting: Rc::new(RefCell::new(None)),
            _listener: None,
            _on_error: Closure::<dyn FnMut(web_sys::Event)>::new(|_: web_sys::Event| {}),
        }
    }

    /// Whether the worker died after it started (its job has been told so): start a new client.
    pub fn is_dead(&self) -> bool {
        self.dead.get()
    }

    /// Whether jobs run off the page's thread.
    pub fn in_worker(&self) -> bool {
        self.worker.is_some()
    }

    /// Send a job (with the chosen file, for file sources).
    pub fn post(&self, job: &Job, file: Option<&web_sys::File>) {
        let text = match serde_json::to_string(job) {
            Ok(t) => t,
            Err(e) => {
                (self.on_reply)(WorkerReply::Failed {
                    job_id: job.job_id,
                    error: AnalysisError::Internal(e.to_string()),
                });
                return;
            }
        };
        if let Some(w) = &self.worker {
            let msg = js_sys::Array::of2(
                &JsValue::from_str(&text),
                &file.map_or(JsValue::UNDEFINED, |f| f.into()),
            );
            if !self.ready.get() {
                *self.waiting.borrow_mut() = Some(msg);
                return;
            }
            if w.post_message(&msg).is_ok() {
                return;
            }
        }
        // No worker: the models are not in the page's wasm (they load with the worker, after
        // the first paint), so the job ends here with what to do.
        (self.on_reply)(WorkerReply::Failed {
            job_id: job.job_id,
            error: AnalysisError::NoWorker(match &self.worker {
                Some(_) => "the job could not be sent to it".to_owned(),
                None => "the browser refused to start it".to_owned(),
            }),
        });
    }
}

impl Client {
    /// Send the Insights learners' request (answered by [`WorkerReply::Insights`]); without a
    /// worker they run here, after the current task.
    pub fn post_learn(&self, job: &LearnJob) {
        let job_here = job.clone();
        self.post_text(
            serde_json::to_string(job),
            Box::new(move || super::runtime::run_learn(&job_here)),
        );
    }

    /// Send the entry learners' job (answered by [`WorkerReply::Learning`]); without a worker
    /// they run here, after the current task.
    pub fn post_learning(&self, job: &LearningJob) {
        let job_here = job.clone();
        self.post_text(
            serde_json::to_string(job),
            Box::new(move || super::runtime::run_learning(&job_here)),
        );
    }

    /// Post a request's JSON text; `here` answers it on the page when there is no worker.
    fn post_text(
        &self,
        text: Result<String, serde_json::Error>,
        here: Box<dyn FnOnce() -> WorkerReply>,
    ) {
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                (self.on_reply)(WorkerReply::Failed {
                    job_id: 0,
                    error: AnalysisError::Internal(e.to_string()),
                });
                return;
            }
        };
        if let Some(w) = &self.worker {
            let msg = js_sys::Array::of1(&JsValue::from_str(&text));
            if !self.ready.get() {
                *self.waiting.borrow_mut() = Some(msg);
                return;
            }
            if w.post_message(&msg).is_ok() {
                return;
            }
        }
        let on_reply = self.on_reply.clone();
        wasm_bindgen_futures::spawn_local(async move {
            on_reply(here());
        });
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(w) = &self.worker {
            w.set_onmessage(None);
            w.terminate();
        }
    }
}

/// What an `error` event of a worker says (its `message`, when it is an `ErrorEvent`).
pub fn error_text(e: &web_sys::Event) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "no reason given".to_owned())
}
