//! What the pointer is over: the nearest sample time and the series values there.

use super::layout::Layout;
use super::series::{Band, PlotSeries};

/// The most rows a tooltip lists; the nearest series is always among them.
pub const MAX_ROWS: usize = 10;

/// One series' value in the tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct HoverRow {
    /// Index of the series.
    pub series: usize,
    /// Its value at the hovered time.
    pub value: f64,
}

/// The tooltip's content and the point it marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    /// The sample time under the pointer, Unix milliseconds.
    pub t_ms: i64,
    /// The series whose line is nearest the pointer.
    pub nearest: usize,
    /// Where to draw the marker (the nearest series' point).
    pub x: f64,
    /// Where to draw the marker.
    pub y: f64,
    /// Visible series with a value at `t_ms`, the nearest first, then by value, largest
    /// first; at most [`MAX_ROWS`].
    pub rows: Vec<HoverRow>,
}

/// The hover state for a pointer at pixel `(px, py)`, or `None` outside the plot or when
/// no visible series has a sample within `max_dx` pixels. `tops` gives, when the graph is
/// stacked, each series' drawn value at each of its points (same indices as `points`).
pub fn hover(
    layout: &Layout,
    series: &[PlotSeries],
    visible: &[bool],
    tops: Option<&[Band]>,
    px: f64,
    py: f64,
    max_dx: f64,
) -> Option<Hover> {
    if !layout.contains(px, py) {
        return None;
    }
    let t = layout.t_at(px);
    let shown = |i: usize| visible.get(i).copied().unwrap_or(true);
    // The sample time nearest the pointer across visible series.
    let mut best_t: Option<i64> = None;
    for (i, s) in series.iter().enumerate() {
        if !shown(i) {
            continue;
        }
        if let Some(near) = nearest_time(&s.points, t)
            && best_t.is_none_or(|b| (near - t).abs() < (b - t).abs())
        {
            best_t = Some(near);
        }
    }
    let t_ms = best_t?;
    if (layout.x(t_ms) - px).abs() > max_dx {
        return None;
    }
    // Every visible series' value at that time, with its drawn y.
    let mut found: Vec<(usize, f64, f64)> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        if !shown(i) {
            continue;
        }
        let Ok(k) = s.points.binary_search_by_key(&t_ms, |p| p.0) else {
            continue;
        };
        let value = s.points[k].1;
        if !value.is_finite() {
            continue;
        }
        let drawn = tops
            .and_then(|b| b.get(i))
            .and_then(|band| band.get(k))
            .map_or(value, |p| p.2);
        found.push((i, value, layout.y(drawn)));
    }
    let &(nearest, _, y) = found
        .iter()
        .min_by(|a, b| (a.2 - py).abs().total_cmp(&(b.2 - py).abs()))?;
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut rows: Vec<HoverRow> = vec![HoverRow {
        series: nearest,
        value: found
            .iter()
            .find(|f| f.0 == nearest)
            .map_or(f64::NAN, |f| f.1),
    }];
    rows.extend(
        found
            .iter()
            .filter(|f| f.0 != nearest)
            .take(MAX_ROWS - 1)
            .map(|f| HoverRow {
                series: f.0,
                value: f.1,
            }),
    );
    Some(Hover {
        t_ms,
        nearest,
        x: layout.x(t_ms),
        y,
        rows,
    })
}

/// The timestamp in `points` (sorted by time) nearest `t`.
fn nearest_time(points: &[(i64, f64)], t: i64) -> Option<i64> {
    let k = points.partition_point(|p| p.0 < t);
    let after = points.get(k).map(|p| p.0);
    let before = k.checked_sub(1).and_then(|j| points.get(j)).map(|p| p.0);
    match (before, after) {
        (Some(b), Some(a)) => Some(if t - b <= a - t { b } else { a }),
        (b, a) => b.or(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::series::{from_result, stack};
    use crate::result::{RangeSeries, ResultData, Sample, labels};

    fn two_series() -> Vec<PlotSeries> {
        let s = |job: &str, vals: &[f64]| RangeSeries {
            metric: labels([("job", job)]),
            values: vals
                .iter()
                .enumerate()
                .map(|(i, v)| Sample {
                    t_ms: i as i64 * 100,
                    v: *v,
                })
                .collect(),
        };
        from_result(&ResultData::Matrix(vec![
            s("a", &[1.0, 2.0, 3.0]),
            s("b", &[8.0, f64::NAN, 9.0]),
        ]))
    }

    fn layout() -> Layout {
        Layout::new(300.0, 200.0, 1.0, (0, 200), (0.0, 10.0))
    }

    #[test]
    fn hover_snaps_to_the_nearest_time_and_series() {
        let s = two_series();
        let l = layout();
        // Near t=200, close to series b's value 9.
        let h = hover(&l, &s, &[true, true], None, l.x(190), l.y(8.5), 20.0).unwrap();
        assert_eq!(h.t_ms, 200);
        assert_eq!(h.nearest, 1);
        assert_eq!(
            h.rows,
            vec![
                HoverRow {
                    series: 1,
                    value: 9.0
                },
                HoverRow {
                    series: 0,
                    value: 3.0
                }
            ]
        );
        // Near t=100, b is NaN there: only a is listed, and it is the nearest.
        let h = hover(&l, &s, &[true, true], None, l.x(100), l.y(9.0), 20.0).unwrap();
        assert_eq!((h.nearest, h.rows.len()), (0, 1));
        // Hidden series are ignored.
        let h = hover(&l, &s, &[true, false], None, l.x(200), l.y(9.0), 20.0).unwrap();
        assert_eq!(h.nearest, 0);
    }

    #[test]
    fn hover_uses_stack_tops_and_stays_inside_the_plot() {
        let s = two_series();
        let l = layout();
        let bands = stack(&s, &[true, true]);
        // Stacked, b's drawn value at t=0 is 1 + 8 = 9: pointing at 9 picks b.
        let h = hover(&l, &s, &[true, true], Some(&bands), l.x(0), l.y(9.0), 20.0).unwrap();
        assert_eq!((h.nearest, h.y), (1, l.y(9.0)));
        assert_eq!(
            h.rows[0].value, 8.0,
            "the tooltip shows the series' own value"
        );
        assert!(hover(&l, &s, &[true, true], None, 1.0, 1.0, 20.0).is_none());
        assert!(hover(&l, &[], &[], None, l.x(100), l.y(1.0), 20.0).is_none());
    }
}
