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

    /// Sends a control request with the key; its JSON answer (null when it has none). A simulator
    /// in a simulated outage refuses connections for a while: the request is sent again until it
    /// is back (at most half a minute).
    pub async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, String> {
        let response = send_through_outages(request.header(self.key_header, API_KEY))
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

    /// The operations that have a fault waiting.
    pub async fn faulty_operations(&self) -> Result<Vec<String>, String> {
        let listed = self
            .call(self.http.get(format!("{}/sandbox/faults", self.url)))
            .await?;
        Ok(listed["faults"]
            .as_array()
            .map(|faults| {
                faults
                    .iter()
                    .filter_map(|f| f["operation"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Takes the simulator down (its port refuses connections) for `for_ms`.
    pub async fn outage(&self, for_ms: u64) -> Result<(), String> {
        self.call(
            self.http
                .post(format!("{}/sandbox/outage", self.url))
                .json(&serde_json::json!({ "forMs": for_ms })),
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

/// Sends `request`, again while the connection is refused (a simulator in a simulated outage comes
/// back within half a minute), as a browser or a till retries.
pub async fn send_through_outages(
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        // A body that cannot be cloned (none here) is sent once.
        let Some(attempt) = request.try_clone() else {
            return request.send().await;
        };
        match attempt.send().await {
            // Refused (nothing listens), or a pooled connection the outage broke.
            Err(error)
                if (error.is_connect() || error.is_request())
                    && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}
