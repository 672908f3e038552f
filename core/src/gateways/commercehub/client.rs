//! The Commerce Hub HTTP client: every call signed over the exact bytes it sends (HMAC, a fresh
//! `Timestamp`), with the `Client-Request-Id` its caller chose and stored first, so a resend inside
//! the 5-minute window is the same request to Commerce Hub. Tagged and unmatched refunds, transaction
//! inquiry, Hosted Fields credentials and tokens. Nothing here retries: the payments core decides
//! (resend with the same id inside the window, otherwise inquire first).

use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::CommerceHubError;
use super::signature::authorization;
use super::wire::{
    CancelRequest, ChargeRequest, CredentialsRequest, InquiryReference, InquiryRequest,
    MerchantDetails, RefundRequest, RefundResponse, RefundSource, SecurityCredentials,
    TokenRequest, TokenResponse,
};
use crate::measures;

/// How long Commerce Hub remembers a `Client-Request-Id` and accepts a `Timestamp` (reference §5).
pub const REPLAY_WINDOW: Duration = Duration::from_secs(300);

/// A Commerce Hub merchant account: its API key and secret (the secret only signs; `Debug` shows
/// neither), and the merchant and terminal ids every body names.
#[derive(Clone)]
pub struct CommerceHubAccount {
    pub api_key: String,
    pub api_secret: SecretString,
    pub merchant_id: String,
    pub terminal_id: String,
}

