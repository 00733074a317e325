//! The course in the browser: exercise packs, progress and routes, free of the DOM.
//!
//! Packs are loaded and graded in the worker (`crate::worker::course`); what the page gets
//! back is plain data ([`pack`], [`feedback`]) with every Markdown text already rendered by
//! `exercises::markdown::render`, the one sanitising renderer. The learner's progress is
//! [`progress`] (versioned, migrated, merged on import; never silently dropped); what
//! they typed and have not checked yet is a [`draft`] (bounded, apart from progress), and the
//! URL says which pack and exercise are open ([`route`]). [`source`] fetches a pack from a
//! URL and keeps a pack opened from a file for reloads. Components in
//! `crate::components::course_*` only wire these to the DOM.

pub mod draft;
pub mod feedback;
pub mod pack;
pub mod progress;
pub mod route;
pub mod source;
