//! Arithmetic on each sample's value.

use super::{Function, VectorCall, elementwise, whole_call};
use crate::promql::error::EvalError;
use crate::promql::types::ValueType::{Scalar, Vector};
use crate::promql::value::StepValue;

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "abs",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The absolute value of every sample.",
        example: "abs(delta(node_temperature_celsius[10m]))",
        experimental: false,
        implementation: elementwise(|x, _| Some(abs(x))),
    },
    Function {
        name: "ceil",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Rounds every sample up to the nearest integer.",
        example: "ceil(node_load5)",
        experimental: false,
        implementation: elementwise(|x, _| Some(ceil(x))),
    },
    Function {
        name: "floor",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Rounds every sample down to the nearest integer.",
        example: "floor(node_load5)",
        experimental: false,
        implementation: elementwise(|x, _| Some(floor(x))),
    },
    Function {
        name: "round",
        args: &[Vector, Scalar],
        variadic: 1,
        returns: Vector,
        doc: "Rounds every sample to the nearest multiple of the optional second argument (default 1).",
        example: "round(node_load5, 0.5)",
        experimental: false,
        implementation: elementwise(|x, a| Some(round(x, a.first().copied().unwrap_or(1.0)))),
    },
    Function {
        name: "exp",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "e raised to the power of every sample.",
        example: "exp(vector(1))",
        experimental: false,
        implementation: elementwise(|x, _| Some(exp(x))),
    },
    Function {
        name: "ln",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The natural logarithm of every sample.",
        example: "ln(node_memory_MemTotal_bytes)",
        experimental: false,
        implementation: elementwise(|x, _| Some(ln(x))),
    },
    Function {
        name: "log2",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The base-2 logarithm of every sample.",
        example: "log2(node_memory_MemTotal_bytes)",
        experimental: false,
        implementation: elementwise(|x, _| Some(log2(x))),
    },
    Function {
        name: "log10",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The base-10 logarithm of every sample, handy for values spanning orders of magnitude.",
        example: "log10(http_request_size_bytes_sum)",
        experimental: false,
        implementation: elementwise(|x, _| Some(log10(x))),
    },
    Function {
        name: "sqrt",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The square root of every sample.",
        example: "sqrt(stdvar_over_time(node_load1[1h]))",
        experimental: false,
        implementation: elementwise(|x, _| Some(sqrt(x))),
    },
    Function {
        name: "sgn",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The sign of every sample: 1 if positive, -1 if negative, 0 if zero.",
        example: "sgn(deriv(node_filesystem_avail_bytes[1h]))",
        experimental: false,
        implementation: elementwise(|x, _| Some(sgn(x))),
    },
    Function {
        name: "clamp",
        args: &[Vector, Scalar, Scalar],
        variadic: 0,
        returns: Vector,
        doc: "Limits every sample to lie between a minimum and a maximum.",
        example: "clamp(node_load1, 0, 4)",
        experimental: false,
        implementation: elementwise(|x, a| clamp_call(x, a.first().copied(), a.get(1).copied())),
    },
    Function {
        name: "clamp_min",
        args: &[Vector, Scalar],
        variadic: 0,
        returns: Vector,
        doc: "Raises every sample below the given minimum to that minimum.",
        example: "clamp_min(node_load1, 1)",
        experimental: false,
        implementation: elementwise(|x, a| clamp_call(x, a.first().copied(), Some(f64::INFINITY))),
    },
    Function {
        name: "clamp_max",
        args: &[Vector, Scalar],
        variadic: 0,
        returns: Vector,
        doc: "Lowers every sample above the given maximum to that maximum.",
        example: "clamp_max(rate(http_requests_total[5m]), 100)",
        experimental: false,
        implementation: elementwise(|x, a| {
            clamp_call(x, Some(f64::NEG_INFINITY), a.first().copied())
        }),
    },
    Function {
        name: "deg",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Converts every sample from radians to degrees.",
        example: "deg(vector(pi()))",
        experimental: false,
        implementation: elementwise(|x, _| Some(deg(x))),
    },
    Function {
        name: "rad",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Converts every sample from degrees to radians.",
        example: "rad(vector(180))",
        experimental: false,
        implementation: elementwise(|x, _| Some(rad(x))),
    },
    Function {
        name: "pi",
        args: &[],
        variadic: 0,
        returns: Scalar,
        doc: "The number pi.",
        example: "2 * pi()",
        experimental: false,
        implementation: whole_call(|call| {
            Ok(StepValue::Scalar(vec![
                std::f64::consts::PI;
                call.steps.len()
            ]))
        }),
    },
    Function {
        name: "min_of",
        args: &[Scalar, Scalar],
        variadic: 0,
        returns: Scalar,
        doc: "The smaller of two scalars; also usable inside a duration, as in [min_of(step(), 5m)].",
        example: "min_of(scalar(node_load1), 4)",
        experimental: true,
        implementation: whole_call(|call| scalar_pair(call, go_min)),
    },
    Function {
        name: "max_of",
        args: &[Scalar, Scalar],
        variadic: 0,
        returns: Scalar,
        doc: "The larger of two scalars; also usable inside a duration, as in [max_of(step(), 1m)].",
        example: "max_of(step(), 60)",
        experimental: true,
        implementation: whole_call(|call| scalar_pair(call, go_max)),
    },
];

// The kernels below map one sample's value to the result's value. Transcendental functions
// come from `libm` rather than the platform's math library, so results are the same bits
// natively and in the browser.

/// `abs`.
pub fn abs(x: f64) -> f64 {
    x.abs()
}

/// `ceil`.
pub fn ceil(x: f64) -> f64 {
    x.ceil()
}

