//! The page side of the worker protocol: typed async round trips, progress, cancellation.
//!
//! [`WorkerClient`] owns one `web_sys::Worker` at a time. Each request gets an id and a
//! one-shot channel; the reply with that id completes it. Requests posted before the worker
//! says `Ready` wait in a queue (a worker drops messages that arrive before its wasm has
//! registered a handler). [`WorkerClient::cancel`] terminates the worker, fails everything
//! pending with [`WorkerError::Cancelled`] and starts a new one. If the worker dies (a panic
//! aborts the wasm, or the script fails to load), everything pending fails with
//! [`WorkerError::Crashed`] and the next request starts a new worker; a worker that dies
//! before it was ever ready is not restarted in a loop.
//!
//! The async functions return `Result` and hold no borrow across an await, so components
//! consume them through `LocalResource` and `Action::new_local`.

use super::protocol::{
    Envelope, EvalRequest, Evaluation, ExplainData, ParseOutcome, Progress, Reply, Request,
    WorkerError, WorkerMessage, decode, encode,
};
use crate::course::feedback::GradeReport;
use crate::course::pack::{ExerciseDetail, PackSummary};
use crate::editor::functions::FunctionDocs;
use crate::editor::metadata::MetadataSnapshot;
use crate::explain::ExplainReport;
use crate::state::catalog::ScenarioSummary;
use futures_channel::oneshot;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// Where Trunk's loader shim for the worker binary is, relative to the page.
pub const WORKER_URL: &str = "./worker_loader.js";

/// The worker's state, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerStatus {
    /// Loading its wasm.
    Starting,
    /// Handling requests.
    Ready {
        /// The simulator's version.
        version: String,
        /// Whether the build has the evaluator.
        engine: bool,
    },
    /// It stopped or never started; the next request tries again.
    Failed(String),
}

/// A progress callback.
pub type ProgressFn = Rc<dyn Fn(Progress)>;
type StatusFn = Rc<dyn Fn(WorkerStatus)>;

struct Pending {
    reply: oneshot::Sender<Result<Reply, WorkerError>>,
    on_progress: Option<ProgressFn>,
}

/// One running worker and its event handlers.
struct Live {
    worker: Worker,
    generation: u64,
    ready: bool,
    queue: Vec<String>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
}

