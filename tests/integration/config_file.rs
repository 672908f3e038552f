//! paydesk configured by a file alone (`--config`), its secrets read from files (`<NAME>_FILE`), as
//! a packaged install runs it; and `paydesk config check` on good and bad configurations.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::TestDatabase;
use crate::sandbox_process::{free_port, wait_for};

const TOKEN: &str = "pdk_from_a_secret_file_0123456789abcdef";

/// A configuration file for a sandbox paydesk on free ports, its merchant token in a secret file.
fn write_config(dir: &Path, database_url: &str) -> (std::path::PathBuf, u16) {
    let secret = dir.join("merchant-token");
    std::fs::write(&secret, format!("{TOKEN}\n")).unwrap();
    let port = free_port();
    let config = dir.join("paydesk.toml");
    std::fs::write(
        &config,
        format!(
            "LEPTOS_SITE_ADDR = \"127.0.0.1:{port}\"\n\
             DATABASE_URL = \"{database_url}\"\n\
             PAYDESK_SANDBOX_DATABASE_URL = \"sqlite://{dir}/gateway.db\"\n\
             PAYDESK_SANDBOX_ADDR = \"127.0.0.1:{}\"\n\
             PAYDESK_PAYROC_SANDBOX_ADDR = \"127.0.0.1:{}\"\n\
             PAYDESK_COMMERCEHUB_SANDBOX_ADDR = \"127.0.0.1:{}\"\n\
             PAYDESK_DEMO_STOREFRONT_ADDR = \"off\"\n\
             PAYDESK_MERCHANT_NAME = \"File Shop\"\n\
             PAYDESK_CHECKOUT_TTL_SECS = 900\n\
             PAYDESK_MERCHANT_TOKEN_FILE = \"{}\"\n\
             PAYDESK_LOG = \"warn\"\n",
            free_port(),
            free_port(),
            free_port(),
            secret.display(),
            dir = dir.display(),
        ),
    )
    .unwrap();
    (config, port)
}

fn paydesk(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
    // Nothing from the test's environment: the file is the whole configuration.
    command.env_clear().args(args);
    command
}

#[tokio::test]
async fn paydesk_runs_from_a_configuration_file_and_secret_files_alone() {
    let db = TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let (config, port) = write_config(dir.path(), &db.url);
    let config = config.display().to_string();
    let mut child = paydesk(&["--config", &config])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/healthz")).await;
    let created = reqwest::Client::new()
        .post(format!("{base}/api/v1/checkouts"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "amount": 1000, "currency": "USD" }))
        .send()
        .await
        .unwrap();
    let status = created.status();
    let body: serde_json::Value = created.json().await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        status, 201,
        "the token read from its file is accepted: {body}"
    );
}

#[test]
fn config_check_shows_the_configuration_without_its_secrets_and_refuses_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = write_config(dir.path(), "sqlite://unused.db");
    let config = config.display().to_string();
    let output = paydesk(&["config", "check", "--config", &config])
        .env("PAYDESK_MERCHANT_NAME", "Env Shop")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}");
    assert!(
        !shown.contains(TOKEN),
        "the secret is never printed: {shown}"
    );
    assert!(
        shown.contains("PAYDESK_MERCHANT_TOKEN = (secret, 39 characters)"),
        "{shown}"
    );
    assert!(
        shown.contains("PAYDESK_MERCHANT_NAME = Env Shop   (environment)"),
        "the environment wins: {shown}"
    );
    assert!(
        shown.contains("PAYDESK_CHECKOUT_TTL_SECS = 900   (configuration file)"),
        "{shown}"
    );
    assert!(shown.contains("The configuration is valid."), "{shown}");

    // A bad value is named, with a non-zero exit.
    let bad = paydesk(&["config", "check", "--config", &config])
        .env("PAYDESK_CHECKOUT_TTL_SECS", "soon")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("PAYDESK_CHECKOUT_TTL_SECS"));
    // So is a name paydesk does not know, and a missing secret file.
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "PAYDESK_PUBLIC_ULR = \"https://pay.example.com\"\n").unwrap();
    let refused = paydesk(&["config", "check", "--config", &typo.display().to_string()])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("PAYDESK_PUBLIC_ULR is not a paydesk setting"));
    let missing = paydesk(&["config", "check"])
        .env("PAYDESK_GATEWAY_API_KEY_FILE", dir.path().join("absent"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("PAYDESK_GATEWAY_API_KEY_FILE"));
}
