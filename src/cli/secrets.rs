//! `paydesk secrets rotate …`: a new link-signing key kept in the database (links signed with the
//! previous one keep opening until they expire), or a new merchant-webhook secret to roll in.

use paydesk_core::link_signer::LinkSigner;
use paydesk_core::store::{LINK_SIGNING_KEY, PREVIOUS_LINK_SIGNING_KEY};

use super::args::open_store;
use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum SecretsCommand {
    /// Replace a secret: the database's link-signing key (links signed with the previous one keep
    /// opening until they expire), or a new merchant-webhook secret to roll in.
    Rotate {
        #[arg(value_enum)]
        secret: RotatedSecret,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RotatedSecret {
    LinkSigningKey,
    MerchantWebhookSecret,
}

pub async fn run(command: SecretsCommand, config: &Config) -> Result<(), String> {
    let SecretsCommand::Rotate { secret } = command;
    match secret {
        RotatedSecret::LinkSigningKey => rotate_link_signing_key(config).await,
        RotatedSecret::MerchantWebhookSecret => {
            let secret = LinkSigner::generate_key();
            println!(
                "A new merchant-webhook secret (shown once):\n\n  {secret}\n\n\
                 1. Set PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET to the secret in use now and\n   \
                 PAYDESK_MERCHANT_WEBHOOK_SECRET to this one, and restart every instance: each event\n   \
                 then carries both signatures, so your endpoint keeps verifying it.\n\
                 2. Give your endpoint the new secret.\n\
                 3. Remove PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET and restart."
            );
            Ok(())
        }
    }
}

/// Replaces the database's link-signing key; the old one is kept as the previous key.
async fn rotate_link_signing_key(config: &Config) -> Result<(), String> {
    if config.get("PAYDESK_LINK_SIGNING_KEY").is_some() {
        let key = LinkSigner::generate_key();
        println!(
            "PAYDESK_LINK_SIGNING_KEY is set, so the key lives in your configuration, not the \
             database. A new key (shown once):\n\n  {key}\n\n\
             Set PAYDESK_LINK_SIGNING_PREVIOUS_KEY to the key in use now and PAYDESK_LINK_SIGNING_KEY \
             to this one, restart every instance, and remove the previous key after 30 days (when the \
             last link it signed has expired)."
        );
        return Ok(());
    }
    let store = open_store(config).await?;
    let rotated = store
        .rotate_secret(
            LINK_SIGNING_KEY,
            PREVIOUS_LINK_SIGNING_KEY,
            &LinkSigner::generate_key(),
        )
        .await
        .map_err(|e| e.to_string())?;
    if !rotated {
        return Err(
            "this database has no link-signing key yet: paydesk makes one when it first starts"
                .into(),
        );
    }
    println!(
        "The link-signing key was replaced. Restart every instance: new links are signed with the \
         new key, and links signed with the previous one keep opening until they expire (it is \
         dropped 31 days from now)."
    );
    Ok(())
}
