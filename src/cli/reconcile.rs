//! `paydesk reconcile`: the reconciliation report on the command line — paydesk's database against
//! the gateway's transactions since a date. Exit status 1 when anything disagrees.

use std::process::ExitCode;

use app::server::gateways::omni::{ApiKey, OmniClient};
use app::server::payments::{reconciliation_report, since_from};
use app::server::store::{iso8601, now_ms};

use super::args::{open_store, option};
use crate::settings::{GatewayMode, Settings};

/// The gateway paydesk is configured for: the real one, or a running sandbox whose key is known.
fn gateway(settings: &Settings) -> Result<OmniClient, String> {
    let client = match &settings.gateway {
        GatewayMode::Live { url, api_key, .. } => {
            OmniClient::new(url, ApiKey::new(api_key.expose()), settings.gateway_timeout)
        }
        GatewayMode::Sandbox {
            addr,
            api_key: Some(key),
            ..
        } => OmniClient::new(
            &format!("http://{addr}/v1"),
            ApiKey::new(key.expose()),
            settings.gateway_timeout,
        ),
        GatewayMode::Sandbox { .. } => return Err(
            "in sandbox mode, set PAYDESK_SANDBOX_API_KEY to the key the running sandbox accepts"
                .into(),
        ),
    };
    client.map_err(|e| e.to_string())
}

pub async fn run(options: &[&str]) -> ExitCode {
    let now = now_ms();
    let since = match option(options, "--since") {
        Some(text) => match since_from(text, now) {
            Some(since) => since,
            None => {
                eprintln!("paydesk reconcile: --since {text:?}: expected 7d, 24h, 30m, 2026-11-01 or an RFC 3339 time");
                return ExitCode::from(2);
            }
        },
        None => now - 7 * 86_400_000,
    };
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("paydesk reconcile: invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let (store, omni) = match (open_store().await, gateway(&settings)) {
        (Ok(store), Ok(omni)) => (store, omni),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("paydesk reconcile: {error}");
            return ExitCode::from(2);
        }
    };
    let report = match reconciliation_report(&store, &omni, since).await {
        Ok(report) => report,
        Err(error) => {
            eprintln!("paydesk reconcile: {error}");
            return ExitCode::from(2);
        }
    };
    if options.contains(&"--json") {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        println!(
            "Reconciliation since {} ({} gateway transactions, {} attempts, {} operations): {} discrepancies",
            iso8601(since),
            report.gateway_transactions,
            report.attempts,
            report.operations,
            report.discrepancies.len()
        );
        for d in &report.discrepancies {
            println!(
                "  {:<24} {:<32} {}",
                serde_json::to_value(d.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                d.subject,
                d.detail
            );
        }
    }
    if report.discrepancies.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
