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
    /// The SDK's Subresource Integrity digest (`sha384-…`), when known: the browser then runs the
    /// script only if it is exactly that file.
    pub sdk_integrity: Option<String>,
    /// `CERT` or `PROD` (the SDK's `environment`).
    pub environment: String,
    pub closed_account_codes: Vec<String>,
}

impl CommerceHub {
    /// The SDK's exact origin: the page's CSP allows its field frames from it, nothing else.
    pub fn sdk_origin(&self) -> Option<String> {
        crate::origin::origin_of(&self.sdk_url)
    }

    /// Where the page's CSP lets scripts come from: the SDK's own version folder (e.g.
    /// `https://…fiservapps.com/3.6.0/`), not the whole origin.
    pub fn sdk_script_source(&self) -> Option<String> {
        let origin = self.sdk_origin()?;
        let path = self.sdk_url.strip_prefix(&origin)?;
        let folder = &path[..path.rfind('/')? + 1];
        Some(format!("{origin}{folder}"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_are_allowed_from_the_sdks_version_folder_only() {
        let hub = |url: &str| super::CommerceHub {
            client: super::CommerceHubClient::new(
                "https://cert.api.fiservapps.com/ch",
                super::CommerceHubAccount {
                    api_key: "k".into(),
                    api_secret: "s".to_string().into(),
                    merchant_id: "m".into(),
                    terminal_id: "t".into(),
                },
                std::time::Duration::from_secs(1),
            )
            .expect("client"),
            sdk_url: url.into(),
            sdk_integrity: None,
            environment: "CERT".into(),
            closed_account_codes: vec![],
        };
        assert_eq!(
            hub("https://commercehub-secure-data-capture.fiservapps.com/3.6.0/checkout.js")
                .sdk_script_source()
                .as_deref(),
            Some("https://commercehub-secure-data-capture.fiservapps.com/3.6.0/")
        );
        assert_eq!(
            hub("http://127.0.0.1:3500/checkout.js")
                .sdk_script_source()
                .as_deref(),
            Some("http://127.0.0.1:3500/")
        );
    }
}
