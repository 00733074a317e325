//! Reading and writing times: RFC 3339 (`2026-01-01T12:00:00Z`) and Unix seconds.
//!
//! Times are Unix milliseconds everywhere in the crate. This module converts at the edges
//! (the CLI's arguments, listings) without a date library: the proleptic Gregorian calendar
//! in UTC, days counted with Howard Hinnant's `days_from_civil` algorithm.

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    /// The text as given.
    pub input: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for TimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot read {:?} as a time: {}. Write RFC 3339 (2026-01-01T12:00:00Z, \
             2026-01-01T13:00:00+01:00) or Unix seconds (1767268800, 1767268800.5)",
            self.input, self.message
        )
    }
}

impl std::error::Error for TimeError {}

/// Days since 1970-01-01 of a civil date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Reads an RFC 3339 time or Unix seconds (with up to millisecond decimals) as Unix ms.
pub fn parse_time(input: &str) -> Result<i64, TimeError> {
    let s = input.trim();
    let err = |m: &str| TimeError {
        input: input.to_string(),
        message: m.to_string(),
    };
    if s.is_empty() {
        return Err(err("it is empty"));
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.get(1..).is_some_and(|rest| !rest.contains('-'))
    {
        return parse_seconds(s).ok_or_else(|| err("not a number of seconds"));
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(err(
            "expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset",
        ));
    }
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return Err(err("the date or time has a non-digit"));
    };
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60
    {
        return Err(err("a date or time field is out of range"));
    }
    let mut i = 19;
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut j = start;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j == start {
            return Err(err("no digits after the decimal point"));
        }
        let digits = &s[start..j];
        let mut padded: String = digits.chars().take(3).collect();
        while padded.len() < 3 {
            padded.push('0');
        }
        ms = padded.parse().map_err(|_| err("bad fraction"))?;
        i = j;
    }
    let offset_min = match s.get(i..) {
        Some("Z") | Some("z") => 0,
        Some(o)
            if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) && &o[3..4] == ":" =>
        {
            let (Some(oh), Some(om)) = (num(i + 1, 2), num(i + 4, 2)) else {
                return Err(err("bad UTC offset"));
            };
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (oh * 60 + om)
        }
        _ => return Err(err("expected Z or an offset like +02:00 after the time")),
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3_600 + mi * 60 + sec.min(59) - offset_min * 60;
    Ok(secs * 1000 + ms)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Reads `1767268800` or `1767268800.123` (at most millisecond precision kept) as ms.
fn parse_seconds(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || int.len() > 12 || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut ms: String = frac.chars().take(3).collect();
    while ms.len() < 3 {
        ms.push('0');
    }
    let v = int.parse::<i64>().ok()? * 1000 + ms.parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// Writes Unix ms as RFC 3339 in UTC: `2026-01-01T12:00:00Z`, with `.123` when the
/// milliseconds are not zero.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if millis == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_and_seconds() {
        assert_eq!(parse_time("2026-01-01T12:00:00Z"), Ok(1_767_268_800_000));
        assert_eq!(
            parse_time("2026-01-01T13:00:00+01:00"),
            Ok(1_767_268_800_000)
        );
        assert_eq!(parse_time("2026-01-01T12:00:00.25Z"), Ok(1_767_268_800_250));
        assert_eq!(parse_time("1767268800"), Ok(1_767_268_800_000));
        assert_eq!(parse_time("1767268800.5"), Ok(1_767_268_800_500));
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time("2024-02-29T00:00:00Z"), Ok(1_709_164_800_000));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T12:00:00",
            "2026-01-01",
            "12.3.4",
            "1e9",
            "2026-01-01T12:00:00+1:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad} should be rejected");
        }
        assert!(
            parse_time("soon")
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
    }

    #[test]
    fn writes_rfc3339() {
        assert_eq!(format_time(1_767_268_800_000), "2026-01-01T12:00:00Z");
        assert_eq!(format_time(1_767_268_800_250), "2026-01-01T12:00:00.250Z");
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(-1000), "1969-12-31T23:59:59Z");
        for t in [0, 951_782_400_000, 1_767_268_800_000, 4_102_444_800_000] {
            assert_eq!(parse_time(&format_time(t)), Ok(t));
        }
    }
}
