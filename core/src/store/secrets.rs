//! Secrets paydesk generates for itself and keeps in its database (e.g. the refund-link signing
//! key).

use super::database::{Store, StoreError};
use crate::clock::now_ms;

/// The database's name of the link-signing key, and of the one before it while it is rolled.
pub const LINK_SIGNING_KEY: &str = "link_signing_key";
pub const PREVIOUS_LINK_SIGNING_KEY: &str = "link_signing_key_previous";

impl Store {
    /// The secret named `name`, creating it with `generate()` the first time. Concurrent first
    /// calls agree on one value.
    pub async fn secret_or_create(
        &self,
        name: &str,
        generate: impl FnOnce() -> String,
    ) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(generate())
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        let (value,): (String,) = sqlx::query_as("SELECT value FROM app_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(value)
    }

    /// The secret named `name` and when it was written, if there is one.
    pub async fn secret(&self, name: &str) -> Result<Option<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT value, created_at FROM app_secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Replaces the secret `name` with `new_value`, keeping the value it had as `previous` (with
    /// the time of the change), in one transaction. `false` when there was no secret to replace.
    pub async fn rotate_secret(
        &self,
        name: &str,
        previous: &str,
        new_value: &str,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let current: Option<(String,)> =
            sqlx::query_as("SELECT value FROM app_secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((current,)) = current else {
            tx.rollback().await?;
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = $2, created_at = $3",
        )
        .bind(previous)
        .bind(&current)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE app_secrets SET value = $2, created_at = $3 WHERE name = $1")
            .bind(name)
            .bind(new_value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
