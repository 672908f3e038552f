//! `PAYDESK_UNBOUND_PAYOUTS`, `PAYDESK_UNBOUND_PAYOUT_MAX` (per payout, per requester per day,
//! per day) and `PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE`: the caps on refund links and device
//! refunds not bound to a payment (whoever holds one is paid), read once at startup.

use paydesk_core::state::PayoutLimits;

use crate::settings_error::{bad, SettingsError};

/// The caps, from the environment (`get`); none is set by default.
pub fn payout_limits(get: &impl Fn(&str) -> Option<String>) -> Result<PayoutLimits, SettingsError> {
    let forbidden = match get("PAYDESK_UNBOUND_PAYOUTS").as_deref() {
        None | Some("allowed") => false,
        Some("forbidden") => true,
        Some(other) => {
            return Err(bad(
                "PAYDESK_UNBOUND_PAYOUTS",
                format!("expected allowed or forbidden, got {other:?}"),
            ))
        }
    };
    Ok(PayoutLimits {
        forbidden,
        per_payout: amount(get, "PAYDESK_UNBOUND_PAYOUT_MAX")?,
        per_requester_per_day: amount(get, "PAYDESK_UNBOUND_PAYOUT_MAX_PER_REQUESTER_PER_DAY")?,
        per_day: amount(get, "PAYDESK_UNBOUND_PAYOUT_MAX_PER_DAY")?,
        approval_above: amount(get, "PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE")?,
    })
}

/// An amount in minor units (e.g. `50000` for 500.00), if set.
fn amount(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<i64>, SettingsError> {
    get(variable)
        .map(|text| {
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=999_999_999_999).contains(n))
                .ok_or_else(|| {
                    bad(
                        variable,
                        format!("expected an amount in minor units (e.g. 50000 for 500.00), got {text:?}"),
                    )
                })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<PayoutLimits, SettingsError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        payout_limits(&|name: &str| env.get(name).cloned())
    }

    #[test]
    fn nothing_set_caps_nothing() {
        assert_eq!(read(&[]), Ok(PayoutLimits::default()));
    }

    #[test]
    fn every_cap_is_read_and_bad_values_name_their_variable() {
        let limits = read(&[
            ("PAYDESK_UNBOUND_PAYOUTS", "forbidden"),
            ("PAYDESK_UNBOUND_PAYOUT_MAX", "50000"),
            ("PAYDESK_UNBOUND_PAYOUT_MAX_PER_REQUESTER_PER_DAY", "80000"),
            ("PAYDESK_UNBOUND_PAYOUT_MAX_PER_DAY", "100000"),
            ("PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE", "20000"),
        ])
        .unwrap();
        assert!(limits.forbidden);
        assert_eq!(
            (
                limits.per_payout,
                limits.per_requester_per_day,
                limits.per_day
            ),
            (Some(50_000), Some(80_000), Some(100_000))
        );
        assert_eq!(limits.approval_above, Some(20_000));
        for (variable, value) in [
            ("PAYDESK_UNBOUND_PAYOUTS", "no"),
            ("PAYDESK_UNBOUND_PAYOUT_MAX", "500.00"),
            ("PAYDESK_UNBOUND_PAYOUT_MAX_PER_DAY", "-1"),
        ] {
            assert_eq!(read(&[(variable, value)]).unwrap_err().variable, variable);
        }
    }
}
