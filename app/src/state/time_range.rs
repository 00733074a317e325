//! Query time ranges: presets, the step Prometheus' UI would pick, and the window.

use simulator::promql::duration::{format_ms, parse_go_duration};

/// The range presets offered as buttons, in milliseconds, with their labels.
pub const PRESETS: [(i64, &str); 4] = [
    (15 * 60_000, "15m"),
    (3_600_000, "1h"),
    (6 * 3_600_000, "6h"),
    (24 * 3_600_000, "24h"),
];

/// The default range: six hours, the length of every scenario's default window, so the
/// incidents a scenario describes are on screen from the start. (Prometheus' UI defaults
/// to one hour; a learner looking at a simulated day is better served by the whole window.)
pub const DEFAULT_RANGE_MS: i64 = 6 * 3_600_000;

/// The step the Prometheus 3 UI derives from a range at its default ("medium") density:
/// about 250 points across the graph, whole seconds, at least one second
/// (`getEffectiveResolution` in its `queryPageSlice.ts`).
pub fn auto_step(range_ms: i64) -> i64 {
    (range_ms / 250 / 1000 * 1000).max(1000)
}

/// The step used: the manual override, or the derived one.
pub fn effective_step(range_ms: i64, manual: Option<i64>) -> i64 {
    manual
        .filter(|s| *s > 0)
        .unwrap_or_else(|| auto_step(range_ms))
}

/// The query window `[end - range, end]`.
pub fn window(range_ms: i64, end_ms: i64) -> (i64, i64) {
    (end_ms.saturating_sub(range_ms), end_ms)
}

/// Reads a duration as the UI accepts it: Prometheus' duration syntax (`15s`, `1h30m`) or
/// a plain number of seconds (`15`, `0.5`). Positive only; `None` otherwise.
pub fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<f64>() {
        let ms = (secs * 1000.0).round();
        return (1.0..1.0e15).contains(&ms).then_some(ms as i64);
    }
    let ns = parse_go_duration(t).ok()?;
    let ms = i64::try_from(ns / 1_000_000).ok()?;
    (ms > 0).then_some(ms)
}

/// A duration as Prometheus prints it (`1h30m`, `15s`).
pub fn format_duration(ms: i64) -> String {
    format_ms(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_prometheus_ui() {
        assert_eq!(auto_step(15 * 60_000), 3_000);
        assert_eq!(auto_step(3_600_000), 14_000);
        assert_eq!(auto_step(6 * 3_600_000), 86_000);
        assert_eq!(auto_step(24 * 3_600_000), 345_000);
        assert_eq!(auto_step(60_000), 1_000);
        assert_eq!(effective_step(3_600_000, Some(60_000)), 60_000);
        assert_eq!(effective_step(3_600_000, Some(0)), 14_000);
    }

    #[test]
    fn durations_parse_in_both_spellings() {
        assert_eq!(parse_duration("15s"), Some(15_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration(" 30 "), Some(30_000));
        assert_eq!(parse_duration("0.5"), Some(500));
        for bad in ["", "0", "-5", "5x", "1.5m", "NaN"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(window(3_600_000, 10_000_000), (6_400_000, 10_000_000));
    }
}
