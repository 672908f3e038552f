//! `paydesk sandbox`: the simulated gateway on its own, as a separate process a paydesk in live mode
//! talks to — so paydesk can be stopped, killed and restarted while the gateway keeps its ledger.

use crate::sandbox::variants::Variants;
use std::process::ExitCode;

use rand::RngCore;
use tokio::net::TcpListener;

use super::commercehub::{self, CommerceHubSandboxConfig};
use super::omni::{self, OmniSandboxConfig};
use super::payroc::{self, PayrocSandboxConfig};
use crate::settings::SandboxSettings;
use secrecy::{ExposeSecret, SecretString};

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The keys the simulators open with: the configured ones, or made for this run (and printed).
struct Keys {
    api_key: SecretString,
    webhook_secret: SecretString,
    commercehub_secret: SecretString,
}

/// The simulators of this run: Omni always, Payroc and Commerce Hub unless turned off.
struct Simulators {
    omni: omni::RunningOmniSandbox,
    payroc: Option<payroc::RunningPayrocSandbox>,
    commercehub: Option<commercehub::RunningCommerceHubSandbox>,
}

/// Runs the sandbox until Ctrl-C or SIGTERM, then writes what it still holds to its database.
pub async fn run(settings: SandboxSettings) -> ExitCode {
    let keys = Keys {
        api_key: settings
            .api_key
            .clone()
            .unwrap_or_else(|| SecretString::from(format!("key_test_{}", random_hex(16)))),
        webhook_secret: settings
            .webhook_secret
            .clone()
            .unwrap_or_else(|| SecretString::from(random_hex(32))),
        commercehub_secret: settings
            .commercehub_secret
            .clone()
            .unwrap_or_else(|| SecretString::from(random_hex(32))),
    };
    let simulators = match start(&settings, &keys).await {
        Ok(simulators) => simulators,
        Err(message) => {
            eprintln!("paydesk sandbox: {message}");
            return ExitCode::FAILURE;
        }
    };
    print_settings(&settings, &keys, &simulators);
    crate::startup::shutdown_signal().await;
    simulators.omni.flush().await;
    if let Some(payroc) = &simulators.payroc {
        payroc.flush().await;
    }
    if let Some(hub) = &simulators.commercehub {
        hub.flush().await;
    }
    ExitCode::SUCCESS
}

async fn bind(addr: std::net::SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(addr)
        .await
        .map_err(|error| format!("could not listen on {addr}: {error}"))
}

/// Starts each simulator on its address, all keeping their ledgers in the one database.
async fn start(settings: &SandboxSettings, keys: &Keys) -> Result<Simulators, String> {
    crate::startup::ensure_sqlite_dir(&settings.database_url).map_err(|e| e.to_string())?;
    let listener = bind(settings.addr).await?;
    let config = OmniSandboxConfig {
        api_key: keys.api_key.expose_secret().to_string(),
        webhook_url: settings.webhook_url.clone(),
        webhook_secret: keys.webhook_secret.expose_secret().as_bytes().to_vec(),
        signature_encoding: settings.signature_encoding,
        session_ttl: settings.session_ttl,
        merchant_origins: settings.merchant_origins.clone(),
        webhook_retry_delays: OmniSandboxConfig::default_retry_delays(),
        database_url: Some(settings.database_url.clone()),
    };
    let omni = omni::start(config, listener)
        .await
        .map_err(|e| e.to_string())?;
    let payroc = match settings.payroc {
        Some((addr, hold)) => {
            let listener = bind(addr).await?;
            let mut config = PayrocSandboxConfig::new(
                keys.api_key.expose_secret().to_string(),
                Some(settings.database_url.clone()),
            );
            config.hold = hold;
            config.variants = Variants::from_seed(settings.variants_seed);
            Some(
                payroc::start(config, listener)
                    .await
                    .map_err(|e| e.to_string())?,
            )
        }
        None => None,
    };
    let commercehub = match settings.commercehub {
        Some(addr) => {
            let listener = bind(addr).await?;
            let mut config = CommerceHubSandboxConfig::new(
                keys.api_key.expose_secret().to_string(),
                keys.commercehub_secret.expose_secret().to_string(),
                Some(settings.database_url.clone()),
            );
            config.frame_origins = settings.merchant_origins.clone();
            config.variants = Variants::from_seed(settings.variants_seed);
            Some(
                commercehub::start(config, listener)
                    .await
                    .map_err(|e| e.to_string())?,
            )
        }
        None => None,
    };
    Ok(Simulators {
        omni,
        payroc,
        commercehub,
    })
}

/// What to start paydesk with against this sandbox (its keys included: they open only the
/// simulators, and are shown to the person who started them).
fn print_settings(settings: &SandboxSettings, keys: &Keys, simulators: &Simulators) {
    let (api_key, secret, commercehub_secret) = (
        &keys.api_key,
        &keys.webhook_secret,
        &keys.commercehub_secret,
    );
    let running = &simulators.omni;
    let public_url = settings
        .merchant_origins
        .first()
        .cloned()
        .unwrap_or_default();
    println!();
    println!(
        "   paydesk's sandbox gateway is running at {} (no real money).",
        running.origin
    );
    println!("   Start paydesk against it with:");
    println!("     PAYDESK_GATEWAY_URL={}", running.api_url);
    println!("     PAYDESK_GATEWAY_HPF_ORIGIN={}", running.origin);
    println!("     PAYDESK_GATEWAY_API_KEY={}", api_key.expose_secret());
    println!("     PAYDESK_WEBHOOK_SECRET={}", secret.expose_secret());
    println!("     PAYDESK_PUBLIC_URL={public_url}");
    if let Some(payroc) = &simulators.payroc {
        println!("   and, for refunds on payment devices (the Payroc simulator):");
        println!("     PAYDESK_PAYROC_API_URL={}", payroc.api_url);
        println!("     PAYDESK_PAYROC_IDENTITY_URL={}", payroc.identity_url);
        println!("     PAYDESK_PAYROC_API_KEY={}", api_key.expose_secret());
        println!("     PAYDESK_PAYROC_TERMINAL_ID={}", payroc.terminal_id);
        println!("   Its virtual terminals: {}", payroc.terminal_url);
    }
    if let Some(hub) = &simulators.commercehub {
        println!("   and, for refunds of Commerce Hub charges (the Commerce Hub simulator):");
        println!("     PAYDESK_COMMERCEHUB_API_URL={}", hub.api_url);
        println!("     PAYDESK_COMMERCEHUB_SDK_URL={}", hub.sdk_url);
        println!(
            "     PAYDESK_COMMERCEHUB_API_KEY={}",
            api_key.expose_secret()
        );
        println!(
            "     PAYDESK_COMMERCEHUB_API_SECRET={}",
            commercehub_secret.expose_secret()
        );
        println!("     PAYDESK_COMMERCEHUB_MERCHANT_ID={}", hub.merchant_id);
        println!("     PAYDESK_COMMERCEHUB_TERMINAL_ID={}", hub.terminal_id);
    }
    println!(
        "   Webhooks go to {}; its ledger is kept in {}.",
        settings.webhook_url, settings.database_url
    );
    println!();
}
