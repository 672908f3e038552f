//! The sandbox gateway as the suite uses it: its controls (faults, closing the batch) and its
//! transaction list — the gateway's side of the truth, read with the merchant's API key and parsed
//! from the gateway's own JSON (not through paydesk's client).

use serde::Deserialize;
use serde_json::Value;

use crate::cluster::API_KEY;
use crate::controls::{send_through_outages, Controls};

/// One gateway transaction, as `GET /v1/transactions` lists it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayTransaction {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub reference_id: String,
    pub order_number: Option<String>,
    pub approved_amount: i64,
}

impl GatewayTransaction {
    /// Money moved (or held): completed with an approved amount.
    pub fn approved(&self) -> bool {
        self.status == "Completed" && self.approved_amount > 0
    }
}

#[derive(Deserialize)]
struct Page {
    items: Vec<GatewayTransaction>,
    #[serde(rename = "totalCount")]
    total_count: usize,
}

#[derive(Clone)]
pub struct Gateway {
    controls: Controls,
}

impl Gateway {
    pub fn new(url: &str) -> Gateway {
        Gateway {
            controls: Controls::new("sandbox", url, "x-api-key"),
        }
    }

    /// Queues a fault (`{"operation", "fault", "applied", "count", "delayMs"}`).
    pub async fn queue_fault(&self, fault: &Value) -> Result<(), String> {
        self.controls.queue_fault(fault).await
    }

    /// The operations that have a fault waiting.
    pub async fn faulty_operations(&self) -> Result<Vec<String>, String> {
        let listed = self
            .controls
            .call(
                self.controls
                    .http
                    .get(format!("{}/sandbox/faults", self.controls.url)),
            )
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

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.controls.clear_faults().await
    }

    /// The controls, for the fault injector.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    pub async fn close_batch(&self) -> Result<(), String> {
        self.controls
            .call(
                self.controls
                    .http
                    .post(format!("{}/sandbox/batches/close", self.controls.url)),
            )
            .await
            .map(|_| ())
    }

    /// Every transaction the gateway has, page by page (faults must be cleared first).
    pub async fn transactions(&self) -> Result<Vec<GatewayTransaction>, String> {
        let mut all = Vec::new();
        for page in 1.. {
            let response = send_through_outages(
                self.controls
                    .http
                    .get(format!("{}/v1/transactions", self.controls.url))
                    .query(&[("page", page.to_string())])
                    .header("x-api-key", API_KEY),
            )
            .await
            .map_err(|e| format!("gateway list: {}", e.without_url()))?;
            if !response.status().is_success() {
                return Err(format!("gateway list answered {}", response.status()));
            }
            let page: Page = response
                .json()
                .await
                .map_err(|e| format!("gateway list: {e}"))?;
            let done = page.items.is_empty() || all.len() + page.items.len() >= page.total_count;
            all.extend(page.items);
            if done {
                break;
            }
        }
        Ok(all)
    }
}
