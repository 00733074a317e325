//! Entry point of the browser build: installs the panic hook, mounts the app on <body> and
//! marks the moment in the Performance timeline (`workbench-mounted`), which
//! `scripts/first-render.mjs` reads to measure the first render.
//! Everything else lives in the library so that tests can mount components on their own.

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <app::App/> });
    if let Some(performance) = window().performance() {
        let _ = performance.mark("workbench-mounted");
    }
}
