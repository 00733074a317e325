//! Getting a pack's text: from a URL (gloo-net's fetch) or from a file the learner chose,
//! which is kept in sessionStorage so a reload of the same tab finds it again.
//!
//! Both return errors as sentences a learner or instructor can act on; the worker then
//! reports problems inside the text with file and line.

use serde::{Deserialize, Serialize};

/// The sessionStorage key of the pack last opened from a file.
pub const FILE_PACK_KEY: &str = "promql-workbench.file-pack";

/// A pack opened from a local file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePack {
    /// The file's name.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Why a pack URL gave no text.
pub fn fetch_error(url: &str, detail: &str) -> String {
    format!(
        "The pack at {url} could not be fetched: {detail}. Check the address; a pack on \
         another site must be served with CORS allowed (Access-Control-Allow-Origin)."
    )
}

/// Fetches a pack's text. A relative URL is resolved against the page, so a pack hosted
/// next to the site opens with `?pack=packs/mine.toml`.
pub async fn fetch_pack(url: &str) -> Result<String, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| fetch_error(url, &e.to_string()))?;
    if !response.ok() {
        return Err(fetch_error(
            url,
            &format!(
                "the server answered {} {}",
                response.status(),
                response.status_text()
            ),
        ));
    }
    let text = response
        .text()
        .await
        .map_err(|e| fetch_error(url, &e.to_string()))?;
    if text.len() > crate::worker::course::MAX_PACK_BYTES {
        return Err(fetch_error(
            url,
            &format!("it is {} bytes, more than a pack can be", text.len()),
        ));
    }
    Ok(text)
}

/// The file the learner chose in the file input `ev` comes from, if any. The input is
/// cleared, so choosing the same file again is another change.
pub fn chosen_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|f| f.get(0))?;
    input.set_value("");
    Some(file)
}

/// Reads a file the learner chose (a pack or a progress export) as text.
pub async fn read_file(file: &web_sys::File) -> Result<String, String> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|e| format!("{} could not be read: {e:?}", file.name()))?;
    text.as_string()
        .ok_or_else(|| format!("{} is not text", file.name()))
}

/// Keeps a pack opened from a file for reloads of this tab. Failing (storage full or off)
/// only means a reload asks for the file again.
pub fn remember_file(pack: &FilePack) {
    use gloo::storage::{SessionStorage, Storage};
    let _ = SessionStorage::set(FILE_PACK_KEY, pack);
}

/// The pack last opened from a file in this tab, if its name is `name`.
pub fn remembered_file(name: &str) -> Option<FilePack> {
    use gloo::storage::{SessionStorage, Storage};
    SessionStorage::get::<FilePack>(FILE_PACK_KEY)
        .ok()
        .filter(|p| p.name == name)
}
