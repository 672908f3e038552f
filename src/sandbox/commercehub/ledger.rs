//! The simulated Commerce Hub's memory and its money rules (reference §11, §12, §16): charges with the
//! vendor's test cards, tagged refunds declined by the vendor's triggers or a closed-account card,
//! unmatched refunds only after a qualifying decline and never beyond what was captured, Hosted
//! Fields sessions and tokens. Pure: the handlers drive it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A card the simulator knows (it is the gateway: it may hold card numbers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimCard {
    pub number: String,
    pub expiration_month: String,
    pub expiration_year: String,
}

impl SimCard {
    pub fn last4(&self) -> &str {
        &self.number[self.number.len().saturating_sub(4)..]
    }

    pub fn bin(&self) -> &str {
        &self.number[..self.number.len().min(8)]
    }

    /// The brand, as Commerce Hub names it.
    pub fn scheme(&self) -> &'static str {
        match self.number.as_bytes().first() {
            Some(b'4') => "VISA",
            Some(b'5') | Some(b'2') => "MASTERCARD",
            Some(b'3') => "AMEX",
            Some(b'6') => "DISCOVER",
            _ => "UNKNOWN",
        }
    }
}

/// A sandbox card whose account is closed: charges to it went through, refunds to it are declined
/// `030` (sandbox choice; the vendor's closed-account trigger is by amount).
pub const CLOSED_ACCOUNT_CARD: &str = "4012000033330026";
/// A sandbox card every transaction declines `005` (do not honor).
pub const DECLINED_CARD: &str = "4000000000000002";

/// The vendor's approval cards (reference §12).
pub const APPROVAL_CARDS: [&str; 4] = [
    "4012001928706700",
    "5500007287297385",
    "341111227713933",
    "6011114305944707",
];

/// The decline codes after which an unmatched refund is allowed (reference §11, sandbox choice).
pub const QUALIFYING_DECLINES: [&str; 9] = [
    "025", "026", "028", "030", "031", "051", "052", "053", "324",
];

/// Whether `number` passes the Luhn check.
pub fn luhn_valid(number: &str) -> bool {
    if !(12..=19).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The response code the processor gives a transaction of `amount` (minor units) on `card`.
pub fn response_code(amount: i64, card: &str, refund_to_original: bool) -> String {
    if (500_100..=599_900).contains(&amount) && amount % 100 == 0 {
        return format!("{:03}", (amount / 100) % 1000);
    }
    if card == DECLINED_CARD {
        return "005".into();
    }
    if card == CLOSED_ACCOUNT_CARD && refund_to_original {
        return "030".into();
    }
    "000".into()
}

/// The processor's message for a response code.
pub fn response_message(code: &str) -> &'static str {
    match code {
        "000" => "APPROVAL",
        "005" => "DO NOT HONOR",
        "025" => "UNABLE TO LOCATE RECORD",
        "026" => "DUPLICATE RECORD",
        "028" => "FILE TEMPORARILY UNAVAILABLE",
        "030" => "CLOSED ACCOUNT",
        "031" => "NEW CARD ISSUED",
        "051" => "PAYMENT INSTRUMENT NOT FOUND",
        "052" => "PAYMENT INSTRUMENT BLOCKED",
        "053" => "PAYMENT INSTRUMENT CLOSED",
        _ => "DECLINED",
    }
}

/// A charge, as the simulator keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    pub transaction_id: String,
    pub merchant_transaction_id: Option<String>,
    pub order_id: String,
    pub currency: String,
    pub captured: i64,
    pub refunded: i64,
    /// Authorized and not captured (a charge sent with `captureFlag: false`): cancels release it;
    /// refunds are refused (`837`).
    #[serde(default)]
    pub authorized: i64,
    /// Released from `authorized` by cancels.
    #[serde(default)]
    pub canceled: i64,
    pub card: SimCard,
    /// A tagged refund of it was declined with a qualifying code: unmatched refunds are allowed.
    pub qualifying_decline: bool,
}

/// A processed transaction (charge, refund, tokenization): the answer given, for replays and
/// inquiries.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Processed {
    pub transaction_id: String,
    pub client_request_id: String,
    pub merchant_transaction_id: Option<String>,
    pub response: serde_json::Value,
}

/// An answer kept for `Client-Request-Id` replays.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub body_hash: String,
    pub status: u16,
    pub response: serde_json::Value,
    pub at_ms: i64,
}

/// A Hosted Fields session (`/security/credentials`): single use, 30 minutes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldsSession {
    pub session_id: String,
    pub access_token: String,
    pub expires_at_ms: i64,
    /// The card captured by the fields, once submitted.
    pub card: Option<SimCard>,
    pub used: bool,
}

/// What changed since the last write.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dirty {
    Charge(String),
    Processed(String),
    Replay(String),
    Session(String),
    Token(String),
}

#[derive(Debug, Default)]
pub struct CommerceHubState {
    pub charges: HashMap<String, Charge>,
    pub processed: HashMap<String, Processed>,
    pub replays: HashMap<String, Replay>,
    pub sessions: HashMap<String, FieldsSession>,
    pub tokens: HashMap<String, SimCard>,
    pub dirty: Vec<Dirty>,
}

