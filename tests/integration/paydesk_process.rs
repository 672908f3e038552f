//! paydesk in sandbox mode as its own process, as `make run` starts it: its multi-threaded runtime,
//! its simulators on free ports, a temporary database, and what it prints.

use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::common::TestDatabase;
use crate::gateway_refunds::{charge_id, simulator_control};
use crate::sandbox_process::{free_port, wait_for};

pub const TOKEN: &str = "pdk_test_paydesk_process_0123456789";

/// paydesk in sandbox mode as a child process; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub commercehub: String,
    pub omni: String,
    pub payroc: String,
    dir: tempfile::TempDir,
    _database: TestDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_server(extra: &[(&str, &str)]) -> Server {
    let database = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("paydesk.log");
    let (port, omni, payroc, commercehub) = (free_port(), free_port(), free_port(), free_port());
    let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
    command
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", &database.url)
        .env(
            "PAYDESK_SANDBOX_DATABASE_URL",
            format!("sqlite://{}/gateway.db", dir.path().display()),
        )
        .env("PAYDESK_SANDBOX_ADDR", format!("127.0.0.1:{omni}"))
        .env("PAYDESK_PAYROC_SANDBOX_ADDR", format!("127.0.0.1:{payroc}"))
        .env(
            "PAYDESK_COMMERCEHUB_SANDBOX_ADDR",
            format!("127.0.0.1:{commercehub}"),
        )
        .env("PAYDESK_DEMO_STOREFRONT_ADDR", "off")
        .env("PAYDESK_MERCHANT_TOKEN", TOKEN)
        .env("PAYDESK_LOG", "warn");
    for (name, value) in extra {
        command.env(name, value);
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
        .spawn()
        .expect("paydesk starts");
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/healthz")).await;
    Server {
        child,
        base,
        commercehub: format!("http://127.0.0.1:{commercehub}"),
        omni: format!("http://127.0.0.1:{omni}"),
        payroc: format!("http://127.0.0.1:{payroc}"),
        dir,
        _database: database,
    }
}

impl Server {
    /// POSTs to the merchant API; the answer must be a success.
    pub async fn api(&self, path: &str, body: Value) -> Value {
        let answer = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.unwrap()
    }

    /// A Commerce Hub refund of a charge to a closed card: it waits for the customer's new card.
    pub async fn refund_waiting_for_a_card(&self) -> String {
        let charge = simulator_control(
            &reqwest::Client::new(),
            &self.commercehub,
            &self.sandbox_key(),
            "/sandbox/charges",
            json!({ "amount": 1204, "card": "closed" }),
        )
        .await;
        let original = charge_id(&charge);
        let refund = self
            .api(
                "/api/v1/refunds",
                json!({ "gateway": "commercehub", "originalTransactionId": original,
                        "amount": 1204, "currency": "USD" }),
            )
            .await;
        assert_eq!(refund["status"], "awaiting_card", "{refund}");
        refund["url"].as_str().unwrap().to_string()
    }

    /// The sandbox API key the server printed at startup (`Sandbox API key:`).
    pub fn sandbox_key(&self) -> String {
        self.logs()
            .lines()
            .find_map(|line| line.trim().strip_prefix("Sandbox API key:"))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
            .expect("paydesk prints its sandbox API key")
    }

    /// What the server wrote to its log and error stream.
    pub fn logs(&self) -> String {
        ["paydesk.log", "stderr.log"]
            .iter()
            .map(|name| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default())
            .collect()
    }
}
