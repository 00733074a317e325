use super::workbench::{RunState, use_workbench};
use leptos::prelude::*;

/// Progress of the running query and its Cancel button. Cancelling restarts the worker,
/// since a computation in progress cannot be interrupted any other way.
#[component]
pub fn RunStatus() -> impl IntoView {
    let wb = use_workbench();
    let progress = move || {
        wb.run.with(|r| match r {
            RunState::Running {
                progress: Some(p), ..
            } => {
                let of = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
                format!("{}: {}{of}", p.stage, p.done)
            }
            RunState::Running { .. } => "Running…".to_string(),
            _ => String::new(),
        })
    };
    let fraction = move || {
        wb.run.with(|r| match r {
            RunState::Running {
                progress: Some(p), ..
            } => p
                .total
                .filter(|t| *t > 0)
                .map(|t| (p.done as f64 / t as f64).clamp(0.0, 1.0)),
            _ => None,
        })
    };
    view! {
        <Show when=move || wb.is_running()>
            <span class="run-status" role="status">
                {move || match fraction() {
                    Some(f) => view! { <progress max="1" value=f.to_string() aria-label="Query progress"></progress> }.into_any(),
                    None => view! { <progress aria-label="Query progress"></progress> }.into_any(),
                }}
                <span class="progress-text">{progress}</span>
                <button type="button" class="cancel" on:click=move |_| wb.cancel()>"Cancel"</button>
            </span>
        </Show>
    }
}
