use leptos::prelude::*;

/// HTML produced by `exercises::markdown::render` (in the worker), placed in the page.
///
/// This is the only component that sets `inner_html`, and it must only ever receive that
/// renderer's output: the renderer shows raw HTML from a pack as text and drops scripted
/// URLs, so a pack's `<script>` or `onerror=` arrives here escaped. Anything else (a
/// query, a label value, a file name) is text and goes through ordinary text nodes.
#[component]
pub fn RenderedMarkdown(
    /// Sanitised HTML from `exercises::markdown::render`.
    html: String,
    /// The wrapper's class.
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    view! { <div class=format!("markdown {class}") inner_html=html></div> }
}