impl Live {
    /// Stops the worker and detaches its handlers, so no queued event reaches them.
    fn stop(&self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

struct Inner {
    url: String,
    next_id: u64,
    generation: u64,
    live: Option<Live>,
    /// Stopped workers whose handlers may still be on the stack; dropped at the next spawn,
    /// never inside a handler.
    graveyard: Vec<Live>,
    pending: BTreeMap<u64, Pending>,
    on_status: Option<StatusFn>,
    /// Set when a worker died before saying Ready: the script or wasm cannot load.
    never_started: Option<String>,
}

/// The page's handle on the worker. Cloning gives another handle on the same worker.
#[derive(Clone)]
pub struct WorkerClient {
    inner: Rc<RefCell<Inner>>,
}

impl WorkerClient {
    /// A client for the worker script at `url`, started at once so it is warm by the time
    /// the learner runs a query.
    pub fn new(url: &str) -> WorkerClient {
        let client = WorkerClient {
            inner: Rc::new(RefCell::new(Inner {
                url: url.to_string(),
                next_id: 1,
                generation: 0,
                live: None,
                graveyard: Vec::new(),
                pending: BTreeMap::new(),
                on_status: None,
                never_started: None,
            })),
        };
        if let Err(e) = client.spawn() {
            client.set_failed(e);
        }
        client
    }

    /// Calls `f` whenever the worker's status changes.
    pub fn on_status(&self, f: impl Fn(WorkerStatus) + 'static) {
        self.inner.borrow_mut().on_status = Some(Rc::new(f));
    }

    /// How many requests are waiting for a reply.
    pub fn pending(&self) -> usize {
        self.inner.borrow().pending.len()
    }

    fn notify(&self, status: WorkerStatus) {
        let f = self.inner.borrow().on_status.clone();
        if let Some(f) = f {
            f(status);
        }
    }

    fn set_failed(&self, message: String) {
        self.notify(WorkerStatus::Failed(message));
    }

    /// Starts a worker if none is running.
    fn spawn(&self) -> Result<(), String> {
        let mut inner = self.inner.borrow_mut();
        inner.graveyard.clear();
        if inner.live.is_some() {
            return Ok(());
        }
        inner.generation += 1;
        let generation = inner.generation;
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        let worker = Worker::new_with_options(&inner.url, &options)
            .map_err(|e| format!("cannot create the worker: {}", js_text(&e)))?;
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let on_message_weak = weak.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(inner) = on_message_weak.upgrade() {
                let client = WorkerClient { inner };
                match ev.data().as_string() {
                    Some(text) => client.on_message(generation, &text),
                    None => {
                        client.on_crash(generation, "the worker sent a non-text message".into())
                    }
                }
            }
        });
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            // Keep the browser from also logging it as an uncaught error; we report it.
            ev.prevent_default();
            if let Some(inner) = weak.upgrade() {
                let message = ev.message();
                let message = if message.is_empty() {
                    "the worker script failed to load".to_string()
                } else {
                    message
                };
                WorkerClient { inner }.on_crash(generation, message);
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        inner.live = Some(Live {
            worker,
            generation,
            ready: false,
            queue: Vec::new(),
            _onmessage: onmessage,
            _onerror: onerror,
        });
        drop(inner);
        self.notify(WorkerStatus::Starting);
        Ok(())
    }

    fn on_message(&self, generation: u64, text: &str) {
        let message: WorkerMessage = match decode(text) {
            Ok(m) => m,
            Err(e) => return self.on_crash(generation, e.to_string()),
        };
        match message {
            WorkerMessage::Ready { version, engine } => {
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.never_started = None;
                    let Some(live) = inner.live.as_mut().filter(|l| l.generation == generation)
                    else {
                        return;
                    };
                    live.ready = true;
                    for text in live.queue.drain(..) {
                        let _ = live.worker.post_message(&JsValue::from_str(&text));
                    }
                }
                self.notify(WorkerStatus::Ready { version, engine });
            }
            WorkerMessage::Progress { id, progress } => {
                let callback = {
                    let inner = self.inner.borrow();
                    if inner.live.as_ref().map(|l| l.generation) != Some(generation) {
                        return;
                    }
                    inner.pending.get(&id).and_then(|p| p.on_progress.clone())
                };
                // Called with no borrow held: the callback may well make another request.
                if let Some(f) = callback {
                    f(progress);
                }
            }
            WorkerMessage::Reply { id, outcome } => {
                let pending = {
                    let mut inner = self.inner.borrow_mut();
                    if inner.live.as_ref().map(|l| l.generation) != Some(generation) {
                        return;
                    }
                    inner.pending.remove(&id)
                };
                if let Some(p) = pending {
                    // The receiver may have been dropped (the page lost interest): fine.
                    let _ = p.reply.send(outcome);
                }
            }
        }
    }

    fn on_crash(&self, generation: u64, message: String) {
        let failed: Vec<Pending> = {
            let mut inner = self.inner.borrow_mut();
            let Some(live) = inner.live.take_if(|l| l.generation == generation) else {
                return;
            };
            live.stop();
            if !live.ready {
                inner.never_started = Some(message.clone());
            }
            inner.graveyard.push(live);
            std::mem::take(&mut inner.pending).into_values().collect()
        };
        let never_started = self.inner.borrow().never_started.is_some();
        for p in failed {
            let err = if never_started {
                WorkerError::Unavailable(message.clone())
            } else {
                WorkerError::Crashed(message.clone())
            };
            let _ = p.reply.send(Err(err));
        }
        self.set_failed(message);
    }

    /// Stops whatever the worker is doing: terminates it, fails every pending request with
    /// [`WorkerError::Cancelled`] and starts a fresh worker.
    pub fn cancel(&self) {
        let failed: Vec<Pending> = {
            let mut inner = self.inner.borrow_mut();
            if let Some(live) = inner.live.take() {
                live.stop();
                inner.graveyard.push(live);
            }
            std::mem::take(&mut inner.pending).into_values().collect()
        };
        for p in failed {
            let _ = p.reply.send(Err(WorkerError::Cancelled));
        }
        if let Err(e) = self.spawn() {
            self.set_failed(e);
        }
    }

