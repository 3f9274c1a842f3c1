//! Server time, always UTC: the audit trail and signatures record when in UTC
//! (21 CFR 11.50(a)(2)), whatever the time zone of the user or the server.

use jiff::Timestamp;

/// Now, in microseconds since the Unix epoch.
pub fn now_us() -> i64 {
    Timestamp::now().as_microsecond()
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    date_of(now_us())
}

/// The UTC date of a time in microseconds, `YYYY-MM-DD`.
pub fn date_of(us: i64) -> String {
    Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A time in microseconds as ISO 8601 in UTC to the second: `2026-11-21T09:30:00Z`.
pub fn iso(us: i64) -> String {
    Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc() {
        let us = 1_763_717_400_000_000; // 2025-11-21T09:30:00Z
        assert_eq!(iso(us), "2025-11-21T09:30:00Z");
        assert_eq!(date_of(us), "2025-11-21");
        assert_eq!(today().len(), 10);
    }
}
