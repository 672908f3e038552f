//! Fiserv Commerce Hub: tagged and unmatched tagged refunds. Its HMAC authentication, exact decimal
//! amounts, wire format (both error envelope shapes), and what a refund answer means in the shared
//! vocabulary (`interpret`).

pub mod amount;
pub mod client;
pub mod error;
pub mod interpret;
pub mod signature;
pub mod wire;

pub use client::{new_client_request_id, CommerceHubAccount, CommerceHubClient, REPLAY_WINDOW};
pub use error::CommerceHubError;

/// Commerce Hub as paydesk uses it: the client, the Hosted Fields SDK the customer page loads, and
/// the decline codes after which a refund may go to another card.
#[derive(Debug)]
pub struct CommerceHub {
    pub client: CommerceHubClient,
    /// e.g. `https://commercehub-secure-data-capture.fiservapps.com/3.6.0/checkout.js`.
    pub sdk_url: String,
    /// `CERT` or `PROD` (the SDK's `environment`).
    pub environment: String,
    pub closed_account_codes: Vec<String>,
}

impl CommerceHub {
    /// The SDK's exact origin: the page's CSP allows scripts and frames from it, nothing else.
    pub fn sdk_origin(&self) -> Option<String> {
        crate::origin::origin_of(&self.sdk_url)
    }
}
