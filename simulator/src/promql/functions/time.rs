//! Timestamps and calendars: when samples were taken and what date that was.

use super::{Function, Implementation, VectorCall, VectorFunction, elementwise, whole_call};
use crate::promql::error::EvalError;
use crate::promql::types::ValueType::{Scalar, Vector};
use crate::promql::value::{StepValue, StepVector};
use crate::timestamp::{civil_from_days, days_from_civil};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "time",
        args: &[],
        variadic: 0,
        returns: Scalar,
        doc: "The evaluation time in seconds since 1970-01-01 UTC (not the wall clock).",
        example: "time() - process_start_time_seconds",
        experimental: false,
        implementation: whole_call(|call| {
            Ok(StepValue::Scalar(call.steps.times().map(seconds).collect()))
        }),
    },
    Function {
        name: "timestamp",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The timestamp of every sample in seconds since 1970-01-01 UTC.",
        example: "time() - timestamp(up)",
        experimental: false,
        implementation: Implementation::Vector(VectorFunction {
            eval: timestamp,
            sample_times: true,
        }),
    },
    Function {
        name: "start_timestamp",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The start timestamp (when the series' counter started) of every sample, when the data has one.",
        example: "start_timestamp(http_requests_total)",
        experimental: true,
        implementation: whole_call(start_timestamp),
    },
    Function {
        name: "day_of_month",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The day of the month (1 to 31) in UTC for each timestamp, or for the evaluation time without an argument.",
        example: "day_of_month(vector(time()))",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::DayOfMonth))),
    },
    Function {
        name: "day_of_week",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The day of the week (0 for Sunday to 6) in UTC for each timestamp, or for the evaluation time.",
        example: "day_of_week()",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::DayOfWeek))),
    },
    Function {
        name: "day_of_year",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The day of the year (1 to 365, 366 in leap years) in UTC for each timestamp, or for the evaluation time.",
        example: "day_of_year()",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::DayOfYear))),
    },
    Function {
        name: "days_in_month",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The number of days (28 to 31) in the UTC month of each timestamp, or of the evaluation time.",
        example: "days_in_month()",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::DaysInMonth))),
    },
    Function {
        name: "hour",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The hour of the day (0 to 23) in UTC for each timestamp, or for the evaluation time.",
        example: "hour(timestamp(up))",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::Hour))),
    },
    Function {
        name: "minute",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The minute of the hour (0 to 59) in UTC for each timestamp, or for the evaluation time.",
        example: "minute()",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::Minute))),
    },
    Function {
        name: "month",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The month (1 to 12) in UTC for each timestamp, or for the evaluation time.",
        example: "month()",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::Month))),
    },
    Function {
        name: "year",
        args: &[Vector],
        variadic: 1,
        returns: Vector,
        doc: "The year in UTC for each timestamp, or for the evaluation time.",
        example: "year(process_start_time_seconds)",
        experimental: false,
        implementation: elementwise(|x, _| Some(date_part_of_value(x, DatePart::Year))),
    },
    Function {
        name: "start",
        args: &[],
        variadic: 0,
        returns: Scalar,
        doc: "The start of the query's time range in seconds since 1970 (the evaluation time for an instant query).",
        example: "time() - start()",
        experimental: true,
        implementation: whole_call(|call| Ok(query_constant(call, seconds(call.query.start)))),
    },
    Function {
        name: "end",
        args: &[],
        variadic: 0,
        returns: Scalar,
        doc: "The end of the query's time range in seconds since 1970 (the evaluation time for an instant query).",
        example: "end() - time()",
        experimental: true,
        implementation: whole_call(|call| Ok(query_constant(call, seconds(call.query.end)))),
    },
    Function {
        name: "step",
        args: &[],
        variadic: 0,
        returns: Scalar,
        doc: "The query's resolution step in seconds (0 for an instant query).",
        example: "step()",
        experimental: true,
        implementation: whole_call(|call| Ok(query_constant(call, seconds(call.query.step)))),
    },
    Function {
        name: "range",
        args: &[],
        variadic: 0,
        returns: Scalar,
        doc: "The length of the query's time range in seconds, end() - start() (0 for an instant query).",
        example: "range() / 60",
        experimental: true,
        implementation: whole_call(|call| {
            Ok(query_constant(
                call,
                seconds(call.query.end.saturating_sub(call.query.start)),
            ))
        }),
    },
];

/// A part of a UTC date and time that the date functions return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// `day_of_month`: 1 to 31.
    DayOfMonth,
    /// `day_of_week`: 0 (Sunday) to 6.
    DayOfWeek,
    /// `day_of_year`: 1 to 366.
    DayOfYear,
    /// `days_in_month`: 28 to 31.
    DaysInMonth,
    /// `hour`: 0 to 23.
    Hour,
    /// `minute`: 0 to 59.
    Minute,
    /// `month`: 1 to 12.
    Month,
    /// `year`.
    Year,
}

