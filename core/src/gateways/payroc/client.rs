//! The Payroc Cloud HTTP client: refund instructions sent to a payment device, long-polled until
//! they end, cancelled while the device waits for a card, and the refund they produced. Every call
//! carries the cached Bearer token; a 401 refreshes it once. Nothing here retries a 409; the submit's
//! caller resends (with the same stored key) only when [`PayrocError::may_resend`] says so.

use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::error::{PayrocError, ProblemType};
use super::identity::{PayrocApiKey, TokenCache};
use super::wire::{
    Device, DeviceList, Problem, Refund, RefundInstruction, RefundInstructionRequest, RefundPage,
};
use crate::measures;

/// Where a Payroc deployment lives.
#[derive(Clone, Debug)]
pub struct PayrocEndpoints {
    /// API root including its version, e.g. `https://api.payroc.com/v1`.
    pub api_url: String,
    /// Identity root, e.g. `https://identity.payroc.com`.
    pub identity_url: String,
}

/// How long a poll may be held: Payroc holds up to a minute; the client waits longer.
pub const MIN_POLL_TIMEOUT: Duration = Duration::from_secs(75);

/// At most this many pages of devices are read (100 a page: 10,000 terminals).
const MAX_DEVICE_PAGES: usize = 100;

/// What a cancel did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The device stopped waiting (204, or any 2xx).
    Canceled,
    /// It had already completed: this is its refund.
    AlreadyCompleted { refund_id: String },
    /// It can no longer be canceled (failed, canceled, or a card was presented): poll it.
    TooLate { reason: String },
}

#[derive(Debug)]
pub struct PayrocClient {
    http: reqwest::Client,
    poll_http: reqwest::Client,
    base_url: String,
    tokens: TokenCache,
    timeout: Duration,
    poll_timeout: Duration,
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, PayrocError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        // A redirect would carry the Bearer token elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("paydesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| PayrocError::InvalidRequest(format!("could not build the HTTP client: {e}")))
}

impl PayrocClient {
    /// `timeout` bounds ordinary calls; `poll_timeout` (at least [`MIN_POLL_TIMEOUT`] against the
    /// real Payroc) bounds a long poll.
    pub fn new(
        endpoints: &PayrocEndpoints,
        api_key: PayrocApiKey,
        timeout: Duration,
        poll_timeout: Duration,
    ) -> Result<Self, PayrocError> {
        let http = http_client(timeout)?;
        Ok(PayrocClient {
            tokens: TokenCache::new(http.clone(), &endpoints.identity_url, api_key),
            poll_http: http_client(poll_timeout)?,
            http,
            base_url: endpoints.api_url.trim_end_matches('/').to_string(),
            timeout,
            poll_timeout,
        })
    }

    /// `POST /devices/{serialNumber}/refund-instructions` (202). `idempotency_key` (a UUID v4) must
    /// have been stored before this is called, and be reused if it is sent again.
    pub async fn send_refund_instruction(
        &self,
        serial_number: &str,
        request: &RefundInstructionRequest,
        idempotency_key: &str,
    ) -> Result<RefundInstruction, PayrocError> {
        let body = Self::instruction_body(request)?;
        self.send_instruction_body(serial_number, &body, idempotency_key)
            .await
    }

    /// The bytes an instruction is sent as: stored with its key before the first send, so every
    /// resend carries the very same request (Payroc refuses a key reused for another one).
    pub fn instruction_body(request: &RefundInstructionRequest) -> Result<String, PayrocError> {
        serde_json::to_string(request).map_err(|e| {
            PayrocError::InvalidRequest(format!("the instruction cannot be written: {e}"))
        })
    }

    /// [`Self::send_refund_instruction`] with a body written before (by [`Self::instruction_body`]).
    pub async fn send_instruction_body(
        &self,
        serial_number: &str,
        body: &str,
        idempotency_key: &str,
    ) -> Result<RefundInstruction, PayrocError> {
        let url = format!(
            "{}/devices/{}/refund-instructions",
            self.base_url,
            path_segment(serial_number)?
        );
        self.call(&self.http, self.timeout, |http| {
            http.post(&url)
                .header(CONTENT_TYPE, "application/json")
                .header("Idempotency-Key", idempotency_key)
                .body(body.to_string())
        })
        .await?
        .json()
    }

