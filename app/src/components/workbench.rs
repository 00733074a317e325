//! The workbench's shared state and the requests that feed it.
//!
//! [`Workbench`] is a `Copy` bundle of signals, provided as context by `App`. Worker
//! round trips are async functions returning `Result` ([`WorkerClient`]), consumed the
//! Leptos way: `LocalResource`s for what follows the state (the editor's parse, the
//! catalog, the scenario's metadata, the Explain tab) and `Action::new_local` for what the
//! learner triggers (Run, Format). Both discard an answer that arrives after a newer request
//! was made, so what is shown always belongs to the current text. Components read the
//! derived memos and call the methods; nothing else sends requests.

use crate::datasource::fetch::FetchTransport;
use crate::datasource::setting::{STORAGE_KEY, Setting};
use crate::datasource::{BuildInfo, Caps, Client};
use crate::editor::functions::FunctionDocs;
use crate::editor::history::{self, QueryHistory};
use crate::editor::metadata::MetadataSnapshot;
use crate::explain::ExplainReport;
use crate::result::QueryResult;
use crate::state::catalog::ScenarioSummary;
use crate::state::time_range::{effective_step, window};
use crate::state::view::{Tab, ViewState};
use crate::worker::client::{WorkerClient, WorkerStatus};
use crate::worker::protocol::{
    AnnotationSpan, Diagnostic, EvalRange, EvalRequest, ExplainData, Progress, WorkerError,
};
use leptos::prelude::*;
use std::rc::Rc;

/// The scenario catalog as the picker sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Catalog {
    /// Asked the worker, no answer yet.
    Loading,
    /// The scenarios (possibly none).
    Loaded(Vec<ScenarioSummary>),
    /// The worker could not answer.
    Failed(String),
}

/// A query run and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Nothing run yet.
    Idle,
    /// Waiting for the worker.
    Running {
        /// What was asked.
        request: EvalRequest,
        /// The tab it is for.
        tab: Tab,
        /// The latest progress report.
        progress: Option<Progress>,
    },
    /// Finished, successfully or not.
    Done {
        /// What was asked.
        request: EvalRequest,
        /// The tab it was for.
        tab: Tab,
        /// The result or the reason there is none.
        outcome: Result<QueryResult, WorkerError>,
        /// Where the result's warnings and infos are in the query.
        annotations: Vec<AnnotationSpan>,
        /// Time from sending to the answer, milliseconds (page clock).
        round_trip_ms: f64,
    },
}

/// The Explain tab's content.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainState {
    /// The tab is closed, or the query is empty.
    Empty,
    /// Waiting for the worker (which may be generating data first).
    Loading(Option<Progress>),
    /// The tree and hints for `query`.
    Ready {
        /// The text they were computed for; fixes apply only to it.
        query: String,
        /// The report.
        report: ExplainReport,
    },
    /// The query does not parse.
    Invalid(Vec<Diagnostic>),
    /// The worker could not answer.
    Failed(String),
}

/// What the page knows about the server it queries.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerState {
    /// The simulator is the data source.
    NotUsed,
    /// Asking the server for its version.
    Checking,
    /// The server answered buildinfo.
    Connected {
        /// Its build information.
        info: BuildInfo,
        /// The round trip of the buildinfo request, milliseconds.
        round_trip_ms: f64,
    },
    /// The server could not be used: the sentence and the hint.
    Failed(WorkerError),
}

/// A client of the server in `setting`, when it names one.
pub fn server_client(
    setting: &Setting,
    transport: FetchTransport,
) -> Option<Result<Client<FetchTransport>, WorkerError>> {
    match setting {
        Setting::Simulator => None,
        Setting::Server { url, auth, .. } => Some(
            Client::new(url, auth.clone(), Caps::default(), transport).map_err(WorkerError::from),
        ),
    }
}

/// What the Run action is given.
#[derive(Debug, Clone)]
struct RunRequest {
    request: EvalRequest,
    tab: Tab,
}

/// What the Run action produces.
#[derive(Debug, Clone)]
struct RunOutcome {
    outcome: Result<QueryResult, WorkerError>,
    annotations: Vec<AnnotationSpan>,
    round_trip_ms: f64,
}

