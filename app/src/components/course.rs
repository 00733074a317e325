//! The course's shared state and the requests that feed it.
//!
//! [`Course`] is a `Copy` bundle of signals, provided as context by `App` beside the
//! [`Workbench`]: the route (which pack and exercise are open; `None` is the workbench),
//! the loaded packs, the learner's progress, and the open exercise with its expected
//! result, the learner's result and the last verdict. The packs and results follow the
//! route through `LocalResource`s; Check is an `Action::new_local`. Methods are the only
//! place a course request to the worker starts, as for the workbench.
//!
//! **A restarted worker forgets packs.** Cancelling a check terminates the worker; the new
//! one holds no pack. Every request that names a pack goes through [`with_pack`], which
//! loads the pack again from the text kept here and asks once more.

use super::workbench::Workbench;
use crate::course::draft;
use crate::course::feedback::GradeReport;
use crate::course::pack::{ExerciseDetail, ExerciseEval, PackSummary};
use crate::course::progress::{self, Progress as Record};
use crate::course::route::{self, ExerciseKey, PackSource, Route};
use crate::course::source::{self, FilePack};
use crate::result::QueryResult;
use crate::worker::client::{ProgressFn, WorkerClient};
use crate::worker::protocol::{Progress, WorkerError};
use leptos::prelude::*;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// The packs of the current route.
#[derive(Debug, Clone, PartialEq)]
pub enum Packs {
    /// Not on the course, or nothing asked yet.
    None,
    /// Fetching or loading.
    Loading,
    /// Loaded (each with its problems, if any).
    Ready(Vec<PackSummary>),
    /// The pack could not be fetched or loaded.
    Failed(String),
    /// A pack from a local file that this tab no longer holds: the learner must choose
    /// the file again.
    NeedFile(String),
}

/// Something the worker computes for the open exercise.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending<T> {
    /// Nothing asked.
    None,
    /// Asked; the latest progress.
    Loading(Option<Progress>),
    /// The answer.
    Ready(T),
    /// The reason there is none.
    Failed(String),
}

/// How to load the route's packs again into a restarted worker.
#[derive(Debug, Clone)]
enum Reload {
    Course,
    Text { file: String, text: String },
}

/// A Check: the exercise and the query.
#[derive(Debug, Clone)]
struct CheckRequest {
    key: ExerciseKey,
    query: String,
}

/// The course's state.
#[derive(Clone, Copy)]
pub struct Course {
    /// What is open; `None` shows the workbench.
    pub route: RwSignal<Option<Route>>,
    /// The route's packs.
    pub packs: Memo<Packs>,
    /// The learner's progress (saved on every change).
    pub progress: RwSignal<Record>,
    /// A message about progress or packs the learner should read (set-aside store,
    /// import result, a failed save).
    pub notice: RwSignal<Option<String>>,
    /// The open exercise.
    pub detail: Memo<Pending<ExerciseDetail>>,
    /// For an instant exercise, the evaluation time whose results are shown.
    pub shown_time: RwSignal<Option<i64>>,
    /// The reference's result at the shown time (or over the range).
    pub expected: Memo<Pending<QueryResult>>,
    /// The learner's result, once run or checked.
    pub mine: Memo<Pending<QueryResult>>,
    /// The verdict on the last Check of the open exercise.
    pub verdict: Memo<Pending<GradeReport>>,
    /// Whether the reference answer is shown (reset per exercise).
    pub answer_shown: RwSignal<bool>,
    client: StoredValue<WorkerClient, LocalStorage>,
    writable: StoredValue<bool>,
    mine_query: RwSignal<Option<(ExerciseKey, String)>>,
    file_generation: RwSignal<u64>,
    check_action: Action<CheckRequest, Result<GradeReport, WorkerError>>,
    last_check: RwSignal<Option<ExerciseKey>>,
    check_progress: RwSignal<Option<Progress>>,
}

