//! The workbench's state as plain data: what is shown (scenario, time range, tab, query),
//! how it maps to a URL, and the time arithmetic behind it. Components hold these values in
//! signals; the rules live here and are tested natively.

pub mod address;
pub mod calendar;
pub mod catalog;
pub mod time_range;
pub mod url;
pub mod view;
