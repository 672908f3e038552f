//! A simulator's `/sandbox/…` controls as the suite calls them: the API key in the simulator's own
//! header, a JSON answer, and its fault queue (`POST`/`DELETE /sandbox/faults`).

use std::time::Duration;

use serde_json::Value;

use crate::cluster::API_KEY;

#[derive(Clone)]
pub struct Controls {
    pub http: reqwest::Client,
    pub url: String,
    /// The header the simulator reads its API key from (`x-api-key`, Commerce Hub's `Api-Key`).
    key_header: &'static str,
    /// Named in errors.
    name: &'static str,
}

impl Controls {
    pub fn new(name: &'static str, url: &str, key_header: &'static str) -> Controls {
        Controls {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            url: url.to_string(),
            key_header,
            name,
        }
    }

    /// Sends a control request with the key; its JSON answer (null when it has none).
    pub async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, String> {
        let response = request
            .header(self.key_header, API_KEY)
            .send()
            .await
            .map_err(|e| format!("{} control: {}", self.name, e.without_url()))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("{} control answered {status}: {body}", self.name))
        }
    }

    /// Queues a fault (`{"operation", "fault", "applied", "count", "delayMs"}`).
    pub async fn queue_fault(&self, fault: &Value) -> Result<(), String> {
        self.call(
            self.http
                .post(format!("{}/sandbox/faults", self.url))
                .json(fault),
        )
        .await
        .map(drop)
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.call(self.http.delete(format!("{}/sandbox/faults", self.url)))
            .await
            .map(drop)
    }
}
