//! Component tests in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app into a fresh container so tests do not see each other's DOM; the
/// returned handle unmounts it when dropped.
fn mount_app() -> (web_sys::HtmlElement, impl Drop) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(
        container.clone(),
        || leptos::view! { <app::App worker_url="/nonexistent-worker.js"/> },
    );
    (container, handle)
}

fn find(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

#[wasm_bindgen_test]
async fn app_renders_the_workbench_shell() {
    let (root, _handle) = mount_app();
    leptos::task::tick().await;
    assert_eq!(
        find(&root, "header h1").text_content().as_deref(),
        Some("PromQL Workbench")
    );
    find(&root, "#query-input");
    find(&root, ".result-panel");
}

#[wasm_bindgen_test]
async fn typing_a_query_updates_the_result_panel() {
    let (root, _handle) = mount_app();
    leptos::task::tick().await;
    let input: web_sys::HtmlTextAreaElement = find(&root, "#query-input").dyn_into().unwrap();
    input.set_value("up");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert_eq!(
        find(&root, ".result-panel .status")
            .text_content()
            .as_deref(),
        Some("Query ready.")
    );
}
