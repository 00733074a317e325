//! Times in a pack: evaluation times and window bounds.
//!
//! Instructors think of a scenario's day as a clock ("the fraud wave starts at 09:10"),
//! so a time of day is the main form; an offset from the data's origin and an RFC 3339
//! timestamp are the others. Custom data sets start at time 0, as Prometheus' test scripts
//! do (`eval instant at 5m`), so only offsets make sense there; the loader says so.

use serde::Serialize;
use simulator::promql::duration::parse_go_duration;
use simulator::timestamp;
use std::fmt;

const DAY_MS: i64 = 86_400_000;

/// A time as a pack writes it, resolved against the data's origin when grading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    /// `-30m`, `0s`, `5m`: milliseconds after (or, negative, before) the origin.
    Offset(i64),
    /// `09:10` or `09:10:30`: milliseconds after midnight UTC on the origin's day.
    TimeOfDay(i64),
    /// `2026-01-01T09:10:00Z`: Unix milliseconds.
    Absolute(i64),
}

impl Moment {
    /// Reads a time: `HH:MM[:SS]` (UTC), an RFC 3339 timestamp, or a Prometheus duration
    /// with an optional sign (`-2h30m`, `+5m`, `0s`).
    ///
    /// Errors: a sentence naming the accepted forms.
    pub fn parse(text: &str) -> Result<Moment, String> {
        let s = text.trim();
        if let Some(ms) = time_of_day(s) {
            return Ok(Moment::TimeOfDay(ms));
        }
        if s.contains('T') && s.len() >= 19 {
            return timestamp::parse_time(s)
                .map(Moment::Absolute)
                .map_err(|e| e.to_string());
        }
        let (sign, body) = match s.as_bytes().first() {
            Some(b'-') => (-1, &s[1..]),
            Some(b'+') => (1, &s[1..]),
            _ => (1, s),
        };
        match parse_go_duration(body) {
            Ok(ns) => {
                let ms = i64::try_from(ns / 1_000_000).map_err(|_| too_far(text))?;
                Ok(Moment::Offset(sign * ms))
            }
            Err(_) => Err(format!(
                "{text:?} is not a time: write a time of day in UTC (\"09:10\"), an offset \
                 from the origin (\"-30m\", \"5m\") or an RFC 3339 timestamp \
                 (\"2026-01-01T09:10:00Z\")"
            )),
        }
    }

    /// The Unix milliseconds this names, for data whose origin is `origin`.
    pub fn resolve(self, origin: i64) -> i64 {
        match self {
            Moment::Offset(ms) => origin.saturating_add(ms),
            Moment::TimeOfDay(ms) => origin.div_euclid(DAY_MS) * DAY_MS + ms,
            Moment::Absolute(ms) => ms,
        }
    }

    /// Whether the time is an offset, the only form that means something for a custom
    /// data set.
    pub fn is_offset(self) -> bool {
        matches!(self, Moment::Offset(_))
    }
}

fn too_far(text: &str) -> String {
    format!("{text:?} is too far from the origin")
}

/// `HH:MM` or `HH:MM:SS` with a 24-hour clock, as milliseconds after midnight.
fn time_of_day(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |i: usize| parts.get(i).and_then(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (n(0)?, n(1)?, if parts.len() == 3 { n(2)? } else { 0 });
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000)
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Moment::Offset(ms) => f.write_str(&simulator::promql::duration::format_ms(ms)),
            Moment::TimeOfDay(ms) => {
                let s = ms / 1000;
                let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
                if sec == 0 {
                    write!(f, "{h:02}:{m:02}")
                } else {
                    write!(f, "{h:02}:{m:02}:{sec:02}")
                }
            }
            Moment::Absolute(ms) => f.write_str(&timestamp::format_time(ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: i64 = 1_767_268_800_000; // 2026-01-01T12:00:00Z

    #[test]
    fn reads_every_form() {
        let cases: &[(&str, Moment, i64)] = &[
            ("09:10", Moment::TimeOfDay(33_000_000), NOON - 10_200_000),
            ("09:10:30", Moment::TimeOfDay(33_030_000), NOON - 10_170_000),
            ("-30m", Moment::Offset(-1_800_000), NOON - 1_800_000),
            ("+5m", Moment::Offset(300_000), NOON + 300_000),
            ("1h30m", Moment::Offset(5_400_000), NOON + 5_400_000),
            ("0s", Moment::Offset(0), NOON),
            ("0", Moment::Offset(0), NOON),
            (
                "2026-01-01T09:10:00Z",
                Moment::Absolute(NOON - 10_200_000),
                NOON - 10_200_000,
            ),
        ];
        for (text, want, at) in cases {
            let m = Moment::parse(text).unwrap();
            assert_eq!(m, *want, "{text}");
            assert_eq!(m.resolve(NOON), *at, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for bad in ["", "9:10", "24:00", "soon", "5", "1.5m", "--5m", "12:60"] {
            assert!(Moment::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prints_as_written() {
        for text in ["09:10", "09:10:30", "-30m", "2026-01-01T09:10:00Z"] {
            assert_eq!(Moment::parse(text).unwrap().to_string(), text);
        }
    }
}
