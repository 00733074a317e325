//! Readable numbers on the y-axis and in tooltips: SI prefixes, or seconds and bytes when the
//! metric names say so, as Prometheus' naming conventions promise (`_seconds`, `_bytes`).

/// What the values measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// A plain number: SI prefixes (k, M, G).
    #[default]
    Plain,
    /// Seconds: ms, s, min, h.
    Seconds,
    /// Bytes: KiB, MiB, GiB.
    Bytes,
    /// Bytes per second.
    BytesPerSecond,
}

fn base_name(name: &str) -> &str {
    ["_bucket", "_sum", "_count", "_total"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

/// The unit of a query's result, from the metric names it selects: seconds when every
/// metric is a `_seconds` family (a latency histogram, a duration gauge), bytes for
/// `_bytes`, bytes per second for the rate of a `_bytes_total` counter. The rate of a
/// `_seconds_total` counter is seconds per second, a plain number (CPU cores, say).
pub fn infer_unit(metric_names: &[String], query: &str) -> Unit {
    if metric_names.is_empty() {
        return Unit::Plain;
    }
    let uses_rate = is_rate(query);
    let all = |suffix: &str| metric_names.iter().all(|n| base_name(n).ends_with(suffix));
    let any_total = |suffix: &str| {
        metric_names
            .iter()
            .any(|n| n.ends_with(&format!("{suffix}_total")))
    };
    let counting = metric_names.iter().all(|n| n.ends_with("_count"));
    if counting {
        return Unit::Plain;
    }
    if all("_seconds") {
        if uses_rate && any_total("_seconds") {
            Unit::Plain
        } else {
            Unit::Seconds
        }
    } else if all("_bytes") {
        if uses_rate && any_total("_bytes") {
            Unit::BytesPerSecond
        } else {
            Unit::Bytes
        }
    } else {
        Unit::Plain
    }
}

/// Whether a query's values are per-second rates: it calls `rate`, `irate` or `deriv`.
/// A textual test, as the unit inference has always made; it errs towards "per second"
/// for a query that takes a rate only to compare it, which the units of such a query's
/// result do not follow from anyway.
pub fn is_rate(query: &str) -> bool {
    ["rate(", "deriv("].iter().any(|f| query.contains(f))
}

/// `v` with three significant digits and no trailing zeros: `1.23`, `12.3`, `123`, `0.5`.
pub fn significant(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = (3 - 1 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A value for a person: `1.5k`, `250ms`, `3.2GiB`, `NaN`.
pub fn format_value(v: f64, unit: Unit) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let a = v.abs();
    match unit {
        Unit::Plain => {
            const UP: [(f64, &str); 5] =
                [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
            const DOWN: [(f64, &str); 3] = [(1e-3, "m"), (1e-6, "µ"), (1e-9, "n")];
            if let Some((f, p)) = UP.iter().find(|(f, _)| a >= *f) {
                format!("{}{p}", significant(v / f))
            } else if a != 0.0 && a < 1e-3 {
                let (f, p) = DOWN
                    .iter()
                    .find(|(f, _)| a >= *f)
                    .copied()
                    .unwrap_or((1e-9, "n"));
                format!("{}{p}", significant(v / f))
            } else {
                significant(v)
            }
        }
        Unit::Seconds => {
            let (f, u) = if a == 0.0 {
                (1.0, "s")
            } else if a < 1e-3 {
                (1e-6, "µs")
            } else if a < 1.0 {
                (1e-3, "ms")
            } else if a < 60.0 {
                (1.0, "s")
            } else if a < 3600.0 {
                (60.0, "min")
            } else if a < 86_400.0 {
                (3600.0, "h")
            } else {
                (86_400.0, "d")
            };
            format!("{}{u}", significant(v / f))
        }
        Unit::Bytes | Unit::BytesPerSecond => {
            const IEC: [(f64, &str); 5] = [
                (1_125_899_906_842_624.0, "PiB"),
                (1_099_511_627_776.0, "TiB"),
                (1_073_741_824.0, "GiB"),
                (1_048_576.0, "MiB"),
                (1024.0, "KiB"),
            ];
            let (f, u) = IEC
                .iter()
                .find(|(f, _)| a >= *f)
                .copied()
                .unwrap_or((1.0, "B"));
            let per = if unit == Unit::BytesPerSecond {
                "/s"
            } else {
                ""
            };
            format!("{}{u}{per}", significant(v / f))
        }
    }
}

/// Nice axis ticks covering `[min, max]`: multiples of 1, 2 or 5 times a power of ten,
/// about `target` of them. Returns the ticks and the axis range they span. Degenerate input
/// (equal or non-finite bounds) still yields a usable axis.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> (Vec<f64>, f64, f64) {
    let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max {
        (min, max)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
        if min >= 0.0 && lo < 0.0 {
            lo = 0.0;
        }
    }
    let target = target.clamp(2, 20) as f64;
    let raw = (hi - lo) / (target - 1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut i = 0.0;
    while start + i * step <= end + step * 1e-9 && ticks.len() < 50 {
        let t = start + i * step;
        // Snap float noise (0.30000000000000004) to the step's precision.
        ticks.push((t / step).round() * step);
        i += 1.0;
    }
    (ticks, start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn units_come_from_metric_names() {
        let q = "histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))";
        assert_eq!(
            infer_unit(&names(&["http_request_duration_seconds_bucket"]), q),
            Unit::Seconds
        );
        assert_eq!(
            infer_unit(&names(&["node_memory_MemFree_bytes"]), "x"),
            Unit::Bytes
        );
        assert_eq!(
            infer_unit(&names(&["node_network_receive_bytes_total"]), "rate(x[5m])"),
            Unit::BytesPerSecond
        );
        assert_eq!(
            infer_unit(&names(&["node_cpu_seconds_total"]), "rate(x[5m])"),
            Unit::Plain
        );
        assert_eq!(
            infer_unit(&names(&["x_seconds_sum", "x_seconds_count"]), "a/b"),
            Unit::Seconds
        );
        assert_eq!(
            infer_unit(&names(&["x_seconds_count"]), "rate(x[1m])"),
            Unit::Plain
        );
        assert_eq!(infer_unit(&names(&["up", "x_bytes"]), "a"), Unit::Plain);
        assert_eq!(infer_unit(&[], "1"), Unit::Plain);
        assert!(is_rate("sum by (le) (irate(x_bucket[1m]))"));
        assert!(!is_rate("increase(x_bucket[1h])"));
    }

    #[test]
    fn values_read_well() {
        let cases = [
            (0.0, Unit::Plain, "0"),
            (1234.0, Unit::Plain, "1.23k"),
            (2_500_000.0, Unit::Plain, "2.5M"),
            (0.25, Unit::Plain, "0.25"),
            (0.000_05, Unit::Plain, "50µ"),
            (-3e9, Unit::Plain, "-3G"),
            (0.25, Unit::Seconds, "250ms"),
            (90.0, Unit::Seconds, "1.5min"),
            (0.000_12, Unit::Seconds, "120µs"),
            (1536.0, Unit::Bytes, "1.5KiB"),
            (3.0 * 1_073_741_824.0, Unit::BytesPerSecond, "3GiB/s"),
            (f64::NAN, Unit::Seconds, "NaN"),
            (f64::NEG_INFINITY, Unit::Plain, "-Inf"),
        ];
        for (v, u, s) in cases {
            assert_eq!(format_value(v, u), s, "{v} {u:?}");
        }
        assert_eq!(significant(99.96), "100");
        assert_eq!(significant(-0.0001), "-0.0001");
    }

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        let (t, lo, hi) = nice_ticks(0.0, 0.95, 6);
        let shown: Vec<String> = t.iter().map(|v| significant(*v)).collect();
        assert_eq!(shown, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
        assert_eq!((lo, hi), (0.0, 1.0));
        let (t, lo, hi) = nice_ticks(13.0, 87.0, 5);
        assert_eq!((lo, hi), (0.0, 100.0));
        assert_eq!(t.len(), 6);
        let (t, lo, hi) = nice_ticks(5.0, 5.0, 5);
        assert!(lo < 5.0 && hi > 5.0 && !t.is_empty());
        let (t, lo, hi) = nice_ticks(f64::NAN, 1.0, 5);
        assert!((lo, hi) == (0.0, 1.0) && t.len() >= 2);
    }
}
