use super::SeriesText;
use super::graph_view::stats_line;
use super::result_tabs::run_message;
use super::workbench::{RunState, use_workbench};
use crate::result::{QueryResult, ResultData, format_value};
use crate::state::calendar::format_utc;
use crate::state::view::Tab;
use leptos::prelude::*;

/// The most rows rendered; a larger result says how many were left out.
const MAX_ROWS: usize = 1000;

/// The Table tab: an instant query's series with their labels as Prometheus prints them,
/// the series count and the evaluation time.
#[component]
pub fn TableView() -> impl IntoView {
    let wb = use_workbench();
    let result = move || {
        wb.run.with(|r| match r {
            RunState::Done {
                tab: Tab::Table,
                outcome: Ok(res),
                round_trip_ms,
                ..
            } => Some((res.clone(), *round_trip_ms)),
            _ => None,
        })
    };
    view! {
        {move || wb.run.with(|r| run_message(r, Tab::Table))}
        {move || result().map(|(res, rt)| view! {
            {table(&res)}
            <p class="stats">{stats_line(&res, rt)}</p>
            {annotations(&res)}
        })}
    }
}

/// The result's warnings and infos, as the engine (or Prometheus) worded them.
pub(super) fn annotations(res: &QueryResult) -> Option<impl IntoView + use<>> {
    (!res.warnings.is_empty() || !res.infos.is_empty()).then(|| {
        let warnings = res.warnings.clone();
        let infos = res.infos.clone();
        view! {
            <ul class="annotations" aria-label="Warnings and infos">
                {warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}
                {infos.into_iter().map(|i| view! { <li class="info">{i}</li> }).collect_view()}
            </ul>
        }
    })
}

/// The rows of a result: series text and value text.
pub(super) fn rows(res: &QueryResult) -> Vec<(String, String)> {
    match &res.data {
        ResultData::Scalar(s) => vec![("scalar".into(), format_value(s.v))],
        ResultData::String(s) => vec![("string".into(), s.value.clone())],
        ResultData::Vector(v) => v
            .iter()
            .map(|s| (s.metric.display(), format_value(s.value.v)))
            .collect(),
        ResultData::Matrix(m) => m
            .iter()
            .map(|s| {
                let values: Vec<String> = s
                    .values
                    .iter()
                    .map(|p| format!("{} @{}", format_value(p.v), format_utc(p.t_ms)))
                    .collect();
                (s.metric.display(), values.join("\n"))
            })
            .collect(),
    }
}

/// A result as a table of series and values, or a line saying it is empty.
pub(super) fn table(res: &QueryResult) -> AnyView {
    let all = rows(res);
    if all.is_empty() {
        return view! { <p class="status">"The query returned no series."</p> }.into_any();
    }
    let total = all.len();
    let shown = all.into_iter().take(MAX_ROWS).map(|(series, value)| {
        view! { <tr><td class="series"><SeriesText text=series/></td><td class="value">{value}</td></tr> }
    });
    view! {
        <table class="result-table">
            <thead><tr><th scope="col">"Series"</th><th scope="col">"Value"</th></tr></thead>
            <tbody>{shown.collect_view()}</tbody>
        </table>
        {(total > MAX_ROWS).then(|| view! { <p class="note">{format!("Showing {MAX_ROWS} of {total} series.")}</p> })}
    }
    .into_any()
}
