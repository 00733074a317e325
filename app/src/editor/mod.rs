//! The query editor's logic, free of the DOM: highlighting, completion, history, offsets.
//!
//! Everything here is plain Rust over the query text and is unit-tested natively; the
//! `QueryEditor` component only wires it to a textarea. The editor deliberately uses the
//! lexer and the operator tables, never the parser nor the function table (whose entries
//! hold the implementations): parsing, evaluation and the regex compiler live in the worker,
//! which keeps the page's wasm small and the UI thread free. The function table reaches the
//! page as data ([`functions::FunctionDocs`]), sent by the worker once.
//! Parse errors come back from the worker as [`crate::worker::protocol::Diagnostic`]s and
//! are drawn by [`highlight::segments`].

pub mod complete;
pub mod functions;
pub mod highlight;
pub mod history;
pub mod metadata;
pub mod offsets;
