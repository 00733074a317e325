//! Histogram buckets over time as colour, as Grafana's heatmap panel shows them.
//!
//! A query result is a bucket set when every series has an `le` label and the series
//! differ only in `le` (raw `_bucket` counters or their `rate()`). Prometheus' buckets are
//! cumulative (`le="0.5"` counts everything up to 0.5), so each cell shows bucket *i* minus
//! bucket *i-1*: the observations that fell between the two bounds. Several bucket sets
//! (series that also differ in, say, `instance`) are added up per bound, which is what
//! `sum by (le)` would give, and the view says so.

use crate::result::{RangeSeries, parse_value};
use std::collections::BTreeMap;

/// One row of the heatmap: the observations in `(lower, upper]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// Lower bound (the previous bucket's `le`; 0 below the first positive bound).
    pub lower: f64,
    /// Upper bound, the bucket's `le`; `+Inf` for the last.
    pub upper: f64,
    /// The `le` value as the source wrote it.
    pub le: String,
}

/// De-cumulated bucket counts over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Sample times, ascending.
    pub times: Vec<i64>,
    /// Buckets, lowest bound first.
    pub buckets: Vec<Bucket>,
    /// `cells[i][b]`: observations in bucket `b` at `times[i]`; NaN where no data.
    pub cells: Vec<Vec<f64>>,
    /// The largest cell.
    pub max: f64,
    /// How many bucket sets were added together.
    pub groups: usize,
    /// Whether some differences were negative (buckets not monotonic, as happens between
    /// scrapes) and were shown as zero.
    pub clamped: bool,
}

/// Why a result cannot be shown as a heatmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotBuckets {
    /// A series has no `le` label.
    NoLe(String),
    /// An `le` value is not a number.
    BadLe(String),
    /// Fewer than two distinct bounds.
    TooFewBuckets,
}

impl std::fmt::Display for NotBuckets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotBuckets::NoLe(s) => write!(
                f,
                "The heatmap shows histogram buckets, but {s} has no `le` label. Query a `_bucket` series, e.g. rate(x_bucket[5m])."
            ),
            NotBuckets::BadLe(v) => write!(f, "The `le` label value {v:?} is not a number."),
            NotBuckets::TooFewBuckets => f.write_str("The heatmap needs at least two buckets."),
        }
    }
}

/// The heatmap of a range result, or why there is none.
pub fn build(series: &[RangeSeries]) -> Result<Heatmap, NotBuckets> {
    // (bucket-set labels, le) -> samples. BTreeMaps keep every order deterministic.
    let mut bounds: BTreeMap<u64, (f64, String)> = BTreeMap::new();
    let mut sets: BTreeMap<crate::result::Labels, BTreeMap<u64, &RangeSeries>> = BTreeMap::new();
    for s in series {
        let Some(le) = s.metric.get("le") else {
            return Err(NotBuckets::NoLe(s.metric.display()));
        };
        let bound = parse_value(le)
            .filter(|v| !v.is_nan())
            .ok_or_else(|| NotBuckets::BadLe(le.to_string()))?;
        let key = order_key(bound);
        bounds.entry(key).or_insert((bound, le.to_string()));
        sets.entry(s.metric.dropping(&["le", "__name__"]))
            .or_default()
            .insert(key, s);
    }
    if bounds.len() < 2 {
        return Err(NotBuckets::TooFewBuckets);
    }
    let mut times: Vec<i64> = series
        .iter()
        .flat_map(|s| s.values.iter().map(|p| p.t_ms))
        .collect();
    times.sort_unstable();
    times.dedup();
    let keys: Vec<u64> = bounds.keys().copied().collect();
    let mut cells = Vec::with_capacity(times.len());
    let mut max: f64 = 0.0;
    let mut clamped = false;
    for &t in &times {
        // Cumulative count per bound, summed over bucket sets.
        let cumulative: Vec<f64> = keys
            .iter()
            .map(|k| {
                let mut total = f64::NAN;
                for set in sets.values() {
                    if let Some(v) = set.get(k).and_then(|s| value_at(s, t)) {
                        total = if total.is_nan() { v } else { total + v };
                    }
                }
                total
            })
            .collect();
        let row: Vec<f64> = cumulative
            .iter()
            .enumerate()
            .map(|(b, &c)| {
                let below = if b == 0 { 0.0 } else { cumulative[b - 1] };
                let d = if below.is_nan() { c } else { c - below };
                if d < 0.0 {
                    clamped = true;
                    0.0
                } else {
                    d
                }
            })
            .collect();
        for v in &row {
            if v.is_finite() {
                max = max.max(*v);
            }
        }
        cells.push(row);
    }
    let mut buckets = Vec::with_capacity(keys.len());
    let mut lower = f64::NEG_INFINITY;
    for (bound, le) in bounds.into_values() {
        let lo = if lower == f64::NEG_INFINITY && bound > 0.0 {
            0.0
        } else {
            lower
        };
        buckets.push(Bucket {
            lower: lo,
            upper: bound,
            le,
        });
        lower = bound;
    }
    Ok(Heatmap {
        times,
        buckets,
        cells,
        max,
        groups: sets.len(),
        clamped,
    })
}

