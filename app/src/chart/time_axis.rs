//! Time-axis ticks at round local times (`14:00`, `14:15`), labelled in local time.
//!
//! The local offset comes from the caller (the browser's `Date.getTimezoneOffset` in the
//! app, a constant in tests), as minutes east of UTC at a given instant.

use crate::state::calendar::DateTime;

/// A tick: where and what to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeTick {
    /// Unix milliseconds.
    pub t_ms: i64,
    /// The label.
    pub label: String,
}

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Tick spacings, finest first.
const STEPS: [i64; 20] = [
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
];

/// Ticks for `[start_ms, end_ms]` on an axis `width_px` wide, about one per `spacing_px`.
/// Ticks fall on round local times; a tick at local midnight shows the date instead.
pub fn time_ticks(
    start_ms: i64,
    end_ms: i64,
    width_px: f64,
    spacing_px: f64,
    offset_min: &dyn Fn(i64) -> i32,
) -> Vec<TimeTick> {
    if end_ms <= start_ms || width_px.is_nan() || width_px <= 0.0 {
        return Vec::new();
    }
    let wanted = (width_px / spacing_px.max(1.0)).max(1.0);
    let span = (end_ms - start_ms) as f64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / *s as f64 <= wanted)
        .unwrap_or_else(|| {
            // Beyond weeks: whole multiples of a week.
            let weeks = (span / wanted / (7 * DAY) as f64).ceil().max(1.0) as i64;
            weeks * 7 * DAY
        });
    let offset_ms = i64::from(offset_min(start_ms)) * MINUTE;
    let local_start = start_ms + offset_ms;
    let first = local_start.div_euclid(step) * step
        + if local_start.rem_euclid(step) == 0 {
            0
        } else {
            step
        };
    let mut ticks = Vec::new();
    let mut local = first;
    while local - offset_ms <= end_ms && ticks.len() < 200 {
        let t = local - offset_ms;
        let dt = DateTime::from_ms(t, offset_min(t));
        let label = if step >= DAY || (dt.hour == 0 && dt.minute == 0 && dt.second == 0) {
            format!("{:02}-{:02}", dt.month, dt.day)
        } else {
            dt.time_of_day(step < MINUTE)
        };
        ticks.push(TimeTick { t_ms: t, label });
        local += step;
    }
    ticks
}

/// A full local timestamp for tooltips: `2026-11-21 14:05:09`.
pub fn tooltip_time(t_ms: i64, offset_min: &dyn Fn(i64) -> i32) -> String {
    DateTime::from_ms(t_ms, offset_min(t_ms)).date_time()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(start: i64, end: i64, width: f64, offset: i32) -> Vec<String> {
        time_ticks(start, end, width, 100.0, &|_| offset)
            .into_iter()
            .map(|t| t.label)
            .collect()
    }

    #[test]
    fn ticks_fall_on_round_local_times() {
        // 2025-11-21 13:52:00 UTC to 14:52:00, 600 px: one tick per 10 minutes.
        let start = 1_763_733_120_000;
        assert_eq!(
            labels(start, start + HOUR, 600.0, 0),
            ["14:00", "14:10", "14:20", "14:30", "14:40", "14:50"]
        );
        // The same instants in UTC+5:30 fall on other round local times.
        assert_eq!(
            labels(start, start + HOUR, 600.0, 330),
            ["19:30", "19:40", "19:50", "20:00", "20:10", "20:20"]
        );
        // Across midnight, the midnight tick shows the date.
        let evening = 1_763_762_400_000; // 2025-11-21 22:00 UTC
        assert_eq!(
            labels(evening, evening + 4 * HOUR, 400.0, 0),
            ["22:00", "23:00", "11-22", "01:00", "02:00"]
        );
    }

    #[test]
    fn seconds_show_for_short_ranges_and_dates_for_long_ones() {
        let start = 1_763_733_120_000;
        assert_eq!(
            labels(start, start + 30 * SECOND, 300.0, 0),
            ["13:52:00", "13:52:10", "13:52:20", "13:52:30"]
        );
        let week = labels(start, start + 7 * DAY, 700.0, 0);
        assert_eq!(week[0], "11-22");
        assert!(week.len() >= 6);
        assert!(time_ticks(5, 5, 100.0, 100.0, &|_| 0).is_empty());
        assert!(time_ticks(0, 10, f64::NAN, 100.0, &|_| 0).is_empty());
    }

    #[test]
    fn tooltips_show_date_and_time() {
        assert_eq!(
            tooltip_time(1_763_733_909_000, &|_| 60),
            "2025-11-21 15:05:09"
        );
    }
}
