//! Refunds waiting for a new card locked after too many declined cards (card testing), and the
//! merchant's unlock.

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
        let mut tx = self.writer.begin().await?;
        let locked = sqlx::query(
            "UPDATE gateway_refunds SET locked_at = $1, updated_at = $1 \
             WHERE id = $2 AND locked_at IS NULL",
        )
        .bind(now)
        .bind(refund_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if locked {
            enqueue(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(locked)
    }

    /// Unlocks the refund's new-card page, forgiving every declined card so far, with its audit
    /// entry (together). `false` (nothing written) when it was not locked.
    pub async fn unlock_gateway_refund(
        &self,
        refund_id: &str,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let unlocked = sqlx::query(
            "UPDATE gateway_refunds SET locked_at = NULL, declines_forgiven = card_declines, \
             updated_at = $1 WHERE id = $2 AND locked_at IS NOT NULL",
        )
        .bind(now)
        .bind(refund_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if unlocked {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(unlocked)
    }
}
