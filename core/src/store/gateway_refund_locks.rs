//! Refunds waiting for a new card locked after too many declined cards (card testing), and the
//! merchant's unlock (the same steps as a link's: `link_locks`).

use super::audit::AuditRecord;
use super::database::{Store, StoreError};
use super::outbox::MerchantEventRecord;

impl Store {
    /// Locks the refund's new-card page and queues `event` (together). `false` when it was already
    /// locked.
    pub async fn lock_gateway_refund(
        &self,
        refund_id: &str,
        event: &MerchantEventRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.lock_row(
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
        self.unlock_row(
            "UPDATE gateway_refunds SET locked_at = NULL, declines_forgiven = card_declines, \
             updated_at = $1 WHERE id = $2 AND locked_at IS NOT NULL",
            refund_id,
            audit,
            now,
        )
        .await
    }
}
