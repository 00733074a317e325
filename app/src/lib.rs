//! The PromQL Workbench web app: a Leptos client-side-rendered UI over the `simulator` engine
//! and the `exercises` grader.
//!
//! Two binaries come from this crate: the page (`main.rs`) and a Web Worker
//! (`bin/worker.rs`) that hosts the parser, the simulator and the engine, so the page never
//! parses or runs a query on its own thread ([`worker`]). Both consume and produce the
//! [`result`] model, shaped like the Prometheus HTTP API so a real Prometheus can be a data
//! source too.
//!
//! Components stay thin (one screen each); state and logic live in plain modules that are
//! unit-tested natively: [`editor`] (highlighting, completion, history), [`chart`] (series
//! shaping, axes, hover, heatmap), [`explain`] (tree, sentences, hints), [`course`]
//! (packs, feedback, progress, routes) and [`state`] (view, URL, time range). Only this crate touches web-sys and the DOM. `main.rs` only
//! mounts [`App`], so tests can mount any component on its own.

pub mod chart;
pub mod components;
pub mod course;
pub mod datasource;
pub mod editor;
pub mod explain;
pub mod result;
pub mod state;
pub mod worker;

pub use components::App;
