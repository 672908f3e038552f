//! Customers at payment devices: the Payroc simulator's virtual terminals (a card tapped, keyed or
//! declined, a cancel on the device, a timeout, the device offline), and its fault controls.

use serde_json::Value;

use crate::controls::Controls;

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
        let response = self
            .controls
            .http
            .post(format!("{}/terminal/{device}/{action}", self.controls.url))
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
        self.controls.queue_fault(fault).await
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.controls.clear_faults().await
    }
}
