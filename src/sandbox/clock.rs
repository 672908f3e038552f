//! Ids and timestamps in the gateway's formats.

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

/// A trace id shaped like the gateway's (`1-<8 hex>-<24 hex>`).
pub fn trace_id() -> String {
    let ulid = ulid::Ulid::new().0;
    format!("1-{:08x}-{:024x}", OffsetDateTime::now_utc().unix_timestamp() as u32, ulid & ((1u128 << 96) - 1))
}
