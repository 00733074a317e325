use super::workbench::use_workbench;
use leptos::prelude::*;

/// The last queries run (kept in localStorage); choosing one puts it in the editor.
#[component]
pub fn HistoryMenu() -> impl IntoView {
    let wb = use_workbench();
    let open = RwSignal::new(false);
    view! {
        <details class="history" prop:open=move || open.get()
            on:toggle=move |ev| open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
            <summary>"History"</summary>
            <ul>
                {move || {
                    let entries = wb.history.with(|h| h.entries().to_vec());
                    if entries.is_empty() {
                        return view! { <li class="empty">"Queries you run appear here."</li> }.into_any();
                    }
                    entries.into_iter().map(|q| {
                        let text = q.clone();
                        view! {
                            <li>
                                <button type="button" class="history-entry" on:click=move |_| {
                                    wb.query.set(text.clone());
                                    open.set(false);
                                }>
                                    <code>{q}</code>
                                </button>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </details>
    }
}
