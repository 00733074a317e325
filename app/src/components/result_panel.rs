use leptos::prelude::*;

/// Shows the result of the current query, or what to do when there is none yet.
#[component]
pub fn ResultPanel(
    /// The query whose result is shown.
    query: ReadSignal<String>,
) -> impl IntoView {
    let status = move || {
        if query.with(|q| q.trim().is_empty()) {
            "Type a PromQL query above."
        } else {
            "Query ready."
        }
    };
    view! {
        <section class="result-panel" aria-label="Result" aria-live="polite">
            <p class="status">{status}</p>
        </section>
    }
}
