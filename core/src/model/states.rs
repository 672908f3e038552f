//! The states of paydesk's domain: a link's status, a hosted-form attempt's, an operation's, and an
//! operation's kind and initiator. Each value has one spelling, used by the database and the
//! merchant API alike; `parse` refuses any other (a stored value paydesk does not know is an error,
//! never a silent default).

use serde::{Deserialize, Serialize};

spelled! {
    /// Where a link stands, as the merchant API reports it. A checkout that was authorized then
    /// reports what happened to the money (captured, refunded, voided).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum CheckoutStatus {
        /// Waiting for the customer.
        Open = "open",
        /// The customer submitted the form; the gateway's answer is not confirmed yet.
        Processing = "processing",
        /// The gateway approved the authorization (confirmed by webhook or lookup).
        Authorized = "authorized",
        /// The last attempt was declined; the customer may try again.
        Declined = "declined",
        /// The last attempt ended in a gateway error; the customer may try again.
        Failed = "failed",
        /// The link expired before it was paid.
        Expired = "expired",
        /// Authorized, then captured (in full or in part).
        Captured = "captured",
        /// Captured, then refunded in part.
        PartiallyRefunded = "partially_refunded",
        /// Everything captured was refunded.
        Refunded = "refunded",
        /// The authorization or the capture was voided.
        Voided = "voided",
        /// The merchant canceled the link before it paid (refund links): it pays nothing and
        /// holds nothing.
        Canceled = "canceled",
    }
}

impl CheckoutStatus {
    /// Whether a refund link can have this status: its money moves one way, so it is never
    /// captured, voided or refunded.
    pub fn is_refund_link_status(self) -> bool {
        !matches!(
            self,
            CheckoutStatus::Captured
                | CheckoutStatus::PartiallyRefunded
                | CheckoutStatus::Refunded
                | CheckoutStatus::Voided
        )
    }

    /// A refund link's statuses as the merchant API spells them.
    pub fn refund_link_statuses() -> Vec<&'static str> {
        CheckoutStatus::ALL
            .iter()
            .filter(|s| s.is_refund_link_status())
            .map(|s| s.for_refund_link())
            .collect()
    }

    /// The status as the merchant API says it of a refund link: its authorization is a payout.
    pub fn for_refund_link(self) -> &'static str {
        match self {
            CheckoutStatus::Authorized => "completed",
            other => other.as_str(),
        }
    }
}

spelled! {
    /// Where one hosted-form attempt (one gateway session) stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum AttemptState {
        /// Row written, gateway not yet asked (or its answer not yet stored).
        Creating = "creating",
        /// The gateway gave us a live session.
        Open = "open",
        /// The customer submitted; the outcome is not confirmed yet.
        Submitted = "submitted",
        Approved = "approved",
        Declined = "declined",
        /// The gateway reported an error result for this attempt.
        Failed = "failed",
        /// Its session expired and a newer one replaced it; not yet proven unused (see `Expired`).
        Replaced = "replaced",
        /// The session expired, and a lookup after its expiry proved it unused.
        Expired = "expired",
        /// The session could not be created; nothing can be paid through it.
        Abandoned = "abandoned",
    }
}

impl AttemptState {
    /// A final outcome reported by the gateway: never overwritten by a later, older message.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AttemptState::Approved | AttemptState::Declined | AttemptState::Failed
        )
    }
}

spelled! {
    /// A referenced operation on an authorized payment.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum OperationKind {
        Capture = "capture",
        Void = "void",
        Refund = "refund",
    }
}

spelled! {
    /// Where an operation stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum OperationState {
        /// Written by paydesk itself (e.g. voiding a duplicate authorization), not sent yet: safe
        /// to send.
        Queued = "queued",
        /// Written; the gateway call is in flight.
        Pending = "pending",
        /// The call was interrupted (or timed out): it may have happened. Only a lookup settles it.
        Unknown = "unknown",
        /// The gateway approved it.
        Succeeded = "succeeded",
        /// The gateway processed it and the card or issuer refused it.
        Declined = "declined",
        /// The gateway refused the request; nothing happened.
        Rejected = "rejected",
        /// A lookup long after an interruption found nothing: it never happened.
        Lost = "lost",
    }
}

impl OperationState {
    /// Not settled yet: its amount is held back from every balance until it is.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OperationState::Queued | OperationState::Pending | OperationState::Unknown
        )
    }
}

