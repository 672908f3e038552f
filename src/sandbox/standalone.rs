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

/// Runs the sandbox until Ctrl-C or SIGTERM, then writes what it still holds to its database.
pub async fn run(settings: SandboxSettings) -> ExitCode {
    let api_key = settings
        .api_key
        .unwrap_or_else(|| SecretString::from(format!("key_test_{}", random_hex(16))));
    let secret = settings
        .webhook_secret
        .unwrap_or_else(|| SecretString::from(random_hex(32)));
    if let Err(error) = crate::startup::ensure_sqlite_dir(&settings.database_url) {
        eprintln!("paydesk sandbox: {error}");
        return ExitCode::FAILURE;
    }
    let listener = match TcpListener::bind(settings.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "paydesk sandbox: could not listen on {}: {error}",
                settings.addr
            );
            return ExitCode::FAILURE;
        }
    };
    let config = OmniSandboxConfig {
        api_key: api_key.expose_secret().to_string(),
        webhook_url: settings.webhook_url.clone(),
        webhook_secret: secret.expose_secret().as_bytes().to_vec(),
        signature_encoding: settings.signature_encoding,
        session_ttl: settings.session_ttl,
        merchant_origins: settings.merchant_origins.clone(),
        webhook_retry_delays: OmniSandboxConfig::default_retry_delays(),
        database_url: Some(settings.database_url.clone()),
    };
    let running = match omni::start(config, listener).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("paydesk sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    let payroc = match settings.payroc {
        Some((addr, hold)) => {
            let listener = match TcpListener::bind(addr).await {
                Ok(listener) => listener,
                Err(error) => {
                    eprintln!("paydesk sandbox: could not listen on {addr}: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let mut config = PayrocSandboxConfig::new(
                api_key.expose_secret().to_string(),
                Some(settings.database_url.clone()),
            );
            config.hold = hold;
            config.variants = Variants::from_seed(settings.variants_seed);
            match payroc::start(config, listener).await {
                Ok(running) => Some(running),
                Err(error) => {
                    eprintln!("paydesk sandbox: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        None => None,
    };
    let commercehub_secret = settings
        .commercehub_secret
        .unwrap_or_else(|| SecretString::from(random_hex(32)));
    let commercehub = match settings.commercehub {
        Some(addr) => {
            let listener = match TcpListener::bind(addr).await {
                Ok(listener) => listener,
                Err(error) => {
                    eprintln!("paydesk sandbox: could not listen on {addr}: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let mut config = CommerceHubSandboxConfig::new(
                api_key.expose_secret().to_string(),
                commercehub_secret.expose_secret().to_string(),
                Some(settings.database_url.clone()),
            );
            config.frame_origins = settings.merchant_origins.clone();
            config.variants = Variants::from_seed(settings.variants_seed);
            match commercehub::start(config, listener).await {
                Ok(running) => Some(running),
                Err(error) => {
                    eprintln!("paydesk sandbox: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        None => None,
    };
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
    if let Some(payroc) = &payroc {
        println!("   and, for refunds on payment devices (the Payroc simulator):");
        println!("     PAYDESK_PAYROC_API_URL={}", payroc.api_url);
        println!("     PAYDESK_PAYROC_IDENTITY_URL={}", payroc.identity_url);
        println!("     PAYDESK_PAYROC_API_KEY={}", api_key.expose_secret());
        println!("     PAYDESK_PAYROC_TERMINAL_ID={}", payroc.terminal_id);
        println!("   Its virtual terminals: {}", payroc.terminal_url);
    }
    if let Some(hub) = &commercehub {
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
    crate::startup::shutdown_signal().await;
    running.flush().await;
    if let Some(payroc) = &payroc {
        payroc.flush().await;
    }
    if let Some(hub) = &commercehub {
        hub.flush().await;
    }
    ExitCode::SUCCESS
}
