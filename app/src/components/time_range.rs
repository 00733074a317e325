use super::workbench::use_workbench;
use crate::state::calendar::{DateTime, parse_time};
use crate::state::time_range::{PRESETS, auto_step, format_duration, parse_duration};
use leptos::prelude::*;

/// Minutes east of UTC at Unix milliseconds `ms`, from the browser's time zone.
pub(crate) fn local_offset_min(ms: i64) -> i32 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    -(date.get_timezone_offset() as i32)
}

/// The query window: range presets, end time and resolution (derived as Prometheus' UI
/// derives it, or set by hand).
#[component]
pub fn TimeRange() -> impl IntoView {
    let wb = use_workbench();
    let presets = PRESETS
        .iter()
        .map(|&(ms, text)| {
            let pressed = move || wb.view.with(|v| v.range_ms == ms);
            view! {
                <button type="button" class="preset" aria-pressed=move || pressed().to_string()
                    on:click=move |_| wb.view.update(|v| v.range_ms = ms)>
                    {text}
                </button>
            }
        })
        .collect_view();
    let end_value = move || {
        let end = wb.end_ms();
        DateTime::from_ms(end, local_offset_min(end)).input_value()
    };
    let set_end = move |ev| {
        let text = event_target_value(&ev);
        let now = wb.end_ms();
        if let Some(t) = parse_time(&text, local_offset_min(now)) {
            wb.view.update(|v| v.end_ms = Some(t));
        }
    };
    let auto = move || format_duration(auto_step(wb.view.with(|v| v.range_ms)));
    let step_text = move || {
        wb.view
            .with(|v| v.step_ms.map(format_duration).unwrap_or_default())
    };
    let set_step = move |ev| {
        let text = event_target_value(&ev);
        wb.view.update(|v| v.step_ms = parse_duration(&text));
    };
    // Range and step come first, the end time second: on a phone that is two rows, each
    // labelled, in the same order as the keyboard reaches them.
    view! {
        <div class="time-range">
            <div role="group" aria-labelledby="range-label" class="field presets">
                <span id="range-label" class="field-label">"Range"</span>
                {presets}
            </div>
            <div class="field">
                <label for="step">"Step"</label>
                <input id="step" class="step" inputmode="text" autocomplete="off"
                    placeholder=move || format!("auto ({})", auto())
                    prop:value=step_text on:change=set_step/>
            </div>
            <div class="field end">
                <label for="end-time">"End"</label>
                <input id="end-time" type="datetime-local" prop:value=end_value on:change=set_end/>
                <button type="button" class="link"
                    disabled=move || wb.view.with(|v| v.end_ms.is_none())
                    on:click=move |_| wb.view.update(|v| v.end_ms = None)>
                    "Default"
                </button>
            </div>
        </div>
    }
}
