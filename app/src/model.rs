//! Types shared by the server and the browser: money, checkout summaries and the states a payment page can be in.

use serde::{Deserialize, Serialize};

/// The currencies the gateway settles (US and Canada).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "CAD")]
    Cad,
}

impl Currency {
    pub const ALL: [Currency; 2] = [Currency::Usd, Currency::Cad];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Cad => "CAD",
        }
    }

    /// Parses an ISO 4217 code, case-insensitively.
    pub fn parse(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// An amount in integer minor units (cents) with its currency. Never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: u32,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: u32, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// "$12.34 USD": unambiguous for both currencies, which share the dollar sign.
    pub fn display(&self) -> String {
        let whole = self.minor / 100;
        let cents = self.minor % 100;
        let mut grouped = String::new();
        let digits = whole.to_string();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("${grouped}.{cents:02} {}", self.currency.code())
    }
}

/// What a customer link does: take a payment (a checkout) or pay a refund out (a refund link).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Payment,
    Refund,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Payment => "payment",
            LinkKind::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        [LinkKind::Payment, LinkKind::Refund].into_iter().find(|k| k.as_str() == s)
    }

    /// The customer page's path, e.g. `/pay/chk_…` or `/refund/rfl_…`.
    pub fn page_path(self, id: &str) -> String {
        match self {
            LinkKind::Payment => format!("/pay/{id}"),
            LinkKind::Refund => format!("/refund/{id}"),
        }
    }
}

/// Which link a page is about. `sig` is the refund link's signature (empty for checkouts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRef {
    pub kind: LinkKind,
    pub id: String,
    pub sig: String,
}

impl LinkRef {
    pub fn payment(id: impl Into<String>) -> Self {
        LinkRef { kind: LinkKind::Payment, id: id.into(), sig: String::new() }
    }

    pub fn refund(id: impl Into<String>, sig: impl Into<String>) -> Self {
        LinkRef { kind: LinkKind::Refund, id: id.into(), sig: sig.into() }
    }

    /// The customer page's URL path, with the signature when there is one.
    pub fn page_url(&self) -> String {
        let path = self.kind.page_path(&self.id);
        if self.sig.is_empty() {
            path
        } else {
            format!("{path}?sig={}", self.sig)
        }
    }

    /// The return page's URL path (where the hosted form sends the customer).
    pub fn return_url(&self) -> String {
        let path = format!("{}/return", self.kind.page_path(&self.id));
        if self.sig.is_empty() {
            path
        } else {
            format!("{path}?sig={}", self.sig)
        }
    }
}

/// Where a checkout stands, as the merchant API reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckoutStatus {
    /// Waiting for the customer.
    Open,
    /// The customer submitted the form; the gateway's answer is not confirmed yet.
    Processing,
    /// The gateway approved the authorization (confirmed by webhook or lookup).
    Authorized,
    /// The last attempt was declined; the customer may try again.
    Declined,
    /// The last attempt ended in a gateway error; the customer may try again.
    Failed,
    /// The link expired before it was paid.
    Expired,
    /// Authorized, then captured (in full or in part).
    Captured,
    /// Captured, then refunded in part.
    PartiallyRefunded,
    /// Everything captured was refunded.
    Refunded,
    /// The authorization or the capture was voided.
    Voided,
}

impl CheckoutStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckoutStatus::Open => "open",
            CheckoutStatus::Processing => "processing",
            CheckoutStatus::Authorized => "authorized",
            CheckoutStatus::Declined => "declined",
            CheckoutStatus::Failed => "failed",
            CheckoutStatus::Expired => "expired",
            CheckoutStatus::Captured => "captured",
            CheckoutStatus::PartiallyRefunded => "partially_refunded",
            CheckoutStatus::Refunded => "refunded",
            CheckoutStatus::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<CheckoutStatus> {
        use CheckoutStatus::*;
        [Open, Processing, Authorized, Declined, Failed, Expired, Captured, PartiallyRefunded, Refunded, Voided]
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_from_minor_units() {
        assert_eq!(Money::new(1999, Currency::Usd).display(), "$19.99 USD");
        assert_eq!(Money::new(5, Currency::Cad).display(), "$0.05 CAD");
        assert_eq!(Money::new(123456789, Currency::Usd).display(), "$1,234,567.89 USD");
        assert_eq!(Money::new(100000, Currency::Usd).display(), "$1,000.00 USD");
    }

    #[test]
    fn currency_parses_case_insensitively_and_rejects_others() {
        assert_eq!(Currency::parse("cad"), Some(Currency::Cad));
        assert_eq!(Currency::parse("USD"), Some(Currency::Usd));
        assert_eq!(Currency::parse("EUR"), None);
    }

    #[test]
    fn checkout_status_round_trips() {
        for s in ["open", "processing", "authorized", "declined", "failed", "expired", "captured", "partially_refunded", "refunded", "voided"] {
            assert_eq!(CheckoutStatus::parse(s).map(|c| c.as_str()), Some(s));
        }
        assert_eq!(CheckoutStatus::parse("paid"), None);
    }
}
