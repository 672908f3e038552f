//! paydesk's command line (clap): serving (no command, or `serve`), and the operator's commands —
//! API tokens, staff, secrets, the configuration check, migrations, backups, the move to
//! PostgreSQL, the standalone sandbox and the reconciliation report. Each family has its own file.

mod args;
mod config_check;
mod database;
mod reconcile;
mod secrets;
mod staff;
mod tokens;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;

pub use staff::StaffCommand;
pub use tokens::TokenCommand;

/// paydesk: self-hosted checkout and refund pages around payment gateways' hosted forms.
#[derive(Debug, Parser)]
#[command(
    name = "paydesk",
    version = crate::version::VERSION_AND_COMMIT,
    after_help = "Without a command, paydesk serves its pages. Every setting is an environment \
                  variable or a line of the --config file (the environment wins); secrets may come \
                  from files (<NAME>_FILE). The database is DATABASE_URL."
)]
pub struct Cli {
    /// A TOML file of settings (the environment's names, e.g. PAYDESK_PUBLIC_URL = "https://…").
    #[arg(long, global = true, env = "PAYDESK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the pages, the merchant API and the console (the default).
    Serve,
    /// Print the version and the commit it was built from.
    Version,
    /// Check the configuration: print every setting (secrets redacted) and what paydesk makes of
    /// them; exit status 2 on any error.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Apply the database's migrations (or only show them).
    Migrate {
        /// Show each migration, applied or pending, and any a newer paydesk applied.
        #[arg(long, conflicts_with = "dry_run")]
        status: bool,
        /// Show what would be applied, and apply nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Copy a SQLite database, online and consistent, into a new file.
    Backup {
        /// The copy to write (must not exist).
        file: PathBuf,
    },
    /// Copy this SQLite database into an empty PostgreSQL database, verified row by row (stop
    /// paydesk first).
    MoveTo {
        /// The PostgreSQL database, e.g. postgres://paydesk@db.internal/paydesk.
        postgres_url: String,
    },
    /// Merchant API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Console users, their roles and second factors.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Roll a secret.
    Secrets {
        #[command(subcommand)]
        command: secrets::SecretsCommand,
    },
    /// The sandbox gateway alone, for a paydesk in live mode.
    Sandbox,
    /// Compare paydesk's records with the gateways' (exit status 1 when they disagree).
    Reconcile {
        /// How far back: 7d, 24h, 30m, 2026-11-01 or an RFC 3339 time.
        #[arg(long, default_value = "7d")]
        since: String,
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets redacted); exit status 2 on any error.
    Check,
}

/// Parses the command line. `Err` carries clap's own exit (help, version, a usage error).
pub fn parse() -> Result<Cli, clap::Error> {
    Cli::try_parse()
}

/// Runs `command` (anything but serving) with `config`.
pub async fn run(command: Command, config: &Config) -> ExitCode {
    let result = match command {
        Command::Serve => return ExitCode::SUCCESS,
        Command::Version => {
            println!("{}", crate::version::describe());
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => return config_check::print_check(config),
        Command::Migrate { status, dry_run } => database::migrate(config, status, dry_run).await,
        Command::Backup { file } => database::backup(config, &file).await,
        Command::MoveTo { postgres_url } => database::move_to(config, &postgres_url).await,
        Command::Token { command } => tokens::run(command, config).await,
        Command::Staff { command } => staff::run(command, config).await,
        Command::Secrets { command } => secrets::run(command, config).await,
        Command::Sandbox => return sandbox(config).await,
        Command::Reconcile { since, json } => return reconcile::run(&since, json, config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("paydesk: {message}");
            ExitCode::from(2)
        }
    }
}

/// `paydesk sandbox`: the simulated gateways on their own.
async fn sandbox(config: &Config) -> ExitCode {
    let settings = match crate::settings::SandboxSettings::from_lookup(|name| config.get(name)) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("paydesk sandbox: invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    match crate::telemetry::init(config) {
        Ok(()) => crate::sandbox::standalone::run(settings).await,
        Err(error) => {
            eprintln!("paydesk sandbox: invalid configuration: {error}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_help() {
        let cli = Cli::command();
        let mut missing = Vec::new();
        let mut stack: Vec<(String, &clap::Command)> = vec![("paydesk".into(), &cli)];
        while let Some((path, command)) = stack.pop() {
            for sub in command.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(name.clone());
                }
                stack.push((name, sub));
            }
        }
        assert!(missing.is_empty(), "commands without help: {missing:?}");
    }
}
