//! Gateway transactions paydesk has seen, keyed by the gateway's id.

use sqlx::AnyConnection;

use super::database::{Store, StoreError};
use super::records::TransactionRecord;

const COLUMNS: &str = "id, checkout_id, attempt_id, kind, status, reference_id, result_code, response_code, \
    requested_amount, approved_amount, card_type, masked_card, auth_code, raw, first_seen_at, updated_at";

/// Inserts or refreshes a transaction. A `Completed` row is only ever replaced by another
/// `Completed` one, so a late, older message cannot undo a final result.
pub(super) async fn upsert(
    conn: &mut AnyConnection,
    t: &TransactionRecord,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO gateway_transactions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (id) DO UPDATE SET \
            checkout_id = COALESCE(gateway_transactions.checkout_id, excluded.checkout_id), \
            attempt_id = COALESCE(gateway_transactions.attempt_id, excluded.attempt_id), \
            kind = excluded.kind, status = excluded.status, reference_id = excluded.reference_id, \
            result_code = excluded.result_code, response_code = excluded.response_code, \
            requested_amount = excluded.requested_amount, approved_amount = excluded.approved_amount, \
            card_type = excluded.card_type, masked_card = excluded.masked_card, auth_code = excluded.auth_code, \
            raw = excluded.raw, updated_at = excluded.updated_at \
         WHERE gateway_transactions.status <> 'Completed' OR excluded.status = 'Completed'"
    ))
    .bind(&t.id)
    .bind(&t.checkout_id)
    .bind(&t.attempt_id)
    .bind(&t.kind)
    .bind(&t.status)
    .bind(&t.reference_id)
    .bind(t.result_code)
    .bind(t.response_code)
    .bind(t.requested_amount)
    .bind(t.approved_amount)
    .bind(&t.card_type)
    .bind(&t.masked_card)
    .bind(&t.auth_code)
    .bind(&t.raw)
    .bind(t.first_seen_at)
    .bind(t.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn upsert_transaction(
        &self,
        transaction: &TransactionRecord,
    ) -> Result<(), StoreError> {
        let mut conn = self.writer.acquire().await?;
        upsert(&mut conn, transaction).await
    }

    pub async fn transaction(&self, id: &str) -> Result<Option<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_transactions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A checkout's transactions, oldest first.
    pub async fn transactions_for(
        &self,
        checkout_id: &str,
    ) -> Result<Vec<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_transactions WHERE checkout_id = $1 ORDER BY first_seen_at, id"
        ))
        .bind(checkout_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
