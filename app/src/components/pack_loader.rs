use super::course::use_course;
use crate::course::route::{PackSource, Route};
use crate::course::source::read_file;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Opening a pack of one's own: from a URL (the link becomes `?pack=URL`, shareable) or
/// from a local file (an instructor previewing a pack before hosting it).
#[component]
pub fn PackLoader() -> impl IntoView {
    let course = use_course();
    let url = RwSignal::new(String::new());
    let open_url = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let u = url.get_untracked().trim().to_string();
        if !u.is_empty() {
            course.open(Some(Route {
                source: PackSource::Url(u),
                exercise: None,
            }));
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            match read_file(&file).await {
                Ok(text) => course.open_file(file.name(), text),
                Err(e) => course.notice.set(Some(e)),
            }
        });
    };
    view! {
        <details class="pack-loader">
            <summary>"Open another pack"</summary>
            <form class="pack-url" on:submit=open_url>
                <label for="pack-url">"Pack URL"</label>
                <input id="pack-url" type="url" placeholder="https://example.org/packs/mine.toml"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                <button type="submit">"Open"</button>
            </form>
            <p class="pack-file">
                <label for="pack-file">"Or a pack file on this computer: "</label>
                <input id="pack-file" type="file" accept=".toml,text/plain" on:change=on_file/>
            </p>
        </details>
    }
}