/// A key that sorts like the float it encodes (for non-NaN floats).
fn order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn value_at(s: &RangeSeries, t: i64) -> Option<f64> {
    s.values
        .binary_search_by_key(&t, |p| p.t_ms)
        .ok()
        .map(|i| s.values[i].v)
        .filter(|v| v.is_finite())
}

/// A bucket's bounds for a person, in the y-axis' unit: `50ms – 100ms`. The bucket holds
/// observations above the lower bound up to and including the upper one; the tooltip's
/// readers need the two numbers, not interval notation.
pub fn bucket_range(b: &Bucket, unit: super::units::Unit) -> String {
    use super::units::format_value;
    format!(
        "{} – {}",
        format_value(b.lower, unit),
        format_value(b.upper, unit)
    )
}

/// The x pixels between the heatmap's columns: `times.len() + 1` edges, each column
/// spanning halfway to its neighbours and clipped to the plot.
pub fn column_edges(layout: &super::layout::Layout, times: &[i64]) -> Vec<f64> {
    let xs: Vec<f64> = times.iter().map(|t| layout.x(*t)).collect();
    let mut edges = Vec::with_capacity(xs.len() + 1);
    for i in 0..=xs.len() {
        let e = match (i.checked_sub(1).and_then(|j| xs.get(j)), xs.get(i)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            (None, Some(b)) => b - xs.get(1).map_or(4.0, |c| (c - b) / 2.0),
            (Some(a), None) => {
                a + i
                    .checked_sub(2)
                    .and_then(|k| xs.get(k))
                    .map_or(4.0, |p| (a - p) / 2.0)
            }
            (None, None) => layout.left,
        };
        edges.push(e.clamp(layout.left, layout.right));
    }
    edges
}

/// The pixel rectangle `(x0, y0, x1, y1)` of cell `(i, b)` given the column edges.
pub fn cell_rect(
    layout: &super::layout::Layout,
    edges: &[f64],
    rows: usize,
    i: usize,
    b: usize,
) -> Option<(f64, f64, f64, f64)> {
    let row_h = (layout.bottom - layout.top) / rows.max(1) as f64;
    let x0 = *edges.get(i)?;
    let x1 = *edges.get(i + 1)?;
    let y1 = layout.bottom - b as f64 * row_h;
    Some((x0, y1 - row_h, x1.max(x0 + 1.0), y1))
}

