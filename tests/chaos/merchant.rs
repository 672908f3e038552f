//! The merchant's backend: paydesk's merchant API, used as a careful merchant uses it — a request
//! whose answer did not come (paydesk down or restarting, a 5xx, another operation in flight) is
//! sent again with the same `Idempotency-Key` or `referenceId`, never a new one.

use std::time::{Duration, Instant};

use paydesk_core::payments::{CheckoutResource, DeviceRefundResource, RefundLinkResource};
use serde_json::{json, Value};

use crate::cluster::MERCHANT_TOKEN;

/// An answer paydesk gave.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// How long a merchant keeps sending one request before giving up.
const PATIENCE: Duration = Duration::from_secs(90);

#[derive(Clone)]
pub struct Merchant {
    http: reqwest::Client,
    base: String,
}

impl Merchant {
    pub fn new(base: &str) -> Merchant {
        Merchant {
            // A new connection per request: the balancer spreads them over the instances.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .pool_max_idle_per_host(0)
                .build()
                .unwrap_or_default(),
            base: base.to_string(),
        }
    }

    async fn send_once(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<Answer, String> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(MERCHANT_TOKEN);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// Sends until paydesk gives an answer a merchant can act on.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<Answer, String> {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        while Instant::now() < deadline {
            match self.send_once(method.clone(), path, body, key).await {
                Ok(answer)
                    if answer.status >= 500
                        || answer.status == 429
                        || answer.code() == "operation_in_progress" =>
                {
                    last = format!("{} {}", answer.status, answer.body);
                }
                Ok(answer) => return Ok(answer),
                Err(error) => last = error,
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        Err(format!(
            "{path}: no answer within {PATIENCE:?} (last: {last})"
        ))
    }

    /// `POST /api/v1/checkouts` (`referenceId` makes a retried request safe).
    pub async fn create_checkout(
        &self,
        amount: i64,
        order: &str,
        expires_in: Option<u64>,
    ) -> Result<String, String> {
        let mut body = json!({
            "amount": amount,
            "currency": "USD",
            "orderNumber": order,
            "referenceId": order,
        });
        if let Some(seconds) = expires_in {
            body["expiresInSeconds"] = json!(seconds);
        }
        let answer = self
            .send(
                reqwest::Method::POST,
                "/api/v1/checkouts",
                Some(&body),
                None,
            )
            .await?;
        match answer.body["id"].as_str() {
            Some(id) if answer.ok() => Ok(id.to_string()),
            _ => Err(format!(
                "create checkout: {} {}",
                answer.status, answer.body
            )),
        }
    }

    /// `GET path`, read as the resource it returns.
    async fn resource<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let answer = self.send(reqwest::Method::GET, path, None, None).await?;
        serde_json::from_value(answer.body.clone())
            .map_err(|e| format!("{path}: {e}: {}", answer.body))
    }

    pub async fn checkout(&self, id: &str) -> Result<CheckoutResource, String> {
        self.resource(&format!("/api/v1/checkouts/{id}")).await
    }

    pub async fn refund_link(&self, id: &str) -> Result<RefundLinkResource, String> {
        self.resource(&format!("/api/v1/refund-links/{id}")).await
    }

    /// `POST /api/v1/refund-links` (`referenceId` makes a retry safe).
    pub async fn create_refund_link(&self, body: &Value) -> Result<Answer, String> {
        self.send(
            reqwest::Method::POST,
            "/api/v1/refund-links",
            Some(body),
            None,
        )
        .await
    }

    /// `POST /api/v1/checkouts/{id}/refund-link`: what remains, to a card the customer enters.
    pub async fn refund_to_new_card(&self, id: &str) -> Result<Answer, String> {
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/checkouts/{id}/refund-link"),
            Some(&json!({})),
            None,
        )
        .await
    }

    /// Captures, voids or refunds (`kind`), with `key` as the `Idempotency-Key` if given.
    pub async fn operate(
        &self,
        id: &str,
        kind: &str,
        amount: Option<i64>,
        key: Option<&str>,
    ) -> Result<Answer, String> {
        let body = amount.map(|amount| json!({ "amount": amount }));
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/checkouts/{id}/{kind}"),
            body.as_ref(),
            key,
        )
        .await
    }

    /// The same, sent once: for racing requests whose refusal is the point.
    pub async fn operate_once(
        &self,
        id: &str,
        kind: &str,
        amount: Option<i64>,
    ) -> Result<Answer, String> {
        let body = amount.map(|amount| json!({ "amount": amount }));
        self.send_once(
            reqwest::Method::POST,
            &format!("/api/v1/checkouts/{id}/{kind}"),
            body.as_ref(),
            None,
        )
        .await
    }

    /// Polls the checkout until `done` says so (`None` after `within`).
    /// `POST /api/v1/refunds` (its `referenceId` makes a retried request safe).
    pub async fn create_gateway_refund(&self, body: &Value) -> Result<Answer, String> {
        self.send(reqwest::Method::POST, "/api/v1/refunds", Some(body), None)
            .await
    }

    /// `GET /api/v1/refunds/{id}` (it resolves an unknown answer that is due).
    pub async fn gateway_refund(&self, id: &str) -> Result<Value, String> {
        let answer = self
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/refunds/{id}"),
                None,
                None,
            )
            .await?;
        if answer.ok() {
            Ok(answer.body)
        } else {
            Err(format!("refund {id}: {} {}", answer.status, answer.body))
        }
    }

    /// `POST /api/v1/device-refunds` (its `Idempotency-Key` makes a retried request safe).
    pub async fn create_device_refund(&self, body: &Value, key: &str) -> Result<Answer, String> {
        self.send(
            reqwest::Method::POST,
            "/api/v1/device-refunds",
            Some(body),
            Some(key),
        )
        .await
    }

    /// `GET /api/v1/device-refunds/{id}?wait=…`.
    pub async fn device_refund(
        &self,
        id: &str,
        wait_secs: u64,
    ) -> Result<DeviceRefundResource, String> {
        self.resource(&format!("/api/v1/device-refunds/{id}?wait={wait_secs}"))
            .await
    }

    /// `POST /api/v1/device-refunds/{id}/cancel`.
    pub async fn cancel_device_refund(&self, id: &str) -> Result<Answer, String> {
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/device-refunds/{id}/cancel"),
            None,
            None,
        )
        .await
    }

    pub async fn wait_for(
        &self,
        id: &str,
        within: Duration,
        done: impl Fn(&CheckoutResource) -> bool,
    ) -> Result<Option<CheckoutResource>, String> {
        let deadline = Instant::now() + within;
        loop {
            let checkout = self.checkout(id).await?;
            if done(&checkout) {
                return Ok(Some(checkout));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}
