//! Compensated summation of floats, the way Prometheus sums them.
//!
//! Prometheus adds floats with the Kahan–Neumaier algorithm (its `util/kahansum`): a running
//! sum plus a compensation term that collects the low-order bits each addition loses. We use
//! the same algorithm, step for step, because results are compared with Prometheus' to a
//! relative 1e-6 and the order and rounding of operations decide the last bits of sums over
//! values of very different magnitudes (`1, 1e100, 1, -1e100` sums to 2, not 0).
//!
//! Rust never fuses a multiplication and an addition into one rounding unless asked to, which
//! is what Prometheus' explicit `float64(...)` conversions around its `Inc` guarantee in Go.

/// Adds `inc` to `sum` with compensation `c`, returning the new sum and compensation.
///
/// Once the sum is infinite the compensation is reset to zero, so `sum + c` stays infinite
/// instead of becoming NaN.
#[inline]
pub fn inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        // Neumaier's improvement: the smaller operand is the one that lost bits.
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// A running compensated sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KahanSum {
    /// The plain running sum.
    pub sum: f64,
    /// The low-order bits the plain sum has lost.
    pub c: f64,
}

impl KahanSum {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, v: f64) {
        (self.sum, self.c) = inc(v, self.sum, self.c);
    }

    /// The compensated total. An infinite sum is returned as it is: adding a finite
    /// compensation cannot change it, and an infinite one would turn it into NaN.
    #[inline]
    pub fn value(&self) -> f64 {
        if self.sum.is_infinite() {
            self.sum
        } else {
            self.sum + self.c
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensation_keeps_small_values_next_to_huge_ones() {
        let mut s = KahanSum::default();
        for v in [1.0, 1e100, 1.0, -1e100] {
            s.add(v);
        }
        assert_eq!(s.value(), 2.0);
        // A plain sum loses both ones.
        assert_eq!([1.0, 1e100, 1.0, -1e100].iter().sum::<f64>(), 0.0);
    }

    #[test]
    fn infinities_stay_infinite() {
        let mut s = KahanSum::default();
        for v in [1.0, f64::INFINITY, 2.0] {
            s.add(v);
        }
        assert_eq!(s.value(), f64::INFINITY);
        let mut s = KahanSum::default();
        for v in [f64::INFINITY, f64::NEG_INFINITY] {
            s.add(v);
        }
        assert!(s.value().is_nan());
    }

    #[test]
    fn overflow_of_finite_values_is_infinite() {
        let mut s = KahanSum::default();
        s.add(f64::MAX);
        s.add(f64::MAX);
        assert_eq!(s.value(), f64::INFINITY);
        assert_eq!(s.c, 0.0);
    }
}
