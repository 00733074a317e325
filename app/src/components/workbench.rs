//! The workbench's shared state and the actions that talk to the worker.
//!
//! [`Workbench`] is a `Copy` bundle of signals, provided as context by `App`. Components
//! read the signals they need and call its methods; only these methods send requests, and
//! each writes its answer back into a signal. A generation counter per kind of request
//! drops answers that arrive after a newer request was made (the learner kept typing), so
//! what is shown always belongs to the current text.

use crate::editor::history::{self, QueryHistory};
use crate::editor::metadata::MetadataSnapshot;
use crate::explain::ExplainReport;
use crate::result::QueryResult;
use crate::state::catalog::ScenarioSummary;
use crate::state::time_range::{effective_step, window};
use crate::state::view::{Tab, ViewState};
use crate::worker::client::{WorkerClient, WorkerStatus};
use crate::worker::protocol::{Diagnostic, EvalRange, EvalRequest, Progress, WorkerError};
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
        /// Time from sending to the answer, milliseconds (page clock).
        round_trip_ms: f64,
    },
}

/// The Explain tab's content.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainState {
    /// Nothing asked yet, or the query is empty.
    Empty,
    /// Waiting for the worker.
    Loading,
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

/// The shared state of the page.
#[derive(Clone, Copy)]
pub struct Workbench {
    /// The editor's text.
    pub query: RwSignal<String>,
    /// Everything else a link restores.
    pub view: RwSignal<ViewState>,
    /// The worker's state.
    pub status: RwSignal<WorkerStatus>,
    /// The scenario catalog.
    pub catalog: RwSignal<Catalog>,
    /// What is known about the current data source's metrics.
    pub metadata: RwSignal<MetadataSnapshot>,
    /// Parse errors of the text they were computed for.
    pub diagnostics: RwSignal<(String, Vec<Diagnostic>)>,
    /// Queries run, newest first.
    pub history: RwSignal<QueryHistory>,
    /// The current or last run.
    pub run: RwSignal<RunState>,
    /// The Explain tab's content.
    pub explain: RwSignal<ExplainState>,
    /// A one-line message from the last Format.
    pub notice: RwSignal<Option<String>>,
    /// The end time used when neither the view nor the scenario gives one: the time the
    /// page opened, so every run of a session uses the same window.
    pub opened_ms: i64,
    client: StoredValue<WorkerClient, LocalStorage>,
    generations: StoredValue<[u64; 4]>,
}

/// The kinds of request whose late answers are dropped, each with its own counter.
#[derive(Clone, Copy)]
enum Channel {
    Parse,
    Run,
    Explain,
    Metadata,
}

