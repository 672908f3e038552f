//! `paydesk reconcile`: the reconciliation report on the command line — paydesk's database against
//! the gateway's transactions since a date. Exit status 1 when anything disagrees.

use secrecy::ExposeSecret;
use std::process::ExitCode;

use paydesk_core::gateways::commercehub::{CommerceHubAccount, CommerceHubClient};
use paydesk_core::gateways::omni::{ApiKey, OmniClient};
use paydesk_core::gateways::payroc::{PayrocApiKey, PayrocClient, PayrocEndpoints};
use paydesk_core::payments::{reconciliation_report, since_from, ReportGateways};
use paydesk_core::store::{iso8601, now_ms};

use super::args::open_store;
use crate::config::Config;
use crate::settings::{CommerceHubMode, GatewayMode, PayrocMode, Settings};

/// The sandbox's simulators answer to `PAYDESK_SANDBOX_API_KEY` (Commerce Hub's secret derived
/// from it), with the ids they always use.
const SANDBOX_COMMERCEHUB_MERCHANT: (&str, &str) = ("100008000003683", "10000001");
const SANDBOX_PAYROC_TERMINAL: &str = "1234001";

/// Commerce Hub, when paydesk refunds its charges: live, or the running sandbox's simulator.
fn commercehub(settings: &Settings) -> Result<Option<CommerceHubClient>, String> {
    let (url, account) = match (&settings.commercehub, &settings.gateway) {
        (CommerceHubMode::Off, _) => return Ok(None),
        (
            CommerceHubMode::Live {
                api_url,
                api_key,
                api_secret,
                merchant_id,
                terminal_id,
                ..
            },
            _,
        ) => (
            api_url.clone(),
            CommerceHubAccount {
                api_key: api_key.expose_secret().to_string(),
                api_secret: api_secret.clone(),
                merchant_id: merchant_id.clone(),
                terminal_id: terminal_id.clone(),
            },
        ),
        (
            CommerceHubMode::Sandbox { addr, .. },
            GatewayMode::Sandbox {
                api_key: Some(key), ..
            },
        ) => (
            format!("http://{addr}/ch"),
            CommerceHubAccount {
                api_key: key.expose_secret().to_string(),
                api_secret: crate::sandbox::commercehub_secret_for(key.expose_secret()).into(),
                merchant_id: SANDBOX_COMMERCEHUB_MERCHANT.0.into(),
                terminal_id: SANDBOX_COMMERCEHUB_MERCHANT.1.into(),
            },
        ),
        (CommerceHubMode::Sandbox { .. }, _) => return Ok(None),
    };
    CommerceHubClient::new(&url, account, settings.gateway_timeout)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Payroc and the terminal paydesk's refund instructions name, when paydesk refunds on devices.
fn payroc(settings: &Settings) -> Result<Option<(PayrocClient, String)>, String> {
    let (endpoints, key, terminal) = match (&settings.payroc, &settings.gateway) {
        (PayrocMode::Off, _) => return Ok(None),
        (
            PayrocMode::Live {
                api_url,
                identity_url,
                api_key,
                terminal_id,
            },
            _,
        ) => (
            PayrocEndpoints {
                api_url: api_url.clone(),
                identity_url: identity_url.clone(),
            },
            api_key.expose_secret().to_string(),
            terminal_id.clone(),
        ),
        (
            PayrocMode::Sandbox { addr, .. },
            GatewayMode::Sandbox {
                api_key: Some(key), ..
            },
        ) => (
            PayrocEndpoints {
                api_url: format!("http://{addr}/v1"),
                identity_url: format!("http://{addr}"),
            },
            key.expose_secret().to_string(),
            SANDBOX_PAYROC_TERMINAL.to_string(),
        ),
        (PayrocMode::Sandbox { .. }, _) => return Ok(None),
    };
    PayrocClient::new(
        &endpoints,
        PayrocApiKey::new(key),
        settings.gateway_timeout,
        settings.gateway_timeout,
    )
    .map(|client| Some((client, terminal)))
    .map_err(|e| e.to_string())
}

/// The gateway paydesk is configured for: the real one, or a running sandbox whose key is known.
fn gateway(settings: &Settings) -> Result<OmniClient, String> {
    let client = match &settings.gateway {
        GatewayMode::Live { url, api_key, .. } => OmniClient::new(
            url,
            ApiKey::new(api_key.expose_secret()),
            settings.gateway_timeout,
        ),
        GatewayMode::Sandbox {
            addr,
            api_key: Some(key),
            ..
        } => OmniClient::new(
            &format!("http://{addr}/v1"),
            ApiKey::new(key.expose_secret()),
            settings.gateway_timeout,
        ),
        GatewayMode::Sandbox { .. } => return Err(
            "in sandbox mode, set PAYDESK_SANDBOX_API_KEY to the key the running sandbox accepts"
                .into(),
        ),
    };
    client.map_err(|e| e.to_string())
}

pub async fn run(since: &str, json: bool, config: &Config) -> ExitCode {
    let since = match since_from(since, now_ms()) {
        Some(since) => since,
        None => {
            eprintln!("paydesk reconcile: --since {since:?}: expected 7d, 24h, 30m, 2026-11-01 or an RFC 3339 time");
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::from_lookup(|name| config.get(name)) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("paydesk reconcile: invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let clients =
        gateway(&settings).and_then(|omni| Ok((omni, commercehub(&settings)?, payroc(&settings)?)));
    let (store, (omni, hub, devices)) = match (open_store(config).await, clients) {
        (Ok(store), Ok(clients)) => (store, clients),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("paydesk reconcile: {error}");
            return ExitCode::from(2);
        }
    };
    let gateways = ReportGateways {
        omni: &omni,
        commercehub: hub.as_ref(),
        payroc: devices
            .as_ref()
            .map(|(client, terminal)| (client, terminal.as_str())),
    };
    let report = match reconciliation_report(&store, gateways, since).await {
        Ok(report) => report,
        Err(error) => {
            eprintln!("paydesk reconcile: {error}");
            return ExitCode::from(2);
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        println!(
            "Reconciliation since {} ({} gateway transactions, {} attempts, {} operations, {} Commerce Hub refunds, {} device refunds): {} discrepancies",
            iso8601(since),
            report.gateway_transactions,
            report.attempts,
            report.operations,
            report.commercehub_refunds,
            report.device_refunds,
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
