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
    /// The reference the customer quotes to the merchant's support, e.g. `PD-7K4M-2Q`.
    pub support_reference: String,
    /// The merchant's logo (a path on paydesk), if the deployment has one.
    pub logo: Option<String>,
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
    /// The gateway's card fields (Commerce Hub Hosted Fields), ready to take a new card.
    CardFields(CardFieldsForm),
    /// The refund ended without paying out and nothing more can be done on this page (the
    /// merchant has been told).
    Ended { message: String },
}

/// Commerce Hub Checkout Hosted Fields, as the page mounts them: the SDK from the gateway's origin,
/// one frame per field on that origin. Nothing here is secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardFieldsForm {
    /// The SDK script, e.g. `https://commercehub-secure-data-capture.fiservapps.com/3.6.0/checkout.js`.
    pub sdk_url: String,
    /// Its exact origin: the field frames' origin.
    pub sdk_origin: String,
    /// Its Subresource Integrity digest, when known: the browser runs only exactly that file.
    #[serde(default)]
    pub sdk_integrity: Option<String>,
    /// `CERT` or `PROD`.
    pub environment: String,
    /// Storefronts that may embed this page: the field frames must let them be ancestors too.
    pub frame_ancestors: Vec<String>,
    /// New cards already declined on this refund.
    pub card_declines: i64,
}

/// What the Hosted Fields SDK needs to submit the card, fetched by the page only when the customer
/// submits (never in the HTML). Commerce Hub's SDK requires the `Api-Key` (not the secret, which
/// only signs server calls) and the session's single-use access token; the session id itself never
/// leaves the server. `Debug` shows neither.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CardSubmission {
    /// paydesk's id for this session: the page names it when it asks for the refund.
    pub submission_id: String,
    pub api_key: String,
    pub access_token: String,
    pub public_key: String,
    pub key_id: String,
    pub merchant_id: String,
    pub terminal_id: String,
}

impl std::fmt::Debug for CardSubmission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSubmission")
            .field("submission_id", &self.submission_id)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
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
