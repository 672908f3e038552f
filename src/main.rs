//! paydesk's entry point: a CLI command (`paydesk token …`), or read settings, build, announce,
//! serve.

use secrecy::ExposeSecret;
use std::process::ExitCode;

use leptos::config::get_configuration;
use paydesk::settings::Settings;
use paydesk::startup::Application;
use paydesk::telemetry;
use paydesk_core::payments::{create_checkout, demo_checkout};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = paydesk::cli::run(&args).await {
        return code;
    }
    if let Err(error) = telemetry::init() {
        eprintln!("paydesk: invalid configuration: {error}");
        return ExitCode::from(2);
    }
    for fault in paydesk_core::fault_injection::configure_from_env() {
        tracing::warn!("test build: injecting a fault into this process: {fault}");
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("paydesk: invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let mut leptos_options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(error) => {
            eprintln!("paydesk: invalid LEPTOS_* configuration: {error}");
            return ExitCode::from(2);
        }
    };
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "paydesk".into();
    }
    let application = match Application::build(settings, leptos_options).await {
        Ok(application) => application,
        Err(error) => {
            eprintln!("paydesk: could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    announce(&application).await;
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("paydesk: server error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints where to click. In sandbox mode, says so loudly and prepares a demo checkout.
async fn announce(application: &Application) {
    let url = &application.public_url;
    println!();
    match &application.sandbox {
        Some(sandbox) => {
            println!("  ==============================================================");
            println!("   paydesk is running in SANDBOX mode: no real gateway, no real money.");
            println!("   (Set PAYDESK_GATEWAY_API_KEY to use the real gateway.)");
            println!("  ==============================================================");
            println!("   Sandbox gateway:  {}", sandbox.origin);
            match create_checkout(&application.state, demo_checkout("DEMO")).await {
                Ok((checkout, _)) => println!("   Demo checkout:    {}", checkout.url),
                Err(error) => println!("   (could not create a demo checkout: {error})"),
            }
            if let Some(token) = &application.generated_token {
                println!(
                    "   API token:        {}   (all scopes, this run only)",
                    token.expose_secret()
                );
            }
            if let Some(key) = &application.sandbox_api_key {
                println!(
                    "   Sandbox API key:  {}   (every simulator's API and controls, this run only)",
                    key.expose_secret()
                );
            }
            if let Some(storefront) = &application.storefront_url {
                println!(
                    "   Demo storefront:  {storefront}   (paydesk embedded with /embed/v1.js)"
                );
            }
            println!("   Test card:        4111 1111 1111 1111, any future expiry, any CVV");
            if let Some(payroc) = &application.payroc_sandbox {
                println!(
                    "   Virtual terminals: {}   (refunds on a payment device, Payroc simulator)",
                    payroc.terminal_url
                );
            }
        }
        None => println!("   paydesk is running against the real gateway."),
    }
    println!("   paydesk:          {url}");
    println!();
}
