//! `paydesk token create|list|revoke`: manage merchant API tokens in the database named by
//! `DATABASE_URL`. A new token is printed once and only its hash is stored.

use std::process::ExitCode;

use app::server::api_tokens::{self, Scope};
use app::server::store::{iso8601, now_ms, Store};

use crate::settings::DEFAULT_DATABASE_URL;

const USAGE: &str = "usage:
  paydesk token create --name <name> --scopes <payments,refunds,read>
  paydesk token list
  paydesk token revoke <tok_id>

Scopes: payments (checkouts, capture, void), refunds (refunds, refund links), read (GET only).
Every scope can read. The database is DATABASE_URL (default sqlite://data/paydesk.db).";

/// Runs a CLI command if `args` (without the program name) name one; `None` means "serve".
pub async fn run(args: &[String]) -> Option<ExitCode> {
    let command: Vec<&str> = args.iter().map(String::as_str).collect();
    match command.as_slice() {
        [] => None,
        ["token", rest @ ..] => Some(match token(rest).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("paydesk: {message}\n\n{USAGE}");
                ExitCode::from(2)
            }
        }),
        ["help" | "--help" | "-h"] => {
            println!("paydesk: serves checkout and refund pages (no arguments).\n\n{USAGE}");
            Some(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("paydesk: unknown command {:?}\n\n{USAGE}", args.join(" "));
            Some(ExitCode::from(2))
        }
    }
}

async fn open_store() -> Result<Store, String> {
    let url = std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
    crate::startup::ensure_sqlite_dir(&url).map_err(|e| e.to_string())?;
    Store::connect(&url).await.map_err(|e| format!("cannot open the database: {e}"))
}

fn option<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.windows(2).find(|pair| pair[0] == name).map(|pair| pair[1])
}

async fn token(args: &[&str]) -> Result<(), String> {
    match args {
        ["create", options @ ..] => {
            let name = option(options, "--name").filter(|n| !n.trim().is_empty()).ok_or("--name is required")?;
            if name.chars().count() > 100 {
                return Err("--name must be at most 100 characters".into());
            }
            let scopes = Scope::parse_list(option(options, "--scopes").ok_or("--scopes is required")?)?;
            let store = open_store().await?;
            let (plain, record) = api_tokens::generate(name, &scopes, "cli");
            store.insert_token(&record).await.map_err(|e| e.to_string())?;
            println!("Created {} ({}) with scopes {}.", record.id, record.name, record.scopes);
            println!("Token (shown once; store it in your secret manager):\n\n  {plain}\n");
            Ok(())
        }
        ["list"] => {
            let store = open_store().await?;
            let tokens = store.tokens().await.map_err(|e| e.to_string())?;
            if tokens.is_empty() {
                println!("No tokens. Create one with: paydesk token create --name <name> --scopes payments,refunds");
            }
            for t in tokens {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", iso8601(at)),
                    None => "active".into(),
                };
                let used = t.last_used_at.map(iso8601).unwrap_or_else(|| "never".into());
                println!("{}  {}…  {:<24} {:<22} {:<8} created {}  last used {}  {}", t.id, t.display_prefix, t.name, t.scopes, t.source, iso8601(t.created_at), used, state);
            }
            Ok(())
        }
        ["revoke", id] => {
            let store = open_store().await?;
            if store.revoke_token(id, now_ms()).await.map_err(|e| e.to_string())? {
                println!("Revoked {id}: requests with it are refused from now on.");
                Ok(())
            } else {
                Err(format!("no active token has the id {id}"))
            }
        }
        _ => Err("unknown token command".into()),
    }
}
