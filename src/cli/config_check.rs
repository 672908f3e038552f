//! `paydesk config check`: every setting that has a value, where it came from (secrets redacted),
//! then what paydesk makes of them; exit status 2 on any error.

use std::path::Path;
use std::process::ExitCode;

use paydesk_core::store::redacted_url;

use crate::config::names::is_secret;
use crate::config::{Config, Source};
use crate::settings::{CommerceHubMode, GatewayMode, PayrocMode, Settings};

/// Prints the check's report to standard output (errors to standard error).
pub fn print_check(config: &Config) -> ExitCode {
    match config.file() {
        Some(path) => println!("Configuration file: {}", path.display()),
        None => println!("Configuration file: none (--config or PAYDESK_CONFIG names one)"),
    }
    println!();
    for (name, value, source) in config.entries() {
        println!("  {name} = {}   ({})", shown(name, value), describe(source));
    }
    println!();
    let mut errors = Vec::new();
    if let Err(error) = crate::telemetry::check(config) {
        errors.push(error);
    }
    let settings = match Settings::from_lookup(|name| config.get(name)) {
        Ok(settings) => Some(settings),
        Err(error) => {
            errors.push(error.to_string());
            None
        }
    };
    if let Some(settings) = &settings {
        summarize(settings);
        let site = crate::site::site_root(config);
        if !site.join("pkg").is_dir() {
            println!(
                "  warning: {} has no pkg/ folder: pages would render without their scripts and \
                 stylesheet (LEPTOS_SITE_ROOT names the site's folder)",
                site.display()
            );
        }
    }
    if errors.is_empty() {
        println!("The configuration is valid.");
        ExitCode::SUCCESS
    } else {
        for error in errors {
            eprintln!("paydesk config check: {error}");
        }
        ExitCode::from(2)
    }
}

/// What paydesk makes of the settings: its mode, addresses, database and gateways.
fn summarize(settings: &Settings) {
    let mode = match &settings.gateway {
        GatewayMode::Live { url, .. } => format!("live (the gateway at {url})"),
        GatewayMode::Sandbox { addr, .. } => format!("sandbox (simulators on {addr})"),
    };
    println!("  mode:            {mode}");
    println!("  listens on:      {}", settings.site_addr);
    println!(
        "  public URL:      {}",
        settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", settings.site_addr))
    );
    println!(
        "  database:        {}",
        redacted_url(&settings.database_url)
    );
    println!(
        "  device refunds:  {}",
        match &settings.payroc {
            PayrocMode::Live { api_url, .. } => format!("Payroc Cloud at {api_url}"),
            PayrocMode::Sandbox { addr, .. } => format!("the Payroc simulator on {addr}"),
            PayrocMode::Off => "off".into(),
        }
    );
    println!(
        "  Commerce Hub:    {}",
        match &settings.commercehub {
            CommerceHubMode::Live { api_url, .. } => format!("at {api_url}"),
            CommerceHubMode::Sandbox { addr, .. } => format!("the simulator on {addr}"),
            CommerceHubMode::Off => "off".into(),
        }
    );
    println!(
        "  merchant events: {}",
        settings
            .merchant_webhook
            .as_ref()
            .map_or("not sent (PAYDESK_MERCHANT_WEBHOOK_URL)".into(), |w| w
                .url
                .clone())
    );
    println!(
        "  migrations:      {}",
        if settings.migrate_on_start {
            "run at startup"
        } else {
            "not run at startup (paydesk migrate)"
        }
    );
    println!();
}

/// A value as the check shows it: a secret only by its length, a database URL without its
/// password.
fn shown(name: &str, value: &str) -> String {
    if name.ends_with("DATABASE_URL") {
        redacted_url(value)
    } else if is_secret(name) {
        format!("(secret, {} characters)", value.chars().count())
    } else {
        value.to_string()
    }
}

fn describe(source: &Source) -> String {
    match source {
        Source::Environment => "environment".into(),
        Source::EnvironmentSecretFile(path) => format!("file {} (environment)", shown_path(path)),
        Source::ConfigFile => "configuration file".into(),
        Source::ConfigSecretFile(path) => {
            format!("file {} (configuration file)", shown_path(path))
        }
    }
}

fn shown_path(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_and_secrets_are_never_shown() {
        assert_eq!(
            shown("DATABASE_URL", "postgres://pd:hunter2@db:5432/paydesk"),
            "postgres://pd:***@db:5432/paydesk"
        );
        assert_eq!(
            shown("DATABASE_URL", "sqlite://data/paydesk.db"),
            "sqlite://data/paydesk.db"
        );
        assert_eq!(
            shown("PAYDESK_GATEWAY_API_KEY", "k_live_123"),
            "(secret, 10 characters)"
        );
        assert_eq!(shown("PAYDESK_MERCHANT_NAME", "Shop"), "Shop");
        assert!(
            !shown("DATABASE_URL", "postgres://db/p?user=pd&password=hunter2").contains("hunter2")
        );
    }
}
