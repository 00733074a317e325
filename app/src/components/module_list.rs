use super::RenderedMarkdown;
use super::course::{Course, use_course};
use crate::course::pack::{ModuleSummary, PackSummary};
use crate::course::progress::Status;
use crate::course::route::ExerciseKey;
use leptos::prelude::*;

/// The packs' modules with the learner's progress: per exercise done, tried or not
/// started, and per module the counts. Each exercise is a link (shareable, opens in a new
/// tab) that opens in place when clicked.
#[component]
pub fn ModuleList(packs: Vec<PackSummary>) -> impl IntoView {
    let course = use_course();
    let total = packs.iter().map(|p| p.exercises().count()).sum::<usize>();
    let ids: Vec<(String, String)> = packs
        .iter()
        .flat_map(|p| p.exercises().map(|e| (p.id.clone(), e.id.clone())))
        .collect();
    let done = move || {
        course.progress.with(|pr| {
            ids.iter()
                .filter(|(p, e)| pr.status(p, e) == Status::Done)
                .count()
        })
    };
    view! {
        <section class="module-list" aria-label="Modules">
            <p class="course-summary">{move || format!("{} of {total} exercises done", done())}</p>
            {packs.into_iter().map(|p| view! { <PackModules pack=p/> }).collect_view()}
        </section>
    }
}

#[component]
fn PackModules(pack: PackSummary) -> impl IntoView {
    let errors = pack.errors.clone();
    let modules = pack.modules.clone();
    let id = pack.id.clone();
    let titled = pack.titles_modules();
    view! {
        <article class="pack" data-pack=pack.id.clone()>
            <header>
                <h2 tabindex="-1">{pack.title.clone()}</h2>
                <p class="byline">{pack.byline.clone()}</p>
            </header>
            <RenderedMarkdown html=pack.description_html.clone() class="pack-description"/>
            {(!errors.is_empty()).then(|| view! {
                <div class="pack-errors" role="alert">
                    <p>{format!("{} problem(s) in {}; the exercises without one are listed below.", errors.len(), pack.source)}</p>
                    <ul>{errors.into_iter().map(|e| view! { <li><code>{e.text}</code></li> }).collect_view()}</ul>
                </div>
            })}
            {modules.into_iter().map(|m| view! { <Module pack=id.clone() module=m titled=titled/> }).collect_view()}
        </article>
    }
}

/// One module's exercises with its counts; `titled` is false when the pack's heading
/// already names the module (see [`PackSummary::titles_modules`]).
#[component]
fn Module(pack: String, module: ModuleSummary, titled: bool) -> impl IntoView {
    let course = use_course();
    let ids: Vec<String> = module.exercises.iter().map(|e| e.id.clone()).collect();
    let counts_pack = pack.clone();
    let counts = move || {
        course.progress.with(|p| {
            let c = p.counts(&counts_pack, ids.iter().map(String::as_str));
            format!("{} of {} done · {} tried", c.done, c.total(), c.tried)
        })
    };
    let items = module
        .exercises
        .into_iter()
        .map(|e| {
            let key = ExerciseKey::new(&pack, &e.id);
            let status_key = key.clone();
            let status = Memo::new(move |_| {
                course
                    .progress
                    .with(|p| p.status(&status_key.pack, &status_key.exercise))
            });
            let href = course
                .route
                .with_untracked(|r| r.as_ref().map(|r| Course::href(&r.with_exercise(Some(key.clone())))))
                .unwrap_or_default();
            let open = move |ev: leptos::ev::MouseEvent| {
                if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                    return;
                }
                ev.prevent_default();
                course.open_exercise(Some(key.clone()));
            };
            view! {
                <li class=move || format!("exercise-item {}", status_class(status.get()))>
                    <span class="status-icon" aria-hidden="true">{move || status_icon(status.get())}</span>
                    <a href=href on:click=open>{e.title}</a>
                    <span class="difficulty">{e.difficulty}</span>
                    <span class="visually-hidden">{move || format!(" ({})", status.get().label())}</span>
                </li>
            }
        })
        .collect_view();
    let heading = if titled {
        view! { <h3>{module.title}<span class="module-counts">{counts}</span></h3> }.into_any()
    } else {
        view! { <p class="module-counts">{counts}</p> }.into_any()
    };
    view! {
        <section class="module">
            {heading}
            <ol class="exercises">{items}</ol>
        </section>
    }
}

/// The class of an exercise's row.
pub(super) fn status_class(s: Status) -> &'static str {
    match s {
        Status::Done => "done",
        Status::Tried => "tried",
        Status::NotStarted => "not-started",
    }
}

/// A glyph for the status (the text beside it says it in words).
pub(super) fn status_icon(s: Status) -> &'static str {
    match s {
        Status::Done => "✓",
        Status::Tried => "◐",
        Status::NotStarted => "○",
    }
}
