//! Trigonometric functions, in radians.

use super::{Function, elementwise};
use crate::promql::types::ValueType::Vector;

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "sin",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The sine of every sample, in radians.",
        example: "sin(rad(vector(30)))",
        experimental: false,
        implementation: elementwise(|x, _| Some(sin(x))),
    },
    Function {
        name: "cos",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The cosine of every sample, in radians.",
        example: "cos(rad(vector(60)))",
        experimental: false,
        implementation: elementwise(|x, _| Some(cos(x))),
    },
    Function {
        name: "tan",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The tangent of every sample, in radians.",
        example: "tan(rad(vector(45)))",
        experimental: false,
        implementation: elementwise(|x, _| Some(tan(x))),
    },
    Function {
        name: "asin",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The arcsine of every sample, in radians.",
        example: "asin(vector(0.5))",
        experimental: false,
        implementation: elementwise(|x, _| Some(asin(x))),
    },
    Function {
        name: "acos",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The arccosine of every sample, in radians.",
        example: "acos(vector(0.5))",
        experimental: false,
        implementation: elementwise(|x, _| Some(acos(x))),
    },
    Function {
        name: "atan",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The arctangent of every sample, in radians.",
        example: "atan(vector(1))",
        experimental: false,
        implementation: elementwise(|x, _| Some(atan(x))),
    },
    Function {
        name: "sinh",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The hyperbolic sine of every sample.",
        example: "sinh(vector(1))",
        experimental: false,
        implementation: elementwise(|x, _| Some(sinh(x))),
    },
    Function {
        name: "cosh",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The hyperbolic cosine of every sample.",
        example: "cosh(vector(1))",
        experimental: false,
        implementation: elementwise(|x, _| Some(cosh(x))),
    },
    Function {
        name: "tanh",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The hyperbolic tangent of every sample.",
        example: "tanh(vector(1))",
        experimental: false,
        implementation: elementwise(|x, _| Some(tanh(x))),
    },
    Function {
        name: "asinh",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The inverse hyperbolic sine of every sample.",
        example: "asinh(vector(1))",
        experimental: false,
        implementation: elementwise(|x, _| Some(asinh(x))),
    },
    Function {
        name: "acosh",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The inverse hyperbolic cosine of every sample.",
        example: "acosh(vector(2))",
        experimental: false,
        implementation: elementwise(|x, _| Some(acosh(x))),
    },
    Function {
        name: "atanh",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The inverse hyperbolic tangent of every sample.",
        example: "atanh(vector(0.5))",
        experimental: false,
        implementation: elementwise(|x, _| Some(atanh(x))),
    },
];

// The kernels: `libm`'s functions, the same bits natively and in wasm32.

/// `sin`.
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}

/// `cos`.
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// `tan`.
pub fn tan(x: f64) -> f64 {
    libm::tan(x)
}

/// `asin`.
pub fn asin(x: f64) -> f64 {
    libm::asin(x)
}

/// `acos`.
pub fn acos(x: f64) -> f64 {
    libm::acos(x)
}

/// `atan`.
pub fn atan(x: f64) -> f64 {
    libm::atan(x)
}

/// `sinh`.
pub fn sinh(x: f64) -> f64 {
    libm::sinh(x)
}

/// `cosh`.
pub fn cosh(x: f64) -> f64 {
    libm::cosh(x)
}

/// `tanh`.
pub fn tanh(x: f64) -> f64 {
    libm::tanh(x)
}

/// `asinh`.
pub fn asinh(x: f64) -> f64 {
    libm::asinh(x)
}

/// `acosh`.
pub fn acosh(x: f64) -> f64 {
    libm::acosh(x)
}

/// `atanh`.
pub fn atanh(x: f64) -> f64 {
    libm::atanh(x)
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn values_from_trig_functions_test() {
        // trig_functions.test, within its 1e-6 relative tolerance (here much tighter).
        let close = |a: f64, b: f64| ((a - b) / b).abs() < 1e-14;
        assert!(close(sin(10.0), -0.5440211108893699));
        assert!(close(cos(20.0), 0.40808206181339196));
        assert!(close(tan(20.0), 2.2371609442247427));
        assert!(close(asin(10.0 - 10.1), -0.10016742116155944));
        assert!(close(acos(10.0 - 10.1), 1.670963747956456));
        assert!(close(atan(20.0), 1.5208379310729538));
        assert!(close(sinh(20.0), 2.4258259770489514e8));
        assert!(close(cosh(10.0), 11013.232920103324));
        assert!(close(tanh(10.0), 0.9999999958776927));
        assert!(close(asinh(10.0), 2.99822295029797));
        assert!(close(acosh(20.0), 3.6882538673612966));
        assert!(close(atanh(10.0 - 10.1), -0.10033534773107522));
        assert!(asin(20.0 - 10.1).is_nan());
        assert!(sin(f64::NAN).is_nan());
    }
}
