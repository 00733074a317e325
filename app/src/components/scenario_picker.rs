use super::workbench::{Catalog, use_workbench};
use crate::state::calendar::format_utc;
use crate::state::time_range::window;
use leptos::prelude::*;

/// Chooses the simulated scenario and seed, and describes the chosen scenario: targets,
/// series, and the incidents inside the current time window.
#[component]
pub fn ScenarioPicker() -> impl IntoView {
    let wb = use_workbench();
    let scenarios = move || match wb.catalog.get() {
        Catalog::Loaded(list) => list,
        _ => Vec::new(),
    };
    // With a catalog and no choice yet (or a link naming a scenario we do not have), the
    // first scenario is the sensible default.
    Effect::new(move |_| {
        if let Catalog::Loaded(list) = wb.catalog.get()
            && let Some(first) = list.first()
        {
            let chosen = wb.view.with_untracked(|v| v.scenario.clone());
            if chosen.is_none_or(|c| !list.iter().any(|s| s.name == c)) {
                wb.view.update(|v| v.scenario = Some(first.name.clone()));
            }
        }
    });
    let options = move || {
        let list = scenarios();
        if list.is_empty() {
            let text = match wb.catalog.get() {
                Catalog::Loading => "Loading scenarios…".to_string(),
                Catalog::Failed(_) => "Scenarios unavailable".to_string(),
                Catalog::Loaded(_) => "No scenarios in this build yet".to_string(),
            };
            return view! { <option value="">{text}</option> }.into_any();
        }
        let chosen = wb.view.with(|v| v.scenario.clone());
        list.into_iter()
            .map(|s| {
                let selected = chosen.as_deref() == Some(s.name.as_str());
                view! { <option value=s.name.clone() selected=selected>{s.title.clone()}</option> }
            })
            .collect_view()
            .into_any()
    };
    let details = move || {
        let Some(s) = wb.scenario() else {
            return match wb.catalog.get() {
                Catalog::Loaded(list) if list.is_empty() => view! {
                    <p class="note">
                        "The scenario catalog is not part of this build yet, so queries have no data to run on. "
                        "The editor, formatting and the Explain tree work."
                    </p>
                }
                .into_any(),
                Catalog::Failed(e) => view! { <p class="note error">{e}</p> }.into_any(),
                _ => ().into_any(),
            };
        };
        let range = wb.view.with(|v| v.range_ms);
        let (start, end) = window(range, wb.end_ms());
        let incidents: Vec<String> = s
            .incidents_in(start, end)
            .into_iter()
            .map(|i| {
                format!(
                    "{} ({} to {})",
                    i.title,
                    format_utc(i.start_ms),
                    format_utc(i.end_ms)
                )
            })
            .collect();
        let targets: Vec<String> = s
            .targets
            .iter()
            .map(|t| format!("{}/{}", t.job, t.instance))
            .collect();
        let summary = format!(
            "{} targets · {} series · {} in this window",
            targets.len(),
            s.series_count,
            match incidents.len() {
                0 => "no incidents".to_string(),
                1 => "1 incident".to_string(),
                n => format!("{n} incidents"),
            }
        );
        // Collapsed by default: the editor, not the scenario's description, is what the
        // learner came for, and at 390 px the full block pushed it below the fold.
        view! {
            <details class="scenario-details">
                <summary>{summary}</summary>
                <p>{s.description.clone()}</p>
                <dl>
                    <dt>"Targets"</dt><dd>{targets.join(", ")}</dd>
                    <dt>"Series"</dt><dd>{s.series_count}</dd>
                    <dt>"Incidents in this window"</dt>
                    <dd>{if incidents.is_empty() { "none".to_string() } else { incidents.join("; ") }}</dd>
                </dl>
            </details>
        }
        .into_any()
    };
    let set_seed = move |ev| {
        if let Ok(seed) = event_target_value(&ev).trim().parse::<u64>() {
            wb.view.update(|v| v.seed = seed);
        }
    };
    view! {
        <div class="scenario-picker">
            <div class="field-row">
                <label for="scenario">"Scenario"</label>
                <select id="scenario"
                    disabled=move || scenarios().is_empty()
                    on:change=move |ev| {
                        let name = event_target_value(&ev);
                        wb.view.update(|v| v.scenario = (!name.is_empty()).then_some(name));
                    }>
                    {options}
                </select>
                <label for="seed">"Seed"</label>
                <input id="seed" type="number" min="0" step="1" class="seed"
                    prop:value=move || wb.view.with(|v| v.seed.to_string())
                    on:change=set_seed/>
            </div>
            {details}
        </div>
    }
}
