//! The PromQL Workbench web app: a Leptos client-side-rendered UI over the `simulator` engine
//! and the `exercises` grader.
//!
//! Components stay thin (one screen each); state and logic live in plain types that are
//! unit-tested natively. Only this crate touches web-sys and the DOM. `main.rs` only mounts
//! [`App`], so tests can mount any component on its own.

pub mod components;

use leptos::prelude::*;

use components::{Header, QueryEditor, ResultPanel, ScenarioPicker};

/// The whole workbench page.
#[component]
pub fn App() -> impl IntoView {
    let query = RwSignal::new(String::new());
    view! {
        <Header/>
        <main class="workbench">
            <ScenarioPicker/>
            <QueryEditor query=query/>
            <ResultPanel query=query.read_only()/>
        </main>
    }
}
