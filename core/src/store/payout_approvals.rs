//! Payouts waiting for a second person's approval (four eyes), in `payout_approvals`.

use super::audit::{insert_audit, AuditRecord};
use super::database::{naming_row, Store, StoreError};
use super::outbox::{enqueue, MerchantEventRecord};
use crate::model::{ApprovalStatus, PayoutKind};

const COLUMNS: &str = "id, kind, request, request_key, amount, currency, requested_by, status, \
    decided_by, decided_at, result_id, created_at, expires_at";

/// A payout asked for and waiting for (or past) a second person's decision.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PayoutApprovalRecord {
    pub id: String,
    pub kind: PayoutKind,
    /// The request as it was made (JSON), replayed on approval.
    pub request: String,
    /// The idempotency key the payout is created with (the request's own, or the approval's id).
    pub request_key: String,
    pub amount: i64,
    pub currency: String,
    pub requested_by: String,
    pub status: ApprovalStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// The refund link or device refund created on approval.
    pub result_id: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// Writes a new request for approval with its audit entry (together).
    pub async fn insert_payout_approval(
        &self,
        record: &PayoutApprovalRecord,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO payout_approvals ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&record.id)
        .bind(record.kind)
        .bind(&record.request)
        .bind(&record.request_key)
        .bind(record.amount)
        .bind(&record.currency)
        .bind(&record.requested_by)
        .bind(record.status)
        .bind(&record.decided_by)
        .bind(record.decided_at)
        .bind(&record.result_id)
        .bind(record.created_at)
        .bind(record.expires_at)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn payout_approval(
        &self,
        id: &str,
    ) -> Result<Option<PayoutApprovalRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM payout_approvals WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("payout_approvals", id))
    }

    /// The request made with the idempotency key `key` (a replay of the same request).
    pub async fn payout_approval_by_key(
        &self,
        key: &str,
    ) -> Result<Option<PayoutApprovalRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM payout_approvals WHERE request_key = $1"
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("payout_approvals", key))
    }

    /// The newest requests first, pending ones first of all.
    pub async fn payout_approvals(
        &self,
        limit: i64,
    ) -> Result<Vec<PayoutApprovalRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM payout_approvals \
             ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, created_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("payout_approvals", "list"))
    }

    /// Records the decision on a pending request — with its audit entry and `event`, together —
    /// only while it is still pending. `false`: someone decided first (nothing written).
    pub async fn decide_payout_approval(
        &self,
        decided: &PayoutApprovalRecord,
        audit: Option<&AuditRecord>,
        event: Option<&MerchantEventRecord>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let written = sqlx::query(
            "UPDATE payout_approvals SET status = $1, decided_by = $2, decided_at = $3, \
             result_id = $4 WHERE id = $5 AND status = 'pending'",
        )
        .bind(decided.status)
        .bind(&decided.decided_by)
        .bind(decided.decided_at)
        .bind(&decided.result_id)
        .bind(&decided.id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if written {
            if let Some(audit) = audit {
                insert_audit(&mut tx, audit).await?;
            }
            if let Some(event) = event {
                enqueue(&mut tx, event).await?;
            }
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(written)
    }
}