/// The workbench from context.
pub fn use_workbench() -> Workbench {
    // App provides it before any child renders; a component mounted without App is a bug
    // in a test, and gets a clear message.
    use_context::<Workbench>()
        .unwrap_or_else(|| panic!("Workbench context missing: mount components inside App"))
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Workbench {
    /// A workbench talking to `client`, showing `view`.
    pub fn new(client: WorkerClient, view: ViewState, opened_ms: i64) -> Workbench {
        let query = RwSignal::new(view.query.clone());
        let wb = Workbench {
            query,
            view: RwSignal::new(view),
            status: RwSignal::new(WorkerStatus::Starting),
            catalog: RwSignal::new(Catalog::Loading),
            metadata: RwSignal::new(MetadataSnapshot::default()),
            diagnostics: RwSignal::new((String::new(), Vec::new())),
            history: RwSignal::new(QueryHistory::default()),
            run: RwSignal::new(RunState::Idle),
            explain: RwSignal::new(ExplainState::Empty),
            notice: RwSignal::new(None),
            opened_ms,
            client: StoredValue::new_local(client),
            generations: StoredValue::new([0; 4]),
        };
        let status = wb.status;
        wb.client().on_status(move |s| {
            status.try_set(s);
        });
        wb
    }

    fn client(&self) -> WorkerClient {
        self.client.get_value()
    }

    fn next_generation(&self, channel: Channel) -> u64 {
        self.generations.update_value(|g| g[channel as usize] += 1);
        self.generations.with_value(|g| g[channel as usize])
    }

    fn is_current(&self, channel: Channel, generation: u64) -> bool {
        self.generations
            .try_with_value(|g| g[channel as usize] == generation)
            .unwrap_or(false)
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
        if let Some(end) = self.view.with(|v| v.end_ms) {
            return end;
        }
        self.scenario()
            .map(|s| s.default_end_ms)
            .unwrap_or(self.opened_ms / 60_000 * 60_000)
    }

    /// Loads the scenario catalog.
    pub fn load_catalog(&self) {
        let wb = *self;
        leptos::task::spawn_local(async move {
            let result = wb.client().scenarios().await;
            let state = match result {
                Ok(list) => Catalog::Loaded(list),
                Err(e) => Catalog::Failed(e.to_string()),
            };
            wb.catalog.try_set(state);
        });
    }

    /// Loads the metadata of the selected scenario (none selected: empty metadata).
    pub fn load_metadata(&self) {
        let wb = *self;
        let generation = self.next_generation(Channel::Metadata);
        let Some((scenario, seed)) = self
            .view
            .with_untracked(|v| v.scenario.clone().map(|s| (s, v.seed)))
        else {
            self.metadata.set(MetadataSnapshot::default());
            return;
        };
        leptos::task::spawn_local(async move {
            let result = wb.client().metadata(&scenario, seed).await;
            if wb.is_current(Channel::Metadata, generation) {
                wb.metadata.try_set(result.unwrap_or_default());
            }
        });
    }

    /// Asks the worker to parse the current text, for the editor's underlines.
    pub fn check_query(&self) {
        let wb = *self;
        let query = self.query.get_untracked();
        let generation = self.next_generation(Channel::Parse);
        leptos::task::spawn_local(async move {
            let result = wb.client().parse(&query).await;
            if !wb.is_current(Channel::Parse, generation) {
                return;
            }
            // A cancelled or failed parse leaves no underline rather than a stale one.
            let diagnostics = result.map(|p| p.diagnostics).unwrap_or_default();
            wb.diagnostics.try_set((query, diagnostics));
        });
    }

    /// Replaces the text with its canonical form.
    pub fn format_query(&self) {
        let wb = *self;
        let query = self.query.get_untracked();
        if query.trim().is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            match wb.client().format(&query).await {
                Ok(text) => {
                    // Only if the learner did not type meanwhile.
                    if wb.query.get_untracked() == query {
                        wb.query.try_set(text);
                        wb.notice.try_set(None);
                    }
                }
                Err(WorkerError::InvalidQuery(_)) => {
                    wb.notice
                        .try_set(Some("Fix the errors below before formatting.".into()));
                }
                Err(e) => {
                    wb.notice.try_set(Some(e.to_string()));
                }
            }
        });
    }

    /// Computes the Explain tab for the current text.
    pub fn explain_query(&self) {
        let wb = *self;
        let query = self.query.get_untracked();
        let generation = self.next_generation(Channel::Explain);
        if query.trim().is_empty() {
            self.explain.set(ExplainState::Empty);
            return;
        }
        self.explain.set(ExplainState::Loading);
        let metadata = self.metadata.get_untracked();
        leptos::task::spawn_local(async move {
            let result = wb.client().explain(&query, metadata).await;
            if !wb.is_current(Channel::Explain, generation) {
                return;
            }
            wb.explain.try_set(match result {
                Ok(report) => ExplainState::Ready { query, report },
                Err(WorkerError::InvalidQuery(d)) => ExplainState::Invalid(d),
                Err(e) => ExplainState::Failed(e.to_string()),
            });
        });
    }

    /// Runs the current text for the open tab: a range query for Graph, an instant query
    /// for Table, and for Explain the tree (and, with the engine, per-node results).
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
            self.explain_query();
            return;
        }
        let view = self.view.get_untracked();
        let end = self.end_ms();
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
        let generation = self.next_generation(Channel::Run);
        self.run.set(RunState::Running {
            request: request.clone(),
            tab,
            progress: None,
        });
        let wb = *self;
        let progress: Rc<dyn Fn(Progress)> = Rc::new(move |p: Progress| {
            if wb.is_current(Channel::Run, generation) {
                wb.run.try_update(|r| {
                    if let RunState::Running { progress, .. } = r {
                        *progress = Some(p);
                    }
                });
            }
        });
        let sent = now_ms();
        leptos::task::spawn_local(async move {
            let outcome = wb.client().evaluate(request.clone(), Some(progress)).await;
            if wb.is_current(Channel::Run, generation) {
                wb.run.try_set(RunState::Done {
                    request,
                    tab,
                    outcome,
                    round_trip_ms: now_ms() - sent,
                });
            }
        });
    }

    /// Stops the running query: the worker is restarted (see `worker::client`), so the
    /// editor's parse is asked again.
    pub fn cancel(&self) {
        self.client().cancel();
        self.check_query();
    }

    /// Whether a query is running.
    pub fn is_running(&self) -> bool {
        self.run.with(|r| matches!(r, RunState::Running { .. }))
    }
}