/// The shared state of the page.
#[derive(Clone, Copy)]
pub struct Workbench {
    /// The editor's text.
    pub query: RwSignal<String>,
    /// Everything else a link restores.
    pub view: RwSignal<ViewState>,
    /// The worker's state.
    pub status: RwSignal<WorkerStatus>,
    /// Queries run, newest first.
    pub history: RwSignal<QueryHistory>,
    /// A one-line message from the last Format.
    pub notice: RwSignal<Option<String>>,
    /// The end time used when neither the view nor the scenario gives one: the time the
    /// page opened, so every run of a session uses the same window.
    pub opened_ms: i64,
    /// The scenario catalog.
    pub catalog: Memo<Catalog>,
    /// What is known about the current data source's metrics.
    pub metadata: Memo<MetadataSnapshot>,
    /// The engine's function table, sent once by the worker; empty until then.
    pub functions: Memo<FunctionDocs>,
    /// Parse errors, with the text they are about.
    pub diagnostics: Memo<(String, Vec<Diagnostic>)>,
    /// The Explain tab's content.
    pub explain: Memo<ExplainState>,
    /// The current or last run.
    pub run: Memo<RunState>,
    /// Where queries go: the simulator or a server.
    pub source: RwSignal<Setting>,
    /// The server's version and round trip, when the source is a server.
    pub server: RwSignal<ServerState>,
    /// The browser transport; clones share the requests in flight, so Cancel reaches them.
    pub fetch: StoredValue<FetchTransport, LocalStorage>,
    client: StoredValue<WorkerClient, LocalStorage>,
    parse: LocalResource<(String, Result<Vec<Diagnostic>, WorkerError>)>,
    run_action: Action<RunRequest, RunOutcome>,
    last_run: RwSignal<Option<RunRequest>>,
    format_action: Action<String, (String, Result<String, WorkerError>)>,
    progress: RwSignal<Option<Progress>>,
    /// The text the learner last ran in the Explain tab (or had a fix applied to): the
    /// Explain tab evaluates each node only for a text that was run, so typing does not
    /// start an evaluation per keystroke.
    explained: RwSignal<Option<String>>,
}

/// The end of the query window (see [`Workbench::end_ms`]), which is also when the
/// Explain tab evaluates each node.
fn explain_time(view: RwSignal<ViewState>, catalog: Memo<Catalog>, opened_ms: i64) -> i64 {
    if let Some(end) = view.with(|v| v.end_ms) {
        return end;
    }
    let name = view.with(|v| v.scenario.clone());
    catalog
        .with(|c| match c {
            Catalog::Loaded(list) => list
                .iter()
                .find(|s| Some(&s.name) == name.as_ref())
                .map(|s| s.default_end_ms),
            _ => None,
        })
        .unwrap_or(opened_ms / 60_000 * 60_000)
}

/// The workbench from context.
pub fn use_workbench() -> Workbench {
    // App provides it before any child renders; a component mounted without App is a bug
    // in a test, and gets a clear message.
    use_context::<Workbench>()
        .unwrap_or_else(|| panic!("Workbench context missing: mount components inside App"))
}

