//! Background work claims its due rows (reconciler attempts and operations, webhook re-apply,
//! device-refund polls, merchant-event delivery): one instance per row at a time, and a dead
//! claimer's rows handed back as soon as it is known to be gone.

use super::database::{Store, StoreError};

/// Every table whose rows background work claims, with the column holding a row's due time.
const CLAIMED: [(&str, &str); 6] = [
    ("session_attempts", "next_check_at"),
    ("operations", "next_check_at"),
    ("webhook_events", "next_apply_at"),
    ("device_refunds", "next_check_at"),
    ("merchant_events", "next_attempt_at"),
    ("gateway_refunds", "next_check_at"),
];

impl Store {
    /// Claims up to `$2` due rows of `table` (primary key `key`) for this instance (`$4`): among
    /// the rows matching `due` (which may use `$1`, the time now), in `order`, it pushes each
    /// one's `due_column` to `$3` (so no instance picks it again until then, nor after a crash
    /// before that), records the claimer, and returns `columns` of each. On PostgreSQL rows another
    /// instance is claiming at the same moment are skipped (`FOR UPDATE SKIP LOCKED`), so instances
    /// share the work and never take the same row.
    pub(super) fn claim_sql(
        &self,
        table: &str,
        key: &str,
        columns: &str,
        due: &str,
        order: &str,
        due_column: &str,
    ) -> String {
        debug_assert!(CLAIMED.contains(&(table, due_column)));
        format!(
            "UPDATE {table} SET {due_column} = $3, claimed_by = $4, claimed_until = $3 \
             WHERE {key} IN (SELECT {key} FROM {table} WHERE {due} \
             ORDER BY {order} LIMIT $2{skip}) RETURNING {columns}",
            skip = self.dialect.skip_locked()
        )
    }

    /// Hands back, due at `now`, every row claimed by an instance that is gone (on SQLite: any
    /// other process, since one runs at a time; on PostgreSQL: one without a live instance lease)
    /// whose due time is still the one its claim set — the claimer died before finishing it.
    /// Rows its work rescheduled since keep their time. Returns how many.
    pub async fn release_orphaned_claims(&self, now: i64) -> Result<u64, StoreError> {
        let mut released = 0;
        for (table, due_column) in CLAIMED {
            released += sqlx::query(&format!(
                "UPDATE {table} SET {due_column} = $1, claimed_by = NULL, claimed_until = NULL \
                 WHERE {due_column} > $1 AND {due_column} = claimed_until AND {}",
                self.gone_caller_clause("claimed_by", "$1", "$2")
            ))
            .bind(now)
            .bind(&*self.instance)
            .execute(&self.writer)
            .await?
            .rows_affected();
        }
        Ok(released)
    }
}
