//! The staff member's time zone, a console preference (UTC until they choose one): the dashboard's
//! days, the lists' times and their date filters are all counted there.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use paydesk_core::payments::time_zone;
use paydesk_core::store::{parse_iso8601, StaffSessionRecord};

use super::html::escape;

/// Zones offered as suggestions; any IANA name is accepted.
const SUGGESTED: [&str; 12] = [
    "UTC",
    "America/Toronto",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Halifax",
    "Europe/London",
    "Europe/Paris",
    "Asia/Kolkata",
    "Australia/Sydney",
];

/// A time zone by name.
pub struct StaffTime {
    name: String,
    zone: TimeZone,
}

impl StaffTime {
    /// `name`'s zone, if it is an IANA time zone name.
    pub fn named(name: &str) -> Option<StaffTime> {
        time_zone(name).map(|zone| StaffTime {
            name: name.to_string(),
            zone,
        })
    }

    /// The signed-in staff member's zone (UTC when none is chosen or it is no longer known).
    pub fn of(session: &StaffSessionRecord) -> StaffTime {
        session
            .time_zone
            .as_deref()
            .and_then(StaffTime::named)
            .unwrap_or(StaffTime {
                name: "UTC".into(),
                zone: TimeZone::UTC,
            })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// `2026-11-22 09:14 EST`: a Unix-millisecond time there.
    pub fn format(&self, ms: i64) -> String {
        Timestamp::from_millisecond(ms)
            .map(|at| {
                at.to_zoned(self.zone.clone())
                    .strftime("%Y-%m-%d %H:%M %Z")
                    .to_string()
            })
            .unwrap_or_else(|_| "—".into())
    }

    /// An ISO 8601 time (as the API writes them) there; the text as it is if it does not read.
    pub fn format_iso(&self, iso: &str) -> String {
        parse_iso8601(iso).map_or_else(|| iso.to_string(), |ms| self.format(ms))
    }

    /// The start of the day `date` (`YYYY-MM-DD`) there, in Unix milliseconds.
    pub fn day_start(&self, date: &str) -> Option<i64> {
        let date: jiff::civil::Date = date.parse().ok()?;
        Some(
            date.to_zoned(self.zone.clone())
                .ok()?
                .timestamp()
                .as_millisecond(),
        )
    }

    /// The start of the day after `date` there (the end of a range that includes `date`).
    pub fn day_end(&self, date: &str) -> Option<i64> {
        let date: jiff::civil::Date = date.parse().ok()?;
        let next = date.tomorrow().ok()?;
        Some(
            next.to_zoned(self.zone.clone())
                .ok()?
                .timestamp()
                .as_millisecond(),
        )
    }

    /// The form that changes it.
    pub fn form(&self, csrf: &str) -> String {
        let options: String = SUGGESTED
            .iter()
            .map(|zone| format!(r#"<option value="{zone}"></option>"#))
            .collect();
        format!(
            r#"<form method="post" action="/admin/time-zone" class="inline-form"><input type="hidden" name="csrf" value="{csrf}">
<label for="time-zone">Your time zone</label> <input id="time-zone" name="timeZone" list="time-zones" value="{name}" data-testid="time-zone" autocomplete="off"><datalist id="time-zones">{options}</datalist>
<button type="submit" data-testid="time-zone-save">Save</button></form>"#,
            csrf = escape(csrf),
            name = escape(&self.name),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_are_counted_in_the_zone() {
        let toronto = StaffTime::named("America/Toronto").unwrap();
        // 2026-11-22 03:30 UTC is the evening before in Toronto (UTC-5).
        assert_eq!(toronto.format(1_795_318_200_000), "2026-11-21 22:30 EST");
        assert_eq!(toronto.day_start("2026-11-22"), Some(1_795_323_600_000));
        assert_eq!(toronto.day_end("2026-11-21"), Some(1_795_323_600_000));
        assert_eq!(toronto.day_start("22/11/2026"), None);
        assert!(StaffTime::named("Mars/Olympus").is_none());
        assert_eq!(
            toronto.format_iso("2026-11-22T03:30:00.000Z"),
            "2026-11-21 22:30 EST"
        );
        assert_eq!(toronto.format_iso("soon"), "soon");
    }
}
