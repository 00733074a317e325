use super::course::{Packs, use_course};
use crate::course::route::{PackSource, Route};
use crate::course::source::{chosen_file, read_file};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Opening a pack of one's own: from a URL (the link becomes `?pack=URL`, shareable) or
/// from a local file (an instructor previewing a pack before hosting it).
///
/// Once the pack it asked for is loaded, the panel closes and focus moves to the pack's
/// heading, so a keyboard or screen-reader user learns that the load worked and starts
/// from the new module list. If the load fails the panel stays open, focus stays where it
/// was, and the course page shows the error right below it.
#[component]
pub fn PackLoader() -> impl IntoView {
    let course = use_course();
    let url = RwSignal::new(String::new());
    let panel = NodeRef::<leptos::html::Details>::new();
    // Whether a load this panel started is still waiting for its answer.
    let awaiting = RwSignal::new(false);
    Effect::new(move |_| {
        let loaded = match course.packs.get() {
            Packs::Ready(_) => true,
            Packs::Failed(_) | Packs::NeedFile(_) => false,
            Packs::None | Packs::Loading => return,
        };
        if !awaiting.get() {
            return;
        }
        awaiting.set(false);
        if loaded {
            if let Some(details) = panel.get_untracked() {
                details.set_open(false);
            }
            // The module list renders in the same tick as this effect; focus it once the
            // browser has laid it out.
            request_animation_frame(focus_pack_heading);
        }
    });
    let open_url = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let u = url.get_untracked().trim().to_string();
        if !u.is_empty() {
            awaiting.set(true);
            course.open(Some(Route {
                source: PackSource::Url(u),
                exercise: None,
            }));
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = chosen_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_file(&file).await {
                Ok(text) => {
                    awaiting.set(true);
                    course.open_file(file.name(), text);
                }
                Err(e) => course.notice.set(Some(e)),
            }
        });
    };
    view! {
        <details class="pack-loader" node_ref=panel>
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

/// Moves focus to the first pack's heading in the module list (it takes focus from script
/// only: `tabindex="-1"`).
fn focus_pack_heading() {
    let heading = document()
        .query_selector(".module-list .pack h2")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(h) = heading {
        let _ = h.focus();
    }
}
