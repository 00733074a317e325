//! The experimental `anchored` and `smoothed` selector modifiers (Prometheus 3's
//! "extended range selectors").
//!
//! Both look past a range's boundaries by up to the lookback delta. `anchored` pins the
//! start of a range to the last sample at or before it, so `increase(x[1h] anchored)` is
//! exactly the difference between the value at the range's start and its last value, with
//! no extrapolation. `smoothed` interpolates linearly to both boundaries from the samples
//! around them, and makes an instant selector interpolate between its neighbours instead of
//! taking the last sample. The engine fetches the wider window; this module shapes it: the
//! samples a function sees ([`trim`]), the points a range selector returns
//! ([`extend_points`]) and the value of a smoothed instant selector ([`smoothed_value`]).

use super::ast::ExtendedKind;
use super::functions::interpolate;
use super::value::Point;

/// The part of a fetched window, `(range_start - lookback, range_end (+ lookback)]`, that a
/// function over an extended range needs, as `start..end` indices into `ts`: from the last
/// sample at or before `range_start` (or the first sample) to the last sample in the range,
/// or for `smoothed` to the first sample at or after `range_end`. `None` when the window
/// has nothing to offer: no samples, or for `anchored` no sample inside the range.
pub(crate) fn trim(
    ts: &[i64],
    kind: ExtendedKind,
    range_start: i64,
    range_end: i64,
) -> Option<(usize, usize)> {
    if ts.is_empty() {
        return None;
    }
    let after_start = ts.partition_point(|&t| t <= range_start);
    let start = after_start.saturating_sub(1);
    let end = match kind {
        ExtendedKind::Anchored => {
            let end = ts.partition_point(|&t| t <= range_end);
            if end <= after_start {
                return None;
            }
            end
        }
        ExtendedKind::Smoothed => (ts.partition_point(|&t| t < range_end) + 1).min(ts.len()),
    };
    (start < end).then_some((start, end))
}

/// A range selector's points with an extended modifier, as Prometheus' `extendFloats`
/// builds them: the boundary values at `mint` and `maxt` (the sample at or before the start
/// for `anchored`, interpolated for `smoothed`) around the samples strictly inside.
pub(crate) fn extend_points(points: &[Point], mint: i64, maxt: i64, smoothed: bool) -> Vec<Point> {
    if points.is_empty() {
        return Vec::new();
    }
    let n = points.len();
    let mut last = n - 1;
    let mut first = points[..last]
        .partition_point(|p| p.t <= mint)
        .saturating_sub(1);
    if smoothed {
        last = points[..last].partition_point(|p| p.t < maxt);
    }
    if points[last].t <= mint || (smoothed && points[first].t > maxt) {
        return Vec::new();
    }
    let at = |i: usize| (points[i].t, points[i].v);
    let left = if smoothed && points[first].t < mint {
        interpolate(at(first), at(first + 1), mint, false)
    } else {
        points[first].v
    };
    let right = if smoothed && last > 0 && points[last].t > maxt {
        interpolate(at(last - 1), at(last), maxt, false)
    } else {
        points[last].v
    };
    if points[first].t <= mint {
        first += 1;
    }
    let inner_end = if points[last].t >= maxt {
        last
    } else {
        last + 1
    };
    let mut out = Vec::with_capacity(inner_end.saturating_sub(first) + 2);
    out.push(Point { t: mint, v: left });
    if first < inner_end {
        out.extend_from_slice(&points[first..inner_end]);
    }
    out.push(Point { t: maxt, v: right });
    out
}

/// A smoothed instant selector's value at `at` from the samples within a lookback delta on
/// either side: the sample at `at`, else the line between the samples around it, else the
/// last sample before it; nothing before the first sample.
pub(crate) fn smoothed_value(ts: &[i64], vs: &[f64], at: i64) -> Option<f64> {
    let i = ts.partition_point(|&t| t < at);
    match (ts.get(i), i) {
        (Some(&t), _) if t == at => vs.get(i).copied(),
        (Some(&t), i) if i > 0 => Some(interpolate(
            (ts[i - 1], vs[i - 1]),
            (t, *vs.get(i)?),
            at,
            false,
        )),
        (None, i) if i > 0 => vs.get(i - 1).copied(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: i64, v: f64) -> Point {
        Point { t, v }
    }

    #[test]
    fn windows_keep_the_anchor_and_the_sample_after_the_end() {
        let ts = [10, 20, 30, 40, 50];
        assert_eq!(trim(&ts, ExtendedKind::Anchored, 25, 40), Some((1, 4)));
        assert_eq!(trim(&ts, ExtendedKind::Anchored, 5, 40), Some((0, 4)));
        assert_eq!(trim(&ts, ExtendedKind::Anchored, 50, 60), None);
        assert_eq!(trim(&ts, ExtendedKind::Smoothed, 25, 35), Some((1, 4)));
        assert_eq!(trim(&ts, ExtendedKind::Smoothed, 25, 60), Some((1, 5)));
        assert_eq!(trim(&[], ExtendedKind::Smoothed, 0, 1), None);
    }

    #[test]
    fn extended_points_frame_the_range() {
        let pts = [p(10, 1.0), p(20, 2.0), p(30, 3.0), p(40, 4.0)];
        // An anchored range is fetched up to its end, so no sample lies after it.
        assert_eq!(
            extend_points(&pts[..3], 15, 35, false),
            vec![p(15, 1.0), p(20, 2.0), p(30, 3.0), p(35, 3.0)]
        );
        assert_eq!(
            extend_points(&pts, 15, 35, true),
            vec![p(15, 1.5), p(20, 2.0), p(30, 3.0), p(35, 3.5)]
        );
        assert!(extend_points(&pts, 40, 50, false).is_empty());
        assert!(extend_points(&[], 0, 1, true).is_empty());
    }

    #[test]
    fn smoothed_instants_interpolate() {
        let ts = [10, 20];
        let vs = [1.0, 3.0];
        assert_eq!(smoothed_value(&ts, &vs, 20), Some(3.0));
        assert_eq!(smoothed_value(&ts, &vs, 15), Some(2.0));
        assert_eq!(smoothed_value(&ts, &vs, 25), Some(3.0));
        assert_eq!(smoothed_value(&ts, &vs, 5), None);
    }
}
