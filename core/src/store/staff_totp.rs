//! Staff members' second factor: their TOTP secret (kept apart from the user record, so it never
//! travels with it) and the last time step a code was accepted for.

use super::audit::{insert_audit, AuditRecord};
use super::database::{Store, StoreError};

impl Store {
    /// Sets (or, with `None`, removes) the TOTP secret of `email`'s account, with its audit entry
    /// (together). `false` when no account has this email.
    pub async fn set_staff_totp(
        &self,
        email: &str,
        secret: Option<&str>,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let changed = sqlx::query(
            "UPDATE staff_users SET totp_secret = $1, totp_last_step = NULL WHERE email = $2",
        )
        .bind(secret)
        .bind(email)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The TOTP secret of `email`'s account, if it has one.
    pub async fn staff_totp_secret(&self, email: &str) -> Result<Option<String>, StoreError> {
        let secret: Option<(Option<String>,)> =
            sqlx::query_as("SELECT totp_secret FROM staff_users WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(secret.and_then(|(secret,)| secret))
    }

    /// Accepts a code for time step `step` once: `false` when a code for this step or a later one
    /// was accepted already (a replayed code).
    pub async fn use_totp_step(&self, email: &str, step: i64) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "UPDATE staff_users SET totp_last_step = $1 WHERE email = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(email)
        .execute(&self.writer)
        .await?
        .rows_affected()
            == 1)
    }
}
