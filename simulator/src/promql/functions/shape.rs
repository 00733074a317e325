//! Changing a result's shape: scalar to vector and back, absence, and ordering.

use super::Function;
use crate::promql::types::ValueType::{Scalar, String as Str, Vector};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "vector",
        args: &[Scalar],
        variadic: 0,
        returns: Vector,
        doc: "Turns a scalar into a vector with one series and no labels.",
        example: "vector(1)",
        experimental: false,
    },
    Function {
        name: "scalar",
        args: &[Vector],
        variadic: 0,
        returns: Scalar,
        doc: "The value of a one-series vector as a scalar, or NaN if the vector has zero or several series.",
        example: "scalar(sum(up))",
        experimental: false,
    },
    Function {
        name: "absent",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "A one-series vector with value 1 if the argument has no series, otherwise nothing: for alerting on missing metrics.",
        example: "absent(up{job=\"api\"})",
        experimental: false,
    },
    Function {
        name: "sort",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Orders the series by value, smallest first (in instant queries).",
        example: "sort(node_load1)",
        experimental: false,
    },
    Function {
        name: "sort_desc",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Orders the series by value, largest first (in instant queries).",
        example: "sort_desc(rate(http_requests_total[5m]))",
        experimental: false,
    },
    Function {
        name: "sort_by_label",
        args: &[Vector, Str],
        variadic: -1,
        returns: Vector,
        doc: "Orders the series by the values of the given labels, in natural sort order.",
        example: "sort_by_label(up, \"job\", \"instance\")",
        experimental: true,
    },
    Function {
        name: "sort_by_label_desc",
        args: &[Vector, Str],
        variadic: -1,
        returns: Vector,
        doc: "Orders the series by the values of the given labels, in reverse natural sort order.",
        example: "sort_by_label_desc(up, \"instance\")",
        experimental: true,
    },
];
