//! paydesk's entry point: parse the command line, read the configuration (environment, file,
//! secret files), then run a command or build, announce and serve.

use secrecy::ExposeSecret;
use std::process::ExitCode;

use paydesk::cli::Command;
use paydesk::config::Config;
use paydesk::settings::Settings;
use paydesk::startup::Application;
use paydesk::telemetry;
use paydesk_core::payments::{create_checkout, demo_checkout};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match paydesk::cli::parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("paydesk: invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        None | Some(Command::Serve) => serve(&config).await,
        Some(command) => paydesk::cli::run(command, &config).await,
    }
}

/// Reads the settings, builds the application, announces it and serves until stopped.
async fn serve(config: &Config) -> ExitCode {
    if let Err(error) = telemetry::init(config) {
        eprintln!("paydesk: invalid configuration: {error}");
        return ExitCode::from(2);
    }
    for fault in paydesk_core::fault_injection::configure_from_env() {
        tracing::warn!("test build: injecting a fault into this process: {fault}");
    }
    let settings = match Settings::from_lookup(|name| config.get(name)) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("paydesk: invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    let leptos_options = match paydesk::site::leptos_options(config) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("paydesk: {error}");
            return ExitCode::from(2);
        }
    };
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
