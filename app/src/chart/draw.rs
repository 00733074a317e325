//! Rendering onto a canvas with plotters.
//!
//! Plotters is used as a drawing backend (paths, polygons, rectangles, text) on our own
//! [`Layout`], rather than through its chart builder, so that the pixels drawn and the
//! pixels hover reads back come from the same arithmetic. Everything decided here is how it
//! looks; what to draw was decided by the pure modules beside this one.

use super::color_scale::{Ramp, color};
use super::heatmap::{Heatmap, cell_rect, column_edges};
use super::layout::Layout;
use super::palette::Rgb;
use super::series::{Band, PlotSeries, decimate, runs};
use super::time_axis::TimeTick;
use super::units::{Unit, format_value};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Colours and sizes of everything that is not a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// Canvas background.
    pub background: Rgb,
    /// Labels.
    pub text: Rgb,
    /// Grid lines.
    pub grid: Rgb,
    /// Device pixel ratio: line widths and fonts scale with it.
    pub scale: f64,
    /// The heatmap's colours, which must move away from `background` as counts grow.
    pub ramp: Ramp,
}

impl Theme {
    /// The light theme.
    pub fn light(scale: f64) -> Theme {
        Theme {
            background: super::palette::LIGHT_BACKGROUND,
            text: Rgb(0x5b, 0x66, 0x75),
            grid: Rgb(0xe6, 0xe9, 0xee),
            scale,
            ramp: Ramp::Light,
        }
    }

    /// The dark theme.
    pub fn dark(scale: f64) -> Theme {
        Theme {
            background: super::palette::DARK_BACKGROUND,
            text: Rgb(0x9a, 0xa4, 0xb2),
            grid: Rgb(0x2e, 0x34, 0x40),
            scale,
            ramp: Ramp::Dark,
        }
    }

    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

type Area = DrawingArea<CanvasBackend, plotters::coord::Shift>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn area(canvas: &HtmlCanvasElement, theme: &Theme) -> Result<Area, String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&rgb(theme.background)).map_err(err)?;
    Ok(root)
}

fn label(root: &Area, text: &str, at: (i32, i32), pos: Pos, theme: &Theme) -> Result<(), String> {
    let style = ("sans-serif", f64::from(theme.px(11.0)))
        .into_font()
        .color(&rgb(theme.text))
        .pos(pos);
    root.draw(&Text::new(text.to_string(), at, style))
        .map_err(err)
}

fn time_axis(
    root: &Area,
    layout: &Layout,
    ticks: &[TimeTick],
    theme: &Theme,
) -> Result<(), String> {
    let grid = rgb(theme.grid).stroke_width(1);
    for t in ticks {
        let x = layout.x(t.t_ms).round() as i32;
        if !(layout.left as i32..=layout.right as i32).contains(&x) {
            continue;
        }
        root.draw(&PathElement::new(
            vec![(x, layout.top as i32), (x, layout.bottom as i32)],
            grid,
        ))
        .map_err(err)?;
        label(
            root,
            &t.label,
            (x, layout.bottom as i32 + theme.px(6.0)),
            Pos::new(HPos::Center, VPos::Top),
            theme,
        )?;
    }
    Ok(())
}

/// What a line or stacked graph shows.
pub struct LineScene<'a> {
    /// Geometry.
    pub layout: Layout,
    /// The series, in legend order.
    pub series: &'a [PlotSeries],
    /// Which are shown.
    pub visible: &'a [bool],
    /// Stack bands when stacked.
    pub bands: Option<&'a [Band]>,
    /// The data's resolution, for gap detection.
    pub step_ms: i64,
    /// Y-axis ticks.
    pub y_ticks: &'a [f64],
    /// Time-axis ticks.
    pub time_ticks: &'a [TimeTick],
    /// The unit of the values.
    pub unit: Unit,
}

