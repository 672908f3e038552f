//! `paydesk token create|list|revoke`: merchant API tokens, printed once, stored only as hashes.

use paydesk_core::api_tokens::{self, Scope};
use paydesk_core::store::{iso8601, now_ms, DataMode};

use super::args::open_store;
use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token (printed once; stored only as a hash).
    Create {
        /// What it is for, e.g. "storefront backend" (at most 100 characters).
        #[arg(long)]
        name: String,
        /// Comma-separated: payments (checkouts, capture, void), refunds (refunds, refund links),
        /// read (GET only). Every scope can read.
        #[arg(long)]
        scopes: String,
    },
    /// List tokens: their prefix, scopes, last use and state.
    List,
    /// Revoke a token: requests with it are refused from then on.
    Revoke {
        /// The token's id (tok_…).
        id: String,
    },
}

pub async fn run(command: TokenCommand, config: &Config) -> Result<(), String> {
    match command {
        TokenCommand::Create { name, scopes } => {
            let name = name.trim();
            if name.is_empty() {
                return Err("--name must not be empty".into());
            }
            if name.chars().count() > 100 {
                return Err("--name must be at most 100 characters".into());
            }
            let scopes = Scope::parse_list(&scopes)?;
            let store = open_store(config).await?;
            // Live or test as the database's data is, or (never started) as the configuration
            // will start it: live with a gateway key.
            let live = match store.data_mode().await.map_err(|e| e.to_string())? {
                Some(mode) => mode == DataMode::Live,
                None => config.get("PAYDESK_GATEWAY_API_KEY").is_some(),
            };
            let (plain, record) = api_tokens::generate(name, &scopes, "cli", live);
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
        TokenCommand::List => {
            let store = open_store(config).await?;
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
        TokenCommand::Revoke { id } => {
            let store = open_store(config).await?;
            if store
                .revoke_token(&id, now_ms())
                .await
                .map_err(|e| e.to_string())?
            {
                println!("Revoked {id}: requests with it are refused from now on.");
                Ok(())
            } else {
                Err(format!("no active token has the id {id}"))
            }
        }
    }
}