/// The cell under pixel `(px, py)`: the nearest sample time's index and the bucket's
/// index, or `None` outside the plot.
pub fn cell_at(
    layout: &super::layout::Layout,
    heatmap: &Heatmap,
    px: f64,
    py: f64,
) -> Option<(usize, usize)> {
    if !layout.contains(px, py) || heatmap.times.is_empty() || heatmap.buckets.is_empty() {
        return None;
    }
    let t = layout.t_at(px);
    let k = heatmap.times.partition_point(|x| *x < t);
    let i = match (k.checked_sub(1), heatmap.times.get(k)) {
        (Some(j), Some(after)) if t - heatmap.times[j] > after - t => k,
        (Some(j), _) => j,
        (None, _) => 0,
    };
    let row_h = (layout.bottom - layout.top) / heatmap.buckets.len() as f64;
    let b = ((layout.bottom - py) / row_h).floor().max(0.0) as usize;
    Some((i, b.min(heatmap.buckets.len() - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Sample, labels};

    fn bucket(instance: &str, le: &str, values: &[f64]) -> RangeSeries {
        RangeSeries {
            metric: labels([("__name__", "x_bucket"), ("instance", instance), ("le", le)]),
            values: values
                .iter()
                .enumerate()
                .map(|(i, v)| Sample {
                    t_ms: i as i64 * 1000,
                    v: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn buckets_are_sorted_by_bound_and_decumulated() {
        // Given out of order, as a source may send them.
        let h = build(&[
            bucket("a", "+Inf", &[10.0, 12.0]),
            bucket("a", "0.1", &[2.0, 2.0]),
            bucket("a", "1", &[7.0, 9.0]),
        ])
        .unwrap();
        let les: Vec<&str> = h.buckets.iter().map(|b| b.le.as_str()).collect();
        assert_eq!(les, ["0.1", "1", "+Inf"]);
        assert_eq!(h.buckets[0].lower, 0.0);
        assert_eq!(h.buckets[2].lower, 1.0);
        assert_eq!(h.cells, vec![vec![2.0, 5.0, 3.0], vec![2.0, 7.0, 3.0]]);
        assert_eq!((h.max, h.groups, h.clamped), (7.0, 1, false));
        assert_eq!(h.times, vec![0, 1000]);
    }

    #[test]
    fn several_bucket_sets_add_up_and_negative_steps_clamp() {
        let h = build(&[
            bucket("a", "1", &[1.0]),
            bucket("a", "+Inf", &[3.0]),
            bucket("b", "1", &[5.0]),
            bucket("b", "+Inf", &[4.0]),
        ])
        .unwrap();
        assert_eq!(h.groups, 2);
        assert_eq!(h.cells, vec![vec![6.0, 1.0]]);
        let h = build(&[bucket("a", "1", &[5.0]), bucket("a", "2", &[4.0])]).unwrap();
        assert_eq!((h.cells[0][1], h.clamped), (0.0, true));
    }

    #[test]
    fn non_bucket_results_say_why() {
        let mut up = bucket("a", "1", &[1.0]);
        up.metric = labels([("__name__", "up")]);
        assert_eq!(build(&[up]), Err(NotBuckets::NoLe("up".into())));
        assert_eq!(
            build(&[bucket("a", "x", &[1.0])]),
            Err(NotBuckets::BadLe("x".into()))
        );
        assert_eq!(
            build(&[bucket("a", "1", &[1.0])]),
            Err(NotBuckets::TooFewBuckets)
        );
    }

    #[test]
    fn the_cell_under_the_pointer_is_found() {
        let h = build(&[
            bucket("a", "1", &[1.0, 2.0, 3.0]),
            bucket("a", "+Inf", &[2.0, 3.0, 4.0]),
        ])
        .unwrap();
        let l = crate::chart::layout::Layout::new(300.0, 200.0, 1.0, (0, 2000), (0.0, 2.0));
        assert_eq!(cell_at(&l, &h, l.x(1900), l.bottom - 1.0), Some((2, 0)));
        assert_eq!(cell_at(&l, &h, l.x(400), l.top + 1.0), Some((0, 1)));
        assert_eq!(cell_at(&l, &h, 0.0, 0.0), None);
    }

    #[test]
    fn columns_meet_halfway_and_stay_in_the_plot() {
        let l = crate::chart::layout::Layout::new(300.0, 200.0, 1.0, (0, 2000), (0.0, 1.0));
        let e = column_edges(&l, &[0, 1000, 2000]);
        assert_eq!(e.len(), 4);
        assert_eq!(e[0], l.left);
        assert_eq!(e[1], (l.x(0) + l.x(1000)) / 2.0);
        assert_eq!(e[3], l.right);
        let (x0, y0, x1, y1) = cell_rect(&l, &e, 2, 1, 0).unwrap();
        assert_eq!((x0, x1, y1), (e[1], e[2], l.bottom));
        assert!((y1 - y0 - (l.bottom - l.top) / 2.0).abs() < 1e-9);
        assert_eq!(cell_rect(&l, &e, 2, 3, 0), None);
    }

    #[test]
    fn bounds_sort_as_numbers() {
        assert!(order_key(-1.0) < order_key(0.0) && order_key(0.5) < order_key(f64::INFINITY));
    }
}
