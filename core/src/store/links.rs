//! Customer links (checkouts and refund links), in the `checkouts` table.

use super::audit::{insert_audit, AuditRecord};
use super::database::{naming_row, Store, StoreError};
use super::outbox::MerchantEventRecord;
use super::records::LinkRecord;
use crate::model::{CheckoutStatus, SupportReference};

pub(super) const COLUMNS: &str = "id, merchant_reference_id, request_fingerprint, amount, currency, amount_breakdown, \
    order_number, invoice_number, description, return_url, cancel_url, status, authorized_transaction_id, \
    expires_at, created_at, updated_at, kind, refund_of_checkout_id, canceled_at, requested_by, metadata";

/// What inserting a link did.
#[derive(Debug)]
pub enum LinkInsert {
    Created,
    /// A link with the same merchant `referenceId` already exists (returned as stored).
    ReferenceExists(Box<LinkRecord>),
}

impl Store {
    /// Inserts a new link; a duplicate merchant reference id returns the existing one instead.
    pub async fn insert_link(&self, checkout: &LinkRecord) -> Result<LinkInsert, StoreError> {
        self.insert_link_audited(checkout, None, None).await
    }

    /// As [`Store::insert_link`], writing `audit` in the same transaction when the link is new. A
    /// refund link bound to a payment names the payment's lease (`fence`), checked in the same
    /// transaction.
    pub async fn insert_link_audited(
        &self,
        checkout: &LinkRecord,
        audit: Option<&AuditRecord>,
        fence: Option<&super::Fence>,
    ) -> Result<LinkInsert, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.check_fence(&mut tx, fence).await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO checkouts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
             ON CONFLICT (merchant_reference_id) DO NOTHING"
        ))
        .bind(&checkout.id)
        .bind(&checkout.merchant_reference_id)
        .bind(&checkout.request_fingerprint)
        .bind(checkout.amount)
        .bind(&checkout.currency)
        .bind(&checkout.amount_breakdown)
        .bind(&checkout.order_number)
        .bind(&checkout.invoice_number)
        .bind(&checkout.description)
        .bind(&checkout.return_url)
        .bind(&checkout.cancel_url)
        .bind(checkout.status)
        .bind(&checkout.authorized_transaction_id)
        .bind(checkout.expires_at)
        .bind(checkout.created_at)
        .bind(checkout.updated_at)
        .bind(checkout.kind)
        .bind(&checkout.refund_of_checkout_id)
        .bind(checkout.canceled_at)
        .bind(&checkout.requested_by)
        .bind(&checkout.metadata)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            if let Some(audit) = audit {
                insert_audit(&mut tx, audit).await?;
            }
            tx.commit().await?;
            return Ok(LinkInsert::Created);
        }
        tx.rollback().await?;
        let reference = checkout.merchant_reference_id.as_deref().ok_or_else(|| {
            StoreError::Corrupt(format!("checkout {} was not inserted", checkout.id))
        })?;
        let existing = self.link_by_reference(reference).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("reference {reference} conflicted but is missing"))
        })?;
        Ok(LinkInsert::ReferenceExists(Box::new(existing)))
    }

    pub async fn link(&self, id: &str) -> Result<Option<LinkRecord>, StoreError> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM checkouts WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(naming_row("checkouts", id))
    }

    pub async fn link_by_reference(
        &self,
        merchant_reference_id: &str,
    ) -> Result<Option<LinkRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM checkouts WHERE merchant_reference_id = $1"
        ))
        .bind(merchant_reference_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("checkouts", merchant_reference_id))
    }

    /// Checkouts and refund links whose support reference is `reference` (their id ends with it),
    /// newest first. Usually one; two links can share a reference (30 bits), and staff tell them
    /// apart by amount and date.
    pub async fn links_by_support_reference(
        &self,
        reference: &SupportReference,
    ) -> Result<Vec<LinkRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM checkouts WHERE LOWER(id) LIKE $1 ORDER BY created_at DESC, id DESC LIMIT 20"
        ))
        .bind(format!("%{}", reference.id_suffix()))
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("checkouts with support reference", &reference.to_string()))
    }

    /// The refund links bound to a checkout, oldest first.
    pub async fn refund_links_of(&self, checkout_id: &str) -> Result<Vec<LinkRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM checkouts WHERE refund_of_checkout_id = $1 ORDER BY created_at, id"
        ))
        .bind(checkout_id)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("checkouts bound to", checkout_id))
    }

    /// Links whose time is up or that were canceled, not yet marked paid, expired or canceled, and
    /// none of whose sessions could still be used: the reconciler ends them (soonest expired first).
    pub async fn links_past_expiry(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<LinkRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM checkouts WHERE (expires_at <= $1 OR canceled_at IS NOT NULL) \
             AND status IN ('open', 'declined', 'failed') \
             AND authorized_transaction_id IS NULL AND NOT EXISTS (SELECT 1 FROM session_attempts a \
             WHERE a.checkout_id = checkouts.id AND a.state IN ('creating', 'open', 'replaced', 'submitted')) \
             ORDER BY expires_at LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("checkouts", "past expiry"))
    }

    /// Writes a derived status (e.g. an open link that has expired). `expired` or `canceled` —
    /// which release what the link holds — is written only while no session of the link may still
    /// be paid, whatever the caller read before: a stale view never ends a link that has a live
    /// session.
    pub async fn set_link_status(
        &self,
        id: &str,
        status: CheckoutStatus,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE checkouts SET status = $1, updated_at = $2 WHERE id = $3 AND status <> $1 \
             AND ($1 NOT IN ('expired', 'canceled') OR NOT EXISTS (SELECT 1 FROM session_attempts \
             WHERE checkout_id = $3 AND state IN ('creating', 'open', 'replaced', 'submitted', 'approved')))",
        )
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records the merchant's cancel of a link, with its audit entry (together): from now on no
    /// new session opens for it. `false` (nothing written) when it was already canceled.
    pub async fn request_link_cancel(
        &self,
        id: &str,
        audit: &AuditRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_audit(
            "UPDATE checkouts SET canceled_at = $1, updated_at = $1 WHERE id = $2 AND canceled_at IS NULL",
            id,
            audit,
            now,
        )
        .await
    }

    /// Sandbox test helper: the link's expiry moved to `expires_at` (when later), and that of every
    /// session of it still open or replaced to `sessions_expire_at` (when later), together.
    pub async fn move_link_past_expiry(
        &self,
        id: &str,
        expires_at: i64,
        sessions_expire_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE checkouts SET expires_at = $1 WHERE id = $2 AND expires_at > $1")
            .bind(expires_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE session_attempts SET expires_at = $1 WHERE checkout_id = $2 \
             AND state IN ('open', 'replaced') AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(sessions_expire_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a link whose time is up — `expired`, releasing what it holds — and queues `event` with it,
    /// only while nothing of it was paid and it was not expired already. `false` when it did not end.
    pub async fn end_expired_link(
        &self,
        id: &str,
        event: &MerchantEventRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_enqueue(
            "UPDATE checkouts SET status = 'expired', updated_at = $1 WHERE id = $2 \
             AND status <> 'expired' AND authorized_transaction_id IS NULL",
            id,
            event,
            now,
        )
        .await
    }

    /// Ends a canceled link — `canceled`, releasing what it holds — and queues `event` with it, only
    /// while nothing of it was paid and no session of it may still be. `false` when it did not end.
    pub async fn end_canceled_link(
        &self,
        id: &str,
        event: &MerchantEventRecord,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.update_then_enqueue(
            "UPDATE checkouts SET status = 'canceled', updated_at = $1 WHERE id = $2 \
             AND canceled_at IS NOT NULL AND status <> 'canceled' AND authorized_transaction_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM session_attempts WHERE checkout_id = $2 \
             AND state IN ('creating', 'open', 'replaced', 'submitted', 'approved'))",
            id,
            event,
            now,
        )
        .await
    }
}
