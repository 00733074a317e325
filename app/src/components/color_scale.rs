use super::display::prefers_dark;
use crate::chart::color_scale::{Ramp, color_scale};
use crate::chart::palette::{DARK_BACKGROUND, LIGHT_BACKGROUND};
use leptos::prelude::*;

/// The heatmap's colour bar, shown instead of the series legend in Heatmap mode: an
/// "empty" swatch in the plot's background, then a gradient sampled from the very mapping
/// the canvas paints with, its min, round ticks and max, and what the numbers count.
#[component]
pub fn ColorScaleBar(
    /// The largest cell; nothing is shown while `None` or when every cell is empty.
    max: Signal<Option<f64>>,
    /// Whether cells hold per-second rates rather than counts.
    per_second: Signal<bool>,
) -> impl IntoView {
    let scale = move || {
        let dark = prefers_dark();
        let background = if dark {
            DARK_BACKGROUND
        } else {
            LIGHT_BACKGROUND
        };
        color_scale(
            max.get()?,
            per_second.get(),
            Ramp::for_theme(dark),
            background,
        )
    };
    move || {
        scale().map(|s| {
            let ticks = s
                .ticks
                .iter()
                .map(|t| {
                    let style = format!("left: {:.2}%", t.at * 100.0);
                    view! { <span class="scale-tick" style=style>{t.text.clone()}</span> }
                })
                .collect_view();
            view! {
                <figure class="color-scale" aria-label="Colour scale">
                    <div class="scale-empty">
                        <span class="scale-swatch" style=format!("background: {}", s.empty.css())></span>
                        "empty"
                    </div>
                    <div class="scale-bar-wrap">
                        <div class="scale-bar" style=format!("background: {}", s.gradient)></div>
                        <div class="scale-ticks">
                            <span class="scale-min">{s.min_text.clone()}</span>
                            {ticks}
                            <span class="scale-max">{s.max_text.clone()}</span>
                        </div>
                    </div>
                    <figcaption class="scale-title">{s.title}</figcaption>
                </figure>
            }
        })
    }
}
