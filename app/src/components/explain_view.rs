use super::RichText;
use super::workbench::{ExplainState, use_workbench};
use crate::explain::{ExplainNode, Hint, Severity};
use leptos::prelude::*;

/// The Explain tab: learner hints with one-click fixes, then the query tree with a sentence
/// per node (and, once the engine reports them, each node's series, samples and labels).
#[component]
pub fn ExplainView() -> impl IntoView {
    let wb = use_workbench();
    let content = move || {
        match wb.explain.get() {
        ExplainState::Empty => view! { <p class="status">"Type a query to see its tree."</p> }.into_any(),
        ExplainState::Loading(p) => {
            let text = match p {
                Some(p) => format!("Explaining: {} {}{}…", p.stage, p.done, p.total.map(|t| format!(" of {t}")).unwrap_or_default()),
                None => "Explaining…".to_string(),
            };
            view! {
                <p class="status" aria-busy="true">{text}
                    " "<button type="button" class="cancel" on:click=move |_| wb.cancel()>"Cancel"</button>
                </p>
            }
            .into_any()
        }
        ExplainState::Failed(e) => view! { <p class="run-error" role="alert">{e}</p> }.into_any(),
        ExplainState::Invalid(d) => view! {
            <p class="status">"The query does not parse yet; the errors are listed under the editor."</p>
            <p class="note">{d.len()} " problem(s)"</p>
        }
        .into_any(),
        ExplainState::Ready { query, report } => {
            let hints = report.hints.clone();
            let nodes = report.nodes.clone();
            let evaluated = report.evaluated;
            view! {
                {hints_view(query, hints)}
                <ol class="tree" aria-label="Query tree">
                    {nodes.into_iter().map(node_view).collect_view()}
                </ol>
                {(!evaluated).then(|| view! {
                    <p class="note">"Run the query (Ctrl+Enter) to evaluate each node on the scenario's data: series, samples, labels and timing."</p>
                })}
            }
            .into_any()
        }
    }
    };
    view! { <div class="explain">{content}</div> }
}

fn hints_view(query: String, hints: Vec<Hint>) -> AnyView {
    let wb = use_workbench();
    if hints.is_empty() {
        return view! { <p class="hints-none">"No hints: nothing in this query looks like a common mistake."</p> }.into_any();
    }
    view! {
        <ul class="hints" aria-label="Hints">
            {hints.into_iter().map(|h| {
                let query = query.clone();
                let class = match h.severity { Severity::Warning => "hint warning", Severity::Info => "hint info" };
                let fix = h.fix.clone().map(|fix| {
                    let label = fix.label.clone();
                    view! {
                        // Fixes are edits on the text they were computed for.
                        <button type="button" class="apply-fix" on:click=move |_| wb.apply_fix(&query, &fix)>{label}</button>
                    }
                });
                view! {
                    <li class=class data-rule=h.rule.clone()>
                        <span class="severity">{match h.severity { Severity::Warning => "Warning", Severity::Info => "Info" }}</span>
                        <span class="hint-message"><RichText text=h.message.clone()/></span>
                        {fix}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn node_view(n: ExplainNode) -> impl IntoView {
    let stats = n.stats.as_ref().map(node_stats);
    view! {
        <li class="node" style=format!("--depth: {}", n.depth)>
            <div class="node-head">
                <code class="node-text">{n.label.clone()}</code>
                <span class="node-type">{n.result_type.clone()}</span>
            </div>
            <p class="node-sentence"><RichText text=n.sentence.clone()/></p>
            {stats}
        </li>
    }
}

/// `12 series · 4,812 samples · 0.8 ms`, then the labels with example values, or the
/// engine's error for a node that failed.
fn node_stats(s: &crate::explain::NodeStats) -> AnyView {
    if let Some(e) = &s.error {
        return view! { <p class="node-stats node-error">{e.clone()}</p> }.into_any();
    }
    let head = format!(
        "{} series · {} samples touched · {:.1} ms",
        s.series, s.samples, s.eval_ms
    );
    let labels = s
        .labels
        .iter()
        .map(|l| {
            let more = if l.distinct > l.values.len() as u64 {
                format!(" … ({} values)", l.distinct)
            } else {
                String::new()
            };
            let values = l
                .values
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ");
            view! { <li><code>{l.name.clone()}</code>" = "{values}{more}</li> }
        })
        .collect_view();
    view! {
        <div class="node-stats">
            <p>{head}</p>
            <ul class="node-labels" aria-label="Labels">{labels}</ul>
        </div>
    }
    .into_any()
}
