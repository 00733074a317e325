use leptos::prelude::*;

/// Chooses the simulated scenario whose metrics queries run against.
#[component]
pub fn ScenarioPicker() -> impl IntoView {
    view! {
        <section class="scenario-picker" aria-label="Scenario">
            <label for="scenario">"Scenario"</label>
            <select id="scenario" disabled=true>
                <option>"No scenarios available"</option>
            </select>
        </section>
    }
}
