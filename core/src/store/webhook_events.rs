//! Received gateway webhooks: stored before they are acknowledged, deduplicated by event id.

use super::database::{Store, StoreError};
use super::records::{EventInsert, WebhookEventRecord};

const COLUMNS: &str =
    "event_id, event_type, event_timestamp, body, received_at, processed_at, outcome, apply_attempts, last_error";

impl Store {
    /// Stores `events` in one transaction (one fsync for all: group commit), each unless its id is
    /// already known. One answer per event, in order.
    pub async fn insert_webhook_events(
        &self,
        events: &[WebhookEventRecord],
    ) -> Result<Vec<EventInsert>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut answers = Vec::with_capacity(events.len());
        for event in events {
            let inserted = sqlx::query(&format!(
                "INSERT INTO webhook_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL, 0, NULL) \
                 ON CONFLICT (event_id) DO NOTHING"
            ))
            .bind(&event.event_id)
            .bind(&event.event_type)
            .bind(&event.event_timestamp)
            .bind(&event.body)
            .bind(event.received_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            answers.push(if inserted == 1 {
                EventInsert::New
            } else {
                let processed: Option<i64> = sqlx::query_scalar(
                    "SELECT processed_at FROM webhook_events WHERE event_id = $1",
                )
                .bind(&event.event_id)
                .fetch_one(&mut *tx)
                .await?;
                EventInsert::Duplicate {
                    processed: processed.is_some(),
                }
            });
        }
        tx.commit().await?;
        Ok(answers)
    }

    pub async fn webhook_event(
        &self,
        event_id: &str,
    ) -> Result<Option<WebhookEventRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE event_id = $1"
        ))
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records the events `applied` (id, outcome) applied at `now`, in one commit: a worker's batch
    /// costs one fsync, not one per event (a crash before it only means applying them again, which
    /// is idempotent).
    pub async fn mark_webhooks_processed(
        &self,
        applied: &[(String, String)],
        now: i64,
    ) -> Result<(), StoreError> {
        if applied.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin().await?;
        for (event_id, outcome) in applied {
            sqlx::query(
                "UPDATE webhook_events SET processed_at = $1, outcome = $2, apply_attempts = apply_attempts + 1, \
                 last_error = NULL WHERE event_id = $3",
            )
            .bind(now)
            .bind(outcome)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed application: tried again at `next_attempt_at`, or never again (`None`: given
    /// up at `now`; a redelivery by the gateway still applies it).
    pub async fn mark_webhook_failed(
        &self,
        event_id: &str,
        error: &str,
        next_attempt_at: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_events SET apply_attempts = apply_attempts + 1, last_error = $1, \
             next_apply_at = $2, gave_up_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END WHERE event_id = $4",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(now)
        .bind(event_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Stored events not yet applied whose next attempt is due and that were not given up, those
    /// tried least first (one that keeps failing never holds the others back), then oldest first.
    /// Claimed until `claim_until` (see [`Store::claim_sql`]).
    pub async fn claim_unprocessed_webhook_events(
        &self,
        now: i64,
        limit: i64,
        claim_until: i64,
    ) -> Result<Vec<WebhookEventRecord>, StoreError> {
        Ok(sqlx::query_as(&self.claim_sql(
            "webhook_events",
            "event_id",
            COLUMNS,
            "processed_at IS NULL AND gave_up_at IS NULL AND (next_apply_at IS NULL OR next_apply_at <= $1)",
            "apply_attempts, received_at",
            "next_apply_at",
        ))
        .bind(now)
        .bind(limit)
        .bind(claim_until)
        .bind(&*self.instance)
        .fetch_all(&self.writer)
        .await?)
    }

    /// How many stored events are still to be applied (not given up on).
    pub async fn unapplied_webhook_event_count(&self) -> Result<i64, StoreError> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL AND gave_up_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    /// Events given up on (never applied after many attempts), newest first: for the operator.
    pub async fn abandoned_webhook_events(
        &self,
        limit: i64,
    ) -> Result<Vec<WebhookEventRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE processed_at IS NULL AND gave_up_at IS NOT NULL \
             ORDER BY gave_up_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
