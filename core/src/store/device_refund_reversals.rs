//! The reversal of a completed device refund (Payroc's `reverseRefund`): its idempotency key written
//! with its audit entry before the first send, each send marked before it goes, and its end written
//! with its merchant event in one transaction, once.

use super::audit::{insert_audit, AuditRecord};
use super::database::{BindNow, Store, StoreError};
use super::outbox::{enqueue, MerchantEventRecord};
use crate::model::DeviceRefundReversal;

/// A device refund's reversal columns (all empty until a reversal is asked for).
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ReversalColumns {
    pub reversal_status: Option<DeviceRefundReversal>,
    /// The UUID v4 every send of the reversal carries.
    pub reversal_key: Option<String>,
    /// How many times the reversal was sent (each counted before it goes).
    pub reversal_sends: i64,
    /// When the reversal was last sent, by the database's clock.
    pub reversal_last_sent_at: Option<i64>,
    /// Why Payroc refused it, or what is awaited.
    pub reversal_message: Option<String>,
}

/// How a reversal ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReversalEnd {
    /// Payroc took the refund out of its batch: the refund's status becomes `reversed`.
    Reversed,
    /// Payroc refused: the refund stands, `completed`.
    Refused,
}

impl Store {
    /// Starts reversing completed refund `id` with `key` (and its audit entry, together), to be
    /// looked at again at `next_check_at` if this process stops before Payroc answers. `false`: the
    /// refund is not completed, or is already being (or was) reversed.
    pub async fn begin_device_refund_reversal(
        &self,
        id: &str,
        key: &str,
        next_check_at: i64,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let begun = sqlx::query(
            "UPDATE device_refunds SET reversal_status = 'reversing', reversal_key = $1, \
             reversal_sends = 0, reversal_last_sent_at = NULL, reversal_message = NULL, \
             next_check_at = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'completed' AND refund_id IS NOT NULL \
             AND (reversal_status IS NULL OR reversal_status = 'refused')",
        )
        .bind(key)
        .bind(next_check_at)
        .bind(audit.at)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if begun {
            insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(begun)
    }

    /// Marks the reversal as being sent now (by the database's clock) and due for a look at
    /// `next_check_at`, unless it ended or was last sent less than `quiet_ms` ago (that send may
    /// still be open at Payroc). Returns how many sends there have been, this one included.
    pub async fn mark_device_refund_reversal_sending(
        &self,
        id: &str,
        quiet_ms: i64,
        next_check_at: i64,
    ) -> Result<Option<i64>, StoreError> {
        let now = self.dialect.now_ms_sql("$4");
        let sql = format!(
            "UPDATE device_refunds SET reversal_last_sent_at = {now}, \
             reversal_sends = reversal_sends + 1, next_check_at = $3 \
             WHERE id = $1 AND reversal_status = 'reversing' \
             AND (reversal_last_sent_at IS NULL OR reversal_last_sent_at <= {now} - $2) \
             RETURNING reversal_sends"
        );
        let query = sqlx::query_as(&sql)
            .bind(id)
            .bind(quiet_ms)
            .bind(next_check_at);
        let marked: Option<(i64,)> = query.bind_now(self).fetch_optional(&self.writer).await?;
        Ok(marked.map(|(sends,)| sends))
    }

    /// Sets when the reversal is looked at next (and what is awaited), unless it has ended.
    pub async fn reschedule_device_refund_reversal(
        &self,
        id: &str,
        at: i64,
        message: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE device_refunds SET next_check_at = $1, \
             reversal_message = COALESCE($2, reversal_message) \
             WHERE id = $3 AND reversal_status = 'reversing'",
        )
        .bind(at)
        .bind(message)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Ends the reversal under way (once: `false` if it had already ended), with its merchant event.
    pub async fn end_device_refund_reversal(
        &self,
        id: &str,
        end: ReversalEnd,
        message: Option<&str>,
        now: i64,
        event: &MerchantEventRecord,
    ) -> Result<bool, StoreError> {
        let (status, reversal) = match end {
            ReversalEnd::Reversed => ("reversed", "reversed"),
            ReversalEnd::Refused => ("completed", "refused"),
        };
        let mut tx = self.writer.begin().await?;
        let ended = sqlx::query(
            "UPDATE device_refunds SET status = $1, reversal_status = $2, reversal_message = $3, \
             next_check_at = NULL, updated_at = $4 \
             WHERE id = $5 AND status = 'completed' AND reversal_status = 'reversing'",
        )
        .bind(status)
        .bind(reversal)
        .bind(message)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if ended {
            enqueue(&mut tx, event).await?;
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(ended)
    }
}