    /// `GET /refund-instructions/{id}`: held by Payroc until the status changes or its hold ends.
    /// `None` when our own timeout ran out first: treat it as "still in progress" and poll again.
    pub async fn poll_refund_instruction(
        &self,
        instruction_id: &str,
    ) -> Result<Option<RefundInstruction>, PayrocError> {
        let url = format!(
            "{}/refund-instructions/{}",
            self.base_url,
            path_segment(instruction_id)?
        );
        match self
            .call(&self.poll_http, self.poll_timeout, |http| http.get(&url))
            .await
        {
            Ok(answer) => answer.json().map(Some),
            Err(PayrocError::Timeout { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// `DELETE /refund-instructions/{id}`: only while the device waits for a card.
    pub async fn cancel_refund_instruction(
        &self,
        instruction_id: &str,
    ) -> Result<CancelOutcome, PayrocError> {
        let url = format!(
            "{}/refund-instructions/{}",
            self.base_url,
            path_segment(instruction_id)?
        );
        match self
            .call(&self.http, self.timeout, |http| http.delete(&url))
            .await
        {
            Ok(_) => Ok(CancelOutcome::Canceled),
            Err(error) if error.kind() == Some(&ProblemType::CannotBeCanceled) => {
                match error.link().and_then(|link| link.refund_id()) {
                    Some(refund_id) => Ok(CancelOutcome::AlreadyCompleted { refund_id }),
                    None => Ok(CancelOutcome::TooLate {
                        reason: too_late_reason(&error),
                    }),
                }
            }
            Err(other) => Err(other),
        }
    }

    /// `GET /refunds/{refundId}`.
    pub async fn refund(&self, refund_id: &str) -> Result<Refund, PayrocError> {
        let url = format!("{}/refunds/{}", self.base_url, path_segment(refund_id)?);
        self.call(&self.http, self.timeout, |http| http.get(&url))
            .await?
            .json()
    }

    /// `POST /refunds/{refundId}/reverse` (reverseRefund): takes a refund out of the open batch, so no
    /// money goes to the card. `idempotency_key` (a UUID v4) must have been stored before this is
    /// called, and be reused if it is sent again; the answer is the refund, `status: reversal`.
    pub async fn reverse_refund(
        &self,
        refund_id: &str,
        idempotency_key: &str,
    ) -> Result<Refund, PayrocError> {
        let url = format!(
            "{}/refunds/{}/reverse",
            self.base_url,
            path_segment(refund_id)?
        );
        self.call(&self.http, self.timeout, |http| {
            http.post(&url).header("Idempotency-Key", idempotency_key)
        })
        .await?
        .json()
    }

    /// `GET /refunds` (listRefunds): every refund of `terminal` processed since `date_from` (RFC
    /// 3339), page after page (the reconciliation report's view of what devices refunded).
    pub async fn refunds_since(
        &self,
        terminal: &str,
        date_from: &str,
    ) -> Result<Vec<Refund>, PayrocError> {
        let url = format!("{}/refunds", self.base_url);
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![
                ("processingTerminalId", terminal.to_string()),
                ("dateFrom", date_from.to_string()),
                ("limit", "100".to_string()),
            ];
            if let Some(after) = &after {
                query.push(("after", after.clone()));
            }
            let page: RefundPage = self
                .call(&self.http, self.timeout, |http| {
                    http.get(&url).query(&query)
                })
                .await?
                .json()?;
            let last = page.data.last().map(|r| r.refund_id.clone());
            all.extend(page.data);
            match (page.has_more, last) {
                (true, Some(last)) if after.as_ref() != Some(&last) => after = Some(last),
                _ => return Ok(all),
            }
        }
    }

    /// `GET /devices`, page after page (100 a page, the most Payroc gives), so a merchant with more
    /// terminals than one page holds reaches them all.
    pub async fn devices(&self) -> Result<Vec<Device>, PayrocError> {
        let url = format!("{}/devices", self.base_url);
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_DEVICE_PAGES {
            let mut query = vec![("limit", "100".to_string())];
            if let Some(after) = &after {
                query.push(("after", after.clone()));
            }
            let page: DeviceList = self
                .call(&self.http, self.timeout, |http| {
                    http.get(&url).query(&query)
                })
                .await?
                .json()?;
            let next = page.next_after();
            all.extend(page.into_devices());
            match next {
                Some(next) if after.as_ref() != Some(&next) => after = Some(next),
                _ => return Ok(all),
            }
        }
        Ok(all)
    }

    /// Sends a request with the current token; a 401 refreshes the token and sends it once more (a
    /// 401 means nothing was done). Any other non-2xx is a typed error.
    async fn call(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, PayrocError> {
        for attempt in 0..2 {
            let authorization = self.tokens.authorization().await?;
            let request = build(http).header(reqwest::header::AUTHORIZATION, authorization);
            let response = measures::send_gateway_call("payroc", request)
                .await
                .map_err(|e| transport_error(e, timeout))?;
            let status = response.status();
            let bytes = response
                .bytes()
                .await
                .map_err(|e| transport_error(e, timeout))?
                .to_vec();
            if status == StatusCode::UNAUTHORIZED && attempt == 0 {
                self.tokens.invalidate().await;
                continue;
            }
            if status.is_success() {
                return Ok(Answer { status, bytes });
            }
            return Err(match serde_json::from_slice::<Problem>(&bytes) {
                Ok(problem) if !problem.kind.is_empty() => {
                    PayrocError::problem(status.as_u16(), problem)
                }
                _ => PayrocError::UnexpectedResponse {
                    http_status: status.as_u16(),
                    detail: snippet(&bytes),
                },
            });
        }
        Err(PayrocError::Identity(
            "a fresh token was refused too".into(),
        ))
    }
}

/// A successful answer's status and body.
struct Answer {
    status: StatusCode,
    bytes: Vec<u8>,
}

impl Answer {
    fn json<T: DeserializeOwned>(&self) -> Result<T, PayrocError> {
        serde_json::from_slice(&self.bytes).map_err(|e| PayrocError::UnexpectedResponse {
            http_status: self.status.as_u16(),
            detail: e.to_string(),
        })
    }
}

fn transport_error(error: reqwest::Error, timeout: Duration) -> PayrocError {
    let error = error.without_url();
    if error.is_connect() {
        PayrocError::Connect(error.to_string())
    } else if error.is_timeout() {
        PayrocError::Timeout {
            seconds: timeout.as_secs(),
        }
    } else {
        PayrocError::Transport(error.to_string())
    }
}

/// An id or serial number as one URL path segment: Payroc allows any 1–64 characters (its spec's
/// `serialNumber`), so everything but letters, digits, `-` and `_` is percent-encoded (dots too: a
/// serial `..` must not climb the path); a control character or a length outside 1–64 is refused.
fn path_segment(id: &str) -> Result<String, PayrocError> {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_');
    if (1..=64).contains(&id.chars().count()) && !id.chars().any(char::is_control) {
        Ok(utf8_percent_encode(id, SEGMENT).to_string())
    } else {
        Err(PayrocError::InvalidRequest(format!(
            "{id:?} is not a Payroc id"
        )))
    }
}

fn too_late_reason(error: &PayrocError) -> String {
    match error {
        PayrocError::Problem { problem, .. } => problem
            .errors
            .iter()
            .find_map(|e| e.message.clone())
            .or_else(|| problem.detail.clone())
            .unwrap_or_else(|| "cannot be canceled".into()),
        other => other.to_string(),
    }
}

fn snippet(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_serial_number_payroc_allows_is_one_path_segment() {
        assert_eq!(path_segment("1850010868").unwrap(), "1850010868");
        assert_eq!(path_segment("SN_12-3").unwrap(), "SN_12-3");
        assert_eq!(
            path_segment("WPC 2028/33#004").unwrap(),
            "WPC%202028%2F33%23004"
        );
        assert_eq!(path_segment("..").unwrap(), "%2E%2E");
        assert_eq!(path_segment("é").unwrap(), "%C3%A9");
        for refused in ["", "a\nb", &"x".repeat(65)] {
            assert!(path_segment(refused).is_err(), "{refused:?}");
        }
        assert!(
            path_segment(&"é".repeat(64)).is_ok(),
            "64 characters, not bytes"
        );
    }
}
