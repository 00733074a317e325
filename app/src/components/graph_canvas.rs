use super::graph_view::Plotted;
use super::time_range::local_offset_min;
use crate::chart::draw::{LineScene, Theme, draw_heatmap, draw_lines};
use crate::chart::frame::{Frame, frame};
use crate::chart::heatmap::{self, Heatmap, bucket_range};
use crate::chart::hover::{Hover, hover};
use crate::chart::legend::Visibility;
use crate::chart::series::PlotSeries;
use crate::chart::time_axis::{time_ticks, tooltip_time};
use crate::chart::units::{Unit, format_value};
use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
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
) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let size = RwSignal::new((0.0f64, 0.0f64));
    observe_size(canvas, size);
    let pointer = RwSignal::new(None::<(f64, f64)>);
    let scale = move || window().device_pixel_ratio().max(1.0);
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
        if let Err(e) = drawn {
            web_sys::console::error_1(&JsValue::from_str(&format!("graph: {e}")));
        }
    });
    let tooltip = move || {
        let s = scale();
        let u = unit.get();
        let width = size.get().0;
        if heatmap_mode.get() {
            let (i, b) = cell.get()?;
            let (px, py) = pointer.get()?;
            let (time, text) = heatmap.with(|h| {
                h.as_ref()?
                    .as_ref()
                    .ok()
                    .and_then(|h| cell_text(h, i, b, u))
            })?;
            return Some(tooltip_view(
                px / s,
                py / s,
                width,
                time,
                vec![(None, text)],
            ));
        }
        let h = hovered.get()?;
        let rows = series.with(|all| {
            h.rows
                .iter()
                .filter_map(|r| {
                    all.get(r.series).map(|ps| {
                        (
                            Some(ps.color.css()),
                            format!("{}: {}", ps.name, format_value(r.value, u)),
                        )
                    })
                })
                .collect::<Vec<_>>()
        });
        Some(tooltip_view(
            h.x / s,
            h.y / s,
            width,
            tooltip_time(h.t_ms, &local_offset_min),
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

/// A heatmap cell's tooltip: its time, then its bucket and count.
fn cell_text(h: &Heatmap, i: usize, b: usize, unit: Unit) -> Option<(String, String)> {
    let t = *h.times.get(i)?;
    let bucket = h.buckets.get(b)?;
    let v = h.cells.get(i)?.get(b)?;
    Some((
        tooltip_time(t, &local_offset_min),
        format!(
            "{}: {}",
            bucket_range(bucket, unit),
            format_value(*v, Unit::Plain)
        ),
    ))
}

fn tooltip_view(
    x: f64,
    y: f64,
    width: f64,
    title: String,
    rows: Vec<(Option<String>, String)>,
) -> AnyView {
    // Keep the box on the side of the pointer with more room.
    let style = if x > width / 2.0 {
        format!(
            "right: {:.0}px; top: {:.0}px",
            (width - x + 12.0).max(0.0),
            y + 12.0
        )
    } else {
        format!("left: {:.0}px; top: {:.0}px", x + 12.0, y + 12.0)
    };
    view! {
        <div class="tooltip" style=style role="status">
            <p class="tooltip-time">{title}</p>
            {rows.into_iter().map(|(color, text)| view! {
                <p class="tooltip-row">
                    {color.map(|c| view! { <span class="swatch" style=format!("background: {c}")></span> })}
                    {text}
                </p>
            }).collect_view()}
        </div>
    }
    .into_any()
}

fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Keeps `size` equal to the canvas's CSS size as the page resizes, through a
/// `ResizeObserver` that is disconnected when the component goes away.
fn observe_size(target: NodeRef<html::Canvas>, size: RwSignal<(f64, f64)>) {
    Effect::new(move |_| {
        let Some(el) = target.get() else { return };
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(entry) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
                let rect = entry.content_rect();
                size.try_set((rect.width().floor(), rect.height().floor()));
            }
        });
        let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&el);
        size.set((f64::from(el.client_width()), f64::from(el.client_height())));
        let held = SendWrapper::new((observer, callback));
        on_cleanup(move || {
            let (observer, _callback) = held.take();
            observer.disconnect();
        });
    });
}
