//! The φ-quantile of a set of values, shared by the `quantile` aggregation and
//! `quantile_over_time` (and, through the median, `mad_over_time`).
//!
//! Prometheus interpolates linearly between the two closest ranks (`rank = φ·(n-1)`), the
//! method Hyndman and Fan call type 7; NaN values sort below every number, so they are
//! picked by low quantiles. A φ outside [0, 1] is not an error: it gives -Inf or +Inf, and
//! the caller raises Prometheus' "quantile value should be between 0 and 1" warning.

use std::cmp::Ordering;

/// The φ-quantile of `values`, which it sorts in place.
///
/// NaN when there are no values or φ is NaN; -Inf when φ < 0; +Inf when φ > 1.
pub fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_unstable_by(nan_first);
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    // Both indices lie in 0..n: rank is in [0, n-1] because q is in [0, 1].
    let at = |i: f64| values.get(i as usize).copied().unwrap_or(f64::NAN);
    at(lower) * (1.0 - weight) + at(upper) * weight
}

/// Orders floats ascending with NaN before everything, as Prometheus' value heap does.
/// Unlike Go's `Less`, it is a consistent total order (NaN equals NaN), which Rust's sorts
/// require.
pub fn nan_first(a: &f64, b: &f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_neighbouring_ranks() {
        let q = |q: f64, v: &[f64]| quantile(q, &mut v.to_vec());
        assert_eq!(q(0.5, &[0.0, 1.0]), 0.5);
        assert_eq!(q(0.75, &[2.0, 0.0, 1.0]), 1.5);
        assert!((q(0.8, &[0.0, 4.0, 1.0]) - 2.8).abs() < 1e-12);
        assert_eq!(q(0.0, &[3.0, 1.0, 2.0]), 1.0);
        assert_eq!(q(1.0, &[3.0, 1.0, 2.0]), 3.0);
        assert_eq!(q(0.3, &[7.0]), 7.0);
    }

    #[test]
    fn out_of_range_and_empty_inputs() {
        assert_eq!(quantile(-0.1, &mut [1.0]), f64::NEG_INFINITY);
        assert_eq!(quantile(1.1, &mut [1.0]), f64::INFINITY);
        assert!(quantile(f64::NAN, &mut [1.0]).is_nan());
        assert!(quantile(0.5, &mut []).is_nan());
    }

    #[test]
    fn nan_sorts_first() {
        let mut v = [2.0, f64::NAN, 1.0];
        assert!(quantile(0.0, &mut v).is_nan());
        assert_eq!(quantile(1.0, &mut v), 2.0);
    }
}
