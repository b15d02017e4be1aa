//! The worker's side: messages in, one [`run_job`] call per job, its replies out as messages.
//! The parsed data stays in this thread's [`JobCache`] between jobs.

use super::import::{run_import, ImportFailure, ImportReply, ImportRequest, IMPORT_TAG};
use super::CSP_VIOLATION_PREFIX;
use crate::analysis::insights::{learn, LearnJob};
use crate::analysis::learning::{self, LearningJob};
use crate::analysis::pipeline::{run_job, JobCache};
use crate::analysis::{AnalysisError, Job, WorkerReply};
use crate::model::import::Stage;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// The data of the last job, kept for the next one.
    static CACHE: RefCell<JobCache> = RefCell::new(JobCache::default());
}

fn scope() -> Option<web_sys::DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

fn post(reply: &WorkerReply) {
    let text = serde_json::to_string(reply).unwrap_or_else(|e| {
        format!(r#"{{"type":"failed","job_id":0,"error":{{"Internal":"{e}"}}}}"#)
    });
    if let Some(s) = scope() {
        // Posting a string only fails if the worker is being torn down: no page is left to tell.
        if let Err(e) = s.post_message(&JsValue::from_str(&text)) {
            crate::web_tools::warn("the worker could not post a reply", &e);
        }
    }
}

/// Listen for jobs (called once by the worker binary).
pub fn start() {
    let Some(s) = scope() else { return };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            let data = e.data();
            let parts: js_sys::Array = data.unchecked_into();
            let text = parts.get(0).as_string().unwrap_or_default();
            if parts.get(2).as_string().as_deref() == Some(IMPORT_TAG) {
                let source = parts.get(1).dyn_into::<web_sys::Blob>().ok();
                run_import_message(&text, source.as_ref());
                return;
            }
            let file = parts.get(1).dyn_into::<web_sys::File>().ok();
            // The entry learners' job starts with its `learning` field.
            if text.starts_with(learning::JOB_PREFIX) {
                post(&match serde_json::from_str::<LearningJob>(&text) {
                    Ok(job) => run_learning(&job),
                    Err(e) => WorkerReply::Failed {
                        job_id: 0,
                        error: AnalysisError::Internal(e.to_string()),
                    },
                });
                return;
            }
            // The Insights learners' request has a `learn` field no attribution job has.
            if let Ok(job) = serde_json::from_str::<LearnJob>(&text) {
                post(&run_learn(&job));
                return;
            }
            match serde_json::from_str::<Job>(&text) {
                Ok(job) => run(&job, file.as_ref(), &mut |r| post(&r)),
                Err(e) => post(&WorkerReply::Failed {
                    job_id: 0,
                    error: AnalysisError::Internal(e.to_string()),
                }),
            }
        });
    s.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    forward_csp_violations(&s);
    post(&WorkerReply::Ready);
}

/// Milliseconds from this thread's `performance` clock (the worker's or the page's).
fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The Insights learners on the job's history, timed.
pub fn run_learn(job: &LearnJob) -> WorkerReply {
    WorkerReply::Insights {
        learn: job.learn,
        insights: Box::new(learn(&job.records, &now_ms)),
    }
}

/// The entry learners on the job's workspace, timed.
pub fn run_learning(job: &LearningJob) -> WorkerReply {
    WorkerReply::Learning {
        outcome: Box::new(learning::run(job, &now_ms)),
    }
}

/// A Content-Security-Policy violation inside the worker is told to the page (the page logs it
/// as an error, which the end-to-end tests fail on, as they do for the page's own violations).
fn forward_csp_violations(s: &web_sys::DedicatedWorkerGlobalScope) {
    let on_violation = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        // Read by name: the event's fields, without another web-sys feature.
        let field = |name: &str| {
            js_sys::Reflect::get(&e, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string().or_else(|| v.as_f64().map(|n| n.to_string())))
                .unwrap_or_default()
        };
        let text = format!(
            "{CSP_VIOLATION_PREFIX}{} blocked {} ({}:{})",
            field("effectiveDirective"),
            field("blockedURI"),
            field("sourceFile"),
            field("lineNumber")
        );
        if let Some(s) = scope() {
            if let Err(e) = s.post_message(&JsValue::from_str(&text)) {
                crate::web_tools::warn("the worker could not report a policy violation", &e);
            }
        }
    });
    if let Err(e) = s.add_event_listener_with_callback(
        "securitypolicyviolation",
        on_violation.as_ref().unchecked_ref(),
    ) {
        crate::web_tools::warn("the worker cannot watch for policy violations", &e);
    }
    on_violation.forget();
}

