//! Rewriting and joining labels.

use super::{Function, Implementation};
use crate::promql::types::ValueType::{String as Str, Vector};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "label_replace",
        args: &[Vector, Str, Str, Str, Str],
        variadic: 0,
        returns: Vector,
        doc: "Sets a label (2nd argument) to a replacement (3rd) built from a regex (5th) matched against another label (4th).",
        example: "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
        experimental: false,
        implementation: Implementation::Pending,
    },
    Function {
        name: "label_join",
        args: &[Vector, Str, Str, Str],
        variadic: -1,
        returns: Vector,
        doc: "Sets a label (2nd argument) to the values of the source labels (4th onwards) joined by a separator (3rd).",
        example: "label_join(up, \"target\", \"/\", \"job\", \"instance\")",
        experimental: false,
        implementation: Implementation::Pending,
    },
    Function {
        name: "info",
        args: &[Vector, Vector],
        variadic: 1,
        returns: Vector,
        doc: "Adds the labels of matching info metrics (target_info by default) to each series; the optional second argument selects which.",
        example: "info(rate(http_requests_total[5m]), {k8s_cluster_name=~\".+\"})",
        experimental: true,
        implementation: Implementation::Pending,
    },
];
