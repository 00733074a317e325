//! The pack file as serde reads it, before any checks.
//!
//! Every table denies unknown fields, so a misspelt key is an error rather than a setting
//! silently ignored. Strings that the loader checks further keep their [`Spanned`]
//! position, so the loader's own errors point at the right line too. The top level of an
//! exercise is not a struct here: the loader reads it key by key (see `loader.rs`), so
//! that each field of a broken exercise gets its own error.

use serde::Deserialize;
use toml::Spanned;

/// The `[pack]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub id: Spanned<String>,
    pub title: String,
    pub version: String,
    pub author: String,
    #[serde(alias = "license")]
    pub licence: String,
    #[serde(default)]
    pub description: String,
}

/// `data = { scenario = "...", seeds = [...], window = {...} }` or `data = { load = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawData {
    pub scenario: Option<Spanned<String>>,
    pub seeds: Option<Spanned<Vec<u64>>>,
    pub window: Option<Spanned<RawWindow>>,
    pub load: Option<Spanned<String>>,
}

/// `window = { start = "06:00", end = "12:00" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWindow {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
}

/// `eval = { at = [...] }` or `eval = { range = {...} }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEval {
    pub at: Option<Spanned<Vec<Spanned<String>>>>,
    pub range: Option<Spanned<RawRange>>,
}

/// `range = { start = "09:00", end = "10:00", step = "1m" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub start: Spanned<String>,
    pub end: Spanned<String>,
    pub step: Spanned<String>,
}

/// `[exercise.compare]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompare {
    pub tolerance: Option<Spanned<f64>>,
    #[serde(default)]
    pub ordered: bool,
    #[serde(default)]
    pub ignore_labels: Vec<Spanned<String>>,
}

/// One `[[exercise.wrong]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWrong {
    pub query: Spanned<String>,
    pub feedback: Spanned<String>,
}

/// `[exercise.constraints]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConstraints {
    #[serde(default)]
    pub must_use: Vec<Spanned<String>>,
    #[serde(default)]
    pub must_not_use: Vec<Spanned<String>>,
}