/// Draws series as lines (or stacked bands), with their axes. The hover marker is not
/// drawn here: it is an HTML element over the canvas, so moving the pointer never repaints
/// hundreds of series.
pub fn draw_lines(
    canvas: &HtmlCanvasElement,
    scene: &LineScene<'_>,
    theme: &Theme,
) -> Result<(), String> {
    let root = area(canvas, theme)?;
    let l = &scene.layout;
    let grid = rgb(theme.grid).stroke_width(1);
    for &v in scene.y_ticks {
        let y = l.y(v).round() as i32;
        root.draw(&PathElement::new(
            vec![(l.left as i32, y), (l.right as i32, y)],
            grid,
        ))
        .map_err(err)?;
        label(
            &root,
            &format_value(v, scene.unit),
            (l.left as i32 - theme.px(6.0), y),
            Pos::new(HPos::Right, VPos::Center),
            theme,
        )?;
    }
    time_axis(&root, l, scene.time_ticks, theme)?;
    let width = theme.px(1.5).max(1) as u32;
    let column = |t: i64| l.x(t) as i64;
    let to_px = |t: i64, v: f64| (l.x(t).round() as i32, l.y(v).round() as i32);
    for (i, s) in scene.series.iter().enumerate() {
        if !scene.visible.get(i).copied().unwrap_or(true) {
            continue;
        }
        let colour = rgb(s.color);
        match scene.bands.and_then(|b| b.get(i)) {
            Some(band) => {
                // A band per run of finite tops: the top edge forward, the base back.
                let tops: Vec<(i64, f64)> = band.iter().map(|p| (p.0, p.2)).collect();
                for run in runs(&tops, scene.step_ms) {
                    let first = run.first().map(|p| p.0).unwrap_or(0);
                    let last = run.last().map(|p| p.0).unwrap_or(0);
                    let in_run = band
                        .iter()
                        .filter(|p| p.0 >= first && p.0 <= last && p.2.is_finite());
                    let mut outline: Vec<(i32, i32)> =
                        in_run.clone().map(|p| to_px(p.0, p.2)).collect();
                    outline.extend(in_run.rev().map(|p| to_px(p.0, p.1)));
                    root.draw(&Polygon::new(outline, colour.mix(0.35).filled()))
                        .map_err(err)?;
                    let top: Vec<(i32, i32)> = run.iter().map(|p| to_px(p.0, p.1)).collect();
                    root.draw(&PathElement::new(top, colour.stroke_width(width)))
                        .map_err(err)?;
                }
            }
            None => {
                let points = decimate(&s.points, l.plot_width(), &column);
                for run in runs(&points, scene.step_ms.max(1)) {
                    if run.len() == 1 {
                        let (x, y) = to_px(run[0].0, run[0].1);
                        root.draw(&Circle::new((x, y), theme.px(2.5), colour.filled()))
                            .map_err(err)?;
                        continue;
                    }
                    let line: Vec<(i32, i32)> = run.iter().map(|p| to_px(p.0, p.1)).collect();
                    root.draw(&PathElement::new(line, colour.stroke_width(width)))
                        .map_err(err)?;
                }
            }
        }
    }
    root.present().map_err(err)
}

/// Draws a heatmap: one column per sample time, one row per bucket, colour by count.
pub fn draw_heatmap(
    canvas: &HtmlCanvasElement,
    layout: &Layout,
    heatmap: &Heatmap,
    unit: Unit,
    time_ticks: &[TimeTick],
    theme: &Theme,
) -> Result<(), String> {
    let root = area(canvas, theme)?;
    let l = layout;
    let rows = heatmap.buckets.len().max(1);
    let row_h = (l.bottom - l.top) / rows as f64;
    let edges = column_edges(l, &heatmap.times);
    for (i, row) in heatmap.cells.iter().enumerate() {
        for (b, v) in row.iter().enumerate() {
            let Some(c) = color(*v, heatmap.max, theme.ramp) else {
                continue;
            };
            let Some((x0, y0, x1, y1)) = cell_rect(l, &edges, rows, i, b) else {
                continue;
            };
            let corners = [
                (x0.round() as i32, y0.round() as i32),
                (x1.round() as i32, y1.round() as i32),
            ];
            root.draw(&Rectangle::new(corners, rgb(c).filled()))
                .map_err(err)?;
        }
    }
    // Each bucket's upper bound labels the line between its row and the next, since a bound
    // separates two buckets; the labels were at row centres, which read as "this row is
    // 13ms" when it holds 13ms to 19.5ms. Thinned to fit, counting from the top so `+Inf`
    // always shows and never sits on top of a neighbour.
    let every = ((theme.px(14.0) as f64 / row_h).ceil() as usize).max(1);
    let last = heatmap.buckets.len().saturating_sub(1);
    for (b, bucket) in heatmap.buckets.iter().enumerate() {
        if !(last - b).is_multiple_of(every) {
            continue;
        }
        let y = (l.bottom - (b as f64 + 1.0) * row_h).round() as i32;
        let text = if bucket.upper.is_infinite() {
            "+Inf".to_string()
        } else {
            format_value(bucket.upper, unit)
        };
        label(
            &root,
            &text,
            (l.left as i32 - theme.px(6.0), y),
            Pos::new(HPos::Right, VPos::Center),
            theme,
        )?;
    }
    time_axis(&root, l, time_ticks, theme)?;
    root.present().map_err(err)
}
