//! Refunds on a payment device: written (with the idempotency key every send reuses) before the
//! device is asked, then updated as the instruction goes — never once they have ended — with their
//! merchant event in the same transaction.

use super::audit::{insert_audit, AuditRecord};
use super::database::{naming_row, BindNow, Store, StoreError};
use super::device_refund_reversals::ReversalColumns;
use super::outbox::{enqueue, MerchantEventRecord};
use crate::model::{DeviceEntryMethod, DeviceRefundStatus};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceRefundRecord {
    pub id: String,
    /// The device's serial number.
    pub device: String,
    pub amount: i64,
    pub currency: String,
    pub order_id: String,
    pub description: String,
    pub operator: Option<String>,
    pub checkout_id: Option<String>,
    /// The UUID v4 every send of the instruction carries.
    pub idempotency_key: String,
    /// The merchant's own `Idempotency-Key`, if it sent one.
    pub request_key: Option<String>,
    pub request_fingerprint: String,
    pub status: DeviceRefundStatus,
    pub instruction_id: Option<String>,
    pub refund_id: Option<String>,
    /// e.g. "Visa Credit •••• 0011".
    pub card: Option<String>,
    pub approved_amount: Option<i64>,
    pub message: Option<String>,
    /// How many times the instruction was sent (each counted before it goes).
    pub sends: i64,
    pub checks: i64,
    /// When the background worker looks at it next (none once it has ended).
    pub next_check_at: Option<i64>,
    pub requested_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the instruction was last sent, by the database's clock (`None`: never).
    pub last_sent_at: Option<i64>,
    /// The instruction's JSON exactly as every send carries it, written with the key (`None` for
    /// refunds created before it was kept: rebuilt from the columns above).
    pub instruction_body: Option<String>,
    /// How the device reads the card.
    pub entry_method: DeviceEntryMethod,
    /// The merchant's metadata: a JSON object of string values (`None`: none given).
    pub metadata: Option<String>,
    /// Its reversal, once asked for.
    #[sqlx(flatten)]
    pub reversal: ReversalColumns,
}

pub(super) const COLUMNS: &str =
    "id, device, amount, currency, order_id, description, operator, checkout_id, \
    idempotency_key, request_key, request_fingerprint, status, instruction_id, refund_id, card, \
    approved_amount, message, sends, checks, next_check_at, requested_by, created_at, updated_at, \
    last_sent_at, instruction_body, entry_method, reversal_status, reversal_key, reversal_sends, \
    reversal_last_sent_at, reversal_message, metadata";

/// What inserting a device refund did.
#[derive(Debug)]
pub enum DeviceRefundInsert {
    Created,
    /// The merchant's `Idempotency-Key` was used before: the refund it made.
    RequestKeyExists(Box<DeviceRefundRecord>),
}

