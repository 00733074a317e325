use super::workbench::{RunState, use_workbench};
use super::{ExplainView, GraphView, TableView};
use crate::state::view::Tab;
use crate::worker::protocol::WorkerError;
use leptos::prelude::*;

/// The Graph, Table and Explain tabs (a WAI-ARIA tablist: arrow keys move between tabs).
#[component]
pub fn ResultTabs() -> impl IntoView {
    let wb = use_workbench();
    let current = move || wb.view.with(|v| v.tab);
    let select = move |tab: Tab| {
        wb.view.update(|v| v.tab = tab);
        if let Some(el) = document().get_element_by_id(&format!("tab-{}", tab.key()))
            && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
        {
            let _ = el.focus();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let i = Tab::ALL.iter().position(|t| *t == current()).unwrap_or(0);
        let n = Tab::ALL.len();
        let next = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % n,
            "ArrowLeft" => (i + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        select(Tab::ALL[next]);
    };
    let tabs = Tab::ALL
        .iter()
        .map(|&tab| {
            let selected = move || current() == tab;
            view! {
                <button type="button" role="tab" id=format!("tab-{}", tab.key())
                    aria-selected=move || selected().to_string()
                    aria-controls="result-panel"
                    tabindex=move || if selected() { "0" } else { "-1" }
                    on:click=move |_| wb.view.update(|v| v.tab = tab)>
                    {tab.title()}
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="results" aria-label="Result">
            <div role="tablist" aria-label="Result views" class="tabs" on:keydown=on_keydown>{tabs}</div>
            <div role="tabpanel" id="result-panel" class="tab-panel"
                aria-labelledby=move || format!("tab-{}", current().key())>
                {move || match current() {
                    Tab::Graph => view! { <GraphView/> }.into_any(),
                    Tab::Table => view! { <TableView/> }.into_any(),
                    Tab::Explain => view! { <ExplainView/> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// What the Graph or Table tab shows while it has no result: a prompt, the running state
/// or the error. `None` once a result for `tab` is there.
pub(super) fn run_message(run: &RunState, tab: Tab) -> Option<AnyView> {
    match run {
        RunState::Idle => {
            Some(view! { <p class="status">"Type a PromQL query above and run it."</p> }.into_any())
        }
        RunState::Running { .. } => {
            Some(view! { <p class="status" aria-busy="true">"Running…"</p> }.into_any())
        }
        RunState::Done { tab: t, .. } if *t != tab => {
            Some(view! { <p class="status">"Run the query to see it here."</p> }.into_any())
        }
        RunState::Done {
            outcome: Err(e), ..
        } => Some(error_view(e)),
        RunState::Done { .. } => None,
    }
}

fn error_view(e: &WorkerError) -> AnyView {
    let class = match e {
        WorkerError::EngineUnavailable => "run-error unavailable",
        WorkerError::Cancelled => "run-error cancelled",
        _ => "run-error",
    };
    let details = match e {
        WorkerError::InvalidQuery(d) => d
            .iter()
            .map(|d| {
                let hint = d
                    .hint
                    .clone()
                    .map(|h| format!(" (hint: {h})"))
                    .unwrap_or_default();
                format!("{}:{}: {}{hint}", d.line, d.col, d.message)
            })
            .collect(),
        WorkerError::Source { hint, .. } if !hint.is_empty() => vec![hint.clone()],
        _ => Vec::new(),
    };
    view! {
        <div class=class role="alert">
            <p>{e.to_string()}</p>
            {details.into_iter().map(|d| view! { <p class="detail">{d}</p> }).collect_view()}
        </div>
    }
    .into_any()
}