/// Which earlier transaction a request names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    TransactionId(String),
    MerchantTransactionId(String),
}

/// Why a refund is refused before reaching the processor (an error answer, not a decline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    Currency,
    OverRefund,
    /// Invented by the simulator: Fiserv documents no code for it (reference §11).
    NoQualifyingDecline,
    /// A refund of a charge authorized but not captured: nothing to refund — cancel it (837).
    NotCaptured,
    /// A cancel of a charge with nothing authorized left to release (invented: Fiserv documents
    /// no code for it).
    NothingToCancel,
}

impl Refusal {
    /// Commerce Hub's error for it: (code, field, message).
    pub fn answer(self) -> (Option<&'static str>, Option<&'static str>, &'static str) {
        match self {
            Refusal::NotFound => (
                Some("764"),
                Some("referenceTransactionDetails"),
                "Referenced transaction not found",
            ),
            Refusal::Currency => (
                Some("105"),
                Some("amount.currency"),
                "Invalid amount or currency",
            ),
            Refusal::OverRefund => (
                Some("810"),
                Some("amount.total"),
                "Amount is Greater Than Refund/Void",
            ),
            // Invented by the simulator (reference §11): Fiserv documents no code or message for it.
            Refusal::NoQualifyingDecline => (
                None,
                Some("source"),
                "Unmatched refund requires a prior declined tagged refund",
            ),
            // Reference §10's table.
            Refusal::NotCaptured => (
                Some("837"),
                Some("referenceTransactionDetails"),
                "Unable to Refund: Transaction Not in a Captured or Authorized Status",
            ),
            // Invented by the simulator: Fiserv documents no code or message for it.
            Refusal::NothingToCancel => (
                None,
                Some("referenceTransactionDetails"),
                "Cancel requires an authorization not captured",
            ),
        }
    }
}

/// What the processor decided for a refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundDecision {
    pub charge_id: String,
    pub amount: i64,
    pub code: String,
    /// The card the money goes to.
    pub card: SimCard,
}

#[cfg(test)]
impl RefundDecision {
    pub fn approved(&self) -> bool {
        self.code == "000"
    }
}

impl CommerceHubState {
    pub fn charge_by(&self, reference: &Reference) -> Option<&Charge> {
        match reference {
            Reference::TransactionId(id) => self.charges.get(id),
            Reference::MerchantTransactionId(id) => self
                .charges
                .values()
                .find(|c| c.merchant_transaction_id.as_deref() == Some(id)),
        }
    }

    /// Decides a refund of the charge `reference` names (a tagged one without `new_card`), and books
    /// it: an approval counts against the capture; a qualifying decline of a tagged refund unlocks
    /// unmatched refunds.
    pub fn refund(
        &mut self,
        reference: &Reference,
        amount: Option<i64>,
        currency: &str,
        new_card: Option<SimCard>,
    ) -> Result<RefundDecision, Refusal> {
        let charge = self.charge_by(reference).ok_or(Refusal::NotFound)?.clone();
        if charge.currency != currency {
            return Err(Refusal::Currency);
        }
        if charge.captured == 0 && charge.authorized > 0 && new_card.is_none() {
            return Err(Refusal::NotCaptured);
        }
        let remaining = charge.captured - charge.refunded;
        let amount = amount.unwrap_or(remaining);
        if amount <= 0 || amount > remaining {
            return Err(Refusal::OverRefund);
        }
        if new_card.is_some() && !charge.qualifying_decline {
            return Err(Refusal::NoQualifyingDecline);
        }
        let tagged = new_card.is_none();
        let card = new_card.unwrap_or_else(|| charge.card.clone());
        let code = response_code(amount, &card.number, tagged);
        if let Some(stored) = self.charges.get_mut(&charge.transaction_id) {
            if code == "000" {
                stored.refunded += amount;
            } else if tagged && QUALIFYING_DECLINES.contains(&code.as_str()) {
                stored.qualifying_decline = true;
            }
        }
        self.dirty
            .push(Dirty::Charge(charge.transaction_id.clone()));
        Ok(RefundDecision {
            charge_id: charge.transaction_id,
            amount,
            code,
            card,
        })
    }
}

