//! Reading histograms: quantiles, fractions, counts, sums and spreads of observations.

use super::Function;
use crate::promql::types::ValueType::{Scalar, String as Str, Vector};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "histogram_quantile",
        args: &[Scalar, Vector],
        variadic: 0,
        returns: Vector,
        doc: "Estimates the φ-quantile (0 ≤ φ ≤ 1) of observations from histogram buckets (classic buckets need their le label).",
        example: "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        experimental: false,
    },
    Function {
        name: "histogram_quantiles",
        args: &[Vector, Str, Scalar, Scalar],
        variadic: 9,
        returns: Vector,
        doc: "Estimates several quantiles at once (1 to 10), telling them apart by the label named in the second argument.",
        example: "histogram_quantiles(sum by (le) (rate(http_request_duration_seconds_bucket[5m])), \"quantile\", 0.5, 0.99)",
        experimental: true,
    },
    Function {
        name: "histogram_fraction",
        args: &[Scalar, Scalar, Vector],
        variadic: 0,
        returns: Vector,
        doc: "Estimates the fraction of observations between a lower and an upper bound.",
        example: "histogram_fraction(0, 0.2, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        experimental: false,
    },
    Function {
        name: "histogram_count",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The number of observations in each native histogram sample.",
        example: "histogram_count(rate(http_request_duration_seconds[5m]))",
        experimental: false,
    },
    Function {
        name: "histogram_sum",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The sum of observations in each native histogram sample.",
        example: "histogram_sum(rate(http_request_duration_seconds[5m]))",
        experimental: false,
    },
    Function {
        name: "histogram_avg",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The average observation in each native histogram sample (sum divided by count).",
        example: "histogram_avg(rate(http_request_duration_seconds[5m]))",
        experimental: false,
    },
    Function {
        name: "histogram_stddev",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The estimated standard deviation of observations in each native histogram sample.",
        example: "histogram_stddev(rate(http_request_duration_seconds[5m]))",
        experimental: false,
    },
    Function {
        name: "histogram_stdvar",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The estimated variance of observations in each native histogram sample.",
        example: "histogram_stdvar(rate(http_request_duration_seconds[5m]))",
        experimental: false,
    },
];
