//! The console dashboard's figures (also `GET /api/v1/dashboard`): for today and each of the last
//! 30 days in a time zone, per currency, the approved payments' volume and the refunds paid out;
//! the approval rate of card attempts; and declines by the gateway's reason. One computation for
//! the page and the API, so they cannot disagree.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::payments::error::PaymentsError;
use crate::store::{AttemptBucket, PaymentBucket, RefundBucket, StoreError, BUCKET_MS};
use crate::AppState;

/// Days the dashboard covers, today included.
pub const DAYS: i64 = 30;

/// Payments and refunds in one currency over some days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Approved payments (not voided), by the day they were created.
    pub payments: i64,
    /// Their amounts, in minor units.
    pub volume: i64,
    /// Refunds that paid out (of payments, refund links, on devices, Commerce Hub), by the day
    /// they were created.
    pub refunds: i64,
    /// Their amounts, in minor units.
    pub refunded: i64,
}

impl std::ops::AddAssign<&Totals> for Totals {
    fn add_assign(&mut self, other: &Totals) {
        self.payments += other.payments;
        self.volume += other.volume;
        self.refunds += other.refunds;
        self.refunded += other.refunded;
    }
}

/// One day of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayTotals {
    /// `YYYY-MM-DD` in the report's time zone.
    pub date: String,
    #[serde(flatten)]
    pub totals: Totals,
}

/// One currency's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyReport {
    /// The currency of these figures (ISO 4217).
    pub currency: String,
    /// Today, in the report's time zone.
    pub today: Totals,
    /// The last 30 days, today included.
    pub last_30_days: Totals,
    /// Oldest first, today last: 30 days.
    pub days: Vec<DayTotals>,
}

/// Approved and declined card attempts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Approvals {
    /// Payments the gateway approved.
    pub approved: i64,
    /// Attempts the gateway declined.
    pub declined: i64,
}

impl Approvals {
    /// Approved attempts out of approved and declined, in percent; `None` when there were none.
    pub fn rate_percent(&self) -> Option<f64> {
        let attempts = self.approved + self.declined;
        (attempts > 0).then(|| self.approved as f64 * 100.0 / attempts as f64)
    }
}

impl std::ops::AddAssign<&Approvals> for Approvals {
    fn add_assign(&mut self, other: &Approvals) {
        self.approved += other.approved;
        self.declined += other.declined;
    }
}

/// Approvals of one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayApprovals {
    /// The day (YYYY-MM-DD) in the report's time zone.
    pub date: String,
    #[serde(flatten)]
    pub approvals: Approvals,
}

/// Declined attempts with one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeclineReason {
    /// The gateway's result text (`Declined` when it gave none).
    pub reason: String,
    /// How many attempts were declined for it in the last 30 days.
    pub declines: i64,
}

/// The dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// The IANA time zone days are counted in, e.g. `America/Toronto`.
    pub time_zone: String,
    /// Today's date there.
    pub today: String,
    /// One entry per currency with payments or refunds in the last 30 days (USD first).
    pub currencies: Vec<CurrencyReport>,
    /// Approved and declined payment attempts today.
    pub approvals_today: Approvals,
    /// Approved and declined payment attempts over the last 30 days.
    pub approvals_last_30_days: Approvals,
    /// Oldest first, today last.
    pub approval_days: Vec<DayApprovals>,
    /// The last 30 days' declines, most frequent first.
    pub declines_by_reason: Vec<DeclineReason>,
}

/// A time zone by its IANA name; `None` for one that is not known.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

/// Where the days of the report start and end, in Unix milliseconds: the first day's start and
/// the start of tomorrow, and the dates in between.
struct Days {
    dates: Vec<Date>,
    from_ms: i64,
    to_ms: i64,
}

fn days(zone: &TimeZone, now: Timestamp) -> Result<Days, jiff::Error> {
    let today = now.to_zoned(zone.clone()).date();
    let first = today.checked_sub(jiff::Span::new().days(DAYS - 1))?;
    let tomorrow = today.tomorrow()?;
    let dates = (0..DAYS)
        .map(|offset| first.checked_add(jiff::Span::new().days(offset)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Days {
        dates,
        from_ms: first.to_zoned(zone.clone())?.timestamp().as_millisecond(),
        to_ms: tomorrow
            .to_zoned(zone.clone())?
            .timestamp()
            .as_millisecond(),
    })
}

/// The day (there) a 15-minute bucket falls on.
fn day_of(bucket: i64, zone: &TimeZone) -> Option<Date> {
    Timestamp::from_millisecond(bucket.checked_mul(BUCKET_MS)?)
        .ok()
        .map(|at| at.to_zoned(zone.clone()).date())
}

/// Each currency's totals by day (USD first, then by code).
type ByCurrency = BTreeMap<(u8, String), BTreeMap<Date, Totals>>;

/// The totals of `currency` on the day `bucket` falls on.
fn day_totals<'a>(
    by_currency: &'a mut ByCurrency,
    zone: &TimeZone,
    currency: &str,
    bucket: i64,
) -> Option<&'a mut Totals> {
    let day = day_of(bucket, zone)?;
    let order = (u8::from(currency != "USD"), currency.to_string());
    Some(
        by_currency
            .entry(order)
            .or_default()
            .entry(day)
            .or_default(),
    )
}

