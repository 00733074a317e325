use super::RenderedMarkdown;
use super::course::use_course;
use crate::course::pack::ExerciseDetail;
use leptos::prelude::*;

/// Hints revealed one at a time (how many is part of the progress, so they stay revealed
/// after a reload), and the reference answer, which can be revealed once the learner has
/// checked an answer at least once.
#[component]
pub fn HintList(detail: ExerciseDetail) -> impl IntoView {
    let course = use_course();
    let total = detail.hints_html.len();
    let (pack, id) = (detail.pack.clone(), detail.id.clone());
    let record = Memo::new(move |_| {
        course
            .progress
            .with(|p| p.get(&pack, &id).map(|e| (e.hints_revealed, e.attempts)))
            .unwrap_or_default()
    });
    let shown = move || (record.get().0 as usize).min(total);
    let tried = move || record.get().1 > 0;
    let exhausted = move || shown() >= total;
    let hints = detail.hints_html.clone();
    let reference = detail.reference.clone();
    view! {
        <section class="hints" aria-label="Hints">
            <ol class="hint-list">
                {move || hints.iter().take(shown()).enumerate().map(|(i, h)| view! {
                    <li class="hint"><span class="hint-number">{format!("Hint {}", i + 1)}</span><RenderedMarkdown html=h.clone()/></li>
                }).collect_view()}
            </ol>
            <div class="hint-actions">
                <button type="button" id="show-hint" disabled=exhausted
                    on:click=move |_| course.reveal_hint(shown() as u32 + 1)>
                    {move || if exhausted() { "No more hints".to_string() } else { format!("Show a hint ({} of {total})", shown() + 1) }}
                </button>
                <button type="button" id="reveal-answer" disabled=move || !tried()
                    title=move || if tried() { "Show the reference answer" } else { "Check an answer first" }
                    on:click=move |_| course.answer_shown.set(true)>
                    "Reveal the answer"
                </button>
            </div>
            <Show when=move || course.answer_shown.get() && tried()>
                <p class="answer">"One answer: "<code>{reference.clone()}</code></p>
            </Show>
        </section>
    }
}
