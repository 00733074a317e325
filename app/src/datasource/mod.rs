//! Where query results come from: the simulator in our worker (the default) or a
//! Prometheus-compatible server over HTTP.
//!
//! - [`request`]: the server's base URL, API paths, auth headers.
//! - [`client`]: the HTTP client (every endpoint, parsing, caps) over a [`client::Transport`].
//! - [`error`]: why a request failed, classified into sentences with a hint each.
//! - [`fetch`]: the browser's transport (gloo-net, AbortController).
//! - [`setting`]: the user's choice and what of it is remembered.
//!
//! Both sources produce [`crate::result::QueryResult`], so Graph, Table and Explain do not
//! know which one answered.

pub mod client;
pub mod error;
pub mod explain;
pub mod fetch;
pub mod request;
pub mod setting;
pub mod snapshot;

pub use client::{BuildInfo, Caps, Client, HttpResponse, Transport};
pub use error::{SourceError, TransportFailure};
pub use request::{Auth, HttpRequest};
