//! Refunds waiting for a new card locked after too many declined cards (card testing), the
//! merchant's unlock (the same steps as a link's: `link_locks`), and the merchant's cancel.

use super::audit::{insert_audit, AuditRecord};
use super::database::{Store, StoreError};
use super::outbox::{enqueue, MerchantEventRecord};

impl Store {
    /// Locks the refund's new-card page and queues `event` (together). `false` when it was already
    /// locked.
    pub async fn lock_gateway_refund(
        &self,
        refund_id: &str,
        event: &MerchantEventRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_enqueue(
            "UPDATE gateway_refunds SET locked_at = $1, updated_at = $1 \
             WHERE id = $2 AND locked_at IS NULL",
            refund_id,
            event,
            now,
        )
        .await
    }

    /// Unlocks the refund's new-card page, forgiving every declined card so far, with its audit
    /// entry (together). `false` (nothing written) when it was not locked.
    pub async fn unlock_gateway_refund(
        &self,
        refund_id: &str,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_audit(
            "UPDATE gateway_refunds SET locked_at = NULL, declines_forgiven = card_declines, \
             updated_at = $1 WHERE id = $2 AND locked_at IS NOT NULL",
            refund_id,
            audit,
            now,
        )
        .await
    }

    /// Cancels a refund still waiting for a new card, with its audit entry and `event` (together).
    /// `false` (nothing written) when it was no longer waiting.
    pub async fn cancel_gateway_refund(
        &self,
        refund_id: &str,
        audit: &AuditRecord,
        event: Option<&MerchantEventRecord>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let canceled = sqlx::query(
            "UPDATE gateway_refunds SET status = 'canceled', updated_at = $1, next_check_at = NULL \
             WHERE id = $2 AND status = 'awaiting_card'",
        )
        .bind(now)
        .bind(refund_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if canceled {
            insert_audit(&mut tx, audit).await?;
            if let Some(event) = event {
                enqueue(&mut tx, event).await?;
            }
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(canceled)
    }
}
