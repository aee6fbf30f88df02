//! Time as the API shows it: milliseconds since the epoch, UTC, printed as
//! RFC 3339 with exactly three fractional digits and `Z`.

use time::macros::format_description;
use time::OffsetDateTime;

pub fn now_millis() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// An RFC 3339 time (`2026-11-27T14:03:07.123Z`, any offset) as
/// milliseconds since the epoch.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Written by hand: `time`'s formatter interprets a format description on
/// every call, and a list formats two timestamps per row
/// (docs/performance.md).
pub fn format_millis(millis: i64) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000) else {
        return String::new();
    };
    let (year, month, day) = at.to_calendar_date();
    let (hour, minute, second, milli) = at.to_hms_milli();
    let Ok(year) = u32::try_from(year) else {
        // Before year 0: what `time` prints (a signed year).
        return at.format(&RFC3339_MILLIS).unwrap_or_default();
    };
    let mut text = String::with_capacity(24);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, u32::from(u8::from(month)), 2);
    text.push('-');
    push_digits(&mut text, u32::from(day), 2);
    text.push('T');
    push_digits(&mut text, u32::from(hour), 2);
    text.push(':');
    push_digits(&mut text, u32::from(minute), 2);
    text.push(':');
    push_digits(&mut text, u32::from(second), 2);
    text.push('.');
    push_digits(&mut text, u32::from(milli), 3);
    text.push('Z');
    text
}

const RFC3339_MILLIS: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// `value`'s last `width` decimal digits, zero-padded.
fn push_digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// For people: `2025-03-31 10:15 UTC`.
pub fn format_display(millis: i64) -> String {
    display_of(&format_millis(millis)).unwrap_or_else(|| {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&DISPLAY).ok())
            .unwrap_or_default()
    })
}

/// [`format_display`] from [`format_millis`]' text (its date, hour and
/// minute): `None` for a text of another shape (a year before 0).
pub fn display_of(rfc3339: &str) -> Option<String> {
    let (date, time) = (rfc3339.get(..10)?, rfc3339.get(11..16)?);
    (rfc3339.len() == 24).then(|| format!("{date} {time} UTC"))
}

const DISPLAY: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute] UTC");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse_to_milliseconds_with_any_offset() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(1_500));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        let at = 1_764_252_187_123;
        assert_eq!(parse_rfc3339(&format_millis(at)), Some(at));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-11-27"), None);
    }

    #[test]
    fn three_fractional_digits_and_z() {
        assert_eq!(format_millis(1_743_416_100_000), "2025-03-31T10:15:00.000Z");
        assert_eq!(format_millis(1_743_416_100_007), "2025-03-31T10:15:00.007Z");
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_display(1_743_416_100_007), "2025-03-31 10:15 UTC");
    }

    type Format = &'static [time::format_description::BorrowedFormatItem<'static>];

    /// `time`'s own formatting of `millis`.
    fn by_time(millis: i64, format: Format) -> String {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .ok()
            .and_then(|t| t.format(format).ok())
            .unwrap_or_default()
    }

    /// Year 0 to 9999 (first and last millisecond), before 1970, leap days,
    /// and a step that hits every millisecond digit and hour of the day.
    const FIRST: i64 = -62_167_219_200_000;
    const LAST: i64 = 253_402_300_799_999;
    fn across_years() -> impl Iterator<Item = i64> {
        (FIRST..=LAST).step_by(1_234_567_891_011).chain([
            FIRST,
            LAST,
            -1,
            0,
            951_782_400_000,
            951_868_799_999,
        ])
    }

    #[test]
    fn the_hand_written_format_is_times_own() {
        for millis in across_years() {
            assert_eq!(
                format_millis(millis),
                by_time(millis, RFC3339_MILLIS),
                "{millis}"
            );
        }
        assert_eq!(format_millis(FIRST - 1), by_time(FIRST - 1, RFC3339_MILLIS));
        assert_eq!(format_millis(i64::MAX), "");
    }

    #[test]
    fn the_display_is_times_own() {
        for millis in across_years() {
            assert_eq!(format_display(millis), by_time(millis, DISPLAY), "{millis}");
        }
        // Before year 0 `time`'s own formatting answers.
        assert_eq!(display_of(&format_millis(FIRST - 1)), None);
        assert_eq!(format_display(FIRST - 1), by_time(FIRST - 1, DISPLAY));
        assert_eq!(format_display(i64::MAX), "");
    }
}
