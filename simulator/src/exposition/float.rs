//! Floats written the way Prometheus' Go code writes them.
//!
//! The Go client formats sample values and `le`/`quantile` label values with
//! `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits that read back to the same
//! float, in plain notation when the decimal exponent is in `[-4, 6)` and in exponent notation
//! (`1.5e+06`, `1e-05`) otherwise. Label values must match it to the byte: `le="1e-05"` and
//! `le="0.00001"` are different series.

use std::fmt::{self, Write};

/// A small stack buffer for `{:e}` output, so formatting allocates nothing.
struct Buf {
    bytes: [u8; 40],
    len: usize,
}

impl Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes `v` as Go's `strconv.FormatFloat(v, 'g', -1, 64)` does, with `+Inf`, `-Inf` and
/// `NaN` spelled as the Prometheus exposition formats spell them.
pub fn write_go_float(out: &mut impl Write, v: f64) -> fmt::Result {
    if v.is_nan() {
        return out.write_str("NaN");
    }
    if v.is_infinite() {
        return out.write_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    }
    let mut buf = Buf {
        bytes: [0; 40],
        len: 0,
    };
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7", "1e0".
    write!(buf, "{v:e}")?;
    let s = std::str::from_utf8(&buf.bytes[..buf.len]).map_err(|_| fmt::Error)?;
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mantissa, exp) = s.split_once('e').ok_or(fmt::Error)?;
    let exp: i32 = exp.parse().map_err(|_| fmt::Error)?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if neg {
        out.write_char('-')?;
    }
    if !(-4..6).contains(&exp) {
        out.write_str(int_part)?;
        if !frac_part.is_empty() {
            out.write_char('.')?;
            out.write_str(frac_part)?;
        }
        let sign = if exp < 0 { '-' } else { '+' };
        return write!(out, "e{sign}{:02}", exp.unsigned_abs());
    }
    // Plain notation: the digits with the decimal point `exp + 1` places in.
    let point = exp + 1;
    let ndigits = (int_part.len() + frac_part.len()) as i32;
    let digit = |i: i32| -> char {
        let i = i as usize;
        if i < int_part.len() {
            int_part.as_bytes()[i] as char
        } else {
            frac_part.as_bytes()[i - int_part.len()] as char
        }
    };
    if point <= 0 {
        out.write_str("0.")?;
        for _ in 0..-point {
            out.write_char('0')?;
        }
        for i in 0..ndigits {
            out.write_char(digit(i))?;
        }
    } else {
        for i in 0..point.max(ndigits) {
            if i == point {
                out.write_char('.')?;
            }
            out.write_char(if i < ndigits { digit(i) } else { '0' })?;
        }
    }
    Ok(())
}

/// [`write_go_float`] into a new string.
pub fn go_float(v: f64) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write_go_float(&mut s, v);
    s
}

#[cfg(test)]
mod tests {
    use super::go_float;

    #[test]
    fn formats_like_go() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.00015000000000000001, "0.00015000000000000001"),
            (1.683411219602823, "1.683411219602823"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (1.434112e9, "1.434112e+09"),
            (100.25, "100.25"),
            (1e21, "1e+21"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
            (0.5, "0.5"),
            (10.0, "10"),
            (0.25, "0.25"),
        ];
        for (v, want) in cases {
            assert_eq!(go_float(*v), *want, "{v:e}");
        }
    }
}
