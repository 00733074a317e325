use super::course::Course;
use super::workbench::{Catalog, RunState, Workbench};
use super::{
    CoursePage, DataSourcePicker, Header, QueryEditor, ResultTabs, ScenarioPicker, TimeRange,
};
use crate::course::route;
use crate::editor::history;
use crate::state::url;
use crate::worker::client::{WORKER_URL, WorkerClient};
use leptos::prelude::*;
use std::time::Duration;

/// The whole page: the workbench, or the course when the URL names one.
///
/// It starts the worker, restores the view (or the course's route) from the URL and
/// provides the [`Workbench`] and [`Course`] contexts, whose resources keep the parse, the
/// metadata, the Explain tab and the exercises in step with the state. The exercise view
/// uses the workbench's editor, so both contexts live for the whole page. Two effects
/// remain here: re-running after a change the run depends on, and writing the view or
/// the route into the URL.
#[component]
pub fn App(
    /// Where the worker script is; tests point it at a stand-in.
    #[prop(optional, into)]
    worker_url: Option<String>,
) -> impl IntoView {
    let client = WorkerClient::new(worker_url.as_deref().unwrap_or(WORKER_URL));
    let search = location().search().unwrap_or_default();
    let opened_route = route::decode(&search);
    let restored = url::decode(&search);
    let run_on_open = opened_route.is_none() && !restored.query.trim().is_empty();
    let wb = Workbench::new(client.clone(), restored, js_sys::Date::now() as i64);
    provide_context(wb);
    wb.history.set(history::load());
    let course = Course::new(client, opened_route, wb);
    provide_context(course);
    let on_course = move || course.route.with(Option::is_some);

    // After a first run, changing what the run depends on runs again, as in Prometheus'
    // UI; a link with a query runs it on opening.
    // A memo computes only when read, so the effect reads it (`get`), never just `track`s it.
    let params = Memo::new(move |_| {
        wb.view.with(|v| {
            (
                v.tab,
                v.range_ms,
                v.end_ms,
                v.step_ms,
                v.scenario.clone(),
                v.seed,
            )
        })
    });
    // A link's query waits for the catalog: until it is loaded, the scenario's default end
    // time is unknown and the query would run at the time the page opened instead.
    let open_pending = StoredValue::new(run_on_open);
    Effect::new(move |first: Option<()>| {
        let _ = params.get();
        let ready =
            !matches!(wb.catalog.get(), Catalog::Loading) && wb.view.with(|v| v.scenario.is_some());
        if open_pending.get_value() {
            if ready {
                open_pending.set_value(false);
                wb.run_query();
            }
            return;
        }
        let ran_before = !wb.run.with_untracked(|r| matches!(r, RunState::Idle));
        // The exercise view moves the scenario for completion; that runs nothing here.
        if first.is_some() && ran_before && !untrack(on_course) {
            wb.run_query();
        }
    });
    // The URL follows the view, a moment after the last change so typing does not flood
    // the browser's history API.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let search = match course.route.get() {
            Some(r) => route::encode(&r),
            None => {
                let mut view = wb.view.get();
                view.query = wb.query.get();
                url::encode(&view)
            }
        };
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        let handle =
            set_timeout_with_handle(move || replace_url(&search), Duration::from_millis(300)).ok();
        timer.set_value(handle);
    });
    on_cleanup(move || {
        if let Some(Some(h)) = timer.try_get_value() {
            h.clear();
        }
    });

    view! {
        <Header/>
        <Show when=on_course fallback=|| view! {
            <main class="workbench">
                <section class="source-section" aria-label="Data source">
                    <DataSourcePicker/>
                </section>
                <section class="controls" aria-label="Data">
                    <ScenarioPicker/>
                    <TimeRange/>
                </section>
                <QueryEditor/>
                <ResultTabs/>
            </main>
        }>
            <CoursePage/>
        </Show>
    }
}

/// Replaces the page's query string without a navigation. A relative `?...` keeps the
/// path, so links work under any sub-path; an empty one goes back to the bare path.
fn replace_url(search: &str) {
    let target = if search.is_empty() {
        location().pathname().unwrap_or_else(|_| "./".into())
    } else {
        search.to_string()
    };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
    }
}
