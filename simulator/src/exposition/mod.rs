//! Writing samples out: OpenMetrics for `promtool`, `load` blocks for promqltest, and the
//! Prometheus text format for `/metrics`.

pub mod float;
