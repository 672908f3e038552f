//! The sandbox remembers its ledger across restarts, and runs as its own process (`paydesk sandbox`)
//! that a paydesk in live mode pays through — and keeps running while paydesk restarts.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::common::{spawn_app_in, spawn_app_with, TestApp, WEBHOOK_SECRET};
use serde_json::Value;

const VISA: &str = "4111111111111111";

#[tokio::test]
async fn the_embedded_sandbox_remembers_its_ledger_across_a_restart() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let app = spawn_app_in(dir.clone(), &[]).await;
    let id = app.authorized_checkout(1000, VISA).await;
    app.stop().await;
    let restarted = spawn_app_in(dir, &[]).await;
    // The gateway still knows the authorization: it can be captured.
    let response = restarted
        .post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct SandboxProcess(Child);

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn start_sandbox(dir: &std::path::Path, port: u16, paydesk_port: u16) -> SandboxProcess {
    let child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .arg("sandbox")
        .env("PAYDESK_SANDBOX_ADDR", format!("127.0.0.1:{port}"))
        .env("PAYDESK_SANDBOX_API_KEY", "key_test_standalone")
        .env("PAYDESK_PAYROC_SANDBOX_ADDR", "off")
        .env("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "off")
        .env("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env(
            "PAYDESK_SANDBOX_WEBHOOK_URL",
            format!("http://127.0.0.1:{paydesk_port}/webhooks/gateway"),
        )
        .env(
            "PAYDESK_SANDBOX_MERCHANT_ORIGINS",
            format!("http://127.0.0.1:{paydesk_port}"),
        )
        .env(
            "PAYDESK_SANDBOX_DATABASE_URL",
            format!("sqlite://{}/gateway.db", dir.display()),
        )
        .env("PAYDESK_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("paydesk sandbox starts");
    SandboxProcess(child)
}

pub(crate) async fn wait_for(url: &str) {
    for _ in 0..100 {
        if reqwest::get(url).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} never answered");
}

#[tokio::test]
async fn a_live_paydesk_pays_through_the_sandbox_process_which_survives_paydesk_and_its_own_restart(
) {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox_port, paydesk_port) = (free_port(), free_port());
    let sandbox_origin = format!("http://127.0.0.1:{sandbox_port}");
    let mut sandbox = start_sandbox(dir.path(), sandbox_port, paydesk_port);
    wait_for(&format!("{sandbox_origin}/hpf.css")).await;
    let live = [
        ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{paydesk_port}")),
        (
            "PAYDESK_PUBLIC_URL",
            format!("http://127.0.0.1:{paydesk_port}"),
        ),
        ("PAYDESK_GATEWAY_API_KEY", "key_test_standalone".to_string()),
        ("PAYDESK_GATEWAY_URL", format!("{sandbox_origin}/v1")),
        ("PAYDESK_GATEWAY_HPF_ORIGIN", sandbox_origin.clone()),
    ];
    let env: Vec<(&str, &str)> = live.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app: TestApp = spawn_app_with(&env).await;
    assert!(
        app.state.config.sandbox_mode.eq(&false),
        "paydesk is in live mode"
    );
    let id = app.authorized_checkout(1000, VISA).await;

    // The gateway process stops and comes back: it still knows the authorization.
    let _ = sandbox.0.kill();
    let _ = sandbox.0.wait();
    sandbox = start_sandbox(dir.path(), sandbox_port, paydesk_port);
    wait_for(&format!("{sandbox_origin}/hpf.css")).await;
    let response = app
        .post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    // paydesk reconcile, with paydesk's own settings, agrees with the gateway (exit 0)...
    let reconcile = |app: &TestApp| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
        command
            .args(["reconcile", "--since", "1h"])
            .env("DATABASE_URL", app.database_url())
            .env("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET);
        for (name, value) in &live {
            command.env(name, value);
        }
        command.output().expect("paydesk reconcile runs")
    };
    let clean = reconcile(&app);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains(": 0 discrepancies"));
    // ...and reports a gateway transaction it does not know (exit 1).
    let stranger = app
        .state
        .omni
        .create_virtual_auth(&paydesk_core::gateways::omni::wire::HostedSessionRequest {
            amount: 100,
            amount_breakdown: None,
            payment_method_id: Some("pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into()),
            invoice_number: None,
            order_number: None,
            reference_id: Some("not-paydesks".into()),
            return_url: None,
            use_javascript_callback: false,
        })
        .await
        .unwrap();
    app.submit_card(stranger.iframe_url.as_deref().unwrap(), VISA)
        .await;
    let found = reconcile(&app);
    assert_eq!(
        found.status.code(),
        Some(1),
        "{}{}",
        String::from_utf8_lossy(&found.stdout),
        String::from_utf8_lossy(&found.stderr)
    );
    assert!(String::from_utf8_lossy(&found.stdout).contains("unknown_to_paydesk"));
    drop(sandbox);
}

/// Under `make run` (no `PAYDESK_SANDBOX_API_KEY`) the key made for the run is printed, and it opens
/// every simulator: the sandbox gateway's controls, a Commerce Hub charge to refund, Payroc's
/// identity exchange.
#[tokio::test]
async fn the_printed_sandbox_key_opens_every_simulator() {
    let server = crate::paydesk_process::start_server(&[]).await;
    let key = server.sandbox_key();
    let http = reqwest::Client::new();
    let calls = http
        .get(format!("{}/sandbox/calls", server.omni))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(calls.status(), 200, "the sandbox gateway's controls");
    let charge = http
        .post(format!("{}/sandbox/charges", server.commercehub))
        .header("Api-Key", &key)
        .json(&serde_json::json!({ "amount": 1204, "card": "closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(charge.status(), 201, "a Commerce Hub charge");
    let token = http
        .post(format!("{}/authorize", server.payroc))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200, "Payroc's identity exchange");
    // And paydesk itself refunds through the Commerce Hub simulator with the same key's secret.
    let url = server.refund_waiting_for_a_card().await;
    assert!(url.contains("/refund/rfd_"), "{url}");
}
