//! Customers at payment devices: the Payroc simulator's virtual terminals (a card tapped, keyed or
//! declined, a cancel on the device, a timeout, the device offline), and its fault controls.

use std::time::Duration;

use serde_json::Value;

use crate::cluster::API_KEY;

/// The simulator's devices.
pub const DEVICES: [&str; 3] = ["1850010868", "1850010869", "1850010870"];

pub struct Terminals {
    http: reqwest::Client,
    url: String,
}

impl Terminals {
    pub fn new(url: &str) -> Terminals {
        Terminals {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            url: url.to_string(),
        }
    }

    /// Presses a button of `device`'s virtual terminal.
    pub async fn press(
        &self,
        device: &str,
        action: &str,
        form: &[(&str, &str)],
    ) -> Result<(), String> {
        let response = self
            .http
            .post(format!("{}/terminal/{device}/{action}", self.url))
            .form(form)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        match response.status().as_u16() {
            303 => Ok(()),
            other => Err(format!("terminal {device} {action}: HTTP {other}")),
        }
    }

    /// Makes the simulator fail on its next call of an operation.
    pub async fn queue_fault(&self, fault: &Value) -> Result<(), String> {
        let response = self
            .http
            .post(format!("{}/sandbox/faults", self.url))
            .header("x-api-key", API_KEY)
            .json(fault)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        match response.status().as_u16() {
            201 => Ok(()),
            other => Err(format!("payroc fault {fault}: HTTP {other}")),
        }
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.http
            .delete(format!("{}/sandbox/faults", self.url))
            .header("x-api-key", API_KEY)
            .send()
            .await
            .map(drop)
            .map_err(|e| e.without_url().to_string())
    }
}
