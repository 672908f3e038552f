//! The merchant-event outbox: events written with the state change they report, then delivered.

use sqlx::AnyConnection;

use super::database::{Store, StoreError};

/// A merchant event as stored.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct MerchantEventRecord {
    pub id: String,
    /// What it is about (a checkout, refund link, refund or device refund id): a subject's events are
    /// delivered in the order they were written. `None` for events written before subjects were kept.
    pub subject: Option<String>,
    /// One event per state change: a replayed change finds its event already there.
    pub dedupe_key: String,
    pub event_type: String,
    /// The exact JSON body delivered (and signed).
    pub payload: String,
    pub created_at: i64,
    /// `pending`, `delivered` or `failed` (attempts exhausted; can be redelivered).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

pub(super) const COLUMNS: &str =
    "id, subject, dedupe_key, event_type, payload, created_at, status, attempts, \
    next_attempt_at, last_error, delivered_at";

/// Adds an event inside the caller's transaction, unless one with its dedupe key exists; `true`
/// when it was added. Its body gains `livemode`: whether the database holds live data (stamped by
/// the first start; one never started live is not live).
pub(super) async fn enqueue(
    conn: &mut AnyConnection,
    event: &MerchantEventRecord,
) -> Result<bool, StoreError> {
    let mode: Option<(String,)> =
        sqlx::query_as("SELECT value FROM database_facts WHERE name = 'data_mode'")
            .fetch_optional(&mut *conn)
            .await?;
    let livemode = mode.is_some_and(|(value,)| value == "live");
    let payload = with_livemode(&event.payload, livemode)?;
    let added = sqlx::query(&format!(
        "INSERT INTO merchant_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (dedupe_key) DO NOTHING"
    ))
    .bind(&event.id)
    .bind(&event.subject)
    .bind(&event.dedupe_key)
    .bind(&event.event_type)
    .bind(&payload)
    .bind(event.created_at)
    .bind(&event.status)
    .bind(event.attempts)
    .bind(event.next_attempt_at)
    .bind(&event.last_error)
    .bind(event.delivered_at)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// `payload` (an event's JSON object) with `livemode` set.
fn with_livemode(payload: &str, livemode: bool) -> Result<String, StoreError> {
    let mut body: serde_json::Value = serde_json::from_str(payload)
        .map_err(|e| StoreError::Corrupt(format!("a merchant event's body is not JSON: {e}")))?;
    let object = body
        .as_object_mut()
        .ok_or_else(|| StoreError::Corrupt("a merchant event's body is not an object".into()))?;
    object.insert("livemode".into(), serde_json::Value::Bool(livemode));
    Ok(body.to_string())
}

impl Store {
    /// Queues `event` with its `audit` entry (together), unless an event with its dedupe key was
    /// queued before: then nothing is written and the answer is `false`.
    pub async fn enqueue_once_audited(
        &self,
        event: &MerchantEventRecord,
        audit: &super::audit::AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let added = enqueue(&mut tx, event).await?;
        if added {
            super::audit::insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
            self.told_outbox();
        } else {
            tx.rollback().await?;
        }
        Ok(added)
    }

    /// The outbox's backlog: how many events wait to be delivered, and when the oldest was written.
    pub async fn merchant_event_backlog(&self) -> Result<(i64, Option<i64>), StoreError> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM merchant_events WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Claims pending events whose next attempt is due, oldest first, until `claim_until` (see
    /// [`Store::claim_sql`]): one instance sends each, and a crash mid-send sends it again later. An
    /// event waits while an earlier one of its subject is still pending (being sent, or due again
    /// later), so a subject's events reach the merchant in the order they were written; different
    /// subjects go in parallel. A `failed` event (given up) holds nothing back.
    pub async fn claim_due_merchant_events(
        &self,
        now: i64,
        limit: i64,
        claim_until: i64,
    ) -> Result<Vec<MerchantEventRecord>, StoreError> {
        let order = self.dialect.insertion_order();
        let due = format!(
            "status = 'pending' AND next_attempt_at <= $1 AND NOT EXISTS (SELECT 1 FROM \
             merchant_events earlier WHERE earlier.subject = merchant_events.subject \
             AND earlier.status = 'pending' AND earlier.{order} < merchant_events.{order})"
        );
        Ok(sqlx::query_as(&self.claim_sql(
            "merchant_events",
            "id",
            COLUMNS,
            &due,
            order,
            "next_attempt_at",
        ))
        .bind(now)
        .bind(limit)
        .bind(claim_until)
        .bind(&*self.instance)
        .fetch_all(&self.writer)
        .await?)
    }

    /// Events, newest first, optionally of one status.
    pub async fn merchant_events(
        &self,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<MerchantEventRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM merchant_events WHERE ($1 IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(status)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn merchant_event(
        &self,
        id: &str,
    ) -> Result<Option<MerchantEventRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM merchant_events WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records the events `ids` delivered at `now`, in one write (none: nothing is written).
    pub async fn mark_merchant_events_delivered(
        &self,
        ids: &[String],
        now: i64,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let places: Vec<String> = (2..ids.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "UPDATE merchant_events SET status = 'delivered', attempts = attempts + 1, \
             delivered_at = $1, last_error = NULL WHERE id IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(now);
        for id in ids {
            query = query.bind(id);
        }
        query.execute(&self.writer).await?;
        // A subject's next event may be due now.
        self.outbox.notify_waiters();
        Ok(())
    }

    /// Resolves the next time a commit adds merchant events (or delivered ones free a subject's
    /// next): what the deliverer waits on when nothing is due. Enable it before looking for due
    /// events so that one added meanwhile is not missed.
    pub fn outbox_added(&self) -> tokio::sync::futures::Notified<'_> {
        self.outbox.notified()
    }

    /// Tells the deliverer that a commit added merchant events.
    pub(super) fn told_outbox(&self) {
        self.outbox.notify_waiters();
    }

    /// Records a failed attempt: retried at `next_attempt_at`, or `failed` when `give_up`.
    pub async fn mark_merchant_event_attempt_failed(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: i64,
        give_up: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE merchant_events SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
             status = CASE WHEN $3 THEN 'failed' ELSE status END WHERE id = $4 AND status = 'pending'",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(give_up)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Queues an event again, same id and body, for immediate delivery. Returns whether it existed.
    pub async fn redeliver_merchant_event(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE merchant_events SET status = 'pending', attempts = 0, next_attempt_at = $1, last_error = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        self.told_outbox();
        Ok(changed == 1)
    }
}
