//! Secrets paydesk generates for itself and keeps in its database (e.g. the refund-link signing
//! key).

use super::database::{Store, StoreError};
use crate::clock::now_ms;

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
}