spelled! {
    /// Who started an operation.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum OperationInitiator {
        /// The merchant, through the API or the console.
        Merchant = "merchant",
        /// paydesk itself: a void of an authorization a checkout does not keep.
        Paydesk = "paydesk",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_round_trips_and_nothing_else_parses() {
        for status in CheckoutStatus::ALL {
            assert_eq!(CheckoutStatus::parse(status.as_str()), Some(*status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str(), "serde and the database agree");
        }
        for state in AttemptState::ALL {
            assert_eq!(AttemptState::parse(state.as_str()), Some(*state));
        }
        for state in OperationState::ALL {
            assert_eq!(OperationState::parse(state.as_str()), Some(*state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        for kind in OperationKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(CheckoutStatus::parse("paid"), None);
        assert_eq!(AttemptState::parse("Open"), None);
        assert_eq!(OperationKind::parse("refunds"), None);
        assert_eq!(OperationInitiator::parse(""), None);
    }
}

spelled! {
    /// Where a refund on a payment device stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum DeviceRefundStatus {
        /// Written; the instruction is being sent to the device (or sent again with the same key).
        Sending = "sending",
        /// The device shows the refund and waits for the customer's card.
        WaitingForCard = "waiting_for_card",
        /// The refund was approved: the money went to the card.
        Completed = "completed",
        /// The card or its issuer refused the refund.
        Declined = "declined",
        /// The device or Payroc could not do it (timed out, offline, refused the request).
        Failed = "failed",
        /// Canceled before a card was presented.
        Canceled = "canceled",
        /// Payroc's answer is not known yet: paydesk keeps asking.
        Unknown = "unknown",
        /// Completed, then reversed (taken out of Payroc's open batch): no money went to the card.
        Reversed = "reversed",
    }
}

spelled! {
    /// Where the reversal of a completed device refund stands (Payroc's `reverseRefund`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum DeviceRefundReversal {
        /// Asked (or asked again, with the same key); Payroc's answer is awaited. The refund still
        /// counts as paid meanwhile.
        Reversing = "reversing",
        /// Payroc took the refund out of the batch.
        Reversed = "reversed",
        /// Payroc refused (e.g. its batch had closed): the refund stands.
        Refused = "refused",
    }
}

spelled! {
    /// How the payment device reads the card for a refund (Payroc's
    /// `customizationOptions.entryMethod`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum DeviceEntryMethod {
        /// The customer taps, swipes or inserts the card (Payroc's default).
        #[default]
        DeviceRead = "device_read",
        /// The card's details are keyed in on the device (when its chip or stripe cannot be read).
        ManualEntry = "manual_entry",
        /// The device reads the card, and offers keying it in too.
        DeviceReadOrManualEntry = "device_read_or_manual_entry",
    }
}

impl DeviceRefundStatus {
    /// Whether it can still change.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeviceRefundStatus::Completed
                | DeviceRefundStatus::Declined
                | DeviceRefundStatus::Failed
                | DeviceRefundStatus::Canceled
                | DeviceRefundStatus::Reversed
        )
    }
}

spelled! {
    /// Where a refund of a gateway-held charge (Commerce Hub) stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum GatewayRefundStatus {
        /// A refund request is being sent, or its answer is being looked up.
        Processing = "processing",
        /// The money went back: to the original card, or to the customer's new card.
        Refunded = "refunded",
        /// The original card's issuer refused it, for a reason that does not allow another card.
        Declined = "declined",
        /// The original card's account is closed: the customer gives a new card through the link.
        AwaitingCard = "awaiting_card",
        /// The gateway refused the request (nothing moved), e.g. more than the charge has left.
        Failed = "failed",
        /// The link expired before the customer gave a new card.
        Expired = "expired",
        /// The merchant canceled it while it waited for a new card: nothing was sent.
        Canceled = "canceled",
    }
}

impl GatewayRefundStatus {
    /// Whether it can still change.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            GatewayRefundStatus::Processing | GatewayRefundStatus::AwaitingCard
        )
    }
}

spelled! {
    /// Which kind of refund request an attempt sent.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum RefundAttemptKind {
        /// To the original card.
        Tagged = "tagged",
        /// To the customer's new card, still linked to the original charge.
        Unmatched = "unmatched",
        /// A cancel of the original charge, authorized and not captured: its authorization is
        /// released instead (Commerce Hub refuses to refund it, `837`).
        Cancel = "cancel",
    }
}

spelled! {
    /// Where one call to the gateway stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum RefundAttemptState {
        /// Stored; being sent (or resent with the same Client-Request-Id).
        Sending = "sending",
        /// The gateway answered.
        Answered = "answered",
        /// No answer: resend inside the window, otherwise inquire.
        Unknown = "unknown",
        /// The gateway recorded nothing for it; a new attempt replaced it.
        Replaced = "replaced",
    }
}

spelled! {
    /// What was asked for, waiting for a second person's approval.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum PayoutKind {
        RefundLink = "refund_link",
        DeviceRefund = "device_refund",
    }
}

spelled! {
    /// Where a payout waiting for a second person's approval stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum ApprovalStatus {
        /// Asked for; nothing exists yet.
        Pending = "pending",
        /// Approved by a second staff member: the payout was created (`resultId`).
        Approved = "approved",
        /// Refused by a second staff member: nothing was created.
        Rejected = "rejected",
        /// Nobody decided within 24 hours: nothing was created.
        Expired = "expired",
    }
}
