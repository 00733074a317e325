use super::course::Course;
use super::workbench::{Catalog, RunState, Workbench};
use super::{
    CoursePage, DataSourcePicker, Header, QueryEditor, ResultTabs, ScenarioPicker, TimeRange,
};
use crate::course::route;
use crate::editor::history;
use crate::state::address::{AddressBar, Step};
use crate::state::url;
use crate::state::view::ViewState;
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
    let course = Course::new(client, opened_route.clone(), wb);
    provide_context(course);
    let on_course = move || course.route.with(Option::is_some);

    // After a first run, changing what the run depends on runs again, as in Prometheus'
    // UI; a link with a query runs it on opening.
    // A memo computes only when read, so the effect reads it (`get`), never just `track`s it.
    let params = Memo::new(move |_| wb.view.with(ViewState::run_inputs));
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
    // The URL follows the view. A move to another place (workbench, module list, an
    // exercise) pushes a history entry at once, so Back returns to it; any other change
    // replaces the current entry a moment after the last one, so typing neither floods the
    // history API nor adds an entry per keystroke (state::address).
    let bar = StoredValue::new(AddressBar::new(opened_route));
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let clear_timer = move || {
        if let Some(Some(h)) = timer.try_get_value() {
            h.clear();
        }
    };
    Effect::new(move |_| {
        let place = course.route.get();
        let search = match &place {
            Some(r) => route::encode(r),
            None => {
                let mut view = wb.view.get();
                view.query = wb.query.get();
                url::encode(&view)
            }
        };
        clear_timer();
        let mut step = None;
        bar.update_value(|b| step = Some(b.follow(place, search)));
        match step {
            Some(Step::Push { flush, search }) => {
                if let Some(f) = flush {
                    write_url(&f, Write::Replace);
                }
                write_url(&search, Write::Push);
            }
            Some(Step::ReplaceLater(_)) => {
                let settle = move || {
                    let mut settled = None;
                    bar.update_value(|b| settled = b.settled());
                    if let Some(s) = settled {
                        write_url(&s, Write::Replace);
                    }
                };
                let handle = set_timeout_with_handle(settle, Duration::from_millis(300)).ok();
                timer.set_value(handle);
            }
            None => {}
        }
    });
    // Back and Forward: show the entry's place again, and on the workbench the view and
    // query its link holds (the exercise view moved the scenario and replaced the text).
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        let search = location().search().unwrap_or_default();
        let place = route::decode(&search);
        clear_timer();
        bar.update_value(|b| b.popped(place.clone()));
        if place.is_none() {
            restore_workbench(wb, url::decode(&search));
        }
        course.route.set(place);
    });
    on_cleanup(move || {
        clear_timer();
        popstate.remove();
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

/// How [`write_url`] changes the browser's history.
#[derive(Clone, Copy)]
enum Write {
    /// A new entry (a new place).
    Push,
    /// The current entry.
    Replace,
}

/// Writes the page's query string without a navigation. A relative `?...` keeps the path,
/// so links work under any sub-path; an empty one goes back to the bare path.
fn write_url(search: &str, how: Write) {
    let target = if search.is_empty() {
        location().pathname().unwrap_or_else(|_| "./".into())
    } else {
        search.to_string()
    };
    if let Ok(history) = window().history() {
        let state = wasm_bindgen::JsValue::NULL;
        let _ = match how {
            Write::Push => history.push_state_with_url(&state, "", Some(&target)),
            Write::Replace => history.replace_state_with_url(&state, "", Some(&target)),
        };
    }
}

/// Puts back the workbench a history entry's link describes. When only the text differs
/// (same scenario, range and tab), nothing else would run it, so it runs here if a query
/// ran before; a change of those runs through `App`'s re-run effect instead, once.
fn restore_workbench(wb: Workbench, restored: ViewState) {
    let same_params = wb
        .view
        .with_untracked(|v| v.run_inputs() == restored.run_inputs());
    let new_text = wb.query.with_untracked(|q| *q != restored.query);
    let ran_before = !wb.run.with_untracked(|r| matches!(r, RunState::Idle));
    wb.query.set(restored.query.clone());
    wb.view.set(restored);
    if same_params && new_text && ran_before {
        wb.run_query();
    }
}
