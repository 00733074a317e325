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
        ExplainState::Loading => view! { <p class="status" aria-busy="true">"Explaining…"</p> }.into_any(),
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
                    <p class="note">"Per-node series, samples and labels need the PromQL evaluator, which is not in this build yet."</p>
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
                        <button type="button" class="apply-fix" on:click=move |_| {
                            // Fixes are edits on the text they were computed for.
                            if wb.query.get_untracked() == query
                                && let Some(fixed) = fix.apply(&query)
                            {
                                wb.query.set(fixed);
                            }
                        }>{label}</button>
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
    let stats = n.stats.as_ref().map(|s| {
        let labels: Vec<String> = s
            .labels
            .iter()
            .map(|l| format!("{} ({}: {})", l.name, l.distinct, l.values.join(", ")))
            .collect();
        format!(
            "{} series · {} samples · {:.1} ms · labels: {}",
            s.series,
            s.samples,
            s.eval_ms,
            labels.join("; ")
        )
    });
    view! {
        <li class="node" style=format!("--depth: {}", n.depth)>
            <div class="node-head">
                <code class="node-text">{n.label.clone()}</code>
                <span class="node-type">{n.result_type.clone()}</span>
            </div>
            <p class="node-sentence"><RichText text=n.sentence.clone()/></p>
            {stats.map(|s| view! { <p class="node-stats">{s}</p> })}
        </li>
    }
}
