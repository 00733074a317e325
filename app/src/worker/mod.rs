//! The Web Worker that hosts the parser, the simulator and the engine, and the page's client
//! for it.
//!
//! **Why a worker.** Evaluating a query over a six-hour scenario is a synchronous wasm
//! computation; on the UI thread it would freeze the page. So the page never parses or runs
//! a query: it posts a [`protocol::Request`] to the worker and awaits the reply. The worker
//! is a second binary of this crate (`src/bin/worker.rs`) that Trunk builds with
//! `data-type="worker"` and a loader shim (`worker_loader.js`), served beside the page.
//!
//! **Why raw `postMessage` rather than gloo-worker.** Cancelling needs the `Worker` handle
//! itself (see below) and a way to report progress from inside a request; gloo-worker's
//! reactor and oneshot abstractions hide the handle and its bincode codec adds size to both
//! binaries. The protocol is small (a request enum, a reply enum, ids, progress), so
//! [`client::WorkerClient`] implements it directly over `web_sys::Worker` with JSON
//! messages that are readable in the browser's devtools.
//!
//! **Cancellation.** A worker busy in a synchronous wasm call cannot receive a message until
//! the call returns, so "please stop" cannot be sent. Cancelling terminates the worker,
//! fails every pending request with [`protocol::WorkerError::Cancelled`] and starts a fresh
//! worker. The engine's own limits (samples, steps) still stop runaway queries without the
//! user's help; termination is for the user who does not want to wait.
//!
//! [`host`] is the worker side: a pure `handle(request) -> reply` function, tested
//! natively, plus the message loop; [`course`] holds the exercise packs and the grader
//! there. [`client`] is the page side.

pub mod catalog;
pub mod client;
pub mod course;
pub mod data;
pub mod host;
pub mod protocol;
pub mod query;
