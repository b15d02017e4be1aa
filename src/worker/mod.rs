//! The attribution Web Worker: the page never runs the models on its own thread.
//!
//! - [`runtime`]: the worker's side (`src/bin/worker.rs` calls [`runtime::start`]): receives a
//!   [`Job`](crate::analysis::Job) as JSON plus, for a file, the `File` itself (read there with
//!   `FileReaderSync`, so the page never copies the bytes); keeps the parsed data for the next
//!   parameter change; answers with progress, a quick result without intervals, then the full one.
//! - [`client`]: the page's side: starts the worker (`refleqt-worker_loader.js`, built by Trunk
//!   from `<link data-trunk rel="rust" data-type="worker" data-loader-shim>`), posts jobs, hands
//!   replies to a callback. Without a worker a job fails with a plain message: the models are
//!   not in the page's own wasm, so the first load stays small (issue 13).
//!
//! - [`import`] and [`import_client`]: the Import page's parsing (detect, parse, match, journeys)
//!   in a worker of its own, so Cancel can end it at once (the worker is terminated and a fresh
//!   one started); a worker that dies ends its job with an error and is restarted.
//!
//! Messages are JSON text ([`WorkerReply`](crate::analysis::WorkerReply)): the report is small
//! (tens of KB even for a million journeys), so JSON costs well under a frame.

pub mod client;
pub mod import;
pub mod import_client;
pub mod runtime;

/// How the worker's report of a Content-Security-Policy violation starts (a plain string message;
/// the clients log it as an error).
pub const CSP_VIOLATION_PREFIX: &str = "Content-Security-Policy violation in the worker: ";

/// The worker script Trunk emits next to `index.html`.
pub const WORKER_SCRIPT: &str = "./refleqt-worker_loader.js";
