use leptos::prelude::*;

/// The PromQL input. It owns no state: the query lives in the parent's signal.
#[component]
pub fn QueryEditor(
    /// The query text, shared with the result panel.
    query: RwSignal<String>,
) -> impl IntoView {
    view! {
        <section class="query-editor" aria-label="Query">
            <label for="query-input">"PromQL query"</label>
            <textarea
                id="query-input"
                spellcheck="false"
                rows="3"
                placeholder="rate(http_requests_total[5m])"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            ></textarea>
        </section>
    }
}
