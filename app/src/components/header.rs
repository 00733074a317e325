use super::course::use_course;
use super::workbench::use_workbench;
use crate::course::route::Route;
use crate::worker::client::WorkerStatus;
use leptos::prelude::*;

/// The page header: product name, the switch between the workbench and the exercises, and
/// the query engine's state.
#[component]
pub fn Header() -> impl IntoView {
    let wb = use_workbench();
    let course = use_course();
    let on_course = move || course.route.with(Option::is_some);
    let go = move |ev: leptos::ev::MouseEvent, route: Option<Route>| {
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        course.open(route);
    };
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
            <nav class="app-nav" aria-label="Sections">
                <a href="./" aria-current=move || (!on_course()).then_some("page")
                    on:click=move |ev| go(ev, None)>"Query"</a>
                <a href="?course" aria-current=move || on_course().then_some("page")
                    on:click=move |ev| go(ev, Some(Route::course()))>"Exercises"</a>
            </nav>
            <span class="engine-version" class:failed=failed role="status"
                title="The simulator and PromQL engine run in a Web Worker">
                {status}
            </span>
        </header>
    }
}
