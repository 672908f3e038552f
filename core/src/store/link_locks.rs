//! Links locked after too many declined cards (card testing), and the merchant's unlock.

use super::audit::{insert_audit, AuditRecord};
use super::database::{Store, StoreError};
use super::outbox::{enqueue, MerchantEventRecord};

/// Where a link stands against the declined-card cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeclineCount {
    /// Declined attempts since the last unlock.
    pub declines: i64,
    pub locked_at: Option<i64>,
}

impl Store {
    /// The link's declined attempts since its last unlock, and whether it is locked.
    pub async fn decline_count(&self, link_id: &str) -> Result<DeclineCount, StoreError> {
        let (declined, forgiven, locked_at): (i64, i64, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM session_attempts WHERE checkout_id = c.id AND state = 'declined'), \
             c.declines_forgiven, c.locked_at FROM checkouts c WHERE c.id = $1",
        )
        .bind(link_id)
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or((0, 0, None));
        Ok(DeclineCount {
            declines: (declined - forgiven).max(0),
            locked_at,
        })
    }

    /// Locks the link and queues `event` (together). `false` when it was already locked.
    pub async fn lock_link(
        &self,
        link_id: &str,
        event: &MerchantEventRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_enqueue(
            "UPDATE checkouts SET locked_at = $1, updated_at = $1 WHERE id = $2 AND locked_at IS NULL",
            link_id,
            event,
            now,
        )
        .await
    }

    /// Unlocks the link, forgiving every decline so far, with its audit entry (together). `false`
    /// (nothing written) when it was not locked.
    pub async fn unlock_link(
        &self,
        link_id: &str,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_audit(
            "UPDATE checkouts SET locked_at = NULL, updated_at = $1, declines_forgiven = \
             (SELECT COUNT(*) FROM session_attempts WHERE checkout_id = checkouts.id AND state = 'declined') \
             WHERE id = $2 AND locked_at IS NOT NULL",
            link_id,
            audit,
            now,
        )
        .await
    }

    /// Runs `update` (`$1` now, `$2` the id) and, if it changed a row, queues `event` with it
    /// (together). Whether it changed one.
    pub(super) async fn update_then_enqueue(
        &self,
        update: &str,
        id: &str,
        event: &MerchantEventRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let locked = sqlx::query(update)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if locked {
            enqueue(&mut tx, event).await?;
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(locked)
    }

    /// Runs `update` (`$1` now, `$2` the id) and, if it changed a row, writes `audit` with it
    /// (together). Whether it changed one.
    pub(super) async fn update_then_audit(
        &self,
        update: &str,
        id: &str,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let unlocked = sqlx::query(update)
            .bind(now)
            .bind(id)
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
