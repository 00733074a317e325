use leptos::prelude::*;

/// The page header: product name and engine version.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="app-header">
            <h1>"PromQL Workbench"</h1>
            <span class="engine-version" title="Version of the simulator and PromQL engine">
                {format!("engine {}", simulator::VERSION)}
            </span>
        </header>
    }
}