    /// Sends a request and waits for its reply; `on_progress` sees progress messages.
    pub async fn request(
        &self,
        request: Request,
        on_progress: Option<ProgressFn>,
    ) -> Result<Reply, WorkerError> {
        let receiver = self.send(request, on_progress)?;
        receiver.await.unwrap_or(Err(WorkerError::Cancelled))
    }

    fn send(
        &self,
        request: Request,
        on_progress: Option<ProgressFn>,
    ) -> Result<oneshot::Receiver<Result<Reply, WorkerError>>, WorkerError> {
        if let Some(reason) = self.inner.borrow().never_started.clone() {
            return Err(WorkerError::Unavailable(reason));
        }
        self.spawn().map_err(WorkerError::Unavailable)?;
        let mut inner = self.inner.borrow_mut();
        let id = inner.next_id;
        inner.next_id += 1;
        let text = encode(&Envelope { id, request })?;
        let (tx, rx) = oneshot::channel();
        inner.pending.insert(
            id,
            Pending {
                reply: tx,
                on_progress,
            },
        );
        let Some(live) = inner.live.as_mut() else {
            return Err(WorkerError::Unavailable("the worker is not running".into()));
        };
        if live.ready {
            live.worker
                .post_message(&JsValue::from_str(&text))
                .map_err(|e| WorkerError::Crashed(js_text(&e)))?;
        } else {
            live.queue.push(text);
        }
        Ok(rx)
    }

    /// Parses a query; the editor underlines the errors.
    pub async fn parse(&self, query: &str) -> Result<ParseOutcome, WorkerError> {
        match self
            .request(
                Request::Parse {
                    query: query.into(),
                },
                None,
            )
            .await?
        {
            Reply::Parsed(p) => Ok(p),
            other => Err(unexpected(&other)),
        }
    }

    /// The query in canonical form.
    pub async fn format(&self, query: &str) -> Result<String, WorkerError> {
        match self
            .request(
                Request::Format {
                    query: query.into(),
                },
                None,
            )
            .await?
        {
            Reply::Formatted(s) => Ok(s),
            other => Err(unexpected(&other)),
        }
    }

    /// The Explain tab's tree and hints; with `data`, each node evaluated on it.
    pub async fn explain(
        &self,
        query: &str,
        metadata: MetadataSnapshot,
        data: Option<ExplainData>,
        on_progress: Option<ProgressFn>,
    ) -> Result<ExplainReport, WorkerError> {
        let request = Request::Explain {
            query: query.into(),
            metadata,
            data,
        };
        match self.request(request, on_progress).await? {
            Reply::Explained(r) => Ok(r),
            other => Err(unexpected(&other)),
        }
    }

    /// The scenario catalog.
    pub async fn scenarios(&self) -> Result<Vec<ScenarioSummary>, WorkerError> {
        match self.request(Request::Scenarios, None).await? {
            Reply::Scenarios(s) => Ok(s),
            other => Err(unexpected(&other)),
        }
    }

    /// The engine's function table, for completion.
    pub async fn functions(&self) -> Result<FunctionDocs, WorkerError> {
        match self.request(Request::Functions, None).await? {
            Reply::Functions(f) => Ok(f),
            other => Err(unexpected(&other)),
        }
    }

    /// The built-in course's packs.
    pub async fn course(&self) -> Result<Vec<PackSummary>, WorkerError> {
        match self.request(Request::Course, None).await? {
            Reply::Course(p) => Ok(p),
            other => Err(unexpected(&other)),
        }
    }

    /// Loads a pack from its text; `file` names it in load errors.
    pub async fn load_pack(&self, file: &str, text: &str) -> Result<PackSummary, WorkerError> {
        let request = Request::LoadPack {
            file: file.into(),
            text: text.into(),
        };
        match self.request(request, None).await? {
            Reply::PackLoaded(p) => Ok(p),
            other => Err(unexpected(&other)),
        }
    }