/// The remembered data source, or the simulator.
fn load_setting() -> Setting {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::get::<String>(STORAGE_KEY)
        .ok()
        .and_then(|t| Setting::from_storage(&t))
        .unwrap_or_default()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Workbench {
    /// A workbench talking to `client`, showing `view`. Must run inside a reactive owner
    /// (the `App` component): it creates the resources and actions.
    pub fn new(client: WorkerClient, view: ViewState, opened_ms: i64) -> Workbench {
        let query = RwSignal::new(view.query.clone());
        let view = RwSignal::new(view);
        let status = RwSignal::new(WorkerStatus::Starting);
        let notice = RwSignal::new(None::<String>);
        client.on_status(move |s| {
            status.try_set(s);
        });
        let client = StoredValue::new_local(client);
        let worker = move || client.get_value();

        let catalog_res = LocalResource::new(move || async move { worker().scenarios().await });
        let catalog = Memo::new(move |_| match catalog_res.get() {
            None => Catalog::Loading,
            Some(Ok(list)) => Catalog::Loaded(list),
            Some(Err(e)) => Catalog::Failed(e.to_string()),
        });

        // Asked once; a failure (the worker could not start) leaves completion without
        // functions rather than without everything.
        let functions_res =
            LocalResource::new(
                move || async move { worker().functions().await.unwrap_or_default() },
            );
        let functions = Memo::new(move |_| functions_res.get().unwrap_or_default());

        // Metadata follows the scenario and seed; no scenario, no metadata. With a server
        // as the data source it comes from the server instead (and follows the setting).
        let data_source = RwSignal::new(load_setting());
        let fetch = StoredValue::new_local(FetchTransport::default());
        let source = Memo::new(move |_| view.with(|v| v.scenario.clone().map(|s| (s, v.seed))));
        let metadata_res = LocalResource::new(move || {
            let source = source.get();
            let on_server = server_client(&data_source.get(), fetch.get_value());
            async move {
                if let Some(client) = on_server {
                    return match client {
                        Ok(c) => crate::datasource::snapshot::fetch(&c, now_ms() as i64)
                            .await
                            .unwrap_or_default(),
                        Err(_) => MetadataSnapshot::default(),
                    };
                }
                match source {
                    Some((scenario, seed)) => {
                        worker().metadata(&scenario, seed).await.unwrap_or_default()
                    }
                    None => MetadataSnapshot::default(),
                }
            }
        });
        let metadata = Memo::new(move |_| metadata_res.get().unwrap_or_default());

        // The editor's underlines follow the text.
        let parse = LocalResource::new(move || {
            let q = query.get();
            async move {
                let result = worker().parse(&q).await.map(|p| p.diagnostics);
                (q, result)
            }
        });
        // A cancelled or failed parse leaves no underline rather than a stale one.
        let diagnostics = Memo::new(move |_| match parse.get() {
            Some((q, Ok(d))) => (q, d),
            _ => (String::new(), Vec::new()),
        });

        // The Explain tab follows the text and the metadata while it is open; a text that
        // was run is also evaluated node by node on the scenario's data.
        let explained = RwSignal::new(None::<String>);
        let explain_progress = RwSignal::new(None::<Progress>);
        let explain_res = LocalResource::new(move || {
            let open = view.with(|v| v.tab == Tab::Explain);
            let q = query.get();
            let meta = metadata.get();
            let was_run = explained.with(|e| e.as_deref() == Some(q.as_str()));
            // Against a server, the worker explains the tree and the server evaluates each
            // node (datasource::explain).
            let on_server = server_client(&data_source.get(), fetch.get_value());
            let data = if was_run && on_server.is_none() {
                view.with(|v| v.scenario.clone().map(|s| (s, v.seed)))
            } else {
                None
            };
            async move {
                if !open || q.trim().is_empty() {
                    return ExplainState::Empty;
                }
                let data = data.map(|(scenario, seed)| ExplainData {
                    scenario,
                    seed,
                    time_ms: untrack(|| explain_time(view, catalog, opened_ms)),
                });
                explain_progress.set(None);
                let on_progress: Rc<dyn Fn(Progress)> = Rc::new(move |p| {
                    explain_progress.try_set(Some(p));
                });
                match worker().explain(&q, meta, data, Some(on_progress)).await {
                    Ok(mut report) => {
                        if let (true, Some(Ok(client))) = (was_run, on_server) {
                            // A server's window ends now (see Workbench::end_ms).
                            let time = (now_ms() as i64) / 1000 * 1000;
                            crate::datasource::explain::evaluate_nodes(
                                &mut report,
                                &client,
                                time,
                                now_ms,
                            )
                            .await;
                        }
                        ExplainState::Ready { query: q, report }
                    }
                    Err(WorkerError::InvalidQuery(d)) => ExplainState::Invalid(d),
                    Err(e) => ExplainState::Failed(e.to_string()),
                }
            }
        });
        let explain = Memo::new(move |_| {
            explain_res
                .get()
                .unwrap_or_else(|| ExplainState::Loading(explain_progress.get()))
        });

        let source = data_source;
        let server = RwSignal::new(ServerState::NotUsed);
        let progress = RwSignal::new(None::<Progress>);
        let run_action = Action::new_local(move |r: &RunRequest| {
            let request = r.request.clone();
            let on_server = server_client(&source.get_untracked(), fetch.get_value());
            async move {
                if let Some(client) = on_server {
                    let sent = now_ms();
                    let outcome = match client {
                        Err(e) => Err(e),
                        Ok(c) => match request.range {
                            EvalRange::Instant { time_ms } => {
                                c.query(&request.query, time_ms).await
                            }
                            EvalRange::Range {
                                start_ms,
                                end_ms,
                                step_ms,
                            } => {
                                c.query_range(&request.query, start_ms, end_ms, step_ms)
                                    .await
                            }
                        }
                        .map_err(WorkerError::from),
                    };
                    return RunOutcome {
                        outcome,
                        annotations: Vec::new(),
                        round_trip_ms: now_ms() - sent,
                    };
                }
                let on_progress: Rc<dyn Fn(Progress)> = Rc::new(move |p| {
                    progress.try_set(Some(p));
                });
                let sent = now_ms();
                let (outcome, annotations) =
                    match worker().evaluate(request, Some(on_progress)).await {
                        Ok(e) => (Ok(e.result), e.annotations),
                        Err(e) => (Err(e), Vec::new()),
                    };
                RunOutcome {
                    outcome,
                    annotations,
                    round_trip_ms: now_ms() - sent,
                }
            }
        });
        // The action forgets its input once done, so the request is kept beside it; its
        // value is always the latest dispatch's (older answers are discarded).
        let last_run = RwSignal::new(None::<RunRequest>);
        let run = Memo::new(move |_| {
            let Some(r) = last_run.get() else {
                return RunState::Idle;
            };
            match run_action.value().get() {
                _ if run_action.pending().get() => RunState::Running {
                    request: r.request,
                    tab: r.tab,
                    progress: progress.get(),
                },
                Some(o) => RunState::Done {
                    request: r.request,
                    tab: r.tab,
                    outcome: o.outcome,
                    annotations: o.annotations,
                    round_trip_ms: o.round_trip_ms,
                },
                None => RunState::Idle,
            }
        });

        let format_action = Action::new_local(move |q: &String| {
            let q = q.clone();
            async move {
                let result = worker().format(&q).await;
                (q, result)
            }
        });
        Effect::new(move |_| {
            let Some((asked, result)) = format_action.value().get() else {
                return;
            };
            match result {
                // Only if the learner did not type meanwhile.
                Ok(text) if query.get_untracked() == asked => {
                    query.set(text);
                    notice.set(None);
                }
                Ok(_) => {}
                Err(WorkerError::InvalidQuery(_)) => {
                    notice.set(Some("Fix the errors below before formatting.".into()))
                }
                Err(e) => notice.set(Some(e.to_string())),
            }
        });

        Workbench {
            query,
            view,
            status,
            history: RwSignal::new(QueryHistory::default()),
            notice,
            opened_ms,
            catalog,
            metadata,
            functions,
            diagnostics,
            explain,
            run,
            source,
            server,
            fetch,
            client,
            parse,
            run_action,
            last_run,
            format_action,
            progress,
            explained,
        }
    }

    /// The selected scenario's summary.
    pub fn scenario(&self) -> Option<ScenarioSummary> {
        let name = self.view.with(|v| v.scenario.clone())?;
        self.catalog.with(|c| match c {
            Catalog::Loaded(list) => list.iter().find(|s| s.name == name).cloned(),
            _ => None,
        })
    }

    /// The end of the query window: the view's, the scenario's default, or the page's
    /// opening time rounded down to the minute.
    pub fn end_ms(&self) -> i64 {
        // A server holds data up to now, not the scenario's day: its window ends now.
        if self.source.with(Setting::is_server) && self.view.with(|v| v.end_ms.is_none()) {
            return (now_ms() as i64) / 1000 * 1000;
        }
        explain_time(self.view, self.catalog, self.opened_ms)
    }

    /// Replaces the text with its canonical form (through the worker's formatter).
    pub fn format_query(&self) {
        let query = self.query.get_untracked();
        if !query.trim().is_empty() {
            self.format_action.dispatch_local(query);
        }
    }

    /// Runs the current text for the open tab: a range query for Graph, an instant query
    /// for Table. The Explain tab follows the text by itself.
    pub fn run_query(&self) {
        let query = self.query.get_untracked();
        if query.trim().is_empty() {
            return;
        }
        self.history.update(|h| {
            h.record(&query);
            history::save(h);
        });
        let tab = self.view.with_untracked(|v| v.tab);
        if tab == Tab::Explain {
            // The Explain tab evaluates each node of the text it was asked to run.
            self.explained.set(Some(query));
            return;
        }
        let view = self.view.get_untracked();
        let end = untrack(|| self.end_ms());
        let range = match tab {
            Tab::Table => EvalRange::Instant { time_ms: end },
            _ => {
                let (start_ms, end_ms) = window(view.range_ms, end);
                EvalRange::Range {
                    start_ms,
                    end_ms,
                    step_ms: effective_step(view.range_ms, view.step_ms),
                }
            }
        };
        let request = EvalRequest {
            scenario: view.scenario.clone().unwrap_or_default(),
            seed: view.seed,
            query,
            range,
        };
        let run = RunRequest { request, tab };
        // The latest run wins. The worker answers one request at a time, so a new run
        // behind a heavy one would wait for an answer nobody will see: stop the old one.
        if self
            .run
            .with_untracked(|r| matches!(r, RunState::Running { .. }))
        {
            self.cancel();
        }
        self.progress.set(None);
        self.last_run.set(Some(run.clone()));
        self.run_action.dispatch_local(run);
    }

    /// Applies a hint's fix to the text it was computed for and runs the result, so the
    /// learner sees what the fix changed. Does nothing if the text changed meanwhile.
    pub fn apply_fix(&self, computed_for: &str, fix: &crate::explain::Fix) {
        if self.query.get_untracked() != computed_for {
            return;
        }
        if let Some(fixed) = fix.apply(computed_for) {
            self.query.set(fixed);
            self.run_query();
        }
    }

    /// Stops the running query. The worker is restarted (see `worker::client`), which also
    /// fails the editor's pending parse and Explain, so both are asked again; the new worker
    /// generates the scenario's data again when the next query needs it.
    pub fn cancel(&self) {
        if self.source.with_untracked(Setting::is_server) {
            // Only the HTTP request stops; the worker keeps its data.
            self.fetch.get_value().cancel();
            return;
        }
        self.client.get_value().cancel();
        self.parse.refetch();
        // The explanation in flight was cancelled too; forget the evaluated text so that
        // reopening Explain does not start the same heavy evaluation again.
        self.explained.set(None);
    }

    /// Switches the data source, stores or forgets it as the setting says, and asks a
    /// server for its version (which also shows whether it can be used at all).
    pub fn set_source(&self, setting: Setting) {
        {
            use gloo::storage::{LocalStorage, Storage};
            match setting.to_storage() {
                Some(text) => {
                    let _ = LocalStorage::set(STORAGE_KEY, text);
                }
                None => LocalStorage::delete(STORAGE_KEY),
            }
        }
        self.source.set(setting.clone());
        self.check_server();
    }

    /// Asks the server for its version and measures the round trip.
    pub fn check_server(&self) {
        let server = self.server;
        let Some(client) = server_client(&self.source.get_untracked(), self.fetch.get_value())
        else {
            server.set(ServerState::NotUsed);
            return;
        };
        server.set(ServerState::Checking);
        leptos::task::spawn_local(async move {
            let sent = now_ms();
            let state = match client {
                Err(e) => ServerState::Failed(e),
                Ok(c) => match c.buildinfo().await {
                    Ok(info) => ServerState::Connected {
                        info,
                        round_trip_ms: now_ms() - sent,
                    },
                    Err(e) => ServerState::Failed(e.into()),
                },
            };
            server.try_set(state);
        });
    }

    /// Whether a query is running.
    pub fn is_running(&self) -> bool {
        self.run.with(|r| matches!(r, RunState::Running { .. }))
    }
}