/// The date part of a sample value read as seconds since 1970-01-01 UTC, truncated towards
/// zero to whole seconds as Prometheus does.
///
/// A NaN, infinite or out-of-range value has no date: the result is NaN. (Prometheus converts
/// such values to an integer in a platform-defined way and returns an arbitrary date.)
pub fn date_part_of_value(seconds: f64, part: DatePart) -> f64 {
    // 2^63 as a float: the first value that does not fit an i64. NaN is in no range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&seconds) {
        return f64::NAN;
    }
    date_part(seconds as i64, part)
}

/// The date part of `seconds` since the Unix epoch, in the proleptic Gregorian calendar
/// (Howard Hinnant's day algorithms, shared with `crate::timestamp`; with i64 days they
/// cover every i64 number of seconds without overflow).
pub fn date_part(seconds: i64, part: DatePart) -> f64 {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let value = match part {
        DatePart::DayOfMonth => day,
        // 1970-01-01 was a Thursday (4).
        DatePart::DayOfWeek => (days + 4).rem_euclid(7),
        DatePart::DayOfYear => days - days_from_civil(year, 1, 1) + 1,
        DatePart::DaysInMonth => days_in_month(year, month),
        DatePart::Hour => second_of_day / 3600,
        DatePart::Minute => second_of_day % 3600 / 60,
        DatePart::Month => month,
        DatePart::Year => year,
    };
    value as f64
}

/// Whether `year` is a leap year in the Gregorian calendar.
fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in a month (1 to 12) of a year.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `timestamp(v)`: each sample's time in seconds. For a plain selector that is when the
/// selected sample was scraped (the engine records it); for anything computed it is the
/// evaluation time. The metric name is dropped.
fn timestamp(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let mut v = call.take_vector_arg(0)?;
    for (k, s) in v.series.iter_mut().enumerate() {
        s.map_present(|i, _| Some(seconds(call.sample_time(k, i))));
        s.drop_name = true;
    }
    v.ordered = false;
    Ok(StepValue::Vector(v))
}

/// `start_timestamp(v)`: the start time that OpenTelemetry-style samples carry. Nothing the
/// workbench stores has one, so, as Prometheus does without start timestamps, the result
/// is empty.
fn start_timestamp(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    call.take_vector_arg(0)?;
    Ok(StepValue::Vector(StepVector::default()))
}

/// `start()`, `end()`, `step()`, `range()`: the same value at every step, even inside a
/// subquery (Prometheus folds them into number literals before evaluating).
fn query_constant(call: &VectorCall<'_>, v: f64) -> StepValue {
    StepValue::Scalar(vec![v; call.steps.len()])
}

/// `time()` and `timestamp()`: milliseconds as seconds.
pub fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::DatePart::*;
    use super::*;

    #[test]
    fn date_parts_in_utc() {
        // 2006-01-02T22:04:05Z, a Monday.
        let t = 1_136_239_445.0;
        let parts = [
            Year,
            Month,
            DayOfMonth,
            DayOfYear,
            DayOfWeek,
            Hour,
            Minute,
            DaysInMonth,
        ];
        let got: Vec<f64> = parts.iter().map(|&p| date_part_of_value(t, p)).collect();
        assert_eq!(got, [2006.0, 1.0, 2.0, 2.0, 1.0, 22.0, 4.0, 31.0]);
        // The epoch was a Thursday.
        assert_eq!(date_part_of_value(0.0, DayOfWeek), 4.0);
        assert_eq!(date_part_of_value(0.0, Year), 1970.0);
        assert_eq!(date_part_of_value(1_230_767_999.0, Year), 2008.0);
        assert_eq!(date_part_of_value(1_230_768_000.0, Year), 2009.0);
        assert_eq!(date_part_of_value(1_456_790_399.0, DayOfMonth), 29.0);
        assert_eq!(date_part_of_value(1_456_790_400.0, Month), 3.0);
        assert_eq!(date_part_of_value(1_483_191_420.0, DayOfYear), 366.0);
        assert_eq!(date_part_of_value(1_672_493_820.0, DayOfYear), 365.0);
        assert_eq!(date_part_of_value(1_454_284_800.0, DaysInMonth), 29.0);
        assert_eq!(date_part_of_value(1_485_907_200.0, DaysInMonth), 28.0);
    }

    #[test]
    fn negative_and_fractional_times_truncate_towards_zero() {
        // -1.5 s is read as -1 s: 1969-12-31T23:59:59Z.
        assert_eq!(date_part_of_value(-1.5, Minute), 59.0);
        assert_eq!(date_part_of_value(-1.5, Year), 1969.0);
        assert_eq!(date_part_of_value(-86_400.0 * 365.0, DayOfYear), 1.0);
        // `hour()` at -0.5 s, as Prometheus' integer division reads it.
        assert_eq!(date_part_of_value(-0.5, Year), 1970.0);
        assert!(date_part_of_value(f64::NAN, Year).is_nan());
        assert!(date_part_of_value(f64::INFINITY, Year).is_nan());
        // Far dates do not overflow.
        assert!(date_part_of_value(9.2e18, Year) > 2.9e11);
        assert!(date_part_of_value(-9.2e18, Year) < -2.9e11);
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in (-1_000_000..1_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((1..=days_in_month(y, m)).contains(&d));
        }
        assert_eq!(seconds(1), 0.001);
    }
}