impl CommerceHubState {
    /// Decides a cancel of (part of) what the charge `reference` names authorized and did not
    /// capture, and books it: approved (`000`) releases it.
    pub fn cancel(
        &mut self,
        reference: &Reference,
        amount: Option<i64>,
        currency: &str,
    ) -> Result<RefundDecision, Refusal> {
        let charge = self.charge_by(reference).ok_or(Refusal::NotFound)?.clone();
        if charge.currency != currency {
            return Err(Refusal::Currency);
        }
        let remaining = charge.authorized - charge.canceled;
        if remaining <= 0 {
            return Err(Refusal::NothingToCancel);
        }
        let amount = amount.unwrap_or(remaining);
        if amount <= 0 || amount > remaining {
            return Err(Refusal::OverRefund);
        }
        if let Some(stored) = self.charges.get_mut(&charge.transaction_id) {
            stored.canceled += amount;
        }
        self.dirty
            .push(Dirty::Charge(charge.transaction_id.clone()));
        Ok(RefundDecision {
            charge_id: charge.transaction_id,
            amount,
            code: "000".into(),
            card: charge.card,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str) -> SimCard {
        SimCard {
            number: number.into(),
            expiration_month: "12".into(),
            expiration_year: "2030".into(),
        }
    }

    fn with_charge(number: &str, captured: i64) -> CommerceHubState {
        let mut state = CommerceHubState::default();
        state.charges.insert(
            "84356531348".into(),
            Charge {
                transaction_id: "84356531348".into(),
                merchant_transaction_id: Some("order-1".into()),
                order_id: "RKOrdID-1".into(),
                currency: "USD".into(),
                captured,
                refunded: 0,
                authorized: 0,
                canceled: 0,
                card: card(number),
                qualifying_decline: false,
            },
        );
        state
    }

    #[test]
    fn a_charge_only_authorized_is_cancelled_never_refunded() {
        let mut state = with_charge(APPROVAL_CARDS[0], 0);
        if let Some(charge) = state.charges.get_mut("84356531348") {
            charge.authorized = 3000;
        }
        let reference = Reference::TransactionId("84356531348".into());
        assert_eq!(
            state.refund(&reference, Some(1000), "USD", None),
            Err(Refusal::NotCaptured)
        );
        assert_eq!(Refusal::NotCaptured.answer().0, Some("837"));
        let cancel = state.cancel(&reference, Some(1000), "USD").unwrap();
        assert_eq!((cancel.amount, cancel.code.as_str()), (1000, "000"));
        assert_eq!(
            state.cancel(&reference, Some(2001), "USD"),
            Err(Refusal::OverRefund)
        );
        assert_eq!(state.cancel(&reference, None, "USD").unwrap().amount, 2000);
        assert_eq!(
            state.cancel(&reference, None, "USD"),
            Err(Refusal::NothingToCancel)
        );
        let captured = with_charge(APPROVAL_CARDS[0], 3000).cancel(&reference, None, "USD");
        assert_eq!(captured, Err(Refusal::NothingToCancel));
    }

    #[test]
    fn test_cards_pass_luhn() {
        for number in APPROVAL_CARDS
            .iter()
            .chain([&CLOSED_ACCOUNT_CARD, &DECLINED_CARD])
        {
            assert!(luhn_valid(number), "{number}");
        }
        assert!(!luhn_valid("4012001928706701"));
    }

    #[test]
    fn vendor_triggers_decline_with_the_last_three_digits() {
        assert_eq!(response_code(503_000, APPROVAL_CARDS[0], true), "030");
        assert_eq!(response_code(500_100, APPROVAL_CARDS[0], false), "001");
        assert_eq!(response_code(500_000, APPROVAL_CARDS[0], true), "000");
        assert_eq!(response_code(503_001, APPROVAL_CARDS[0], true), "000");
        assert_eq!(response_code(1204, CLOSED_ACCOUNT_CARD, true), "030");
        assert_eq!(
            response_code(1204, CLOSED_ACCOUNT_CARD, false),
            "000",
            "charges to it went through"
        );
    }

    #[test]
    fn an_unmatched_refund_needs_a_qualifying_decline_and_stays_within_the_capture() {
        let reference = Reference::TransactionId("84356531348".into());
        let mut state = with_charge(CLOSED_ACCOUNT_CARD, 1204);
        assert_eq!(
            state.refund(&reference, Some(1204), "USD", Some(card(APPROVAL_CARDS[0]))),
            Err(Refusal::NoQualifyingDecline)
        );
        let declined = state.refund(&reference, None, "USD", None).unwrap();
        assert_eq!((declined.code.as_str(), declined.amount), ("030", 1204));
        assert_eq!(
            state.refund(&reference, Some(1205), "USD", Some(card(APPROVAL_CARDS[0]))),
            Err(Refusal::OverRefund)
        );
        let declined_new = state
            .refund(&reference, Some(1000), "USD", Some(card(DECLINED_CARD)))
            .unwrap();
        assert_eq!(declined_new.code, "005");
        let paid = state
            .refund(&reference, Some(1000), "USD", Some(card(APPROVAL_CARDS[1])))
            .unwrap();
        assert!(paid.approved());
        assert_eq!(
            state.refund(&reference, Some(205), "USD", Some(card(APPROVAL_CARDS[1]))),
            Err(Refusal::OverRefund)
        );
        assert_eq!(
            state.refund(
                &Reference::MerchantTransactionId("order-1".into()),
                Some(204),
                "CAD",
                None
            ),
            Err(Refusal::Currency)
        );
    }

    #[test]
    fn a_declined_refund_that_does_not_qualify_unlocks_nothing() {
        let reference = Reference::TransactionId("84356531348".into());
        let mut state = with_charge(DECLINED_CARD, 1204);
        assert_eq!(
            state.refund(&reference, None, "USD", None).unwrap().code,
            "005"
        );
        assert_eq!(
            state.refund(&reference, None, "USD", Some(card(APPROVAL_CARDS[0]))),
            Err(Refusal::NoQualifyingDecline)
        );
    }
}
