//! `paydesk token create|list|revoke` (merchant API tokens: printed once, only a hash stored) and
//! `paydesk staff add|list|disable` (console users: argon2id password hashes), on the database
//! named by `DATABASE_URL`.

use std::process::ExitCode;

use app::server::api_tokens::{self, Scope};
use app::server::store::{iso8601, now_ms, Store};

use crate::settings::DEFAULT_DATABASE_URL;

const USAGE: &str = "usage:
  paydesk sandbox                        (the sandbox gateway alone, for a paydesk in live mode)
  paydesk token create --name <name> --scopes <payments,refunds,read>
  paydesk token list
  paydesk token revoke <tok_id>
  paydesk staff add --email <email>      (password: PAYDESK_STAFF_PASSWORD, else read from stdin)
  paydesk staff list
  paydesk staff disable --email <email>

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
        ["staff", rest @ ..] => Some(match staff(rest).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("paydesk: {message}\n\n{USAGE}");
                ExitCode::from(2)
            }
        }),
        ["sandbox"] => Some(match crate::settings::SandboxSettings::from_env() {
            Ok(settings) => {
                crate::telemetry::init();
                crate::sandbox::standalone::run(settings).await
            }
            Err(error) => {
                eprintln!("paydesk sandbox: invalid configuration: {error}");
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
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
    crate::startup::ensure_sqlite_dir(&url).map_err(|e| e.to_string())?;
    Store::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

fn option<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.windows(2)
        .find(|pair| pair[0] == name)
        .map(|pair| pair[1])
}

async fn token(args: &[&str]) -> Result<(), String> {
    match args {
        ["create", options @ ..] => {
            let name = option(options, "--name")
                .filter(|n| !n.trim().is_empty())
                .ok_or("--name is required")?;
            if name.chars().count() > 100 {
                return Err("--name must be at most 100 characters".into());
            }
            let scopes =
                Scope::parse_list(option(options, "--scopes").ok_or("--scopes is required")?)?;
            let store = open_store().await?;
            let (plain, record) = api_tokens::generate(name, &scopes, "cli");
            store
                .insert_token(&record)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Created {} ({}) with scopes {}.",
                record.id, record.name, record.scopes
            );
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
                let used = t
                    .last_used_at
                    .map(iso8601)
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{}  {}…  {:<24} {:<22} {:<8} created {}  last used {}  {}",
                    t.id,
                    t.display_prefix,
                    t.name,
                    t.scopes,
                    t.source,
                    iso8601(t.created_at),
                    used,
                    state
                );
            }
            Ok(())
        }
        ["revoke", id] => {
            let store = open_store().await?;
            if store
                .revoke_token(id, now_ms())
                .await
                .map_err(|e| e.to_string())?
            {
                println!("Revoked {id}: requests with it are refused from now on.");
                Ok(())
            } else {
                Err(format!("no active token has the id {id}"))
            }
        }
        _ => Err("unknown token command".into()),
    }
}

async fn staff(args: &[&str]) -> Result<(), String> {
    match args {
        ["add", options @ ..] => {
            let email = option(options, "--email").ok_or("--email is required")?;
            let password = match std::env::var("PAYDESK_STAFF_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    eprintln!("Password for {email} (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let user = crate::admin::auth::new_user(email, &password)?;
            let store = open_store().await?;
            store
                .upsert_staff_user(&user)
                .await
                .map_err(|e| e.to_string())?;
            crate::admin::auth::audit(
                &store,
                "cli",
                "staff.add",
                Some(&user.email),
                serde_json::json!({}),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "Staff member {} can sign in at /admin (password stored as an argon2id hash).",
                user.email
            );
            Ok(())
        }
        ["list"] => {
            let store = open_store().await?;
            for user in store.staff_users().await.map_err(|e| e.to_string())? {
                let state = user
                    .disabled_at
                    .map(|at| format!("disabled {}", iso8601(at)))
                    .unwrap_or_else(|| "active".into());
                println!(
                    "{}  {}  created {}  {}",
                    user.id,
                    user.email,
                    iso8601(user.created_at),
                    state
                );
            }
            Ok(())
        }
        ["disable", options @ ..] => {
            let email = option(options, "--email")
                .ok_or("--email is required")?
                .to_ascii_lowercase();
            let store = open_store().await?;
            if store
                .disable_staff_user(&email, now_ms())
                .await
                .map_err(|e| e.to_string())?
            {
                crate::admin::auth::audit(
                    &store,
                    "cli",
                    "staff.disable",
                    Some(&email),
                    serde_json::json!({}),
                )
                .await
                .map_err(|e| e.to_string())?;
                println!("Disabled {email}; their sessions are ended.");
                Ok(())
            } else {
                Err(format!("no active staff member has the email {email}"))
            }
        }
        _ => Err("unknown staff command".into()),
    }
}
