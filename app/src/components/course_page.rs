use super::course::{Packs, Pending, use_course};
use super::{ExerciseView, ModuleList, PackLoader, ProgressTools};
use crate::course::route::PackSource;
use crate::course::source::read_file;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The course: the notice line, pack and progress tools, then the module list or the open
/// exercise, as the route says.
#[component]
pub fn CoursePage() -> impl IntoView {
    let course = use_course();
    let body = move || match course.packs.get() {
        Packs::None | Packs::Loading => {
            view! { <p class="status" aria-busy="true">"Loading the exercises…"</p> }.into_any()
        }
        Packs::Failed(e) => view! { <p class="run-error" role="alert">{e}</p> }.into_any(),
        Packs::NeedFile(name) => view! { <NeedFile name=name/> }.into_any(),
        Packs::Ready(packs) => {
            let key = course
                .route
                .with(|r| r.as_ref().and_then(|r| r.exercise.clone()));
            match key {
                None => view! { <ModuleList packs=packs/> }.into_any(),
                Some(key) => {
                    let Some(pack) = packs.into_iter().find(|p| p.id == key.pack) else {
                        return view! { <p class="run-error" role="alert">{format!("No pack {:?} is open here.", key.pack)}</p> }.into_any();
                    };
                    (move || match course.detail.get() {
                        Pending::Ready(d) if d.pack == key.pack && d.id == key.exercise => {
                            view! { <ExerciseView detail=d pack=pack.clone()/> }.into_any()
                        }
                        Pending::Failed(e) => {
                            view! { <p class="run-error" role="alert">{e}</p> }.into_any()
                        }
                        _ => {
                            view! { <p class="status" aria-busy="true">"Opening the exercise…"</p> }
                                .into_any()
                        }
                    })
                    .into_any()
                }
            }
        }
    };
    let source = move || {
        course.route.with(|r| match r.as_ref().map(|r| &r.source) {
            Some(PackSource::Url(u)) => format!("Pack from {u}"),
            Some(PackSource::File(f)) => format!("Pack from the file {f}"),
            _ => "The PromQL course".to_string(),
        })
    };
    view! {
        <main class="course">
            <div class="course-bar">
                <p class="course-source">{source}</p>
                <ProgressTools/>
                <PackLoader/>
            </div>
            {move || course.notice.get().map(|n| view! {
                <div class="notice-banner" role="status">
                    <p>{n}</p>
                    <button type="button" on:click=move |_| course.notice.set(None)>"Dismiss"</button>
                </div>
            })}
            {body}
        </main>
    }
}

/// Asks for a pack file again: a link names a local file that this tab no longer holds.
#[component]
fn NeedFile(name: String) -> impl IntoView {
    let course = use_course();
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_file(&file).await {
                Ok(text) => course.open_file(file.name(), text),
                Err(e) => course.notice.set(Some(e)),
            }
        });
    };
    view! {
        <div class="need-file" role="alert">
            <p>{format!("This link opens the pack file {name}, which only the browser that opened it holds. Choose the file again:")}</p>
            <input type="file" accept=".toml,text/plain" on:change=on_file aria-label="Pack file"/>
        </div>
    }
}