/// `floor`.
pub fn floor(x: f64) -> f64 {
    x.floor()
}

/// `exp`.
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// `ln`.
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// `log2`.
pub fn log2(x: f64) -> f64 {
    libm::log2(x)
}

/// `log10`.
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// `sqrt` (correctly rounded everywhere, so the standard one is deterministic).
pub fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

/// `sgn`: -1, 1, or the value itself for zeros (keeping their sign) and NaN.
pub fn sgn(x: f64) -> f64 {
    if x < 0.0 {
        -1.0
    } else if x > 0.0 {
        1.0
    } else {
        x
    }
}

/// `deg`: radians to degrees, in Prometheus' order of operations.
pub fn deg(x: f64) -> f64 {
    x * 180.0 / std::f64::consts::PI
}

/// `rad`: degrees to radians, in Prometheus' order of operations.
pub fn rad(x: f64) -> f64 {
    x * std::f64::consts::PI / 180.0
}

/// `round(x, to_nearest)`: rounds to the nearest multiple of `to_nearest` (1 when the query
/// leaves it out), ties upwards. Multiplying by the inverse, as Prometheus does, keeps
/// results such as `round(0.3, 0.1)` from picking up representation error.
pub fn round(x: f64, to_nearest: f64) -> f64 {
    let inverse = 1.0 / to_nearest;
    (x * inverse + 0.5).floor() / inverse
}

/// `clamp(x, min, max)` for one value; the caller drops every sample when `max < min`
/// (see [`clamp_is_empty`]). `clamp_min` is `clamp(x, min, +Inf)` and `clamp_max` is
/// `clamp(x, -Inf, max)`.
pub fn clamp(x: f64, min: f64, max: f64) -> f64 {
    go_max(min, go_min(max, x))
}

/// Whether `clamp` with these bounds returns no samples at all: when the maximum is below
/// the minimum. NaN bounds do not empty the result, they make every value NaN.
pub fn clamp_is_empty(min: f64, max: f64) -> bool {
    max < min
}

/// `clamp`, `clamp_min` and `clamp_max` as the engine calls them: `None` drops the sample
/// (when the maximum is below the minimum, every sample goes), and so does a missing bound,
/// which the type checker makes impossible.
fn clamp_call(x: f64, min: Option<f64>, max: Option<f64>) -> Option<f64> {
    let (min, max) = (min?, max?);
    (!clamp_is_empty(min, max)).then(|| clamp(x, min, max))
}

/// `min_of` and `max_of`: a function of two scalar arguments, step by step.
fn scalar_pair(call: &mut VectorCall<'_>, f: fn(f64, f64) -> f64) -> Result<StepValue, EvalError> {
    let a = call.scalar_arg(0)?;
    let b = call.scalar_arg(1)?;
    Ok(StepValue::Scalar(
        a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect(),
    ))
}

/// Go's `math.Max`: +Inf wins over NaN, NaN over any other value, and +0 over -0. (Rust's
/// `f64::max` instead ignores NaN.)
pub fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() { y } else { x }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins over NaN, NaN over any other value, and -0 over +0.
pub fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() { x } else { y }
    } else if x < y {
        x
    } else {
        y
    }
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_signs() {
        let r = |x| round(x, 1.0);
        assert_eq!([r(2.5), r(2.0), r(-2.5), r(-2.0)], [3.0, 2.0, -2.0, -2.0]);
        assert_eq!(r(f64::INFINITY), f64::INFINITY);
        assert!(r(f64::NAN).is_nan());
        assert_eq!(round(0.33, 0.1), 0.3);
        assert_eq!(round(7.0, 5.0), 5.0);
        assert_eq!(round(7.5, 5.0), 10.0);
        assert_eq!(
            [sgn(-50.0), sgn(100.0), sgn(f64::NEG_INFINITY)],
            [-1.0, 1.0, -1.0]
        );
        assert_eq!(sgn(0.0), 0.0);
        assert!(sgn(f64::NAN).is_nan());
        assert_eq!(ceil(-2.5), -2.0);
        assert_eq!(floor(-2.5), -3.0);
        assert_eq!(abs(f64::NEG_INFINITY), f64::INFINITY);
    }

    #[test]
    fn clamp_follows_go_min_and_max() {
        assert_eq!(clamp(-50.0, -25.0, 75.0), -25.0);
        assert_eq!(clamp(100.0, -25.0, 75.0), 75.0);
        assert_eq!(clamp(0.0, -25.0, 75.0), 0.0);
        assert!(clamp(5.0, 0.0, f64::NAN).is_nan());
        assert!(clamp(5.0, f64::NAN, 0.0).is_nan());
        assert!(clamp_is_empty(5.0, -5.0));
        assert!(!clamp_is_empty(f64::NAN, 0.0));
        assert_eq!(go_max(f64::NAN, f64::INFINITY), f64::INFINITY);
        assert!(go_max(f64::NAN, 1.0).is_nan());
        assert!(go_max(-0.0, 0.0).is_sign_positive());
        assert!(go_min(0.0, -0.0).is_sign_negative());
    }

    #[test]
    fn logarithms_and_exponentials() {
        let close = |a: f64, b: f64| ((a - b) / b).abs() < 1e-15;
        assert!(close(exp(10.0), 22026.465794806718));
        assert!(close(ln(20.0), 2.995732273553991));
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-10.0).is_nan());
        assert!(close(log2(10.0), 3.3219280948873626));
        assert_eq!(log10(10.0), 1.0);
        assert!(close(sqrt(20.0), 4.47213595499958));
        assert!(close(deg(10.0), 572.9577951308232));
        assert!(close(rad(10.0), 0.17453292519943295));
    }
}
