use super::display::{observe_size, pixel_ratio, prefers_dark};
use super::graph_view::Plotted;
use super::time_range::local_offset_min;
use crate::chart::color_scale::Ramp;
use crate::chart::draw::{LineScene, Theme, draw_heatmap, draw_lines};
use crate::chart::frame::{Frame, frame};
use crate::chart::heatmap::{self, Heatmap};
use crate::chart::hover::{Hover, hover};
use crate::chart::legend::Visibility;
use crate::chart::series::PlotSeries;
use crate::chart::time_axis::time_ticks;
use crate::chart::tooltip::{self, Row};
use crate::chart::units::Unit;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// The plotters canvas with its hover tooltip. It redraws when the data, the visible
/// series, the mode, the pointer or the canvas size change.
#[component]
pub fn GraphCanvas(
    plotted: Memo<Option<Plotted>>,
    series: Memo<Vec<PlotSeries>>,
    heatmap: Memo<Option<Result<Heatmap, String>>>,
    unit: Memo<Unit>,
    visibility: RwSignal<Visibility>,
    /// Whether to draw the bucket heatmap.
    heatmap_mode: Signal<bool>,
    /// Whether to stack the series.
    stacked: Signal<bool>,
    /// Whether the values are per-second rates (for the heatmap tooltip's unit).
    per_second: Signal<bool>,
) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let size = RwSignal::new((0.0f64, 0.0f64));
    observe_size(canvas, size);
    let pointer = RwSignal::new(None::<(f64, f64)>);
    let scale = pixel_ratio;
    let geometry = Memo::new(move |_| -> Option<Frame> {
        let p = plotted.get()?;
        let visible = series
            .with(|all| visibility.with(|v| v.mask(&all.iter().map(|s| s.id).collect::<Vec<_>>())));
        Some(series.with(|all| {
            frame(
                all,
                visible,
                stacked.get(),
                p.window,
                p.step_ms,
                size.get(),
                scale(),
            )
        }))
    });
    let hovered = Memo::new(move |_| -> Option<Hover> {
        let (px, py) = pointer.get()?;
        let f = geometry.get()?;
        if heatmap_mode.get() {
            return None;
        }
        series.with(|all| {
            hover(
                &f.layout,
                all,
                &f.visible,
                f.bands.as_deref(),
                px,
                py,
                24.0 * scale(),
            )
        })
    });
    let cell = Memo::new(move |_| -> Option<(usize, usize)> {
        let (px, py) = pointer.get()?;
        let f = geometry.get()?;
        heatmap.with(|h| match h {
            Some(Ok(h)) if heatmap_mode.get() => heatmap::cell_at(&f.layout, h, px, py),
            _ => None,
        })
    });
    // Drawing pushes state out to the canvas: an effect, per the house rules. It does not
    // read the pointer: the hover marker is HTML over the canvas (see `marker`), so moving
    // the pointer never repaints every series.
    Effect::new(move |_| {
        let (Some(el), Some(f)) = (canvas.get(), geometry.get()) else {
            return;
        };
        el.set_width(f.layout.width.max(1.0) as u32);
        el.set_height(f.layout.height.max(1.0) as u32);
        let s = scale();
        let theme = if prefers_dark() {
            Theme::dark(s)
        } else {
            Theme::light(s)
        };
        let ticks = time_ticks(
            f.layout.t0,
            f.layout.t1,
            f.layout.right - f.layout.left,
            110.0 * s,
            &local_offset_min,
        );
        let u = unit.get();
        let drawn = if heatmap_mode.get() {
            heatmap.with(|h| match h {
                Some(Ok(h)) => draw_heatmap(&el, &f.layout, h, u, &ticks, &theme),
                _ => Ok(()),
            })
        } else {
            series.with(|all| {
                let scene = LineScene {
                    layout: f.layout,
                    series: all,
                    visible: &f.visible,
                    bands: f.bands.as_deref(),
                    step_ms: f.step_ms,
                    y_ticks: &f.y_ticks,
                    time_ticks: &ticks,
                    unit: u,
                };
                draw_lines(&el, &scene, &theme)
            })
        };
        match drawn {
            // `scripts/query-speed.mjs` measures from Run to this mark.
            Ok(()) => {
                if let Some(p) = window().performance() {
                    // One entry, the latest, so redraws do not grow the timeline.
                    p.clear_marks_with_mark_name("graph-drawn");
                    let _ = p.mark("graph-drawn");
                }
            }
            Err(e) => web_sys::console::error_1(&JsValue::from_str(&format!("graph: {e}"))),
        }
    });
    let tooltip = move || {
        let s = scale();
        let u = unit.get();
        let width = size.get().0;
        if heatmap_mode.get() {
            let (i, b) = cell.get()?;
            let (px, py) = pointer.get()?;
            let (title, rows) = heatmap.with(|h| {
                let h = h.as_ref()?.as_ref().ok()?;
                let ramp = Ramp::for_theme(prefers_dark());
                tooltip::cell_tooltip(h, (i, b), u, per_second.get(), ramp, &local_offset_min)
            })?;
            return Some(tooltip_view(
                tooltip::position(px / s, py / s, width),
                title,
                rows,
            ));
        }
        let h = hovered.get()?;
        let (title, rows) = series.with(|all| tooltip::line_tooltip(&h, all, u, &local_offset_min));
        Some(tooltip_view(
            tooltip::position(h.x / s, h.y / s, width),
            title,
            rows,
        ))
    };
    // The hover marker in CSS pixels: a vertical line and a dot for lines, an outline
    // for a heatmap cell.
    let marker = move || {
        let s = scale();
        let f = geometry.get()?;
        if heatmap_mode.get() {
            let (i, b) = cell.get()?;
            let rect = heatmap.with(|h| {
                let h = h.as_ref()?.as_ref().ok()?;
                heatmap::cell_rect(
                    &f.layout,
                    &heatmap::column_edges(&f.layout, &h.times),
                    h.buckets.len(),
                    i,
                    b,
                )
            })?;
            let (x0, y0, x1, y1) = rect;
            let style = format!(
                "left: {:.1}px; top: {:.1}px; width: {:.1}px; height: {:.1}px",
                x0 / s,
                y0 / s,
                (x1 - x0) / s,
                (y1 - y0) / s
            );
            return Some(view! { <div class="hover-cell" style=style></div> }.into_any());
        }
        let h = hovered.get()?;
        let colour = series.with(|all| all.get(h.nearest).map(|p| p.color.css()))?;
        let line = format!(
            "left: {:.1}px; top: {:.1}px; height: {:.1}px",
            h.x / s,
            f.layout.top / s,
            (f.layout.bottom - f.layout.top) / s
        );
        let dot = format!(
            "left: {:.1}px; top: {:.1}px; background: {colour}",
            h.x / s,
            h.y / s
        );
        Some(view! { <div class="hover-line" style=line></div><div class="hover-dot" style=dot></div> }.into_any())
    };
    view! {
        <div class="graph-frame">
            <canvas node_ref=canvas class="graph-canvas" role="img"
                aria-label=move || format!("Graph of {} series; the Table tab lists the values", series.with(|s| s.len()))
                on:mousemove=move |ev: leptos::ev::MouseEvent| {
                    let s = scale();
                    pointer.set(Some((f64::from(ev.offset_x()) * s, f64::from(ev.offset_y()) * s)));
                }
                on:mouseleave=move |_| pointer.set(None)></canvas>
            {marker}
            {tooltip}
        </div>
    }
}

/// The tooltip box: a title line and one line per row.
fn tooltip_view(style: String, title: String, rows: Vec<Row>) -> AnyView {
    view! {
        <div class="tooltip" style=style role="status">
            <p class="tooltip-time">{title}</p>
            {rows
                .into_iter()
                .map(|(color, text)| {
                    view! {
                        <p class="tooltip-row">
                            {color.map(|c| view! { <span class="swatch" style=format!("background: {c}")></span> })}
                            {text}
                        </p>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}