    /// One exercise of a loaded pack.
    pub async fn exercise(
        &self,
        pack: &str,
        exercise: &str,
    ) -> Result<ExerciseDetail, WorkerError> {
        let request = Request::Exercise {
            pack: pack.into(),
            exercise: exercise.into(),
        };
        match self.request(request, None).await? {
            Reply::Exercise(d) => Ok(*d),
            other => Err(unexpected(&other)),
        }
    }

    /// Grades an answer.
    pub async fn grade(
        &self,
        pack: &str,
        exercise: &str,
        query: &str,
        on_progress: Option<ProgressFn>,
    ) -> Result<GradeReport, WorkerError> {
        let request = Request::Grade {
            pack: pack.into(),
            exercise: exercise.into(),
            query: query.into(),
        };
        match self.request(request, on_progress).await? {
            Reply::Graded(r) => Ok(r),
            other => Err(unexpected(&other)),
        }
    }

    /// Server grading, step 1 (see `worker::course::Course::server_plan`).
    pub async fn server_plan(
        &self,
        pack: &str,
        exercise: &str,
        query: &str,
        now_ms: i64,
    ) -> Result<crate::worker::course::ServerStep, WorkerError> {
        let request = Request::ServerPlan {
            pack: pack.into(),
            exercise: exercise.into(),
            query: query.into(),
            now_ms,
        };
        match self.request(request, None).await? {
            Reply::ServerPlanned(s) => Ok(s),
            other => Err(unexpected(&other)),
        }
    }

    /// Server grading, step 2: the verdict from the server's answers.
    pub async fn server_grade(
        &self,
        pack: &str,
        exercise: &str,
        query: &str,
        now_ms: i64,
        reference: Vec<String>,
        learner: Vec<String>,
    ) -> Result<GradeReport, WorkerError> {
        let request = Request::ServerGrade {
            pack: pack.into(),
            exercise: exercise.into(),
            query: query.into(),
            now_ms,
            reference,
            learner,
        };
        match self.request(request, None).await? {
            Reply::Graded(r) => Ok(r),
            other => Err(unexpected(&other)),
        }
    }

    /// Runs `query` (the reference for `None`) on an exercise's data, at `time_ms` for an
    /// instant exercise.
    pub async fn exercise_result(
        &self,
        pack: &str,
        exercise: &str,
        query: Option<String>,
        time_ms: Option<i64>,
        on_progress: Option<ProgressFn>,
    ) -> Result<Evaluation, WorkerError> {
        let request = Request::ExerciseResult {
            pack: pack.into(),
            exercise: exercise.into(),
            query,
            time_ms,
        };
        match self.request(request, on_progress).await? {
            Reply::Evaluated(r) => Ok(r),
            other => Err(unexpected(&other)),
        }
    }

    /// One scenario's metric metadata.
    pub async fn metadata(
        &self,
        scenario: &str,
        seed: u64,
    ) -> Result<MetadataSnapshot, WorkerError> {
        let request = Request::Metadata {
            scenario: scenario.into(),
            seed,
        };
        match self.request(request, None).await? {
            Reply::Metadata(m) => Ok(m),
            other => Err(unexpected(&other)),
        }
    }

    /// Runs a query on a scenario.
    pub async fn evaluate(
        &self,
        request: EvalRequest,
        on_progress: Option<ProgressFn>,
    ) -> Result<Evaluation, WorkerError> {
        match self
            .request(Request::Evaluate(request), on_progress)
            .await?
        {
            Reply::Evaluated(r) => Ok(r),
            other => Err(unexpected(&other)),
        }
    }
}

fn unexpected(reply: &Reply) -> WorkerError {
    let kind = match reply {
        Reply::Parsed(_) => "parsed",
        Reply::Formatted(_) => "formatted",
        Reply::Explained(_) => "explained",
        Reply::Scenarios(_) => "scenarios",
        Reply::Metadata(_) => "metadata",
        Reply::Evaluated(_) => "evaluated",
        Reply::Functions(_) => "functions",
        Reply::Course(_) => "course",
        Reply::PackLoaded(_) => "pack_loaded",
        Reply::Exercise(_) => "exercise",
        Reply::Graded(_) => "graded",
        Reply::ServerPlanned(_) => "server_planned",
    };
    WorkerError::Protocol(format!("a reply of the wrong type ({kind})"))
}

fn js_text(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{v:?}"))
}
