use crate::chart::legend::Visibility;
use crate::chart::series::PlotSeries;
use leptos::prelude::*;

/// The graph's legend: a click isolates a series (again: shows all), a ctrl- or cmd-click
/// toggles it.
#[component]
pub fn Legend(
    /// The series, in drawing order.
    series: Memo<Vec<PlotSeries>>,
    /// Which are hidden.
    visibility: RwSignal<Visibility>,
) -> impl IntoView {
    let entries = move || {
        let all = series.get();
        let ids: Vec<u64> = all.iter().map(|s| s.id).collect();
        all.into_iter()
            .map(|s| {
                let ids = ids.clone();
                let id = s.id;
                let shown = move || visibility.with(|v| v.is_visible(id));
                view! {
                    <li>
                        <button type="button" class="legend-entry" class:hidden-series=move || !shown()
                            aria-pressed=move || shown().to_string()
                            on:click=move |ev: leptos::ev::MouseEvent| {
                                if ev.ctrl_key() || ev.meta_key() {
                                    visibility.update(|v| v.toggle(id));
                                } else {
                                    visibility.update(|v| v.click(id, &ids));
                                }
                            }>
                            <span class="swatch" style=format!("background: {}", s.color.css())></span>
                            <span class="series-name">{s.name.clone()}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || series.with(|s| !s.is_empty())>
            <p class="legend-help">"Click a series to isolate it; Ctrl- or Cmd-click to show or hide it."</p>
        </Show>
        <ul class="legend" aria-label="Series">{entries}</ul>
    }
}
