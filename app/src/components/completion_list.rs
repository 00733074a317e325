use crate::editor::complete::Completions;
use leptos::prelude::*;

/// The autocomplete popup: a listbox the editor drives from the keyboard, with the selected
/// item's signature and documentation below the list.
#[component]
pub fn CompletionList(
    /// The completions shown, or `None` when closed.
    completions: RwSignal<Option<Completions>>,
    /// The highlighted item.
    selected: RwSignal<usize>,
    /// Accepts an item by index.
    on_accept: Callback<usize>,
    /// Where the caret's line ends, relative to the editor box (left, bottom), so the list
    /// opens under the text being completed; `None` puts it under the editor.
    #[prop(into)]
    anchor: Signal<Option<(f64, f64)>>,
) -> impl IntoView {
    let items =
        move || completions.with(|c| c.as_ref().map(|c| c.items.clone()).unwrap_or_default());
    let detail = move || {
        completions.with(|c| {
            c.as_ref()
                .and_then(|c| c.items.get(selected.get()))
                .filter(|i| !(i.detail.is_empty() && i.doc.is_empty()))
                .map(|i| (i.detail.clone(), i.doc.clone()))
        })
    };
    view! {
        <div class="completion" class:open=move || completions.with(|c| c.is_some())
            style=move || anchor.get().map(|(x, y)| format!(
                "left: min({x:.0}px, calc(100% - min(34rem, 100%))); top: {y:.0}px"
            ))>
            <ul id="completion-list" role="listbox" aria-label="Suggestions">
                {move || items().into_iter().enumerate().map(|(i, item)| {
                    let is_selected = move || selected.get() == i;
                    view! {
                        <li id=format!("completion-{i}") role="option"
                            class="completion-item"
                            class:selected=is_selected
                            aria-selected=move || is_selected().to_string()
                            // Keep the focus in the editor: act on mousedown, before blur.
                            on:mousedown=move |ev| {
                                ev.prevent_default();
                                on_accept.run(i);
                            }>
                            <span class="label">{item.label.clone()}</span>
                            <span class=format!("kind kind-{}", item.kind.tag())>{item.kind.tag()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || detail().map(|(detail, doc)| view! {
                <div class="completion-doc">
                    <code>{detail}</code>
                    <p>{doc}</p>
                </div>
            })}
        </div>
    }
}
