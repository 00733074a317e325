//! Series as the graph draws them: from a query result, split at gaps, stacked, decimated.

use super::palette::{Rgb, color_for, fingerprint};
use crate::result::{Labels, ResultData};

/// One series to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotSeries {
    /// Its labels.
    pub labels: Labels,
    /// The labels as Prometheus prints them, for the legend and the tooltip.
    pub name: String,
    /// Hash of the labels: identity for the legend, colour index.
    pub id: u64,
    /// Its colour.
    pub color: Rgb,
    /// Samples in time order; NaN and infinite values are gaps.
    pub points: Vec<(i64, f64)>,
}

/// The series of a result, sorted by labels so the order never depends on the source.
/// A vector or scalar gives one point per series (drawn as dots).
pub fn from_result(data: &ResultData) -> Vec<PlotSeries> {
    let mut out: Vec<PlotSeries> = match data {
        ResultData::Matrix(m) => m
            .iter()
            .map(|s| {
                make(
                    s.metric.clone(),
                    s.values.iter().map(|p| (p.t_ms, p.v)).collect(),
                )
            })
            .collect(),
        ResultData::Vector(v) => v
            .iter()
            .map(|s| make(s.metric.clone(), vec![(s.value.t_ms, s.value.v)]))
            .collect(),
        ResultData::Scalar(s) => vec![make(Labels::default(), vec![(s.t_ms, s.v)])],
        ResultData::String(_) => Vec::new(),
    };
    out.sort_by(|a, b| a.labels.cmp(&b.labels));
    out
}

fn make(labels: Labels, mut points: Vec<(i64, f64)>) -> PlotSeries {
    points.sort_by_key(|p| p.0);
    PlotSeries {
        name: labels.display(),
        id: fingerprint(&labels),
        color: color_for(&labels),
        labels,
        points,
    }
}

/// The resolution of the data: the smallest positive distance between consecutive samples
/// of any series, or `None` with fewer than two samples per series.
pub fn infer_step(series: &[PlotSeries]) -> Option<i64> {
    series
        .iter()
        .flat_map(|s| s.points.windows(2).map(|w| w[1].0 - w[0].0))
        .filter(|d| *d > 0)
        .min()
}

/// Splits points into runs drawn as connected lines: a run ends at a non-finite value or
/// where consecutive samples are more than 1.5 steps apart (the series was absent there).
pub fn runs(points: &[(i64, f64)], step_ms: i64) -> Vec<&[(i64, f64)]> {
    let max_gap = step_ms.saturating_mul(3) / 2;
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..points.len() {
        let finite = points[i].1.is_finite();
        let joined =
            i > 0 && points[i].0 - points[i - 1].0 <= max_gap && points[i - 1].1.is_finite();
        match (start, finite) {
            (Some(s), true) if !joined => {
                out.push(&points[s..i]);
                start = Some(i);
            }
            (Some(s), false) => {
                out.push(&points[s..i]);
                start = None;
            }
            (None, true) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&points[s..]);
    }
    out
}

/// One stacked series: `(t, base, top)` per sample.
pub type Band = Vec<(i64, f64, f64)>;

/// Stacks the visible series: for each, points `(t, base, top)` where `top` is `base` plus
/// its value and `base` the sum of the visible series before it at `t`. A missing or
/// non-finite value adds nothing and leaves a gap in its own band (NaN top).
pub fn stack(series: &[PlotSeries], visible: &[bool]) -> Vec<Band> {
    // Running totals per distinct timestamp. Every series is sorted by time, so both the
    // union of timestamps and each series' walk through it are linear merges; sorting or
    // binary-searching every sample cost several times more for 300 series.
    let mut times: Vec<i64> = Vec::new();
    for s in series {
        let same_grid =
            s.points.len() == times.len() && s.points.iter().zip(&times).all(|(p, t)| p.0 == *t);
        if !same_grid {
            times = merge_union(&times, &s.points);
        }
    }
    let mut totals = vec![0.0f64; times.len()];
    series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if !visible.get(i).copied().unwrap_or(true) {
                return Vec::new();
            }
            let mut slot = 0;
            s.points
                .iter()
                .map(|&(t, v)| {
                    while slot < times.len() && times[slot] < t {
                        slot += 1;
                    }
                    if times.get(slot) != Some(&t) {
                        return (t, 0.0, f64::NAN);
                    }
                    let base = totals[slot];
                    if v.is_finite() {
                        totals[slot] = base + v;
                        (t, base, base + v)
                    } else {
                        (t, base, f64::NAN)
                    }
                })
                .collect()
        })
        .collect()
}

