use super::workbench::{RunState, use_workbench};
use super::{CompletionList, DiagnosticList, HistoryMenu, RunStatus};
use crate::editor::complete::{Completions, complete};
use crate::editor::highlight::{highlight, segments};
use crate::editor::offsets::{byte_to_utf16, utf16_to_byte};
use leptos::html;
use leptos::prelude::*;

/// Characters after which completion opens by itself, with nothing typed yet.
const TRIGGERS: &[char] = &['{', '(', ',', '=', '[', '~', '"', '@'];

/// The PromQL editor: a textarea over a highlighted copy of its text, parse errors
/// underlined and listed with their hints, keyboard autocomplete, and the Run and Format
/// buttons. Ctrl/Cmd-Enter runs; Ctrl-Space opens completion.
#[component]
pub fn QueryEditor(
    /// What Run (and Ctrl/Cmd-Enter) does instead of running the workbench's query: the
    /// exercise view runs the text on the exercise's data.
    #[prop(optional)]
    on_run: Option<Callback<()>>,
) -> impl IntoView {
    let wb = use_workbench();
    let run = move || match on_run {
        Some(f) => f.run(()),
        None => wb.run_query(),
    };
    let input = NodeRef::<html::Textarea>::new();
    let overlay = NodeRef::<html::Pre>::new();
    let popup = RwSignal::new(None::<Completions>);
    let anchor = RwSignal::new(None::<(f64, f64)>);
    let selected = RwSignal::new(0usize);

    // The overlay: runs of text with their colour class and underline: parse errors, and
    // the last run's warnings and infos at the nodes they are about. Underlines appear only
    // while they belong to the text shown.
    let runs = Memo::new(move |_| {
        let q = wb.query.get();
        let errors: Vec<(usize, usize)> = wb.diagnostics.with(|(parsed, d)| {
            if *parsed == q && !q.trim().is_empty() {
                d.iter()
                    .map(|d| (d.start as usize, d.end as usize))
                    .collect()
            } else {
                Vec::new()
            }
        });
        let notes: Vec<(usize, usize, bool)> = wb.run.with(|r| match r {
            RunState::Done {
                request,
                annotations,
                ..
            } if request.query == q => annotations
                .iter()
                .map(|a| (a.start as usize, a.end as usize, a.warning))
                .collect(),
            _ => Vec::new(),
        });
        let mut cuts = errors.clone();
        cuts.extend(notes.iter().map(|&(s, e, _)| (s, e)));
        segments(&q, &highlight(&q), &cuts)
            .into_iter()
            .map(|s| {
                let text = q.get(s.start..s.end).unwrap_or("");
                let text = if text.is_empty() {
                    "\u{a0}".to_string()
                } else {
                    text.to_string()
                };
                let covers = |a: usize, b: usize| a <= s.start && s.start < b.max(a + 1);
                let underline = if !s.error {
                    None
                } else if errors.iter().any(|&(a, b)| covers(a, b)) {
                    Some("err")
                } else {
                    notes
                        .iter()
                        .find(|&&(a, b, _)| covers(a, b))
                        .map(|&(_, _, warning)| if warning { "ann-warn" } else { "ann-info" })
                };
                let class = [s.class.map(|c| c.css()), underline]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                (text, class)
            })
            .collect::<Vec<_>>()
    });

    let cursor = move || -> Option<(String, usize)> {
        let el = input.get_untracked()?;
        let text = wb.query.get_untracked();
        let at = el.selection_start().ok().flatten().unwrap_or(0) as usize;
        let byte = utf16_to_byte(&text, at);
        Some((text, byte))
    };
    let refresh = move |forced: bool| {
        let Some((text, at)) = cursor() else { return };
        let c = wb.metadata.with_untracked(|m| {
            wb.functions
                .with_untracked(|functions| complete(&text, at, m, functions))
        });
        let triggered = text[..at].trim_end_matches(' ').ends_with(TRIGGERS);
        let show = !c.items.is_empty()
            && !c.is_complete()
            && (forced || !c.prefix.is_empty() || triggered);
        selected.set(0);
        popup.set(show.then_some(c));
    };
    // The function docs and the scenario's metadata arrive from the worker after the page
    // renders; a learner who starts typing first must not be left without a list until the
    // next key, so the open completion is recomputed when either arrives.
    Effect::new(move |_| {
        wb.functions.track();
        wb.metadata.track();
        let focused = input.get_untracked().is_some_and(|el| {
            document()
                .active_element()
                .is_some_and(|active| active == **el)
        });
        if focused {
            refresh(false);
        }
    });
    let accept = move |index: usize| {
        let Some(c) = popup.get_untracked() else {
            return;
        };
        let text = wb.query.get_untracked();
        let Some((new_text, caret)) = c.apply(&text, index) else {
            return;
        };
        popup.set(None);
        wb.query.set(new_text.clone());
        if let Some(el) = input.get_untracked() {
            el.set_value(&new_text);
            let u = byte_to_utf16(&new_text, caret) as u32;
            let _ = el.set_selection_range(u, u);
            let _ = el.focus();
        }
        refresh(false);
    };
    // The list opens under the caret's line. The overlay holds the laid-out text, so the
    // anchor is measured there, once the overlay shows the current text (this effect runs
    // after the overlay's spans are rendered).
    Effect::new(move |_| {
        runs.track();
        if popup.with(|p| p.is_none()) {
            return;
        }
        let point = input
            .get_untracked()
            .zip(overlay.get_untracked())
            .and_then(|(el, o)| {
                let at = el.selection_start().ok().flatten()? as usize;
                caret_point(&o, at)
            });
        anchor.set(point);
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key == "Enter" {
            ev.prevent_default();
            popup.set(None);
            run();
            return;
        }
        if ev.ctrl_key() && key == " " {
            ev.prevent_default();
            refresh(true);
            return;
        }
        let Some(n) = popup
            .with_untracked(|p| p.as_ref().map(|c| c.items.len()))
            .filter(|n| *n > 0)
        else {
            return;
        };
        match key.as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                selected.update(|s| *s = (*s + 1) % n);
            }
            "ArrowUp" => {
                ev.prevent_default();
                selected.update(|s| *s = (*s + n - 1) % n);
            }
            "Enter" | "Tab" => {
                ev.prevent_default();
                accept(selected.get_untracked());
            }
            "Escape" => {
                ev.prevent_default();
                popup.set(None);
            }
            _ => {}
        }
    };
    let sync_scroll = move |_| {
        if let (Some(t), Some(o)) = (input.get_untracked(), overlay.get_untracked()) {
            o.set_scroll_top(t.scroll_top());
            o.set_scroll_left(t.scroll_left());
        }
    };
    let rows = move || wb.query.with(|q| q.lines().count().clamp(2, 12));
    let expanded = move || popup.with(|p| p.is_some()).to_string();
    let active =
        move || popup.with(|p| p.as_ref().map(|_| format!("completion-{}", selected.get())));

    view! {
        <section class="query-editor" aria-label="Query">
            <label for="query-input">"PromQL query"</label>
            <div class="editor-box">
                <pre class="editor-overlay" aria-hidden="true" node_ref=overlay>
                    {move || runs.get().into_iter().map(|(text, class)| view! { <span class=class>{text}</span> }).collect_view()}
                    "\n"
                </pre>
                <textarea
                    id="query-input"
                    node_ref=input
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    rows=rows
                    role="combobox"
                    aria-autocomplete="list"
                    aria-multiline="true"
                    aria-controls="completion-list"
                    aria-expanded=expanded
                    aria-activedescendant=active
                    aria-describedby="query-diagnostics query-keys"
                    placeholder=move || wb.metadata.with(|m| m.placeholder())
                    prop:value=move || wb.query.get()
                    on:input=move |ev| {
                        wb.query.set(event_target_value(&ev));
                        wb.notice.set(None);
                        refresh(false);
                    }
                    on:keydown=on_keydown
                    on:click=move |_| popup.set(None)
                    on:blur=move |_| popup.set(None)
                    on:scroll=sync_scroll
                ></textarea>
                <CompletionList completions=popup selected=selected on_accept=Callback::new(accept) anchor=anchor/>
            </div>
            <div class="editor-actions">
                <button type="button" class=if on_run.is_some() { "" } else { "primary" } on:click=move |_| run()
                    title="Run the query (Ctrl+Enter or Cmd+Enter)">
                    "Run"
                </button>
                <button type="button" on:click=move |_| wb.format_query()
                    title="Rewrite the query in canonical form">
                    "Format"
                </button>
                <HistoryMenu/>
                <RunStatus/>
                <span id="query-keys" class="keys">"Ctrl+Enter runs · Ctrl+Space completes"</span>
            </div>
            <p class="notice" role="status">{move || wb.notice.get()}</p>
            <DiagnosticList/>
        </section>
    }
}

