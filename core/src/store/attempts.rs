//! Hosted-form attempts: one row per gateway session, written before the gateway is asked.

use super::database::{naming_row, Dialect, Store, StoreError};
use super::records::{
    AttemptOutcome, AttemptRecord, OpenedSession, OutcomeEffects, TransactionRecord,
};
use crate::model::AttemptState;

const COLUMNS: &str = "id, checkout_id, seq, gateway_reference_id, state, gateway_session_id, gateway_iframe_id, \
    iframe_url, expires_at, transaction_id, result_code, response_code, result_text, created_at, updated_at, \
    next_check_at, checks";

/// The states a later message may still change (a final one only an approval may override).
const NOT_FINAL: &str = "state NOT IN ('approved', 'declined', 'failed')";

/// A new attempt's values, owned (the SQLite insert runs in its own task).
struct NewAttemptRow {
    id: String,
    checkout_id: String,
    gateway_reference_id: String,
    instance: String,
    now: i64,
    next_check_at: i64,
}

impl NewAttemptRow {
    fn query<'q>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, AttemptRecord, sqlx::any::AnyArguments<'q>> {
        sqlx::query_as(sql)
            .bind(&self.id)
            .bind(&self.checkout_id)
            .bind(&self.gateway_reference_id)
            .bind(AttemptState::Creating)
            .bind(self.now)
            .bind(self.next_check_at)
            .bind(&self.instance)
    }
}

impl Store {
    /// Records a new attempt in state `creating` with the next sequence number of its link.
    /// Written *before* the gateway call, so a process that stops mid-call leaves a reference id we
    /// can look up (at `next_check_at`, by the reconciler), and another request for the link sees it.
    ///
    /// Its commit is visible at once but not flushed on its own: nobody can use the session before
    /// [`Store::open_attempt`] stores its iframe URL, and that commit is flushed, which flushes this
    /// one with it (SQLite's and PostgreSQL's write-ahead logs are written and synced in order). Only
    /// a power cut in between can lose the row, and then the session's URL was never shown to anyone:
    /// `open_attempt` finds no row and the form is not offered.
    ///
    /// `fence`: the link's lease, checked in the same transaction (and one live session per link is
    /// a unique index).
    pub async fn insert_attempt(
        &self,
        id: &str,
        checkout_id: &str,
        gateway_reference_id: &str,
        now: i64,
        next_check_at: i64,
        fence: Option<&super::Fence>,
    ) -> Result<AttemptRecord, StoreError> {
        let sql = format!(
            "INSERT INTO session_attempts (id, checkout_id, seq, gateway_reference_id, state, created_at, updated_at, \
             next_check_at, in_flight_by) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $5, $6, $7 \
             FROM session_attempts WHERE checkout_id = $2 RETURNING {COLUMNS}"
        );
        let row = NewAttemptRow {
            id: id.to_string(),
            checkout_id: checkout_id.to_string(),
            gateway_reference_id: gateway_reference_id.to_string(),
            instance: self.instance.to_string(),
            now,
            next_check_at,
        };
        let inserted = match self.dialect {
            Dialect::Sqlite => {
                // One connection writes; its flush setting changes for this insert alone. The
                // change and its undo run in their own task, so a request dropped halfway (the
                // customer left) can never leave the writer without its flush.
                let writer = self.writer.clone();
                let task = tokio::spawn(async move {
                    let mut connection = writer.acquire().await?;
                    sqlx::query("PRAGMA synchronous = NORMAL")
                        .execute(&mut *connection)
                        .await?;
                    let inserted = row.query(&sql).fetch_one(&mut *connection).await;
                    if sqlx::query("PRAGMA synchronous = FULL")
                        .execute(&mut *connection)
                        .await
                        .is_err()
                    {
                        // Never handed to another writer without its flush.
                        connection.close_on_drop();
                    }
                    inserted
                });
                task.await.map_err(|_| StoreError::Stopping)?
            }
            Dialect::Postgres => {
                let mut tx = self.writer.begin().await?;
                self.check_fence(&mut tx, fence).await?;
                sqlx::query("SET LOCAL synchronous_commit = off")
                    .execute(&mut *tx)
                    .await?;
                let inserted = row.query(&sql).fetch_one(&mut *tx).await;
                if inserted.is_ok() {
                    tx.commit().await?;
                }
                inserted
            }
        };
        inserted.map_err(naming_row("session_attempts", id))
    }