/// The sorted union of `times` and the timestamps of `points` (both sorted).
fn merge_union(times: &[i64], points: &[(i64, f64)]) -> Vec<i64> {
    let mut out = Vec::with_capacity(times.len().max(points.len()));
    let (mut i, mut j) = (0, 0);
    while i < times.len() || j < points.len() {
        let next = match (times.get(i), points.get(j).map(|p| p.0)) {
            (Some(&a), Some(b)) if a < b => {
                i += 1;
                a
            }
            (Some(&a), Some(b)) if b < a => {
                j += 1;
                b
            }
            (Some(&a), Some(_)) => {
                i += 1;
                j += 1;
                a
            }
            (Some(&a), None) => {
                i += 1;
                a
            }
            (None, Some(b)) => {
                j += 1;
                b
            }
            (None, None) => break,
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

/// Reduces `points` to what `width_px` pixel columns can show: per column the first, the
/// lowest, the highest and the last sample, in time order (the M4 method, which keeps the
/// drawn line identical). A column holding a gap keeps a NaN so the gap survives.
/// `column_of` maps a timestamp to its pixel column.
pub fn decimate(
    points: &[(i64, f64)],
    width_px: usize,
    column_of: &dyn Fn(i64) -> i64,
) -> Vec<(i64, f64)> {
    if points.len() <= width_px.saturating_mul(4) {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(width_px * 4);
    let mut i = 0;
    while i < points.len() {
        let col = column_of(points[i].0);
        let mut j = i;
        while j < points.len() && column_of(points[j].0) == col {
            j += 1;
        }
        let group = &points[i..j];
        if group.iter().any(|p| !p.1.is_finite()) {
            // Keep the finite edges around the gap and the gap itself.
            out.extend(group.iter().find(|p| p.1.is_finite()));
            out.push((group[group.len() / 2].0, f64::NAN));
            out.extend(group.iter().rev().find(|p| p.1.is_finite()));
        } else {
            let (mut lo, mut hi) = (0, 0);
            for (k, p) in group.iter().enumerate() {
                if p.1 < group[lo].1 {
                    lo = k;
                }
                if p.1 > group[hi].1 {
                    hi = k;
                }
            }
            let mut keep = vec![0, lo, hi, group.len() - 1];
            keep.sort_unstable();
            keep.dedup();
            out.extend(keep.into_iter().map(|k| group[k]));
        }
        i = j;
    }
    out
}

/// The smallest and largest finite value among the visible series (stack tops when
/// stacked), or `None` when there is none.
pub fn value_extent(
    series: &[PlotSeries],
    visible: &[bool],
    stacked: Option<&[Band]>,
) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut see = |v: f64| {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    match stacked {
        Some(bands) => {
            for band in bands {
                for &(_, base, top) in band {
                    see(base);
                    see(top);
                }
            }
        }
        None => {
            for (i, s) in series.iter().enumerate() {
                if visible.get(i).copied().unwrap_or(true) {
                    s.points.iter().for_each(|p| see(p.1));
                }
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{RangeSeries, Sample, labels};

    fn matrix(series: &[(&str, &[(i64, f64)])]) -> ResultData {
        ResultData::Matrix(
            series
                .iter()
                .map(|(job, pts)| RangeSeries {
                    metric: labels([("job", *job)]),
                    values: pts.iter().map(|&(t_ms, v)| Sample { t_ms, v }).collect(),
                })
                .collect(),
        )
    }

    #[test]
    fn series_are_sorted_by_labels_whatever_the_source_order() {
        let s = from_result(&matrix(&[("b", &[(0, 1.0)]), ("a", &[(0, 2.0)])]));
        assert_eq!(s[0].name, r#"{job="a"}"#);
        assert_eq!(s[1].name, r#"{job="b"}"#);
        assert_eq!(
            infer_step(&from_result(&matrix(&[(
                "a",
                &[(0, 1.0), (15, 1.0), (45, 1.0)]
            )]))),
            Some(15)
        );
    }

    #[test]
    fn runs_break_at_missing_steps_and_non_finite_values() {
        let pts = [
            (0, 1.0),
            (10, 2.0),
            (20, f64::NAN),
            (30, 3.0),
            (40, 4.0),
            (70, 5.0),
            (80, 6.0),
        ];
        let r: Vec<Vec<i64>> = runs(&pts, 10)
            .iter()
            .map(|r| r.iter().map(|p| p.0).collect())
            .collect();
        assert_eq!(r, vec![vec![0, 10], vec![30, 40], vec![70, 80]]);
        assert!(runs(&[], 10).is_empty());
        assert_eq!(runs(&[(0, f64::INFINITY)], 10).len(), 0);
    }

    #[test]
    fn timestamp_unions_merge_sorted_grids() {
        assert_eq!(merge_union(&[], &[(1, 0.0), (3, 0.0)]), vec![1, 3]);
        assert_eq!(merge_union(&[1, 3], &[(1, 0.0), (3, 0.0)]), vec![1, 3]);
        assert_eq!(
            merge_union(&[1, 3], &[(0, 0.0), (2, 0.0), (3, 0.0), (9, 0.0)]),
            vec![0, 1, 2, 3, 9]
        );
    }

    #[test]
    fn stacking_adds_visible_series_in_order() {
        let s = from_result(&matrix(&[
            ("a", &[(0, 1.0), (10, 2.0)]),
            ("b", &[(0, 10.0), (10, f64::NAN)]),
            ("c", &[(0, 100.0)]),
        ]));
        let bands = stack(&s, &[true, true, false]);
        assert_eq!(bands[0], vec![(0, 0.0, 1.0), (10, 0.0, 2.0)]);
        assert_eq!(bands[1][0], (0, 1.0, 11.0));
        assert!(bands[1][1].2.is_nan() && bands[1][1].1 == 2.0);
        assert!(bands[2].is_empty());
        assert_eq!(
            value_extent(&s, &[true, true, false], Some(&bands)),
            Some((0.0, 11.0))
        );
        assert_eq!(
            value_extent(&s, &[true, false, true], None),
            Some((1.0, 100.0))
        );
        assert_eq!(value_extent(&s, &[false, false, false], None), None);
    }

    #[test]
    fn decimation_keeps_first_min_max_last_per_column_and_gaps() {
        let pts: Vec<(i64, f64)> = (0..1000)
            .map(|i| (i, if i == 500 { f64::NAN } else { (i % 7) as f64 }))
            .collect();
        let out = decimate(&pts, 10, &|t| t / 100);
        assert!(out.len() <= 10 * 4 + 3, "{}", out.len());
        let col0: Vec<f64> = out.iter().filter(|p| p.0 < 100).map(|p| p.1).collect();
        assert_eq!(col0.first(), Some(&0.0));
        assert!(col0.contains(&6.0));
        assert!(out.iter().any(|p| p.1.is_nan()), "the gap survives");
        // Few points: unchanged.
        assert_eq!(decimate(&pts[..20], 10, &|t| t), pts[..20].to_vec());
    }
}
