//! Capture, void and refund operations: one row per gateway call, written before the call.

use super::audit::{insert_audit, AuditRecord};
use super::database::{naming_row, Store, StoreError};
use super::records::{OperationOutcome, OperationRecord, OutcomeEffects, TransactionRecord};
use super::transactions;
use crate::model::OperationState;

const COLUMNS: &str = "id, checkout_id, kind, gateway_reference_id, original_transaction_id, amount, state, \
    transaction_id, approved_amount, response_code, message, idempotency_key, created_at, updated_at, initiator, \
    next_check_at, checks";

/// Inserts an operation inside the caller's transaction, unless its idempotency key is taken.
/// Returns whether it was inserted.
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    op: &OperationRecord,
    instance: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO operations ({COLUMNS}, in_flight_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18) ON CONFLICT (checkout_id, idempotency_key) DO NOTHING"
    ))
    .bind(&op.id)
    .bind(&op.checkout_id)
    .bind(op.kind)
    .bind(&op.gateway_reference_id)
    .bind(&op.original_transaction_id)
    .bind(op.amount)
    .bind(op.state)
    .bind(&op.transaction_id)
    .bind(op.approved_amount)
    .bind(op.response_code)
    .bind(&op.message)
    .bind(&op.idempotency_key)
    .bind(op.created_at)
    .bind(op.updated_at)
    .bind(op.initiator)
    .bind(op.next_check_at)
    .bind(op.checks)
    .bind(instance)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// What inserting an operation did.
#[derive(Debug)]
pub enum OperationInsert {
    Created(OperationRecord),
    /// The merchant already sent this idempotency key for this checkout: the earlier operation.
    KeyExists(OperationRecord),
}