    pub async fn attempt(&self, id: &str) -> Result<Option<AttemptRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM session_attempts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("session_attempts", id))
    }

    pub async fn attempt_by_reference(
        &self,
        gateway_reference_id: &str,
    ) -> Result<Option<AttemptRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM session_attempts WHERE gateway_reference_id = $1"
        ))
        .bind(gateway_reference_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("session_attempts", gateway_reference_id))
    }

    /// All attempts of a link, newest first.
    pub async fn attempts_for(&self, checkout_id: &str) -> Result<Vec<AttemptRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM session_attempts WHERE checkout_id = $1 ORDER BY seq DESC"
        ))
        .bind(checkout_id)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("session_attempts of", checkout_id))
    }

    /// Stores the gateway's session for an attempt still in `creating`, durably, and returns the
    /// attempt as stored. `None`: the attempt is no longer `creating` (retired meanwhile by another
    /// request) or no longer there; its session must not be offered.
    pub async fn open_attempt(
        &self,
        id: &str,
        session: &OpenedSession,
        now: i64,
        next_check_at: i64,
    ) -> Result<Option<AttemptRecord>, StoreError> {
        sqlx::query_as(&format!(
            "UPDATE session_attempts SET state = $1, gateway_session_id = $2, gateway_iframe_id = $3, iframe_url = $4, \
             expires_at = $5, updated_at = $6, next_check_at = $9, checks = 0 WHERE id = $7 AND state = $8 \
             RETURNING {COLUMNS}"
        ))
        .bind(AttemptState::Open)
        .bind(&session.gateway_session_id)
        .bind(&session.gateway_iframe_id)
        .bind(&session.iframe_url)
        .bind(session.expires_at)
        .bind(now)
        .bind(id)
        .bind(AttemptState::Creating)
        .bind(next_check_at)
        .fetch_optional(&self.writer)
        .await
        .map_err(naming_row("session_attempts", id))
    }

    /// Moves an attempt to a non-final state (submitted, expired, abandoned), to be looked up again
    /// at `next_check_at` (`None`: settled). A final outcome is never overwritten. Returns whether
    /// the row changed.
    pub async fn set_attempt_state(
        &self,
        id: &str,
        state: AttemptState,
        now: i64,
        next_check_at: Option<i64>,
    ) -> Result<bool, StoreError> {
        debug_assert!(!state.is_final());
        let changed = sqlx::query(&format!(
            "UPDATE session_attempts SET state = $1, updated_at = $2, next_check_at = $4, checks = 0 \
             WHERE id = $3 AND {NOT_FINAL} AND state <> $1"
        ))
        .bind(state)
        .bind(now)
        .bind(id)
        .bind(next_check_at)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// An attempt still `creating` whose caller is gone (see `gone_caller_clause`) was never shown to
    /// anyone (the form's URL died with that process), so it is abandoned. Returns how many.
    pub async fn abandon_interrupted_attempts(&self, now: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query(&format!(
            "UPDATE session_attempts SET state = $1, updated_at = $2, next_check_at = NULL, checks = 0 \
             WHERE state = $3 AND {}",
            self.gone_caller_clause("session_attempts.in_flight_by", "$2", "$4")
        ))
        .bind(AttemptState::Abandoned)
        .bind(now)
        .bind(AttemptState::Creating)
        .bind(&*self.instance)
        .execute(&self.writer)
        .await?
        .rows_affected())
    }

    /// After a lookup that changed nothing: when to look again, and one more check counted.
    pub async fn reschedule_attempt(
        &self,
        id: &str,
        next_check_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE session_attempts SET next_check_at = $1, checks = checks + 1 WHERE id = $2",
        )
        .bind(next_check_at)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Attempts created since `since`, oldest first (for the reconciliation report).
    pub async fn attempts_since(&self, since: i64) -> Result<Vec<AttemptRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM session_attempts WHERE created_at >= $1 ORDER BY created_at"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("session_attempts", "since"))
    }

    /// Claims attempts whose next lookup is due, soonest first, until `claim_until` (see
    /// [`Store::claim_sql`]); each is rescheduled when looked at.
    pub async fn claim_due_attempts(
        &self,
        now: i64,
        limit: i64,
        claim_until: i64,
    ) -> Result<Vec<AttemptRecord>, StoreError> {
        sqlx::query_as(&self.claim_sql(
            "session_attempts",
            "id",
            COLUMNS,
            "next_check_at <= $1",
            "next_check_at",
            "next_check_at",
        ))
        .bind(now)
        .bind(limit)
        .bind(claim_until)
        .bind(&*self.instance)
        .fetch_all(&self.writer)
        .await
        .map_err(naming_row("session_attempts", "due"))
    }

    /// Atomically stores a gateway transaction, the attempt's outcome, the link's new status and
    /// what else it causes (merchant events, a void to send). The transaction never regresses from
    /// `Completed`; a final attempt outcome is replaced only when `overrides_final` says so.
    pub async fn record_attempt_outcome(
        &self,
        attempt: &AttemptRecord,
        outcome: &AttemptOutcome,
        transaction: &TransactionRecord,
        effects: &OutcomeEffects,
        now: i64,
    ) -> Result<(), StoreError> {
        let authorized_transaction_id = outcome
            .authorizes_link
            .then_some(outcome.transaction_id.as_deref())
            .flatten();
        let mut tx = self.writer.begin().await?;
        record_effects(&mut tx, transaction, effects, &self.instance).await?;
        sqlx::query(&format!(
            "UPDATE session_attempts SET state = $1, transaction_id = $2, result_code = $3, response_code = $4, \
             result_text = $5, updated_at = $6, next_check_at = $9, checks = 0 \
             WHERE id = $7 AND ({NOT_FINAL} OR $8)"
        ))
        .bind(outcome.state)
        .bind(&outcome.transaction_id)
        .bind(outcome.result_code)
        .bind(outcome.response_code)
        .bind(&outcome.result_text)
        .bind(now)
        .bind(&attempt.id)
        .bind(outcome.overrides_final)
        .bind(outcome.next_check_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE checkouts SET status = $1, authorized_transaction_id = COALESCE(authorized_transaction_id, $2), \
             updated_at = $3 WHERE id = $4",
        )
        .bind(outcome.link_status)
        .bind(authorized_transaction_id)
        .bind(now)
        .bind(&attempt.checkout_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if !effects.events.is_empty() {
            self.told_outbox();
        }
        Ok(())
    }

    /// Stores a transaction that changes no attempt (e.g. a second approval on a settled attempt),
    /// with what it causes, in one commit.
    pub async fn record_stray_transaction(
        &self,
        transaction: &TransactionRecord,
        effects: &OutcomeEffects,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        record_effects(&mut tx, transaction, effects, &self.instance).await?;
        tx.commit().await?;
        if !effects.events.is_empty() {
            self.told_outbox();
        }
        Ok(())
    }
}

async fn record_effects(
    conn: &mut sqlx::AnyConnection,
    transaction: &TransactionRecord,
    effects: &OutcomeEffects,
    instance: &str,
) -> Result<(), StoreError> {
    super::transactions::upsert(&mut *conn, transaction).await?;
    for event in &effects.events {
        super::outbox::enqueue(&mut *conn, event).await?;
    }
    if let Some(void) = &effects.void {
        super::operations::insert(&mut *conn, void, instance).await?;
    }
    Ok(())
}
