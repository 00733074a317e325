use super::result_tabs::run_message;
use super::table_view::annotations;
use super::workbench::{RunState, use_workbench};
use super::{ColorScaleBar, GraphCanvas, Legend};
use crate::chart::heatmap::{self, Heatmap};
use crate::chart::legend::Visibility;
use crate::chart::series::from_result;
use crate::chart::units::{Unit, infer_unit, is_rate};
use crate::editor::highlight::metric_names;
use crate::result::{QueryResult, ResultData};
use crate::state::view::{GraphMode, Tab};
use crate::worker::protocol::EvalRange;
use leptos::prelude::*;

/// The result of the last Graph run, with the window it was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plotted {
    /// The result.
    pub result: QueryResult,
    /// Start and end, Unix milliseconds.
    pub window: (i64, i64),
    /// The step asked for (0 for an instant query).
    pub step_ms: i64,
    /// The query text.
    pub query: String,
}

/// The Graph tab: mode buttons (lines, stacked, heatmap), the canvas, the legend and the
/// run's statistics.
#[component]
pub fn GraphView() -> impl IntoView {
    let wb = use_workbench();
    let plotted = Memo::new(move |_| {
        wb.run.with(|r| match r {
            RunState::Done {
                tab: Tab::Graph,
                outcome: Ok(result),
                request,
                ..
            } => {
                let (window, step_ms) = match request.range {
                    EvalRange::Range {
                        start_ms,
                        end_ms,
                        step_ms,
                    } => ((start_ms, end_ms), step_ms),
                    EvalRange::Instant { time_ms } => ((time_ms - 60_000, time_ms), 0),
                };
                Some(Plotted {
                    result: result.clone(),
                    window,
                    step_ms,
                    query: request.query.clone(),
                })
            }
            _ => None,
        })
    });
    let stats = Signal::derive(move || {
        wb.run.with(|r| match r {
            RunState::Done {
                tab: Tab::Graph,
                outcome: Ok(res),
                round_trip_ms,
                ..
            } => Some(stats_line(res, *round_trip_ms)),
            _ => None,
        })
    });
    view! {
        {move || wb.run.with(|r| run_message(r, Tab::Graph))}
        <ResultGraph plotted=plotted stats=stats/>
    }
}

/// A result drawn over its window: mode buttons (lines, stacked, heatmap), the canvas, the
/// legend, a statistics line and the result's warnings. The Graph tab shows the last run
/// in it; the exercise view shows the expected result and the learner's side by side.
#[component]
pub fn ResultGraph(
    /// The result and its window; nothing is drawn while `None`.
    plotted: Memo<Option<Plotted>>,
    /// The line under the legend (series, samples, timings).
    #[prop(into)]
    stats: Signal<Option<String>>,
) -> impl IntoView {
    let wb = use_workbench();
    let series = Memo::new(move |_| {
        plotted.with(|p| {
            p.as_ref()
                .map(|p| from_result(&p.result.data))
                .unwrap_or_default()
        })
    });
    let heatmap = Memo::new(move |_| -> Option<Result<Heatmap, String>> {
        plotted.with(|p| match p.as_ref().map(|p| &p.result.data) {
            Some(ResultData::Matrix(m)) => Some(heatmap::build(m).map_err(|e| e.to_string())),
            Some(_) => Some(Err(
                "The heatmap shows histogram buckets over a range; this result is not one.".into(),
            )),
            None => None,
        })
    });
    let unit = Memo::new(move |_| {
        plotted.with(|p| {
            p.as_ref().map_or(Unit::Plain, |p| {
                infer_unit(&metric_names(&p.query), &p.query)
            })
        })
    });
    let per_second =
        Signal::derive(move || plotted.with(|p| p.as_ref().is_some_and(|p| is_rate(&p.query))));
    let visibility = RwSignal::new(Visibility::default());
    let mode = move || wb.view.with(|v| v.graph_mode);
    let is_buckets = move || heatmap.with(|h| matches!(h, Some(Ok(_))));
    let heatmap_mode = Signal::derive(move || mode() == GraphMode::Heatmap && is_buckets());
    let stacked = Signal::derive(move || mode() == GraphMode::Stacked);

    let modes = GraphMode::ALL
        .iter()
        .map(|&m| {
            let title = move || match (m, heatmap.get()) {
                (GraphMode::Heatmap, Some(Err(e))) => e,
                (GraphMode::Heatmap, _) => "Histogram buckets over time, de-cumulated".into(),
                _ => String::new(),
            };
            view! {
                <button type="button" class="mode" aria-pressed=move || (mode() == m).to_string()
                    disabled=move || m == GraphMode::Heatmap && !is_buckets() title=title
                    on:click=move |_| wb.view.update(|v| v.graph_mode = m)>
                    {m.title()}
                </button>
            }
        })
        .collect_view();
    let notes = move || plotted.with(|p| p.as_ref().and_then(|p| annotations(&p.result)));
    let heatmap_max = Signal::derive(move || {
        heatmap.with(|h| h.as_ref().and_then(|h| h.as_ref().ok()).map(|h| h.max))
    });
    let heatmap_note = move || {
        if !heatmap_mode.get() {
            return None;
        }
        heatmap.with(|h| h.as_ref().and_then(|h| h.as_ref().ok()).map(heatmap_note))
    };
    view! {
        <div class="graph" class:hidden=move || plotted.with(|p| p.is_none())>
            <div role="group" aria-label="Graph mode" class="modes">{modes}</div>
            <Show when=move || series.with(|s| s.is_empty()) && plotted.with(|p| p.is_some())>
                <p class="status">"The query returned no data for this window."</p>
            </Show>
            <GraphCanvas plotted=plotted series=series heatmap=heatmap unit=unit
                visibility=visibility heatmap_mode=heatmap_mode stacked=stacked per_second=per_second/>
            <p class="note">{heatmap_note}</p>
            // A series legend means nothing for buckets drawn as rows: the colour bar
            // explains what is drawn instead.
            <Show when=move || heatmap_mode.get()
                fallback=move || view! { <Legend series=series visibility=visibility/> }>
                <ColorScaleBar max=heatmap_max per_second=per_second/>
            </Show>
            <p class="stats">{stats}</p>
            {notes}
        </div>
    }
}

fn heatmap_note(h: &Heatmap) -> String {
    let mut notes = vec![format!(
        "{} buckets, de-cumulated: each row counts the observations between two bounds.",
        h.buckets.len()
    )];
    if h.groups > 1 {
        notes.push(format!(
            "{} bucket sets were added up, as sum by (le) would.",
            h.groups
        ));
    }
    if h.clamped {
        notes.push("Some buckets decreased between bounds and are shown as zero.".into());
    }
    notes.join(" ")
}

/// `3 series · 2160 samples · evaluated in 4.2 ms · 9.8 ms round trip`.
pub(super) fn stats_line(res: &QueryResult, round_trip_ms: f64) -> String {
    let mut parts = vec![
        format!("{} series", res.data.series_count()),
        format!("{} samples", res.data.sample_count()),
    ];
    if let Some(s) = res.eval_seconds() {
        parts.push(format!("evaluated in {:.1} ms", s * 1000.0));
    }
    if let Some(n) = res.samples_touched() {
        parts.push(format!("{n} samples touched"));
    }
    parts.push(format!("{round_trip_ms:.1} ms round trip"));
    parts.join(" · ")
}
