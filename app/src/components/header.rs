use super::workbench::use_workbench;
use crate::worker::client::WorkerStatus;
use leptos::prelude::*;

/// The page header: product name and the query engine's state.
#[component]
pub fn Header() -> impl IntoView {
    let wb = use_workbench();
    let status = move || match wb.status.get() {
        WorkerStatus::Starting => "engine starting…".to_string(),
        WorkerStatus::Ready {
            version,
            engine: true,
        } => format!("engine {version}"),
        WorkerStatus::Ready {
            version,
            engine: false,
        } => {
            format!("engine {version} · evaluator not in this build")
        }
        WorkerStatus::Failed(m) => format!("engine stopped: {m}"),
    };
    let failed = move || matches!(wb.status.get(), WorkerStatus::Failed(_));
    view! {
        <header class="app-header">
            <h1>"PromQL Workbench"</h1>
            <span class="engine-version" class:failed=failed role="status"
                title="The simulator and PromQL engine run in a Web Worker">
                {status}
            </span>
        </header>
    }
}
