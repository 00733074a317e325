use super::course::{Course, Pending, use_course};
use super::module_list::{status_class, status_icon};
use super::workbench::use_workbench;
use super::{FeedbackList, HintList, QueryEditor, RenderedMarkdown, ResultPair};
use crate::course::pack::{ExerciseDetail, PackSummary};
use crate::course::route::ExerciseKey;
use leptos::prelude::*;

/// One exercise: where it is in the pack, the prompt, the workbench's editor (completion
/// from the exercise's scenario), Check, the verdict, hints, and the expected result
/// beside the learner's.
#[component]
pub fn ExerciseView(detail: ExerciseDetail, pack: PackSummary) -> impl IntoView {
    let course = use_course();
    let wb = use_workbench();
    let (prev, next) = pack.neighbours(&detail.id);
    let link = |e: Option<&crate::course::pack::ExerciseSummary>, rel: &'static str| {
        e.map(|e| {
            let key = ExerciseKey::new(&pack.id, &e.id);
            nav_link(course, Some(key), format!("{rel}{}", e.title), rel)
        })
    };
    let prev = link(prev, "← ");
    let next = link(next, "→ ");
    let back = nav_link(course, None, "All modules".into(), "back");
    let (p, id) = (detail.pack.clone(), detail.id.clone());
    let status = Memo::new(move |_| course.progress.with(|pr| pr.status(&p, &id)));
    let check = move || course.check(wb.query.get_untracked());
    let on_run = Callback::new(move |()| course.run_mine(wb.query.get_untracked()));
    let checking = move || matches!(course.verdict.get(), Pending::Loading(_));
    let exercise_id = detail.id.clone();
    view! {
        <article class="exercise" data-exercise=exercise_id>
            <nav class="exercise-nav" aria-label="Exercises">{back}{prev}{next}</nav>
            <header>
                <p class="module-name">{detail.module.clone()}</p>
                <h2>{detail.title.clone()}</h2>
                <p class="exercise-meta">
                    <span class=move || format!("status {}", status_class(status.get()))>
                        {move || format!("{} {}", status_icon(status.get()), status.get().label())}
                    </span>
                    <span class="difficulty">{detail.difficulty.clone()}</span>
                </p>
            </header>
            <RenderedMarkdown html=detail.prompt_html.clone() class="prompt"/>
            <p class="data-text">{detail.data_text.clone()}</p>
            <QueryEditor on_run=on_run/>
            <div class="check-actions">
                <button type="button" id="check" class="primary" on:click=move |_| check() disabled=checking>
                    "Check"
                </button>
                {move || match course.verdict.get() {
                    Pending::Loading(p) => Some(view! {
                        <span class="run-status" role="status">
                            <progress aria-label="Grading"></progress>
                            {p.map(|p| format!("{}: {}", p.stage, p.done))}
                            <button type="button" class="cancel" on:click=move |_| course.cancel()>"Cancel"</button>
                        </span>
                    }),
                    _ => None,
                }}
            </div>
            {move || match course.verdict.get() {
                Pending::Ready(r) => Some(view! { <FeedbackList report=r/> }.into_any()),
                Pending::Failed(e) => Some(view! { <p class="run-error" role="alert">{e}</p> }.into_any()),
                _ => None,
            }}
            <HintList detail=detail.clone()/>
            <ResultPair detail=detail/>
        </article>
    }
}

/// A link to an exercise (or the module list), shareable, that opens in place.
fn nav_link(
    course: Course,
    key: Option<ExerciseKey>,
    text: String,
    class: &'static str,
) -> AnyView {
    let href = course
        .route
        .with_untracked(|r| {
            r.as_ref()
                .map(|r| Course::href(&r.with_exercise(key.clone())))
        })
        .unwrap_or_default();
    let open = move |ev: leptos::ev::MouseEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        course.open_exercise(key.clone());
    };
    let class = match class {
        "← " => "prev",
        "→ " => "next",
        other => other,
    };
    view! { <a class=class href=href on:click=open>{text}</a> }.into_any()
}
