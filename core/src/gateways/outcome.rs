//! The shared vocabulary of every gateway: what happened to one money-moving transaction, and
//! whether a call that failed may still have acted. Each gateway's client maps its own answers onto
//! these, so the payments core decides the same way whichever gateway moved the money.

/// What a gateway says happened to one transaction (a hosted-form authorization or refund, a
/// capture, a void, a referenced refund).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Created but not submitted: nothing happened yet (e.g. a hosted-form session nobody used).
    NotStarted,
    /// Submitted; the final answer is not known yet.
    InProgress,
    /// The gateway answered, but its answer proves neither that it happened nor that it did not
    /// (a timeout, an unknown error, a completion without any response): look it up again.
    Unknown,
    /// Approved. `approved` below `requested` means the issuer approved part of the amount.
    Approved {
        approved: Option<i64>,
        requested: Option<i64>,
    },
    /// The gateway's explicit partial approval: some money approved, not what was asked.
    PartiallyApproved {
        approved: Option<i64>,
        text: Option<String>,
    },
    /// Processed, and refused by the card or the issuer.
    Declined {
        response_code: Option<i64>,
        text: Option<String>,
    },
    /// The gateway could not process it: nothing happened.
    Failed {
        result_code: Option<i64>,
        text: Option<String>,
    },
}

impl Outcome {
    /// Approved for the whole amount asked (when both amounts are known).
    pub fn is_full_approval(&self) -> bool {
        match self {
            Outcome::Approved {
                approved: Some(approved),
                requested: Some(requested),
            } => approved >= requested,
            Outcome::Approved { .. } => true,
            _ => false,
        }
    }

    /// Money approved that the transaction does not fully account for (a partial approval), if any.
    pub fn partially_approved_amount(&self) -> Option<i64> {
        match self {
            Outcome::Approved {
                approved: Some(amount),
                ..
            } if !self.is_full_approval() => Some(*amount),
            Outcome::PartiallyApproved {
                approved: Some(amount),
                ..
            } => Some(*amount),
            _ => None,
        }
        .filter(|amount| *amount > 0)
    }
}

/// Whether a failed call may have changed anything at the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing happened: the same request may be sent again.
    None,
    /// It may or may not have happened: look it up (by its reference) before doing anything else.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_partial_approvals() {
        let full = Outcome::Approved {
            approved: Some(1000),
            requested: Some(1000),
        };
        let short = Outcome::Approved {
            approved: Some(400),
            requested: Some(1000),
        };
        assert!(full.is_full_approval());
        assert_eq!(full.partially_approved_amount(), None);
        assert!(!short.is_full_approval());
        assert_eq!(short.partially_approved_amount(), Some(400));
        assert_eq!(
            Outcome::PartiallyApproved {
                approved: Some(0),
                text: None
            }
            .partially_approved_amount(),
            None
        );
        assert!(Outcome::Approved {
            approved: None,
            requested: Some(5)
        }
        .is_full_approval());
    }
}