impl Store {
    /// Writes a new device refund and its audit entry, together.
    /// One bound to a payment names the payment's lease (`fence`), checked in the same transaction.
    pub async fn insert_device_refund(
        &self,
        record: &DeviceRefundRecord,
        audit: &AuditRecord,
        fence: Option<&super::Fence>,
    ) -> Result<DeviceRefundInsert, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.check_fence(&mut tx, fence).await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO device_refunds ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) ON CONFLICT (request_key) DO NOTHING"
        ))
        .bind(&record.id)
        .bind(&record.device)
        .bind(record.amount)
        .bind(&record.currency)
        .bind(&record.order_id)
        .bind(&record.description)
        .bind(&record.operator)
        .bind(&record.checkout_id)
        .bind(&record.idempotency_key)
        .bind(&record.request_key)
        .bind(&record.request_fingerprint)
        .bind(record.status)
        .bind(&record.instruction_id)
        .bind(&record.refund_id)
        .bind(&record.card)
        .bind(record.approved_amount)
        .bind(&record.message)
        .bind(record.sends)
        .bind(record.checks)
        .bind(record.next_check_at)
        .bind(&record.requested_by)
        .bind(record.created_at)
        .bind(record.updated_at)
        .bind(record.last_sent_at)
        .bind(&record.instruction_body)
        .bind(record.entry_method)
        .bind(record.reversal.reversal_status)
        .bind(&record.reversal.reversal_key)
        .bind(record.reversal.reversal_sends)
        .bind(record.reversal.reversal_last_sent_at)
        .bind(&record.reversal.reversal_message)
        .bind(&record.metadata)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
            return Ok(DeviceRefundInsert::Created);
        }
        tx.rollback().await?;
        let key = record.request_key.as_deref().unwrap_or_default();
        let existing = self
            .device_refund_by_request_key(key)
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("device refund key {key} conflicted but is missing"))
            })?;
        Ok(DeviceRefundInsert::RequestKeyExists(Box::new(existing)))
    }

    pub async fn device_refund(&self, id: &str) -> Result<Option<DeviceRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_refunds WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("device_refunds", id))
    }

    pub async fn device_refund_by_request_key(
        &self,
        key: &str,
    ) -> Result<Option<DeviceRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_refunds WHERE request_key = $1"
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("device_refunds", key))
    }

    /// Claims device refunds still under way whose next look is due, most overdue first, until
    /// `claim_until` (see [`Store::claim_sql`]); each step writes its own next look.
    pub async fn claim_due_device_refunds(
        &self,
        now: i64,
        limit: i64,
        claim_until: i64,
    ) -> Result<Vec<DeviceRefundRecord>, StoreError> {
        sqlx::query_as(&self.claim_sql(
            "device_refunds",
            "id",
            COLUMNS,
            "next_check_at IS NOT NULL AND next_check_at <= $1",
            "next_check_at",
            "next_check_at",
        ))
        .bind(now)
        .bind(limit)
        .bind(claim_until)
        .bind(&*self.instance)
        .fetch_all(&self.writer)
        .await
        .map_err(naming_row("device_refunds", "due"))
    }

    /// Marks the refund's instruction as being sent now (by the database's clock), unless it ended,
    /// the device already has it, or it was last sent less than `quiet_ms` ago (that send may still
    /// be open at Payroc). Written before every send, so a refund never marked was never sent.
    /// Returns how many sends there have been, this one included; `None`: not to be sent now.
    pub async fn mark_device_refund_sending(
        &self,
        id: &str,
        quiet_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let now = self.dialect.now_ms_sql("$3");
        let sql = format!(
            "UPDATE device_refunds SET last_sent_at = {now}, sends = sends + 1 \
             WHERE id = $1 AND instruction_id IS NULL AND status IN ('sending', 'unknown') \
             AND (last_sent_at IS NULL OR last_sent_at <= {now} - $2) RETURNING sends"
        );
        let query = sqlx::query_as(&sql).bind(id).bind(quiet_ms);
        let query = query.bind_now(self);
        let marked: Option<(i64,)> = query.fetch_optional(&self.writer).await?;
        Ok(marked.map(|(sends,)| sends))
    }

    /// Sets when the refund is looked at next, unless it has ended.
    pub async fn reschedule_device_refund(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE device_refunds SET next_check_at = $1 \
             WHERE id = $2 AND status NOT IN ('completed', 'declined', 'failed', 'canceled', 'reversed')",
        )
        .bind(at)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Device refunds created since `since` (Unix milliseconds), oldest first: the reconciliation
    /// report's.
    pub async fn device_refunds_since(
        &self,
        since: i64,
    ) -> Result<Vec<DeviceRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_refunds WHERE created_at >= $1 ORDER BY created_at, id"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("device_refunds", "since"))
    }

    /// Device refunds bound to a payment (a refund in store of an online payment).
    pub async fn device_refunds_of(
        &self,
        checkout_id: &str,
    ) -> Result<Vec<DeviceRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_refunds WHERE checkout_id = $1 ORDER BY created_at, id"
        ))
        .bind(checkout_id)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("device_refunds", checkout_id))
    }

    /// Writes what is known now (`updated`, same id), with its merchant event in the same
    /// transaction — unless the refund has already ended (an end is never rewritten). Returns
    /// whether it was written.
    pub async fn update_device_refund(
        &self,
        updated: &DeviceRefundRecord,
        event: Option<&MerchantEventRecord>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let written = sqlx::query(
            "UPDATE device_refunds SET status = $1, instruction_id = $2, refund_id = $3, card = $4, \
             approved_amount = $5, message = $6, sends = $7, checks = $8, next_check_at = $9, updated_at = $10 \
             WHERE id = $11 AND status NOT IN ('completed', 'declined', 'failed', 'canceled', 'reversed')",
        )
        .bind(updated.status)
        .bind(&updated.instruction_id)
        .bind(&updated.refund_id)
        .bind(&updated.card)
        .bind(updated.approved_amount)
        .bind(&updated.message)
        .bind(updated.sends)
        .bind(updated.checks)
        .bind(updated.next_check_at)
        .bind(updated.updated_at)
        .bind(&updated.id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if written {
            if let Some(event) = event {
                enqueue(&mut tx, event).await?;
            }
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(written)
    }
}
