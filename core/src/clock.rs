//! paydesk's clock: Unix milliseconds (the unit every stored timestamp uses), shown to APIs as
//! ISO-8601 UTC. The store, the gateways' clients and the simulators all read the time here.

use std::sync::atomic::{AtomicI64, Ordering};

/// An offset added to this process's clock: zero, except in a test build asked to run with a clock
/// that drifted (see `fault_injection`).
static CLOCK_OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// Current time in Unix milliseconds, the unit every stored timestamp uses (this process's clock,
/// which may drift from other instances': what several instances compare uses the database's).
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
        + CLOCK_OFFSET_MS.load(Ordering::Relaxed)
}

/// Shifts this process's clock (test builds only: the chaos suite's drifting clock).
#[cfg(feature = "fault-injection")]
pub fn set_clock_offset_ms(offset: i64) {
    CLOCK_OFFSET_MS.store(offset, Ordering::Relaxed);
}

/// Formats stored milliseconds as ISO-8601 UTC for APIs.
pub fn iso8601(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Parses the gateway's ISO-8601 timestamps into Unix milliseconds.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let ms = parse_iso8601("2025-04-17T14:19:03Z").unwrap();
        assert_eq!(iso8601(ms), "2025-04-17T14:19:03Z");
        assert_eq!(
            parse_iso8601("2025-05-29T20:00:15.5752808Z").map(|m| m % 1000),
            Some(575)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
    }
}
