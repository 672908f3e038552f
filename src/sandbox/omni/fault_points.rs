//! Where the simulated Omni gateway can fail on purpose: each API call, the hosted form's submit and
//! the webhooks, and which faults each accepts.

use serde::{Deserialize, Serialize};

use crate::sandbox::faults::FaultKind;

/// A place a fault can be injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultPoint {
    /// `POST /transactions/virtual-auth`
    VirtualAuth,
    /// `POST /transactions/unreferenced-virtual-refund`
    UnreferencedVirtualRefund,
    /// `GET /transactions` (the lookups that settle unknown outcomes)
    Transactions,
    Capture,
    Void,
    Refund,
    /// A card submitted in the hosted form.
    Submit,
    /// The webhooks the gateway sends.
    Webhook,
}

impl FaultPoint {
    /// Whether `kind` makes sense here (and so may be queued).
    pub fn accepts(self, kind: FaultKind) -> bool {
        use FaultKind::*;
        match self {
            FaultPoint::Webhook => matches!(kind, Drop | Duplicate | Delay | Reorder),
            FaultPoint::Submit => matches!(kind, Slow | Interrupted | ServerError),
            FaultPoint::VirtualAuth | FaultPoint::UnreferencedVirtualRefund => {
                matches!(
                    kind,
                    Interrupted
                        | Timeout
                        | ServerError
                        | RateLimited
                        | Malformed
                        | NullIframe
                        | Slow
                )
            }
            FaultPoint::Transactions
            | FaultPoint::Capture
            | FaultPoint::Void
            | FaultPoint::Refund => {
                matches!(
                    kind,
                    Interrupted | Timeout | ServerError | RateLimited | Malformed | Slow
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_point_takes_only_the_faults_that_mean_something_there() {
        assert!(FaultPoint::Webhook.accepts(FaultKind::Reorder));
        assert!(!FaultPoint::Webhook.accepts(FaultKind::Interrupted));
        assert!(FaultPoint::VirtualAuth.accepts(FaultKind::NullIframe));
        assert!(!FaultPoint::Capture.accepts(FaultKind::NullIframe));
        assert!(FaultPoint::Submit.accepts(FaultKind::Slow));
        assert!(!FaultPoint::Submit.accepts(FaultKind::Drop));
        let point: FaultPoint = serde_json::from_str("\"unreferenced-virtual-refund\"").unwrap();
        assert_eq!(point, FaultPoint::UnreferencedVirtualRefund);
    }
}
