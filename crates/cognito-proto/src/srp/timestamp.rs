//! `TIMESTAMP`: `Www Mmm D HH:MM:SS UTC YYYY`, English names, UTC, day not zero-padded.
//!
//! Built from parts with integer calendar arithmetic: no locale, no OS clock.

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Civil date (year, month 1-12, day 1-31) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day count since 1970-01-01 of a civil date (inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Formats Unix seconds as Cognito's `TIMESTAMP`, e.g. `Tue Nov 3 07:05:22 UTC 2026`.
pub fn format_timestamp(unix_secs: u64) -> String {
    // Every u64 second count fits: u64::MAX / 86400 < i64::MAX.
    let days = (unix_secs / 86_400) as i64;
    let secs = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let weekday = WEEKDAYS[((days + 4) % 7) as usize];
    let month = MONTHS[(month - 1) as usize];
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{weekday} {month} {day} {h:02}:{m:02}:{s:02} UTC {year}")
}

fn two_digits(text: &str, max: u64) -> Option<u64> {
    if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|v| *v <= max)
}

/// Parses a `TIMESTAMP` strictly: exactly the format [`format_timestamp`] writes (day without
/// zero padding, the weekday that matches the date, years 1970-9999). Returns Unix seconds.
pub fn parse_timestamp(text: &str) -> Option<u64> {
    let mut parts = text.split(' ');
    let weekday = parts.next()?;
    let month = parts.next()?;
    let day = parts.next()?;
    let time = parts.next()?;
    let zone = parts.next()?;
    let year = parts.next()?;
    if parts.next().is_some() || zone != "UTC" {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i64 = year.parse().ok()?;
    if year < 1970 {
        return None;
    }
    if day.is_empty()
        || day.len() > 2
        || day.starts_with('0')
        || !day.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let day: u32 = day.parse().ok()?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut hms = time.split(':');
    let h = two_digits(hms.next()?, 23)?;
    let m = two_digits(hms.next()?, 59)?;
    let s = two_digits(hms.next()?, 59)?;
    if hms.next().is_some() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if WEEKDAYS[((days + 4).rem_euclid(7)) as usize] != weekday {
        return None;
    }
    u64::try_from(days)
        .ok()
        .map(|d| d * 86_400 + h * 3600 + m * 60 + s)
}