/// Run one import request (`text`, an [`ImportRequest`]) on `source` and post its replies; the
/// journeys' blob is transferred with the result, not copied.
fn run_import_message(text: &str, source: Option<&web_sys::Blob>) {
    let req = match serde_json::from_str::<ImportRequest>(text) {
        Ok(r) => r,
        Err(e) => {
            post_import(
                &ImportReply::Failed {
                    job_id: 0,
                    failure: ImportFailure::Internal(e.to_string()),
                },
                None,
            );
            return;
        }
    };
    let job_id = req.job_id;
    post_import(
        &ImportReply::Progress {
            job_id,
            stage: Stage::Reading,
        },
        None,
    );
    let bytes = match source.map(read_blob) {
        Some(Ok(b)) => b,
        Some(Err(e)) => {
            post_import(
                &ImportReply::Failed {
                    job_id,
                    failure: ImportFailure::Read(e.to_string()),
                },
                None,
            );
            return;
        }
        None => Vec::new(),
    };
    let (reply, blob) = run_import(&req, bytes, &mut |stage| {
        post_import(&ImportReply::Progress { job_id, stage }, None);
    });
    post_import(&reply, blob);
}

/// Post an import reply, with the journeys' blob as a transferred second element.
fn post_import(reply: &ImportReply, blob: Option<Vec<u8>>) {
    let text = serde_json::to_string(reply).unwrap_or_else(|e| {
        format!(r#"{{"type":"failed","job_id":0,"failure":{{"Internal":"{e}"}}}}"#)
    });
    let Some(s) = scope() else { return };
    let msg = js_sys::Array::of1(&JsValue::from_str(&text));
    let transfer = js_sys::Array::new();
    if let Some(blob) = blob {
        let array = js_sys::Uint8Array::from(blob.as_slice());
        drop(blob);
        transfer.push(&array.buffer());
        msg.push(&array);
    }
    if let Err(e) = s.post_message_with_transfer(&msg, &transfer) {
        crate::web_tools::warn("the worker could not post an import reply", &e);
    }
}

/// The bytes of a file or blob, read synchronously (allowed in workers).
fn read_blob(blob: &web_sys::Blob) -> Result<Vec<u8>, AnalysisError> {
    let reader =
        web_sys::FileReaderSync::new().map_err(|e| AnalysisError::Read(format!("{e:?}")))?;
    let buffer = reader
        .read_as_array_buffer(blob)
        .map_err(|e| AnalysisError::Read(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The bytes of `file`, read synchronously (allowed in workers).
fn read_file(file: &web_sys::File) -> Result<Vec<u8>, AnalysisError> {
    let reader =
        web_sys::FileReaderSync::new().map_err(|e| AnalysisError::Read(format!("{e:?}")))?;
    let buffer = reader
        .read_as_array_buffer(file)
        .map_err(|e| AnalysisError::Read(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Run `job` on the data cached in the worker's thread;
/// `file` is read only when its data is not cached. Every reply, failures included, goes to
/// `reply`. The steps are [`run_job`]'s.
pub fn run(job: &Job, file: Option<&web_sys::File>, reply: &mut dyn FnMut(WorkerReply)) {
    with_cache(job, reply, |cache, reply| {
        run_job(job, || file.map(read_file).transpose(), cache, reply)
    });
}

fn with_cache(
    job: &Job,
    reply: &mut dyn FnMut(WorkerReply),
    f: impl FnOnce(&mut JobCache, &mut dyn FnMut(WorkerReply)),
) {
    CACHE.with(|cache| match cache.try_borrow_mut() {
        Ok(mut cache) => f(&mut cache, reply),
        Err(_) => reply(WorkerReply::Failed {
            job_id: job.job_id,
            error: AnalysisError::Internal("a job started while another was running".into()),
        }),
    });
}