impl std::fmt::Debug for CommerceHubAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommerceHubAccount")
            .field("merchant_id", &self.merchant_id)
            .field("terminal_id", &self.terminal_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct CommerceHubClient {
    http: reqwest::Client,
    /// e.g. `https://cert.api.fiservapps.com/ch`.
    base_url: String,
    account: CommerceHubAccount,
    timeout: Duration,
}

/// A new `Client-Request-Id` (UUID v4, as Commerce Hub recommends).
pub fn new_client_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl CommerceHubClient {
    pub fn new(
        base_url: &str,
        account: CommerceHubAccount,
        timeout: Duration,
    ) -> Result<Self, CommerceHubError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("paydesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                CommerceHubError::Transport(format!("could not build the HTTP client: {e}"))
            })?;
        Ok(CommerceHubClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            account,
            timeout,
        })
    }

    /// The ids every body names.
    pub fn merchant(&self) -> MerchantDetails {
        MerchantDetails {
            merchant_id: self.account.merchant_id.clone(),
            terminal_id: self.account.terminal_id.clone(),
        }
    }

    /// The API key the Hosted Fields SDK needs in the browser (Fiserv's design: it identifies the
    /// account; without the secret it signs nothing).
    pub fn api_key(&self) -> &str {
        &self.account.api_key
    }

    /// The body a refund sends, serialised once: the caller stores these exact bytes with the
    /// `Client-Request-Id`, and a resend sends them again.
    pub fn refund_body(request: &RefundRequest) -> Result<Vec<u8>, CommerceHubError> {
        serde_json::to_vec(request).map_err(|e| CommerceHubError::Transport(e.to_string()))
    }

    /// `POST /payments/v1/refunds` with a body from [`Self::refund_body`] and its stored
    /// `Client-Request-Id`. A decline is an `Ok` (2xx): read it with `interpret::outcome`.
    pub async fn refund(
        &self,
        client_request_id: &str,
        body: &[u8],
    ) -> Result<RefundResponse, CommerceHubError> {
        self.post("/payments/v1/refunds", client_request_id, body.to_vec())
            .await
    }

    /// The exact bytes of a cancel, to store with its `Client-Request-Id` before it is sent.
    pub fn cancel_body(request: &CancelRequest) -> Result<Vec<u8>, CommerceHubError> {
        serde_json::to_vec(request).map_err(|e| CommerceHubError::Transport(e.to_string()))
    }

    /// `POST /payments/v1/cancels` with a body from [`Self::cancel_body`] and its stored
    /// `Client-Request-Id`: 200 with the cancel, approved or declined (read it with
    /// `interpret::cancel_outcome`).
    pub async fn cancel(
        &self,
        client_request_id: &str,
        body: &[u8],
    ) -> Result<RefundResponse, CommerceHubError> {
        self.post("/payments/v1/cancels", client_request_id, body.to_vec())
            .await
    }

    /// `POST /payments/v1/transaction-inquiry` for what a request with `client_request_id`
    /// produced (empty: nothing was recorded).
    pub async fn inquire_request(
        &self,
        client_request_id: &str,
    ) -> Result<Vec<RefundResponse>, CommerceHubError> {
        self.inquire(InquiryReference {
            reference_client_request_id: Some(client_request_id.to_string()),
            ..Default::default()
        })
        .await
    }

    /// `POST /payments/v1/transaction-inquiry` for every transaction sent with
    /// `merchantTransactionId` (a refund's own id, which each of its requests carries): how a
    /// request is found whatever `Client-Request-Id` it went under.
    pub async fn inquire_merchant_transaction(
        &self,
        merchant_transaction_id: &str,
    ) -> Result<Vec<RefundResponse>, CommerceHubError> {
        self.inquire(InquiryReference {
            reference_merchant_transaction_id: Some(merchant_transaction_id.to_string()),
            ..Default::default()
        })
        .await
    }

    async fn inquire(
        &self,
        reference: InquiryReference,
    ) -> Result<Vec<RefundResponse>, CommerceHubError> {
        let body = InquiryRequest {
            reference_transaction_details: reference,
            merchant_details: self.merchant(),
        };
        self.post_json(
            "/payments/v1/transaction-inquiry",
            &new_client_request_id(),
            &body,
        )
        .await
    }

    /// `POST /payments-vas/v1/security/credentials`: a Hosted Fields session.
    pub async fn security_credentials(&self) -> Result<SecurityCredentials, CommerceHubError> {
        let body = CredentialsRequest {
            merchant_details: self.merchant(),
        };
        self.post_json(
            "/payments-vas/v1/security/credentials",
            &new_client_request_id(),
            &body,
        )
        .await
    }

    /// `POST /payments-vas/v1/tokens`: a token for the card a Hosted Fields session captured (the
    /// session is used up).
    pub async fn tokenize_session(
        &self,
        session_id: &str,
    ) -> Result<TokenResponse, CommerceHubError> {
        let body = TokenRequest {
            source: RefundSource::PaymentSession {
                session_id: session_id.to_string(),
            },
            merchant_details: self.merchant(),
        };
        self.post_json("/payments-vas/v1/tokens", &new_client_request_id(), &body)
            .await
    }

    /// `POST /payments/v1/charges` with a plain card: Commerce Hub's sandbox only (paydesk's
    /// sandbox demo).
    pub async fn sandbox_charge(
        &self,
        request: &ChargeRequest,
    ) -> Result<RefundResponse, CommerceHubError> {
        self.post_json("/payments/v1/charges", &new_client_request_id(), request)
            .await
    }

    async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        client_request_id: &str,
        body: &impl Serialize,
    ) -> Result<T, CommerceHubError> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| CommerceHubError::Transport(e.to_string()))?;
        self.post(path, client_request_id, bytes).await
    }

    /// Signs `body` (exactly these bytes) and sends it.
    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        client_request_id: &str,
        body: Vec<u8>,
    ) -> Result<T, CommerceHubError> {
        let timestamp = crate::clock::now_ms().to_string();
        let signature = authorization(
            &self.account.api_key,
            self.account.api_secret.expose_secret().as_bytes(),
            client_request_id,
            &timestamp,
            &body,
        );
        let request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("Content-Type", "application/json")
            .header("Client-Request-Id", client_request_id)
            .header("Api-Key", &self.account.api_key)
            .header("Timestamp", &timestamp)
            .header("Auth-Token-Type", "HMAC")
            .header("Authorization", signature)
            .body(body);
        let answer = measures::send_gateway_call("commercehub", request)
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = answer.status().as_u16();
        let trace = answer
            .headers()
            .get("apitraceid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = answer.bytes().await.map_err(|e| self.transport_error(e))?;
        if !(200..300).contains(&status) {
            return Err(CommerceHubError::from_answer(status, trace, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| CommerceHubError::UnexpectedResponse {
            status,
            api_trace_id: trace,
            detail: e.to_string(),
        })
    }

    fn transport_error(&self, error: reqwest::Error) -> CommerceHubError {
        if error.is_timeout() {
            CommerceHubError::Timeout {
                seconds: self.timeout.as_secs(),
            }
        } else if error.is_connect() {
            CommerceHubError::Connect(error.to_string())
        } else {
            CommerceHubError::Transport(error.to_string())
        }
    }
}
