//! Customers at payment devices: the Payroc simulator's virtual terminals (a card tapped, keyed or
//! declined, a cancel on the device, a timeout, the device offline), and its fault controls.

use serde_json::Value;

use crate::controls::{send_through_outages, Controls};

/// The simulator's devices.
pub const DEVICES: [&str; 3] = ["1850010868", "1850010869", "1850010870"];

pub struct Terminals {
    controls: Controls,
}

impl Terminals {
    pub fn new(url: &str) -> Terminals {
        Terminals {
            controls: Controls::new("payroc", url, "x-api-key"),
        }
    }

    /// Presses a button of `device`'s virtual terminal.
    pub async fn press(
        &self,
        device: &str,
        action: &str,
        form: &[(&str, &str)],
    ) -> Result<(), String> {
        let response = send_through_outages(
            self.controls
                .http
                .post(format!("{}/terminal/{device}/{action}", self.controls.url))
                .form(form),
        )
        .await
        .map_err(|e| e.without_url().to_string())?;
        match response.status().as_u16() {
            303 => Ok(()),
            other => Err(format!("terminal {device} {action}: HTTP {other}")),
        }
    }

    /// Makes the simulator fail on its next call of an operation.
    pub async fn queue_fault(&self, fault: &Value) -> Result<(), String> {
        self.controls.queue_fault(fault).await
    }

    /// Every refund the devices made, as Payroc lists them (`GET /v1/refunds`, page after page,
    /// with a token from its identity service): the device side of the truth.
    pub async fn refunds(&self) -> Result<Vec<Value>, String> {
        let token: Value = self
            .controls
            .call(
                self.controls
                    .http
                    .post(format!("{}/authorize", self.controls.url)),
            )
            .await?;
        let bearer = token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut all: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![("limit", "100".to_string())];
            if let Some(after) = &after {
                query.push(("after", after.clone()));
            }
            let page: Value = send_through_outages(
                self.controls
                    .http
                    .get(format!("{}/v1/refunds", self.controls.url))
                    .query(&query)
                    .bearer_auth(&bearer),
            )
            .await
            .map_err(|e| format!("payroc refunds: {}", e.without_url()))?
            .json()
            .await
            .map_err(|e| format!("payroc refunds: {e}"))?;
            let items = page["data"].as_array().cloned().unwrap_or_default();
            let last = items
                .last()
                .and_then(|r| r["refundId"].as_str())
                .map(str::to_string);
            all.extend(items);
            match (page["hasMore"].as_bool(), last) {
                (Some(true), Some(last)) => after = Some(last),
                _ => return Ok(all),
            }
        }
    }

    /// The controls, for the fault injector.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.controls.clear_faults().await
    }
}
