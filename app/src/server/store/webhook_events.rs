//! Received gateway webhooks: stored before they are acknowledged, deduplicated by event id.

use super::database::{Store, StoreError};
use super::records::{EventInsert, WebhookEventRecord};

const COLUMNS: &str =
    "event_id, event_type, event_timestamp, body, received_at, processed_at, outcome, apply_attempts, last_error";

impl Store {
    /// Stores an event unless its id is already known.
    pub async fn insert_webhook_event(
        &self,
        event: &WebhookEventRecord,
    ) -> Result<EventInsert, StoreError> {
        let inserted = sqlx::query(&format!(
            "INSERT INTO webhook_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL, 0, NULL) \
             ON CONFLICT (event_id) DO NOTHING"
        ))
        .bind(&event.event_id)
        .bind(&event.event_type)
        .bind(&event.event_timestamp)
        .bind(&event.body)
        .bind(event.received_at)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(EventInsert::New);
        }
        let processed: Option<i64> =
            sqlx::query_scalar("SELECT processed_at FROM webhook_events WHERE event_id = $1")
                .bind(&event.event_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(EventInsert::Duplicate {
            processed: processed.is_some(),
        })
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

    pub async fn mark_webhook_processed(
        &self,
        event_id: &str,
        outcome: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_events SET processed_at = $1, outcome = $2, apply_attempts = apply_attempts + 1, \
             last_error = NULL WHERE event_id = $3",
        )
        .bind(now)
        .bind(outcome)
        .bind(event_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_webhook_failed(&self, event_id: &str, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE webhook_events SET apply_attempts = apply_attempts + 1, last_error = $1 WHERE event_id = $2")
            .bind(error)
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stored events not yet applied, those tried least first (one that keeps failing never holds the
    /// others back), then oldest first.
    pub async fn unprocessed_webhook_events(
        &self,
        limit: i64,
    ) -> Result<Vec<WebhookEventRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE processed_at IS NULL ORDER BY apply_attempts, received_at LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