/// The course from context.
pub fn use_course() -> Course {
    // App provides it before any child renders, as it does the workbench.
    use_context::<Course>()
        .unwrap_or_else(|| panic!("Course context missing: mount components inside App"))
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Calls `f`; if the worker no longer holds the pack (it was restarted), loads the pack
/// again and calls `f` once more.
async fn with_pack<T, F, Fut>(
    client: &WorkerClient,
    reload: Option<Reload>,
    f: F,
) -> Result<T, WorkerError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, WorkerError>>,
{
    match f().await {
        Err(WorkerError::UnknownPack(id)) => {
            match reload {
                Some(Reload::Course) => {
                    client.course().await?;
                }
                Some(Reload::Text { file, text }) => {
                    client.load_pack(&file, &text).await?;
                }
                None => return Err(WorkerError::UnknownPack(id)),
            }
            f().await
        }
        other => other,
    }
}

impl Course {
    /// The course for `route`, talking to `client`, writing the editor of `wb`. Must run
    /// inside a reactive owner (the `App` component).
    pub fn new(client: WorkerClient, route: Option<Route>, wb: Workbench) -> Course {
        let opened = progress::open(now_ms());
        let progress = RwSignal::new(opened.progress);
        let notice = RwSignal::new(opened.notice);
        let writable = StoredValue::new(opened.writable);
        let route = RwSignal::new(route);
        let client = StoredValue::new_local(client);
        let worker = move || client.get_value();
        let reload = StoredValue::new_local(None::<Reload>);
        let file_generation = RwSignal::new(0u64);

        let source = Memo::new(move |_| route.with(|r| r.as_ref().map(|r| r.source.clone())));
        // Each answer names the source and file generation it was loaded for: while a new
        // pack loads, the resource still holds the previous answer, which must read as
        // Loading, not as the new pack (the pack loader closes on the new pack's Ready).
        let packs_res = LocalResource::new(move || {
            let source = source.get();
            let generation = file_generation.get();
            let asked = (source.clone(), generation);
            let client = worker();
            async move { (asked, load_packs(&client, source, reload).await) }
        });
        let packs = Memo::new(move |_| {
            let current = (source.get(), file_generation.get());
            match packs_res.get() {
                Some((asked, p)) if asked == current => p,
                _ if current.0.is_some() => Packs::Loading,
                _ => Packs::None,
            }
        });

        // The open exercise, once its pack is loaded.
        let key = Memo::new(move |_| route.with(|r| r.as_ref().and_then(|r| r.exercise.clone())));
        let ready = Memo::new(move |_| matches!(packs.get(), Packs::Ready(_)));
        let detail_res = LocalResource::new(move || {
            let key = key.get();
            let ready = ready.get();
            async move {
                let Some(key) = key.filter(|_| ready) else {
                    return Pending::None;
                };
                let again = reload.get_value();
                let fetch = move || {
                    let (c, k) = (worker(), key.clone());
                    async move { c.exercise(&k.pack, &k.exercise).await }
                };
                match with_pack(&worker(), again, fetch).await {
                    Ok(d) => Pending::Ready(d),
                    Err(e) => Pending::Failed(e.to_string()),
                }
            }
        });
        let detail = Memo::new(move |_| match detail_res.get() {
            Some(d) => d,
            None if key.with(Option::is_some) => Pending::Loading(None),
            None => Pending::None,
        });

        // Opening an exercise: its last query in the editor, its scenario for completion.
        let shown_time = RwSignal::new(None::<i64>);
        let mine_query = RwSignal::new(None::<(ExerciseKey, String)>);
        let answer_shown = RwSignal::new(false);
        let opened_key = StoredValue::new(None::<ExerciseKey>);
        // On the workbench the editor's text is the workbench's own, so an exercise opened
        // again afterwards (from the module list, or with Forward) puts its query back.
        Effect::new(move |_| {
            if route.with(Option::is_none) {
                opened_key.set_value(None);
            }
        });
        let drafts = Drafting::new(progress);
        // The editor's text is the open exercise's draft. Only while the editor shows that
        // exercise: `opened_key` moves only once its text is in the editor, so the text of
        // the exercise being left, or the workbench's, is never saved under another key.
        Effect::new(move |_| {
            let text = wb.query.get();
            if let Some(k) = key.get()
                && opened_key.with_value(|o| o.as_ref() == Some(&k))
            {
                drafts.typed(k, text);
            }
        });
        let pagehide = window_event_listener(leptos::ev::pagehide, move |_| drafts.flush());
        on_cleanup(move || pagehide.remove());
        Effect::new(move |_| {
            let Pending::Ready(d) = detail.get() else {
                return;
            };
            let k = ExerciseKey::new(&d.pack, &d.id);
            if opened_key.get_value().as_ref() == Some(&k) {
                return;
            }
            let last = progress.with_untracked(|p| {
                p.get(&k.pack, &k.exercise)
                    .map(|e| e.last_query.clone())
                    .unwrap_or_default()
            });
            // Unsent text wins over the last checked query (course::draft says why).
            let text = drafts.opening_text(&k, &last);
            opened_key.set_value(Some(k.clone()));
            wb.query.set(text.clone());
            if let Some(scenario) = d.scenario.clone() {
                let seed = d.seeds.first().copied().unwrap_or(1);
                wb.view.update(|v| {
                    v.scenario = Some(scenario);
                    v.seed = seed;
                });
            }
            shown_time.set(match &d.eval {
                ExerciseEval::Instant { times, .. } => times.last().copied(),
                ExerciseEval::Range { .. } => None,
            });
            answer_shown.set(false);
            // A query checked before is shown with its result at once, unless the editor
            // holds a draft instead: a result beside other text would mislead.
            mine_query.set((!last.trim().is_empty() && text == last).then_some((k, last)));
        });

        let result_progress = RwSignal::new(None::<Progress>);
        let on_result_progress: ProgressFn = Rc::new(move |p| {
            result_progress.try_set(Some(p));
        });
        let expected_res = LocalResource::new({
            let on_progress = on_result_progress.clone();
            move || {
                let d = detail.get();
                let time = shown_time.get();
                let on_progress = on_progress.clone();
                async move {
                    let Pending::Ready(d) = d else {
                        return Pending::None;
                    };
                    let again = reload.get_value();
                    let run = move || {
                        let (c, pack, id) = (worker(), d.pack.clone(), d.id.clone());
                        let on_progress = on_progress.clone();
                        async move {
                            c.exercise_result(&pack, &id, None, time, Some(on_progress))
                                .await
                        }
                    };
                    let r = with_pack(&worker(), again, run).await;
                    match r {
                        Ok(e) => Pending::Ready(e.result),
                        Err(e) => Pending::Failed(e.to_string()),
                    }
                }
            }
        });
        let expected = Memo::new(move |_| {
            expected_res
                .get()
                .unwrap_or_else(|| Pending::Loading(result_progress.get()))
        });
        let mine_res = LocalResource::new(move || {
            let asked = mine_query.get();
            let time = shown_time.get();
            let current = key.get();
            async move {
                let Some((k, query)) = asked.filter(|(k, _)| Some(k) == current.as_ref()) else {
                    return Pending::None;
                };
                let again = reload.get_value();
                let run = move || {
                    let (c, k, q) = (worker(), k.clone(), query.clone());
                    async move {
                        c.exercise_result(&k.pack, &k.exercise, Some(q), time, None)
                            .await
                    }
                };
                let r = with_pack(&worker(), again, run).await;
                match r {
                    Ok(e) => Pending::Ready(e.result),
                    Err(WorkerError::InvalidQuery(d)) => Pending::Failed(match d.first() {
                        Some(d) => format!("Your query does not parse: {}", d.message),
                        None => "Your query does not parse.".into(),
                    }),
                    Err(e) => Pending::Failed(e.to_string()),
                }
            }
        });
        let mine = Memo::new(move |_| mine_res.get().unwrap_or(Pending::Loading(None)));

        let check_progress = RwSignal::new(None::<Progress>);
        let check_action = Action::new_local(move |c: &CheckRequest| {
            let c = c.clone();
            async move {
                let on_progress: ProgressFn = Rc::new(move |p| {
                    check_progress.try_set(Some(p));
                });
                let again = reload.get_value();
                let asked = c.clone();
                // With a server as the data source, both queries go to it and the worker's
                // grader compares its answers (exercises::grader::server).
                let on_server = super::workbench::server_client(
                    &wb.source.get_untracked(),
                    wb.fetch.get_value(),
                );
                let grade = move || {
                    let (w, c, on_progress) = (worker(), asked.clone(), on_progress.clone());
                    let on_server = on_server.clone();
                    async move {
                        match on_server {
                            None => {
                                w.grade(&c.key.pack, &c.key.exercise, &c.query, Some(on_progress))
                                    .await
                            }
                            Some(client) => grade_on_server(&w, client?, &c.key, &c.query).await,
                        }
                    }
                };
                let report = with_pack(&worker(), again, grade).await;
                if let Ok(r) = &report {
                    progress.update(|p| {
                        p.record_attempt(&c.key.pack, &c.key.exercise, &c.query, r.pass, now_ms())
                    });
                    drafts.checked(&c.key, &c.query);
                }
                report
            }
        });
        let last_check = RwSignal::new(None::<ExerciseKey>);
        let verdict = Memo::new(move |_| {
            if last_check.get() != key.get() || last_check.with(Option::is_none) {
                return Pending::None;
            }
            if check_action.pending().get() {
                return Pending::Loading(check_progress.get());
            }
            match check_action.value().get() {
                Some(Ok(r)) => Pending::Ready(r),
                Some(Err(e)) => Pending::Failed(e.to_string()),
                None => Pending::None,
            }
        });

        let course = Course {
            route,
            packs,
            progress,
            notice,
            detail,
            shown_time,
            expected,
            mine,
            verdict,
            answer_shown,
            client,
            writable,
            mine_query,
            file_generation,
            check_action,
            last_check,
            check_progress,
        };
        // Progress is written whenever it changes.
        Effect::new(move |first: Option<()>| {
            progress.track();
            if first.is_some() {
                course.save();
            }
        });
        course
    }

    fn save(&self) {
        if !self.writable.get_value() {
            return;
        }
        if let Err(e) = self.progress.with_untracked(progress::save) {
            self.notice.set(Some(e));
        }
    }

    /// Opens `route` (`None`: the workbench).
    pub fn open(&self, route: Option<Route>) {
        self.route.set(route);
    }

    /// Opens an exercise of the current packs, or their module list for `None`.
    pub fn open_exercise(&self, exercise: Option<ExerciseKey>) {
        let next = self
            .route
            .with_untracked(|r| r.as_ref().map(|r| r.with_exercise(exercise.clone())))
            .unwrap_or_else(|| Route::course().with_exercise(exercise));
        self.route.set(Some(next));
    }

    /// The link (a relative query string) that opens `route`.
    pub fn href(route: &Route) -> String {
        route::encode(route)
    }

    /// Opens a pack the learner chose from a file: kept for reloads of this tab, then
    /// loaded through the route.
    pub fn open_file(&self, name: String, text: String) {
        source::remember_file(&FilePack {
            name: name.clone(),
            text,
        });
        self.file_generation.update(|g| *g += 1);
        self.route.set(Some(Route {
            source: PackSource::File(name),
            exercise: None,
        }));
    }

    /// Runs the editor's query on the exercise's data, to show beside the expected result.
    pub fn run_mine(&self, query: String) {
        if let Some(k) = self
            .route
            .with_untracked(|r| r.as_ref().and_then(|r| r.exercise.clone()))
            && !query.trim().is_empty()
        {
            self.mine_query.set(Some((k, query)));
        }
    }

    /// Grades the query and shows its result.
    pub fn check(&self, query: String) {
        let Some(key) = self
            .route
            .with_untracked(|r| r.as_ref().and_then(|r| r.exercise.clone()))
        else {
            return;
        };
        if query.trim().is_empty() {
            return;
        }
        self.run_mine(query.clone());
        self.check_progress.set(None);
        self.last_check.set(Some(key.clone()));
        self.check_action
            .dispatch_local(CheckRequest { key, query });
    }

    /// Shows one more hint of the open exercise.
    pub fn reveal_hint(&self, shown: u32) {
        if let Some(k) = self
            .route
            .with_untracked(|r| r.as_ref().and_then(|r| r.exercise.clone()))
        {
            self.progress
                .update(|p| p.reveal_hints(&k.pack, &k.exercise, shown, now_ms()));
        }
    }

    /// Stops a running check (the worker restarts; packs are loaded again when next
    /// needed).
    pub fn cancel(&self) {
        self.client.get_value().cancel();
    }

    /// Merges an imported progress file into the stored progress and says what changed.
    pub fn import(&self, file_name: &str, text: &str) {
        match progress::read(text) {
            Ok(theirs) => {
                let mut merged = Default::default();
                self.progress.update(|p| merged = p.merge(theirs));
                let crate::course::progress::Merged { changed, read } = merged;
                self.notice.set(Some(format!(
                    "Imported {file_name}: {read} exercises read, {changed} added or moved forward."
                )));
            }
            Err(e) => self.notice.set(Some(format!(
                "{file_name} cannot be imported: {e}. Your progress is unchanged."
            ))),
        }
    }
}

/// Loads the packs `source` names into the worker and remembers how to load them again.
async fn load_packs(
    client: &WorkerClient,
    source: Option<PackSource>,
    reload: StoredValue<Option<Reload>, LocalStorage>,
) -> Packs {
    let Some(source) = source else {
        return Packs::None;
    };
    let (loaded, again) = match source {
        PackSource::Course => (client.course().await, Reload::Course),
        PackSource::Url(url) => match source::fetch_pack(&url).await {
            Ok(text) => (
                client.load_pack(&url, &text).await.map(|p| vec![p]),
                Reload::Text { file: url, text },
            ),
            Err(e) => return Packs::Failed(e),
        },
        PackSource::File(name) => match source::remembered_file(&name) {
            Some(FilePack { name, text }) => (
                client.load_pack(&name, &text).await.map(|p| vec![p]),
                Reload::Text { file: name, text },
            ),
            None => return Packs::NeedFile(name),
        },
    };
    match loaded {
        Ok(list) => {
            reload.set_value(Some(again));
            Packs::Ready(list)
        }
        Err(e) => Packs::Failed(e.to_string()),
    }
}

/// Grades on the server: the worker's plan, each path sent through the data-source client
/// (an API error body is an answer too: the grader reports the learner's query failing),
/// then the worker's verdict.
async fn grade_on_server(
    w: &WorkerClient,
    client: crate::datasource::Client<crate::datasource::fetch::FetchTransport>,
    key: &ExerciseKey,
    query: &str,
) -> Result<GradeReport, WorkerError> {
    use crate::worker::course::ServerStep;
    let now = js_sys::Date::now() as i64;
    match w.server_plan(&key.pack, &key.exercise, query, now).await? {
        ServerStep::Verdict(r) => Ok(r),
        ServerStep::Requests { reference, learner } => {
            let mut bodies = (Vec::new(), Vec::new());
            for p in &reference {
                bodies.0.push(client.api_body(p).await?);
            }
            for p in &learner {
                bodies.1.push(client.api_body(p).await?);
            }
            w.server_grade(&key.pack, &key.exercise, query, now, bodies.0, bodies.1)
                .await
        }
    }
}

/// The browser side of [`draft`]: the drafts in memory, the text waiting to be written and
/// the timer that writes it once typing pauses. `Copy`, like the rest of the course state.
#[derive(Clone, Copy)]
struct Drafting {
    drafts: StoredValue<draft::Drafts>,
    /// The text typed and not yet written, with its exercise.
    pending: StoredValue<Option<(ExerciseKey, String)>>,
    /// The text last seen in the editor per the open exercise, so that putting a text
    /// into the editor (opening an exercise) does not count as typing.
    seen: StoredValue<Option<(ExerciseKey, String)>>,
    timer: StoredValue<Option<TimeoutHandle>>,
    progress: RwSignal<Record>,
}

impl Drafting {
    fn new(progress: RwSignal<Record>) -> Drafting {
        Drafting {
            drafts: StoredValue::new(draft::open()),
            pending: StoredValue::new(None),
            seen: StoredValue::new(None),
            timer: StoredValue::new(None),
            progress,
        }
    }

    /// The text exercise `k` opens with, remembered as seen. Anything typed before is
    /// written first, so that a draft of this very exercise still pending is found.
    fn opening_text(&self, k: &ExerciseKey, last_checked: &str) -> String {
        self.flush();
        let text = self.drafts.with_value(|d| {
            d.opening_text(&k.pack, &k.exercise, last_checked)
                .to_string()
        });
        self.seen.set_value(Some((k.clone(), text.clone())));
        text
    }

    /// The editor of exercise `k` now holds `text`: written [`draft::SAVE_DELAY_MS`]
    /// after the last change, not per keystroke.
    fn typed(&self, k: ExerciseKey, text: String) {
        let entry = Some((k, text));
        if self.seen.with_value(|s| *s == entry) {
            return;
        }
        // Text of another exercise still waiting is written now rather than replaced.
        if self
            .pending
            .with_value(|p| p.as_ref().map(|p| &p.0) != entry.as_ref().map(|e| &e.0))
        {
            self.flush();
        }
        self.seen.set_value(entry.clone());
        self.pending.set_value(entry);
        self.clear_timer();
        let this = *self;
        let handle = set_timeout_with_handle(
            move || this.flush(),
            Duration::from_millis(draft::SAVE_DELAY_MS),
        );
        self.timer.set_value(handle.ok());
    }

    /// Writes the waiting text, if any. Safe after the page's owner is gone (a timer may
    /// fire late): every access is a `try_`.
    fn flush(&self) {
        self.clear_timer();
        let Some(Some((k, text))) = self.pending.try_update_value(Option::take) else {
            return;
        };
        let last = self
            .progress
            .try_with_untracked(|p| {
                p.get(&k.pack, &k.exercise)
                    .map(|e| e.last_query.clone())
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let now = now_ms();
        let changed = self
            .drafts
            .try_update_value(|d| d.save(&k.pack, &k.exercise, &text, &last, now));
        if changed == Some(true) {
            self.drafts.try_with_value(draft::store);
        }
    }

    /// A Check of `query` was recorded for `k`.
    fn checked(&self, k: &ExerciseKey, query: &str) {
        let changed = self
            .drafts
            .try_update_value(|d| d.checked(&k.pack, &k.exercise, query));
        if changed == Some(true) {
            self.drafts.try_with_value(draft::store);
        }
    }

    fn clear_timer(&self) {
        if let Some(Some(h)) = self.timer.try_update_value(Option::take) {
            h.clear();
        }
    }
}
