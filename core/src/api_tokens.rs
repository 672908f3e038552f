//! Merchant API tokens: scoped, created and revoked from the CLI, stored only as SHA-256 hashes and
//! shown once. A token looks like `pdk_<40 hex>`.

use sha2::{Digest, Sha256};

use super::store::{now_ms, Store, StoreError, TokenRecord};

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Create checkouts, capture, void, redeliver events (and read).
    Payments,
    /// Refund, create refund links (and read).
    Refunds,
    /// Read checkouts, refund links and events only.
    Read,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Payments, Scope::Refunds, Scope::Read];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Payments => "payments",
            Scope::Refunds => "refunds",
            Scope::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
    }

    /// Parses `payments,refunds`; refuses unknown or empty lists.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let scope = Scope::parse(part)
                .ok_or_else(|| format!("unknown scope {part:?} (use payments, refunds, read)"))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err("give at least one scope: payments, refunds, read".into());
        }
        Ok(scopes)
    }
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token: its plain text (to show once) and the record to store. Its prefix tells test from
/// live: `pdk_test_` for a sandbox's data, `pdk_live_` for real payments.
pub fn generate(name: &str, scopes: &[Scope], source: &str, live: bool) -> (String, TokenRecord) {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    let mode = if live { "live" } else { "test" };
    let plain = format!("pdk_{mode}_{}", hex::encode(bytes));
    (plain.clone(), record_for(&plain, name, scopes, source))
}

/// The record of a token whose plain text is already known (e.g. `PAYDESK_MERCHANT_TOKEN`).
pub fn record_for(plain: &str, name: &str, scopes: &[Scope], source: &str) -> TokenRecord {
    TokenRecord {
        id: format!("tok_{}", ulid::Ulid::new()),
        name: name.to_string(),
        token_hash: hash(plain),
        // Enough to tell tokens apart in a list (`pdk_live_1a2b`), never enough to use one.
        display_prefix: plain.chars().take(13).collect(),
        scopes: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(","),
        source: source.to_string(),
        created_at: now_ms(),
        last_used_at: None,
        revoked_at: None,
    }
}

/// Makes `plain` the one active token of `source` (revoking that source's others). Used for the
/// configured `PAYDESK_MERCHANT_TOKEN` and the sandbox's per-run token.
pub async fn install(
    store: &Store,
    plain: &str,
    name: &str,
    source: &str,
) -> Result<(), StoreError> {
    let record = record_for(plain, name, &Scope::ALL, source);
    store
        .revoke_tokens_of_source(source, Some(&record.token_hash), now_ms())
        .await?;
    if store.active_token(&record.token_hash).await?.is_none() {
        store.insert_token(&record).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse() {
        assert_eq!(
            Scope::parse_list("payments, refunds,payments"),
            Ok(vec![Scope::Payments, Scope::Refunds])
        );
        assert!(Scope::parse_list("admin").is_err());
        assert!(Scope::parse_list(" , ").is_err());
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, record) = generate("ci", &[Scope::Read], "cli", false);
        let (b, _) = generate("ci", &[Scope::Read], "cli", false);
        assert_ne!(a, b);
        assert!(a.starts_with("pdk_test_") && a.len() == 49, "{a}");
        assert_eq!(record.token_hash, hash(&a));
        assert!(!record.token_hash.contains(&a[9..]));
        assert_eq!(record.display_prefix, &a[..13]);
        let (live, _) = generate("ci", &[Scope::Read], "cli", true);
        assert!(live.starts_with("pdk_live_"), "{live}");
    }
}
