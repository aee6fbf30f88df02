//! Time as the API shows it: milliseconds since the epoch, UTC, printed as
//! RFC 3339 with exactly three fractional digits and `Z`.

use time::macros::format_description;
use time::OffsetDateTime;

pub fn now_millis() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn format_millis(millis: i64) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// For people: `2025-03-31 10:15 UTC`.
pub fn format_display(millis: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_fractional_digits_and_z() {
        assert_eq!(format_millis(1_743_416_100_000), "2025-03-31T10:15:00.000Z");
        assert_eq!(format_millis(1_743_416_100_007), "2025-03-31T10:15:00.007Z");
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_display(1_743_416_100_007), "2025-03-31 10:15 UTC");
    }
}
