use super::RichText;
use super::workbench::use_workbench;
use leptos::prelude::*;

/// The parser's errors for the current text, each with its position, message and hint.
/// Errors about an older text are not shown, so the list never lags behind the editor, and
/// an empty editor is not an error to point at.
#[component]
pub fn DiagnosticList() -> impl IntoView {
    let wb = use_workbench();
    let current = move || {
        let q = wb.query.get();
        wb.diagnostics.with(|(parsed, d)| {
            if *parsed == q && !q.trim().is_empty() {
                d.clone()
            } else {
                Vec::new()
            }
        })
    };
    view! {
        <div id="query-diagnostics" class="diagnostics" aria-live="polite">
            {move || {
                current()
                    .into_iter()
                    .map(|d| {
                        view! {
                            <p class="diagnostic">
                                <span class="position">{format!("{}:{}", d.line, d.col)}</span>
                                " "
                                <span class="message"><RichText text=d.message.clone()/></span>
                                {d.hint.clone().map(|h| view! { <span class="diag-hint">"hint: "<RichText text=h/></span> })}
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
