//! Dates and times without a clock or a time-zone database.
//!
//! The page shows local time and the URL carries Unix times. The browser knows the local
//! offset at any instant (`Date.getTimezoneOffset`); everything else (civil dates, parsing
//! and printing) is arithmetic here, so it is tested natively and identical everywhere.
//! Offsets are minutes *east* of UTC (UTC+2 is `120`), the opposite sign of JavaScript's.

/// A civil date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year.
    pub year: i64,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
    /// Millisecond.
    pub milli: u32,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl DateTime {
    /// The civil time of Unix milliseconds `ms` at `offset_min` minutes east of UTC.
    pub fn from_ms(ms: i64, offset_min: i32) -> DateTime {
        let local = ms.saturating_add(i64::from(offset_min) * 60_000);
        let days = local.div_euclid(86_400_000);
        let rest = local.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (rest / 3_600_000) as u32,
            minute: (rest / 60_000 % 60) as u32,
            second: (rest / 1000 % 60) as u32,
            milli: (rest % 1000) as u32,
        }
    }

    /// Unix milliseconds of this civil time at `offset_min` minutes east of UTC.
    pub fn to_ms(self, offset_min: i32) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        days * 86_400_000
            + i64::from(self.hour) * 3_600_000
            + i64::from(self.minute) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.milli)
            - i64::from(offset_min) * 60_000
    }

    /// `2026-11-21 14:05:09`.
    pub fn date_time(&self) -> String {
        format!("{} {}", self.date(), self.time_of_day(true))
    }

    /// `2026-11-21`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `14:05` or, with seconds, `14:05:09`.
    pub fn time_of_day(&self, seconds: bool) -> String {
        if seconds {
            format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
        } else {
            format!("{:02}:{:02}", self.hour, self.minute)
        }
    }

    /// The value of an `<input type="datetime-local">`: `2026-11-21T14:05`.
    pub fn input_value(&self) -> String {
        format!("{}T{}", self.date(), self.time_of_day(false))
    }
}

/// `2026-11-21 14:05:09 UTC`.
pub fn format_utc(ms: i64) -> String {
    format!("{} UTC", DateTime::from_ms(ms, 0).date_time())
}

/// Reads a time a person or a URL wrote: Unix seconds (`1700000000`, `1700000000.5`), or
/// RFC 3339 (`2026-11-21T14:05:00Z`, `...+02:00`), or a date and time without a zone
/// (`2026-11-21T14:05`, `2026-11-21 14:05:09`) read at `local_offset_min`.
pub fn parse_time(text: &str, local_offset_min: i32) -> Option<i64> {
    let t = text.trim();
    if !t.contains([':', 'T', 't', ' ']) {
        let secs: f64 = t.parse().ok()?;
        let ms = (secs * 1000.0).round();
        return (ms.is_finite() && ms.abs() < 1.0e16).then_some(ms as i64);
    }
    let (date, rest) = t.split_at(t.find(['T', 't', ' '])?);
    let rest = &rest[1..];
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Split off a zone: `Z`, `+hh:mm` or `-hh:mm` at the end.
    let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let zone = &rest[i + 1..];
        let (h, m) = zone
            .split_once(':')
            .unwrap_or((zone.get(..2)?, zone.get(2..)?));
        let minutes = h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()?;
        let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
        (&rest[..i], sign * minutes)
    } else {
        (rest, local_offset_min)
    };
    let mut hms = clock.split(':');
    let hour: u32 = hms.next()?.parse().ok()?;
    let minute: u32 = hms.next()?.parse().ok()?;
    let (second, milli) = match hms.next() {
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            let milli = format!("{frac:0<3}").get(..3)?.parse().ok()?;
            (whole.parse().ok()?, milli)
        }
        None => (0, 0),
    };
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(
        DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            milli,
        }
        .to_ms(offset),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_957, 20_413, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(
            days_from_civil(2024, 2, 29) + 1,
            days_from_civil(2024, 3, 1)
        );
    }

    #[test]
    fn times_print_in_utc_and_at_an_offset() {
        let ms = 1_763_733_909_123; // 2025-11-21 14:05:09.123 UTC
        assert_eq!(format_utc(ms), "2025-11-21 14:05:09 UTC");
        let paris = DateTime::from_ms(ms, 60);
        assert_eq!(paris.date_time(), "2025-11-21 15:05:09");
        assert_eq!(paris.input_value(), "2025-11-21T15:05");
        assert_eq!(paris.to_ms(60), ms);
        // Before 1970, and across midnight going west.
        assert_eq!(DateTime::from_ms(-1, 0).date_time(), "1969-12-31 23:59:59");
        assert_eq!(
            DateTime::from_ms(3_600_000, -120).date_time(),
            "1969-12-31 23:00:00"
        );
    }

    #[test]
    fn times_parse_from_unix_seconds_rfc3339_and_local_input() {
        let ms = 1_763_733_900_000; // 2025-11-21 14:05:00 UTC
        assert_eq!(parse_time("1763733900", 0), Some(ms));
        assert_eq!(parse_time("1763733900.5", 0), Some(ms + 500));
        assert_eq!(parse_time("2025-11-21T14:05:00Z", 300), Some(ms));
        assert_eq!(parse_time("2025-11-21T15:05:00+01:00", 0), Some(ms));
        assert_eq!(parse_time("2025-11-21T09:05:00-05:00", 0), Some(ms));
        assert_eq!(parse_time("2025-11-21T14:05:00.250Z", 0), Some(ms + 250));
        assert_eq!(parse_time("2025-11-21T15:05", 60), Some(ms));
        assert_eq!(parse_time("2025-11-21 14:05", 0), Some(ms));
        for bad in [
            "",
            "yesterday",
            "2025-13-01T00:00Z",
            "2025-11-21T25:00Z",
            "2025-11-21",
            "1e999",
        ] {
            assert_eq!(parse_time(bad, 0), None, "{bad}");
        }
    }
}
