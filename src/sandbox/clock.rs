//! Ids and timestamps as the simulated gateways write them (ULIDs, ISO-8601 UTC), shared by every
//! simulator.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn new_ulid() -> String {
    ulid::Ulid::new().to_string()
}

pub fn iso(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub fn iso_now() -> String {
    iso(OffsetDateTime::now_utc())
}
