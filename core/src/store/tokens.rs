//! Merchant API tokens, stored as SHA-256 hashes.

use super::database::{Store, StoreError};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub token_hash: String,
    pub display_prefix: String,
    /// Comma-separated scopes.
    pub scopes: String,
    pub source: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str =
    "id, name, token_hash, display_prefix, scopes, source, created_at, last_used_at, revoked_at";

impl Store {
    pub async fn insert_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO api_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (token_hash) DO NOTHING"
        ))
        .bind(&token.id)
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(&token.display_prefix)
        .bind(&token.scopes)
        .bind(&token.source)
        .bind(token.created_at)
        .bind(token.last_used_at)
        .bind(token.revoked_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The active (not revoked) token with this hash.
    pub async fn active_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every token, newest first.
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM api_tokens ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes a token by id. Returns whether an active token was revoked.
    pub async fn revoke_token(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Revokes every active token of a source except the one with `keep_hash`.
    pub async fn revoke_tokens_of_source(
        &self,
        source: &str,
        keep_hash: Option<&str>,
        now: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE source = $2 AND revoked_at IS NULL AND ($3 IS NULL OR token_hash <> $3)",
        )
        .bind(now)
        .bind(source)
        .bind(keep_hash)
        .execute(&self.writer)
        .await?
        .rows_affected())
    }

    /// Notes that a token was used.
    pub async fn touch_token(&self, id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