/// The dashboard for `zone` (named `zone_name`) as of `now`.
pub async fn dashboard(
    state: &AppState,
    zone_name: &str,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Dashboard, PaymentsError> {
    let span = days(zone, now).map_err(|error| {
        PaymentsError::Store(StoreError::Corrupt(format!("dashboard days: {error}")))
    })?;
    let payments = state
        .store
        .payment_buckets(span.from_ms, span.to_ms)
        .await?;
    let attempts = state
        .store
        .attempt_buckets(span.from_ms, span.to_ms)
        .await?;
    let refunds = state.store.refund_buckets(span.from_ms, span.to_ms).await?;
    let today = *span
        .dates
        .last()
        .unwrap_or(&now.to_zoned(zone.clone()).date());
    let currencies = currency_reports(&span, zone, today, &payments, &refunds);
    let (approvals_by_day, reasons) = approvals_by_day(zone, &attempts);
    let approval_days: Vec<DayApprovals> = span
        .dates
        .iter()
        .map(|date| DayApprovals {
            date: date.to_string(),
            approvals: approvals_by_day.get(date).cloned().unwrap_or_default(),
        })
        .collect();
    let mut approvals_last_30_days = Approvals::default();
    approval_days
        .iter()
        .for_each(|day| approvals_last_30_days += &day.approvals);
    let mut declines_by_reason: Vec<DeclineReason> = reasons
        .into_iter()
        .map(|(reason, declines)| DeclineReason { reason, declines })
        .collect();
    declines_by_reason.sort_by(|a, b| b.declines.cmp(&a.declines).then(a.reason.cmp(&b.reason)));
    Ok(Dashboard {
        time_zone: zone_name.to_string(),
        today: today.to_string(),
        currencies,
        approvals_today: approvals_by_day.get(&today).cloned().unwrap_or_default(),
        approvals_last_30_days,
        approval_days,
        declines_by_reason,
    })
}

/// Each currency's payments and refunds, per day of the span, today and over the span.
fn currency_reports(
    span: &Days,
    zone: &TimeZone,
    today: Date,
    payments: &[PaymentBucket],
    refunds: &[RefundBucket],
) -> Vec<CurrencyReport> {
    let mut by_currency = ByCurrency::new();
    for row in payments {
        if let Some(totals) = day_totals(&mut by_currency, zone, &row.currency, row.bucket) {
            totals.payments += row.payments;
            totals.volume += row.amount;
        }
    }
    for row in refunds {
        if let Some(totals) = day_totals(&mut by_currency, zone, &row.currency, row.bucket) {
            totals.refunds += row.refunds;
            totals.refunded += row.amount;
        }
    }
    by_currency
        .into_iter()
        .map(|((_, currency), by_day)| {
            let days: Vec<DayTotals> = span
                .dates
                .iter()
                .map(|date| DayTotals {
                    date: date.to_string(),
                    totals: by_day.get(date).cloned().unwrap_or_default(),
                })
                .collect();
            let mut last_30_days = Totals::default();
            days.iter().for_each(|day| last_30_days += &day.totals);
            CurrencyReport {
                currency,
                today: by_day.get(&today).cloned().unwrap_or_default(),
                last_30_days,
                days,
            }
        })
        .collect()
}

/// Approved and declined cards per day, and the declines counted by their reason.
fn approvals_by_day(
    zone: &TimeZone,
    attempts: &[AttemptBucket],
) -> (BTreeMap<Date, Approvals>, BTreeMap<String, i64>) {
    let mut approvals_by_day: BTreeMap<Date, Approvals> = BTreeMap::new();
    let mut reasons: BTreeMap<String, i64> = BTreeMap::new();
    for row in attempts {
        let Some(day) = day_of(row.bucket, zone) else {
            continue;
        };
        let approvals = approvals_by_day.entry(day).or_default();
        match row.state.as_str() {
            "approved" => approvals.approved += row.attempts,
            "declined" => {
                approvals.declined += row.attempts;
                let reason = if row.reason.is_empty() {
                    "Declined"
                } else {
                    row.reason.as_str()
                };
                *reasons.entry(reason.to_string()).or_default() += row.attempts;
            }
            _ => {}
        }
    }
    (approvals_by_day, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn thirty_days_end_with_today_there_across_a_clock_change() {
        let toronto = time_zone("America/Toronto").unwrap();
        let span = days(&toronto, at("2026-11-22T12:00:00Z")).unwrap();
        assert_eq!(span.dates.len(), 30);
        assert_eq!(span.dates[0].to_string(), "2026-10-24");
        assert_eq!(span.dates[29].to_string(), "2026-11-22");
        // 24 October starts on daylight time (UTC-4); 23 November on standard time (UTC-5).
        assert_eq!(span.from_ms, at("2026-10-24T04:00:00Z").as_millisecond());
        assert_eq!(span.to_ms, at("2026-11-23T05:00:00Z").as_millisecond());
    }

    #[test]
    fn a_bucket_falls_on_its_local_day_even_at_a_half_hour_offset() {
        let bucket = |text: &str| at(text).as_millisecond() / BUCKET_MS;
        let toronto = time_zone("America/Toronto").unwrap();
        assert_eq!(
            day_of(bucket("2026-11-22T04:45:00Z"), &toronto)
                .unwrap()
                .to_string(),
            "2026-11-21"
        );
        assert_eq!(
            day_of(bucket("2026-11-22T05:00:00Z"), &toronto)
                .unwrap()
                .to_string(),
            "2026-11-22"
        );
        let kolkata = time_zone("Asia/Kolkata").unwrap();
        assert_eq!(
            day_of(bucket("2026-11-21T18:15:00Z"), &kolkata)
                .unwrap()
                .to_string(),
            "2026-11-21"
        );
        assert_eq!(
            day_of(bucket("2026-11-21T18:30:00Z"), &kolkata)
                .unwrap()
                .to_string(),
            "2026-11-22"
        );
    }

    #[test]
    fn the_approval_rate_needs_attempts() {
        assert_eq!(Approvals::default().rate_percent(), None);
        let rate = Approvals {
            approved: 4,
            declined: 1,
        }
        .rate_percent();
        assert_eq!(rate, Some(80.0));
    }
}
