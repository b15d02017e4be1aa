//! The worker's side: one job at a time, parsed data kept between jobs.

use crate::analysis::{
    compute, load_dataset, load_demo, load_file, AnalysisError, DataSource, Job, Loaded,
    WorkerReply,
};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

fn scope() -> Option<web_sys::DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

fn post(reply: &WorkerReply) {
    let text = serde_json::to_string(reply).unwrap_or_else(|e| {
        format!(r#"{{"type":"failed","job_id":0,"error":{{"Internal":"{e}"}}}}"#)
    });
    if let Some(s) = scope() {
        let _ = s.post_message(&JsValue::from_str(&text));
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
            let file = parts.get(1).dyn_into::<web_sys::File>().ok();
            match serde_json::from_str::<Job>(&text) {
                Ok(job) => {
                    let job_id = job.job_id;
                    run(&job, file.as_ref(), &mut |r| post(&r))
                        .unwrap_or_else(|error| post(&WorkerReply::Failed { job_id, error }));
                }
                Err(e) => post(&WorkerReply::Failed {
                    job_id: 0,
                    error: AnalysisError::Internal(e.to_string()),
                }),
            }
        });
    s.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&WorkerReply::Ready);
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

/// Run `job`, loading its data unless it is the data of the previous job; `reply` gets progress
/// and results. Shared with the page's fallback ([`super::client`]), which passes the bytes.
pub fn run(
    job: &Job,
    file: Option<&web_sys::File>,
    reply: &mut dyn FnMut(WorkerReply),
) -> Result<(), AnalysisError> {
    let bytes = match (&job.source, file) {
        (DataSource::File { .. } | DataSource::Dataset { .. }, Some(f))
            if !is_cached(&job.source) =>
        {
            progress(reply, job.job_id, "Reading the file", 0.05);
            Some(read_file(f)?)
        }
        _ => None,
    };
    run_with_bytes(job, bytes, reply)
}

fn is_cached(source: &DataSource) -> bool {
    LOADED.with(|l| {
        l.borrow()
            .as_ref()
            .is_some_and(|x| x.source.cache_key() == source.cache_key())
    })
}

fn progress(reply: &mut dyn FnMut(WorkerReply), job_id: u64, step: &str, fraction: f64) {
    reply(WorkerReply::Progress {
        job_id,
        step: step.to_owned(),
        fraction,
    });
}

/// [`run`] once the bytes (for a file not yet loaded) are in hand.
pub fn run_with_bytes(
    job: &Job,
    bytes: Option<Vec<u8>>,
    reply: &mut dyn FnMut(WorkerReply),
) -> Result<(), AnalysisError> {
    let id = job.job_id;
    if !is_cached(&job.source) {
        let loaded = match (&job.source, bytes) {
            (DataSource::Demo, _) => {
                progress(reply, id, "Simulating the demo journeys", 0.1);
                load_demo()?
            }
            (DataSource::File { .. }, Some(b)) => {
                progress(reply, id, "Parsing the file", 0.2);
                load_file(job.source.clone(), &b)?
            }
            (DataSource::File { name, .. } | DataSource::Dataset { name, .. }, None) => {
                return Err(AnalysisError::Read(format!(
                    "{name} is no longer available"
                )))
            }
            (DataSource::Dataset { .. }, Some(b)) => {
                progress(reply, id, "Reading the stored data set", 0.2);
                load_dataset(job.source.clone(), &b)?
            }
        };
        LOADED.with(|l| *l.borrow_mut() = Some(loaded));
    }
    LOADED.with(|l| {
        let guard = l.borrow();
        let Some(loaded) = guard.as_ref() else {
            return Err(AnalysisError::Internal("no data loaded".into()));
        };
        progress(reply, id, "Running the seven models", 0.5);
        let quick = compute(loaded, &job.options, &job.entry_costs, 0)?;
        let replicates = job.options.replicates;
        reply(WorkerReply::Result {
            job_id: id,
            final_result: replicates == 0,
            outcome: Box::new(quick),
        });
        if replicates > 0 {
            progress(
                reply,
                id,
                &format!("Computing 95 % intervals ({replicates} bootstrap replicates)"),
                0.75,
            );
            let full = compute(loaded, &job.options, &job.entry_costs, replicates)?;
            reply(WorkerReply::Result {
                job_id: id,
                final_result: true,
                outcome: Box::new(full),
            });
        }
        Ok(())
    })
}