impl Store {
    /// Records an operation (`pending` before the gateway is called, or `queued`).
    /// `fence`: the lease of the payment it moves money of, checked in the same transaction.
    pub async fn insert_operation(
        &self,
        op: &OperationRecord,
        audit: Option<&AuditRecord>,
        fence: Option<&super::Fence>,
    ) -> Result<OperationInsert, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.check_fence(&mut tx, fence).await?;
        if insert(&mut tx, op, &self.instance).await? {
            if let Some(audit) = audit {
                insert_audit(&mut tx, audit).await?;
            }
            tx.commit().await?;
            return Ok(OperationInsert::Created(op.clone()));
        }
        tx.rollback().await?;
        let existing: Option<OperationRecord> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE checkout_id = $1 AND idempotency_key = $2"
        ))
        .bind(&op.checkout_id)
        .bind(&op.idempotency_key)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("operations", &op.checkout_id))?;
        existing
            .map(OperationInsert::KeyExists)
            .ok_or_else(|| StoreError::Corrupt(format!("operation {} was not inserted", op.id)))
    }

    /// The operation a merchant sent with this idempotency key, if any.
    pub async fn operation_by_key(
        &self,
        checkout_id: &str,
        key: &str,
    ) -> Result<Option<OperationRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE checkout_id = $1 AND idempotency_key = $2"
        ))
        .bind(checkout_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("operations", key))
    }

    pub async fn operation(&self, id: &str) -> Result<Option<OperationRecord>, StoreError> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM operations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(naming_row("operations", id))
    }

    pub async fn operation_by_reference(
        &self,
        gateway_reference_id: &str,
    ) -> Result<Option<OperationRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE gateway_reference_id = $1"
        ))
        .bind(gateway_reference_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("operations", gateway_reference_id))
    }

    /// A checkout's operations, oldest first.
    pub async fn operations_for(
        &self,
        checkout_id: &str,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE checkout_id = $1 ORDER BY created_at, id"
        ))
        .bind(checkout_id)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("operations of", checkout_id))
    }

    /// Operations created since `since`, oldest first (for the reconciliation report).
    pub async fn operations_since(&self, since: i64) -> Result<Vec<OperationRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE created_at >= $1 ORDER BY created_at"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("operations", "since"))
    }

    /// Claims operations the reconciler should look at now (a lookup, a send, a retry), soonest
    /// first, until `claim_until` (see [`Store::claim_sql`]).
    pub async fn claim_due_operations(
        &self,
        now: i64,
        limit: i64,
        claim_until: i64,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        sqlx::query_as(&self.claim_sql(
            "operations",
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
        .map_err(naming_row("operations", "due"))
    }

    /// After a look that changed nothing: when to look again, and one more check counted.
    pub async fn reschedule_operation(
        &self,
        id: &str,
        next_check_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE operations SET next_check_at = $1, checks = checks + 1 WHERE id = $2")
            .bind(next_check_at)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Ends the hold of a `lost` operation whose lookups are over (or that the gateway says failed):
    /// it is not looked up again, and `message` says why.
    pub async fn end_lost_operation(
        &self,
        id: &str,
        message: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE operations SET next_check_at = NULL, message = $1, updated_at = $2 \
             WHERE id = $3 AND state = 'lost'",
        )
        .bind(message)
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Claims a queued operation for sending (`queued` → `pending`, checked at `next_check_at` if
    /// the call never returns). Only one caller ever gets `true`.
    pub async fn claim_queued_operation(
        &self,
        id: &str,
        now: i64,
        next_check_at: i64,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE operations SET state = $1, updated_at = $2, next_check_at = $3, checks = 0, \
             in_flight_by = $6 WHERE id = $4 AND state = $5",
        )
        .bind(OperationState::Pending)
        .bind(now)
        .bind(next_check_at)
        .bind(id)
        .bind(OperationState::Queued)
        .bind(&*self.instance)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// Every `pending` operation whose caller is gone (see `gone_caller_clause`) had its call cut
    /// short, so it becomes `unknown`, due for a lookup now. Returns how many.
    pub async fn mark_interrupted_operations_unknown(&self, now: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query(&format!(
            "UPDATE operations SET state = $1, message = $2, updated_at = $3, next_check_at = $3, \
             checks = 0 WHERE state = $4 AND {}",
            self.gone_caller_clause("operations.in_flight_by", "$3", "$5")
        ))
        .bind(OperationState::Unknown)
        .bind("paydesk stopped during the call; confirming.")
        .bind(now)
        .bind(OperationState::Pending)
        .bind(&*self.instance)
        .execute(&self.writer)
        .await?
        .rows_affected())
    }

    /// Moves a `pending` operation to `unknown` (its call was interrupted), to be looked up at
    /// `next_check_at`.
    pub async fn mark_operation_unknown(
        &self,
        id: &str,
        message: &str,
        now: i64,
        next_check_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE operations SET state = $1, message = $2, updated_at = $3, next_check_at = $4, checks = 0 \
             WHERE id = $5 AND state = $6",
        )
        .bind(OperationState::Unknown)
        .bind(message)
        .bind(now)
        .bind(next_check_at)
        .bind(id)
        .bind(OperationState::Pending)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Settles an operation, storing the gateway's transaction and what the outcome causes (merchant
    /// events, an automatic void to try again) in one commit. An open operation settles; a `lost` or
    /// `rejected` one is revived only by proof that it happened (`succeeded` or `declined`); any
    /// other settled operation never changes again. Returns whether it changed.
    pub async fn settle_operation(
        &self,
        id: &str,
        outcome: &OperationOutcome,
        transaction: Option<&TransactionRecord>,
        effects: &OutcomeEffects,
        now: i64,
    ) -> Result<bool, StoreError> {
        debug_assert!(!outcome.state.is_open());
        let mut tx = self.writer.begin().await?;
        if let Some(transaction) = transaction {
            transactions::upsert(&mut tx, transaction).await?;
        }
        let changed = sqlx::query(
            "UPDATE operations SET state = $1, transaction_id = $2, approved_amount = $3, response_code = $4, \
             message = COALESCE($5, message), updated_at = $6, next_check_at = $8, checks = 0 \
             WHERE id = $7 AND (state IN ('queued', 'pending', 'unknown') \
                 OR (state IN ('lost', 'rejected') AND $1 IN ('succeeded', 'declined')))",
        )
        .bind(outcome.state)
        .bind(&outcome.transaction_id)
        .bind(outcome.approved_amount)
        .bind(outcome.response_code)
        .bind(&outcome.message)
        .bind(now)
        .bind(id)
        .bind(outcome.next_check_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            for event in &effects.events {
                super::outbox::enqueue(&mut tx, event).await?;
            }
            if let Some(retry) = &effects.void {
                insert(&mut tx, retry, &self.instance).await?;
            }
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(changed == 1)
    }
}
