//! Staff users, their console sessions and time zones, the audit log, and the webhook events the
//! console lists.

use super::audit::{insert_audit, AuditRecord};
use super::database::{Store, StoreError};
use crate::permissions::Role;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct StaffUserRecord {
    pub id: String,
    pub email: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    /// What they may do (an unknown value in the database: nothing).
    #[sqlx(try_from = "String")]
    pub role: Role,
}

/// A live console session with its user.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct StaffSessionRecord {
    pub user_id: String,
    pub email: String,
    pub csrf_token: String,
    pub expires_at: i64,
    /// The staff member's time zone (an IANA name); `None`: UTC.
    pub time_zone: Option<String>,
    /// What they may do, read with the session on every request (a change applies at once).
    #[sqlx(try_from = "String")]
    pub role: Role,
}

/// How a console session ends when unused: after `ends_after_ms` without a request; its last use
/// is written at most every `touch_every_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionIdle {
    pub ends_after_ms: i64,
    pub touch_every_ms: i64,
}

impl SessionIdle {
    /// Ends after `idle`; a use is written at most once a minute (or a quarter of `idle`).
    pub fn after(idle: std::time::Duration) -> SessionIdle {
        let ends_after_ms = i64::try_from(idle.as_millis()).unwrap_or(i64::MAX);
        SessionIdle {
            ends_after_ms,
            touch_every_ms: (ends_after_ms / 4).min(60_000),
        }
    }
}

/// What a password reset did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordReset {
    Reset {
        sessions_ended: u64,
    },
    /// The account is disabled and `enable` was not given: nothing changed.
    Disabled,
    NoSuchUser,
}

impl Store {
    /// Adds a staff user and its audit entry, together. `false` (nothing written) when the email
    /// already has an account.
    pub async fn add_staff_user(
        &self,
        user: &StaffUserRecord,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let added = sqlx::query(
            "INSERT INTO staff_users (id, email, password_hash, created_at, disabled_at, role) VALUES ($1, $2, $3, $4, NULL, $5) \
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .bind(user.role.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Replaces a staff member's password and ends every session they have, with its audit entry,
    /// together. A disabled account is changed only with `enable` (which re-enables it).
    pub async fn reset_staff_password(
        &self,
        email: &str,
        password_hash: &str,
        enable: bool,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<PasswordReset, StoreError> {
        let mut tx = self.writer.begin().await?;
        let user: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT disabled_at FROM staff_users WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
        match user {
            None => return Ok(PasswordReset::NoSuchUser),
            Some((Some(_),)) if !enable => return Ok(PasswordReset::Disabled),
            Some(_) => {}
        }
        sqlx::query(
            "UPDATE staff_users SET password_hash = $1, disabled_at = NULL WHERE email = $2",
        )
        .bind(password_hash)
        .bind(email)
        .execute(&mut *tx)
        .await?;
        let ended = sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM staff_users WHERE email = $2)")
            .bind(now)
            .bind(email)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(PasswordReset::Reset {
            sessions_ended: ended,
        })
    }

    pub async fn staff_user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<StaffUserRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, email, password_hash, created_at, disabled_at, role FROM staff_users WHERE email = $1 AND disabled_at IS NULL",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn staff_users(&self) -> Result<Vec<StaffUserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT id, email, password_hash, created_at, disabled_at, role FROM staff_users ORDER BY email")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Gives a staff member `role`, with its audit entry, together. `false` (nothing written) when
    /// no account has that email.
    pub async fn set_staff_role(
        &self,
        email: &str,
        role: &Role,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let changed = sqlx::query("UPDATE staff_users SET role = $1 WHERE email = $2")
            .bind(role.as_str())
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

    /// Disables a user and ends their sessions, with its audit entry, together. Returns whether an
    /// active user was disabled.
    pub async fn disable_staff_user(
        &self,
        email: &str,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let changed = sqlx::query(
            "UPDATE staff_users SET disabled_at = $1 WHERE email = $2 AND disabled_at IS NULL",
        )
        .bind(now)
        .bind(email)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM staff_users WHERE email = $2)")
            .bind(now)
            .bind(email)
            .execute(&mut *tx)
            .await?;
        if changed == 1 {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    pub async fn insert_staff_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The live session with this cookie hash (not expired, not revoked, user enabled).
    pub async fn staff_session(
        &self,
        token_hash: &str,
        now: i64,
        idle: SessionIdle,
    ) -> Result<Option<StaffSessionRecord>, StoreError> {
        let session: Option<StaffSessionRecord> = sqlx::query_as(
            "SELECT s.user_id, u.email, s.csrf_token, s.expires_at, u.time_zone, u.role FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL \
             AND COALESCE(s.last_seen_at, s.created_at) > $3",
        )
        .bind(token_hash)
        .bind(now)
        .bind(now - idle.ends_after_ms)
        .fetch_optional(&self.pool)
        .await?;
        if session.is_some() {
            // Used now: written at most every `touch_every_ms`, not on every request.
            sqlx::query(
                "UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2 \
                 AND COALESCE(last_seen_at, created_at) <= $3",
            )
            .bind(now)
            .bind(token_hash)
            .bind(now - idle.touch_every_ms)
            .execute(&self.writer)
            .await?;
        }
        Ok(session)
    }

    /// Sets a staff member's time zone (an IANA name the caller checked).
    pub async fn set_staff_time_zone(
        &self,
        user_id: &str,
        time_zone: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE staff_users SET time_zone = $1 WHERE id = $2")
            .bind(time_zone)
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn revoke_staff_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn insert_audit(&self, entry: &AuditRecord) -> Result<(), StoreError> {
        let mut connection = self.writer.acquire().await?;
        insert_audit(&mut connection, entry).await
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_log_before(limit, None).await
    }

    /// Audit entries newest first, older than `before` (an entry's time and id) when given: one
    /// page of the whole log.
    pub async fn audit_log_before(
        &self,
        limit: i64,
        before: Option<(i64, &str)>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, subject, detail FROM audit_log \
             WHERE $2 = '' OR at < $1 OR (at = $1 AND id < $2) \
             ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Gateway webhook events received, newest first.
    pub async fn recent_webhook_events(
        &self,
        limit: i64,
    ) -> Result<Vec<super::records::WebhookEventRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT event_id, event_type, event_timestamp, body, received_at, processed_at, outcome, apply_attempts, last_error \
             FROM webhook_events ORDER BY received_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
