//! The typed HTTP client for the gateway's API. Holds the secret API key and never lets it out:
//! not in logs, errors or `Debug` output.

use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{OmniError, OmniErrorBody};
use super::wire::{
    HostedSession, HostedSessionRequest, Page, PaymentMethod, ReferencedRequest, Transaction,
};
use crate::measures;

/// The secret API key (`secrecy`: its `Debug` is redacted); it is only ever written into a
/// sensitive header.
#[derive(Clone, Debug)]
pub struct ApiKey(SecretString);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(SecretString::from(key.into()))
    }

    /// "key_test_…" keys talk to the gateway's sandbox environment.
    pub fn is_test_key(&self) -> bool {
        self.0.expose_secret().starts_with("key_test_")
    }

    fn header_value(&self) -> Result<HeaderValue, OmniError> {
        let mut value = HeaderValue::from_str(self.0.expose_secret()).map_err(|_| {
            OmniError::InvalidRequest(
                "the API key contains characters not allowed in a header".into(),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// One condition of a list `filters` parameter, e.g. `referenceId==pd_123`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    field: &'static str,
    operator: &'static str,
    value: String,
}

impl Filter {
    pub fn eq(field: &'static str, value: impl Into<String>) -> Self {
        Filter {
            field,
            operator: "==",
            value: value.into(),
        }
    }

    /// `field>=value`, e.g. transactions since a timestamp.
    pub fn at_least(field: &'static str, value: impl Into<String>) -> Self {
        Filter {
            field,
            operator: ">=",
            value: value.into(),
        }
    }

    fn render(&self) -> String {
        // `,` separates conditions and `|` separates alternatives: escape them inside values.
        let mut escaped = String::with_capacity(self.value.len());
        for ch in self.value.chars() {
            if matches!(ch, ',' | '|' | '\\') {
                escaped.push('\\');
            }
            escaped.push(ch);
        }
        format!("{}{}{}", self.field, self.operator, escaped)
    }
}

/// Query for the paginated list endpoints.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    /// e.g. `-timestamp` for newest first.
    pub sorts: Vec<String>,
    /// Starts at 1.
    pub page: Option<u32>,
}

impl ListQuery {
    pub fn filter(filter: Filter) -> Self {
        ListQuery {
            filters: vec![filter],
            ..Default::default()
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if !self.filters.is_empty() {
            let joined: Vec<String> = self.filters.iter().map(Filter::render).collect();
            params.push(("filters", joined.join(",")));
        }
        if !self.sorts.is_empty() {
            params.push(("sorts", self.sorts.join(",")));
        }
        if let Some(page) = self.page {
            params.push(("page", page.to_string()));
        }
        params
    }
}

/// The most pages [`OmniClient::transactions_since`] reads.
const MAX_PAGES: u32 = 10_000;

#[derive(Clone, Debug)]
pub struct OmniClient {
    http: reqwest::Client,
    base_url: String,
    api_key: ApiKey,
    timeout: Duration,
}

impl OmniClient {
    /// `base_url` is the API root including its version, e.g.
    /// `https://api.omni.integratedcommerce.io/v1`.
    pub fn new(base_url: &str, api_key: ApiKey, timeout: Duration) -> Result<Self, OmniError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            // A redirect would carry `x-api-key` to wherever it points: never follow one (a 3xx is
            // an unexpected answer, its effect unknown, so the call is looked up).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("paydesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                OmniError::InvalidRequest(format!("could not build the HTTP client: {e}"))
            })?;
        Ok(OmniClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `POST /transactions/virtual-auth`: a hosted-form authorization session.
    pub async fn create_virtual_auth(
        &self,
        request: &HostedSessionRequest,
    ) -> Result<HostedSession, OmniError> {
        self.create_session("/transactions/virtual-auth", request)
            .await
    }

    /// `POST /transactions/unreferenced-virtual-refund`: a hosted-form refund session.
    pub async fn create_unreferenced_virtual_refund(
        &self,
        request: &HostedSessionRequest,
    ) -> Result<HostedSession, OmniError> {
        self.create_session("/transactions/unreferenced-virtual-refund", request)
            .await
    }

    /// `POST /transactions/capture`.
    pub async fn capture(&self, request: &ReferencedRequest) -> Result<Transaction, OmniError> {
        check_referenced(request)?;
        self.post("/transactions/capture", request).await
    }

    /// `POST /transactions/void`.
    pub async fn void(&self, request: &ReferencedRequest) -> Result<Transaction, OmniError> {
        check_referenced(request)?;
        self.post("/transactions/void", request).await
    }

    /// `POST /transactions/refund` (becomes a void while the original is in the open batch).
    pub async fn refund(&self, request: &ReferencedRequest) -> Result<Transaction, OmniError> {
        check_referenced(request)?;
        self.post("/transactions/refund", request).await
    }

    /// `GET /transactions` with filters, e.g. `referenceId==…` to settle an unknown outcome.
    pub async fn list_transactions(
        &self,
        query: &ListQuery,
    ) -> Result<Page<Transaction>, OmniError> {
        self.get("/transactions", query).await
    }

    /// `GET /payment-methods`: the merchant's hosted forms, terminals and tokens.
    pub async fn list_payment_methods(
        &self,
        query: &ListQuery,
    ) -> Result<Page<PaymentMethod>, OmniError> {
        self.get("/payment-methods", query).await
    }

    /// Every transaction since `since` (ISO-8601), oldest first, page after page.
    pub async fn transactions_since(&self, since: &str) -> Result<Vec<Transaction>, OmniError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let query = ListQuery {
                filters: vec![Filter::at_least("timestamp", since)],
                sorts: vec!["timestamp".into()],
                page: Some(page),
            };
            let items = self.list_transactions(&query).await?.items;
            if items.is_empty() {
                break;
            }
            all.extend(items);
        }
        Ok(all)
    }

    /// Finds the transaction the gateway holds for one of our reference ids, if any.
    pub async fn find_by_reference(
        &self,
        reference_id: &str,
    ) -> Result<Option<Transaction>, OmniError> {
        let page = self
            .list_transactions(&ListQuery::filter(Filter::eq("referenceId", reference_id)))
            .await?;
        Ok(page
            .items
            .into_iter()
            .find(|tx| tx.reference_id.as_deref() == Some(reference_id)))
    }

    async fn create_session(
        &self,
        path: &str,
        request: &HostedSessionRequest,
    ) -> Result<HostedSession, OmniError> {
        let session: HostedSession = self.post(path, request).await?;
        match session.iframe_url.as_deref() {
            Some(url) if !url.trim().is_empty() => Ok(session),
            _ => Err(OmniError::NoIframeUrl {
                session_id: session.id,
            }),
        }
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, OmniError> {
        let request = self
            .http
            .post(format!("{}{}", self.base_url, path))
            .header("x-api-key", self.api_key.header_value()?)
            .header(CONTENT_TYPE, "application/json")
            .json(body);
        self.send(request).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> Result<T, OmniError> {
        let request = self
            .http
            .get(format!("{}{}", self.base_url, path))
            .header("x-api-key", self.api_key.header_value()?)
            .query(&query.params());
        self.send(request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, OmniError> {
        let response = measures::send_gateway_call("omni", request)
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if let Some(remaining) = response
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            if remaining < 5 {
                tracing::warn!(remaining, "gateway rate limit nearly exhausted");
            }
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| OmniError::UnexpectedResponse {
                http_status: status.as_u16(),
                detail: format!("{e}"),
            });
        }
        match serde_json::from_slice::<OmniErrorBody>(&bytes) {
            Ok(error) => Err(OmniError::Api {
                http_status: status.as_u16(),
                error,
            }),
            Err(_) => Err(OmniError::UnexpectedResponse {
                http_status: status.as_u16(),
                detail: snippet(&bytes),
            }),
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> OmniError {
        let error = error.without_url();
        if error.is_connect() {
            OmniError::Connect(error.to_string())
        } else if error.is_timeout() {
            OmniError::Timeout {
                seconds: self.timeout.as_secs(),
            }
        } else {
            OmniError::Transport(error.to_string())
        }
    }
}

fn check_referenced(request: &ReferencedRequest) -> Result<(), OmniError> {
    match (
        &request.original_transaction_id,
        &request.original_reference_id,
    ) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        _ => Err(OmniError::InvalidRequest(
            "exactly one of originalTransactionId and originalReferenceId is required".into(),
        )),
    }
}

/// The start of an unreadable body, for the log: printable ASCII only, bounded.
fn snippet(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if text.is_empty() {
        "<empty body>".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("key_live_supersecret");
        assert!(!format!("{key:?}").contains("supersecret"));
        let client =
            OmniClient::new("http://127.0.0.1:1/v1/", key, Duration::from_secs(1)).unwrap();
        assert!(!format!("{client:?}").contains("supersecret"));
        assert_eq!(client.base_url(), "http://127.0.0.1:1/v1");
    }

    #[test]
    fn filters_escape_separators() {
        let q = ListQuery {
            filters: vec![
                Filter::eq("referenceId", "a,b|c"),
                Filter::eq("type", "Auth"),
            ],
            sorts: vec!["-timestamp".into()],
            page: Some(2),
        };
        assert_eq!(
            q.params(),
            vec![
                ("filters", r"referenceId==a\,b\|c,type==Auth".to_string()),
                ("sorts", "-timestamp".to_string()),
                ("page", "2".to_string()),
            ]
        );
    }

    #[test]
    fn referenced_requests_need_exactly_one_original() {
        assert!(check_referenced(&ReferencedRequest::default()).is_err());
        let both = ReferencedRequest {
            original_transaction_id: Some("trx".into()),
            original_reference_id: Some("ref".into()),
            ..Default::default()
        };
        assert!(check_referenced(&both).is_err());
    }
}
