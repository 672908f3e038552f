//! Capture, void and refund operations: one row per gateway call, written before the call.

use super::database::{naming_row, Store, StoreError};
use super::outbox::MerchantEventRecord;
use super::records::{OperationOutcome, OperationRecord, TransactionRecord};
use super::transactions;
use crate::model::OperationState;

const COLUMNS: &str = "id, checkout_id, kind, gateway_reference_id, original_transaction_id, amount, state, \
    transaction_id, approved_amount, response_code, message, idempotency_key, created_at, updated_at, initiator";

/// What inserting an operation did.
#[derive(Debug)]
pub enum OperationInsert {
    Created(OperationRecord),
    /// The merchant already sent this idempotency key for this checkout: the earlier operation.
    KeyExists(OperationRecord),
}

impl Store {
    /// Records an operation in state `pending`, before the gateway is called.
    pub async fn insert_operation(
        &self,
        op: &OperationRecord,
    ) -> Result<OperationInsert, StoreError> {
        let inserted = sqlx::query(&format!(
            "INSERT INTO operations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (checkout_id, idempotency_key) DO NOTHING"
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
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(OperationInsert::Created(op.clone()));
        }
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

    /// Operations whose outcome is not known yet (for the background reconciler).
    pub async fn unsettled_operations(
        &self,
        limit: i64,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE state IN ($2, $3) ORDER BY created_at LIMIT $1"
        ))
        .bind(limit)
        .bind(OperationState::Pending)
        .bind(OperationState::Unknown)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("operations", "unsettled"))
    }

    /// Operations paydesk queued for itself and has not sent yet.
    pub async fn queued_operations(&self, limit: i64) -> Result<Vec<OperationRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM operations WHERE state = $2 ORDER BY created_at LIMIT $1"
        ))
        .bind(limit)
        .bind(OperationState::Queued)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("operations", "queued"))
    }

    /// Claims a queued operation for sending (`queued` → `pending`). Only one caller ever gets
    /// `true`.
    pub async fn claim_queued_operation(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let claimed = sqlx::query("UPDATE operations SET state = 'pending', updated_at = $1 WHERE id = $2 AND state = 'queued'")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(claimed == 1)
    }

    /// Moves a `pending` operation to `unknown` (its call was interrupted).
    pub async fn mark_operation_unknown(
        &self,
        id: &str,
        message: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE operations SET state = 'unknown', message = $1, updated_at = $2 WHERE id = $3 AND state = 'pending'")
            .bind(message)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Settles an open operation, storing the gateway's transaction with it in one commit. A
    /// settled operation is never changed again: returns `false` when it already was.
    pub async fn settle_operation(
        &self,
        id: &str,
        outcome: &OperationOutcome,
        transaction: Option<&TransactionRecord>,
        event: Option<&MerchantEventRecord>,
        now: i64,
    ) -> Result<bool, StoreError> {
        debug_assert!(!outcome.state.is_open());
        let mut tx = self.pool.begin().await?;
        if let Some(transaction) = transaction {
            transactions::upsert(&mut tx, transaction).await?;
        }
        let changed = sqlx::query(
            "UPDATE operations SET state = $1, transaction_id = $2, approved_amount = $3, response_code = $4, \
             message = COALESCE($5, message), updated_at = $6 WHERE id = $7 AND state IN ('pending', 'unknown')",
        )
        .bind(outcome.state)
        .bind(&outcome.transaction_id)
        .bind(outcome.approved_amount)
        .bind(outcome.response_code)
        .bind(&outcome.message)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            if let Some(event) = event {
                super::outbox::enqueue(&mut tx, event).await?;
            }
        }
        tx.commit().await?;
        Ok(changed == 1)
    }
}
