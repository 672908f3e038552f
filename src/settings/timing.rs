//! How long things may take or last: gateway calls, checkouts, refund links, lost operations, the
//! reconciler's pace, the sign-in lock and idle console sessions.

use std::time::Duration;

use super::values::{millis, secs};
use crate::settings_error::SettingsError;

#[derive(Clone, Debug)]
pub struct Timing {
    pub gateway_timeout: Duration,
    pub gateway_still_open: Duration,
    pub checkout_ttl: Duration,
    pub operation_lost_after: Duration,
    pub refund_link_ttl: Duration,
    pub reconcile_interval: Duration,
    pub login_lockout: Duration,
    pub console_idle: Duration,
}

pub fn timing(get: &impl Fn(&str) -> Option<String>) -> Result<Timing, SettingsError> {
    let gateway_timeout =
        Duration::from_secs(secs(get, "PAYDESK_GATEWAY_TIMEOUT_SECS", 30, 1..=120)?);
    let gateway_still_open =
        Duration::from_secs(secs(get, "PAYDESK_GATEWAY_STILL_OPEN_SECS", 30, 0..=600)?);
    let checkout_ttl = Duration::from_secs(secs(
        get,
        "PAYDESK_CHECKOUT_TTL_SECS",
        24 * 3600,
        60..=30 * 24 * 3600,
    )?);
    let operation_lost_after = Duration::from_secs(secs(
        get,
        "PAYDESK_OPERATION_LOST_AFTER_SECS",
        600,
        5..=7 * 24 * 3600,
    )?);
    let refund_link_ttl = Duration::from_secs(secs(
        get,
        "PAYDESK_REFUND_LINK_TTL_SECS",
        7 * 24 * 3600,
        10..=30 * 24 * 3600,
    )?);
    let reconcile_interval_ms = millis(get, "PAYDESK_RECONCILE_INTERVAL_MS", 5_000, 50..=600_000)?;

    let login_lockout =
        Duration::from_secs(secs(get, "PAYDESK_LOGIN_LOCKOUT_SECS", 900, 1..=24 * 3600)?);

    let console_idle =
        Duration::from_secs(secs(get, "PAYDESK_CONSOLE_IDLE_SECS", 1800, 1..=8 * 3600)?);

    Ok(Timing {
        gateway_timeout,
        gateway_still_open,
        checkout_ttl,
        operation_lost_after,
        refund_link_ttl,
        reconcile_interval: Duration::from_millis(reconcile_interval_ms),
        login_lockout,
        console_idle,
    })
}