/// Where the caret at UTF-16 offset `at` is drawn in the overlay, which lays out the same
/// text as the textarea: the left edge and the bottom of the caret's line, relative to the
/// overlay. Found with a collapsed DOM `Range` in the overlay's text nodes. `None` when
/// the overlay does not hold that offset (it is re-rendered a moment after the text).
fn caret_point(overlay: &web_sys::HtmlElement, at: usize) -> Option<(f64, f64)> {
    use wasm_bindgen::JsCast;
    let base = overlay.get_bounding_client_rect();
    let range = document().create_range().ok()?;
    let mut remaining = at as u32;
    let runs = overlay.child_nodes();
    for i in 0..runs.length() {
        let run = runs.item(i)?;
        // A run is a span holding one text node; Leptos may leave marker comments between.
        let text = match run.node_type() {
            web_sys::Node::TEXT_NODE => run,
            web_sys::Node::ELEMENT_NODE => match run.first_child() {
                Some(t) => t,
                None => continue,
            },
            _ => continue,
        };
        let len = text
            .text_content()
            .map_or(0, |t| t.encode_utf16().count() as u32);
        if remaining <= len {
            range.set_start(&text, remaining).ok()?;
            range.set_end(&text, remaining).ok()?;
            let r = range.get_bounding_client_rect();
            if r.height() <= 0.0 {
                return None;
            }
            let el: &web_sys::Element = overlay.unchecked_ref();
            let scroll = f64::from(el.scroll_top());
            return Some((
                r.left() - base.left(),
                r.bottom() - base.top() - scroll + 2.0,
            ));
        }
        remaining -= len;
    }
    None
}
