//! Failed console sign-ins per account, in the database so every instance counts them together and
//! a restart forgets no lock.

use super::database::{Store, StoreError};

/// A window is over once `window_ms` passed since its first failure and no lock still runs.
const WINDOW_ENDED: &str = "sign_in_failures.window_started_at <= $2 - $3 \
     AND (sign_in_failures.locked_until IS NULL OR sign_in_failures.locked_until <= $2)";

impl Store {
    /// Until when `account` is locked, if it still is at `now`.
    pub async fn sign_in_locked_until(
        &self,
        account: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let locked: Option<(i64,)> = sqlx::query_as(
            "SELECT locked_until FROM sign_in_failures WHERE account = $1 AND locked_until > $2",
        )
        .bind(account)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(locked.map(|(until,)| until))
    }

    /// Counts a failed sign-in of `account` at `now`, atomically across instances, and returns the
    /// failures in its window (1 when this one started a window). The `lock_at`-th failure of a
    /// window locks the account for `window_ms`.
    pub async fn record_sign_in_failure(
        &self,
        account: &str,
        now: i64,
        window_ms: i64,
        lock_at: i64,
    ) -> Result<i64, StoreError> {
        let (failures,): (i64,) = sqlx::query_as(&format!(
            "INSERT INTO sign_in_failures (account, failures, window_started_at, locked_until) \
             VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (account) DO UPDATE SET \
             failures = CASE WHEN {WINDOW_ENDED} THEN 1 ELSE sign_in_failures.failures + 1 END, \
             locked_until = CASE WHEN {WINDOW_ENDED} THEN NULL \
                 WHEN sign_in_failures.failures + 1 = $4 THEN $2 + $3 \
                 ELSE sign_in_failures.locked_until END, \
             window_started_at = CASE WHEN {WINDOW_ENDED} THEN $2 \
                 ELSE sign_in_failures.window_started_at END \
             RETURNING failures"
        ))
        .bind(account)
        .bind(now)
        .bind(window_ms)
        .bind(lock_at)
        .fetch_one(&self.writer)
        .await?;
        if failures == 1 {
            // A new window: a good moment to forget the windows that ended (bounded by them).
            sqlx::query(
                "DELETE FROM sign_in_failures WHERE window_started_at <= $1 - $2 \
                 AND (locked_until IS NULL OR locked_until <= $1)",
            )
            .bind(now)
            .bind(window_ms)
            .execute(&self.writer)
            .await?;
        }
        Ok(failures)
    }

    /// A successful sign-in: the account's failures are forgotten.
    pub async fn clear_sign_in_failures(&self, account: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE account = $1")
            .bind(account)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
