use super::course::use_course;
use crate::course::source::{chosen_file, read_file};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Export and import of progress as a JSON file. Export downloads the stored document
/// through a Blob URL; import merges a chosen file into the current progress (the model
/// validates it; a refused file changes nothing and says why).
#[component]
pub fn ProgressTools() -> impl IntoView {
    let course = use_course();
    let export = move |_| {
        let json = course.progress.with_untracked(|p| p.to_json());
        if let Err(e) = download("promql-workbench-progress.json", &json) {
            course
                .notice
                .set(Some(format!("The export could not start: {e}")));
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = chosen_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_file(&file).await {
                Ok(text) => course.import(&file.name(), &text),
                Err(e) => course.notice.set(Some(e)),
            }
        });
    };
    view! {
        <div class="progress-tools">
            <button type="button" id="export-progress" on:click=export>"Export progress"</button>
            <label class="button" for="import-progress">"Import progress"</label>
            <input id="import-progress" class="visually-hidden" type="file"
                accept=".json,application/json" on:change=on_file/>
        </div>
    }
}

/// Starts a download of `text` as `name` through a temporary Blob URL.
fn download(name: &str, text: &str) -> Result<(), String> {
    let err = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let a: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(err)?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked a moment later: revoking at once can cancel the download in some browsers.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(5),
    );
    Ok(())
}
