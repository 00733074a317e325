use super::workbench::use_workbench;
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
pub fn QueryEditor() -> impl IntoView {
    let wb = use_workbench();
    let input = NodeRef::<html::Textarea>::new();
    let overlay = NodeRef::<html::Pre>::new();
    let popup = RwSignal::new(None::<Completions>);
    let selected = RwSignal::new(0usize);

    // The overlay: runs of text with their colour class and error underline. Underlines
    // appear only while the errors belong to the text shown.
    let runs = Memo::new(move |_| {
        let q = wb.query.get();
        let errors: Vec<(usize, usize)> = wb.diagnostics.with(|(parsed, d)| {
            if *parsed == q {
                d.iter()
                    .map(|d| (d.start as usize, d.end as usize))
                    .collect()
            } else {
                Vec::new()
            }
        });
        segments(&q, &highlight(&q), &errors)
            .into_iter()
            .map(|s| {
                let text = q.get(s.start..s.end).unwrap_or("");
                let text = if text.is_empty() {
                    "\u{a0}".to_string()
                } else {
                    text.to_string()
                };
                let class = match (s.class.map(|c| c.css()), s.error) {
                    (Some(c), true) => format!("{c} err"),
                    (Some(c), false) => c.to_string(),
                    (None, true) => "err".to_string(),
                    (None, false) => String::new(),
                };
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
        let c = wb.metadata.with_untracked(|m| complete(&text, at, m));
        let triggered = text[..at].trim_end_matches(' ').ends_with(TRIGGERS);
        let show = !c.items.is_empty()
            && !c.is_complete()
            && (forced || !c.prefix.is_empty() || triggered);
        selected.set(0);
        popup.set(show.then_some(c));
    };
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
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key == "Enter" {
            ev.prevent_default();
            popup.set(None);
            wb.run_query();
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
                    placeholder="rate(http_requests_total[5m])"
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
                <CompletionList completions=popup selected=selected on_accept=Callback::new(accept)/>
            </div>
            <div class="editor-actions">
                <button type="button" class="primary" on:click=move |_| wb.run_query()
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
