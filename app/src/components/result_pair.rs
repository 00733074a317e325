use super::course::{Pending, use_course};
use super::graph_view::{Plotted, ResultGraph};
use super::table_view::table;
use crate::course::pack::{ExerciseDetail, ExerciseEval};
use crate::result::QueryResult;
use leptos::prelude::*;

/// The expected result beside the learner's, on the exercise's first data set: tables at
/// one of the exercise's times (buttons pick which) for an instant exercise, graphs over
/// its range for a range exercise. The same table and graph as the workbench's tabs.
#[component]
pub fn ResultPair(detail: ExerciseDetail) -> impl IntoView {
    let course = use_course();
    let times = match &detail.eval {
        ExerciseEval::Instant { times, labels } => Some(
            times
                .iter()
                .copied()
                .zip(labels.clone())
                .collect::<Vec<_>>(),
        ),
        ExerciseEval::Range { .. } => None,
    };
    let seed = detail
        .seeds
        .first()
        .map(|s| format!(" on seed {s}"))
        .unwrap_or_default();
    let picker = times.map(|times| {
        let buttons = times
            .into_iter()
            .map(|(t, label)| {
                view! {
                    <button type="button" class="time" aria-pressed=move || (course.shown_time.get() == Some(t)).to_string()
                        on:click=move |_| course.shown_time.set(Some(t))>{label}</button>
                }
            })
            .collect_view();
        view! { <div class="time-picker" role="group" aria-label="Evaluation time">"At "{buttons}</div> }
    });
    let window = match detail.eval {
        ExerciseEval::Range { start, end, step } => Some((start, end, step)),
        ExerciseEval::Instant { .. } => None,
    };
    // Both graphs take their unit from the reference, so their axes read alike.
    let reference = detail.reference.clone();
    let mine_query = reference.clone();
    view! {
        <section class="result-pair" aria-label="Results">
            <h3>{format!("Results{seed}")}</h3>
            {picker}
            <div class="pair">
                <div class="side expected">
                    <h4>"Expected"</h4>
                    <Side state=course.expected window=window query=reference empty="Loading the expected result…"/>
                </div>
                <div class="side mine">
                    <h4>"Your result"</h4>
                    <Side state=course.mine window=window query=mine_query empty="Run or check your query to see its result here."/>
                </div>
            </div>
        </section>
    }
}

#[component]
fn Side(
    state: Memo<Pending<QueryResult>>,
    window: Option<(i64, i64, i64)>,
    query: String,
    empty: &'static str,
) -> impl IntoView {
    match window {
        None => (move || match state.get() {
            Pending::None => view! { <p class="status">{empty}</p> }.into_any(),
            Pending::Loading(p) => view! { <p class="status" aria-busy="true">{p.map_or_else(|| "Running…".to_string(), |p| format!("{}…", p.stage))}</p> }.into_any(),
            Pending::Failed(e) => view! { <p class="run-error" role="alert">{e}</p> }.into_any(),
            Pending::Ready(r) => table(&r),
        })
        .into_any(),
        Some((start, end, step)) => {
            let plotted = Memo::new(move |_| match state.get() {
                Pending::Ready(result) => Some(Plotted {
                    result,
                    window: (start, end),
                    step_ms: step,
                    query: query.clone(),
                }),
                _ => None,
            });
            let stats = Signal::derive(move || {
                plotted.with(|p| p.as_ref().map(|p| format!("{} series", p.result.data.series_count())))
            });
            view! {
                {move || match state.get() {
                    Pending::None => Some(view! { <p class="status">{empty}</p> }.into_any()),
                    Pending::Loading(_) => Some(view! { <p class="status" aria-busy="true">"Running…"</p> }.into_any()),
                    Pending::Failed(e) => Some(view! { <p class="run-error" role="alert">{e}</p> }.into_any()),
                    Pending::Ready(_) => None,
                }}
                <ResultGraph plotted=plotted stats=stats/>
            }
            .into_any()
        }
    }
}
