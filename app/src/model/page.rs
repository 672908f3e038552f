//! What a customer page shows: the summary of what is paid or refunded, and the states the page can
//! be in. Only the server produces these; the browser renders them.

use serde::{Deserialize, Serialize};

use super::{LinkKind, Money};

/// What the customer is shown about the thing being paid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutSummary {
    pub id: String,
    pub kind: LinkKind,
    pub amount: Money,
    pub merchant_name: String,
    pub order_number: Option<String>,
    pub invoice_number: Option<String>,
    pub description: Option<String>,
    /// Where "back to the store" leads after a payment (merchant-supplied, validated).
    pub return_url: Option<String>,
    /// Where "cancel" leads (merchant-supplied, validated).
    pub cancel_url: Option<String>,
}

/// A live hosted-form session the page can embed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostedForm {
    /// Our id for this attempt; changes whenever the session is replaced.
    pub attempt_id: String,
    pub iframe_url: String,
    /// The exact origin of `iframe_url`: the only origin whose messages are accepted.
    pub iframe_origin: String,
    /// Seconds until the gateway expires the session, as of when the server answered.
    pub expires_in_secs: i64,
    /// How long before expiry the page should start showing a countdown.
    pub warn_before_secs: i64,
}

/// Proof of a confirmed authorization, as shown to the customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub amount: Money,
    /// e.g. "VISA •••• 1111"
    pub card: Option<String>,
    pub auth_code: Option<String>,
    pub transaction_id: String,
}

/// Everything the payment page can show. Only the server produces these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PaymentState {
    /// The hosted form is ready to take a card.
    Ready(HostedForm),
    /// The customer submitted; the server has not confirmed the outcome yet.
    Processing,
    /// Confirmed by the gateway (webhook or lookup).
    Paid(Receipt),
    /// The card was declined; a new attempt is possible.
    Declined { message: String },
    /// The gateway reported an error for this attempt; a new attempt is possible.
    Failed { message: String },
    /// The payment link itself has expired.
    LinkExpired,
    /// The secure form could not be started right now (gateway unreachable, …).
    Unavailable { message: String },
    /// The link is paused after repeated declined cards: no new card form until the merchant
    /// unlocks it.
    Locked { message: String },
}

/// The payment page's initial data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutPage {
    pub summary: CheckoutSummary,
    pub state: PaymentState,
    /// Storefront origins registered to embed this page: the only targets of its height and
    /// lifecycle messages.
    pub embed_origins: Vec<String>,
}
