//! What the console's dashboard counts, read in 15-minute buckets (every time zone's offset is a
//! whole number of quarter hours, so the buckets fold into any zone's days): payments and their
//! amounts by status, approved and declined card attempts with their reasons, and refunds of every
//! kind. Amounts are summed in the database as BIGINT, by currency.

use super::database::{Store, StoreError};

/// The bucket size, in milliseconds.
pub const BUCKET_MS: i64 = 15 * 60 * 1000;

/// Payments created in one bucket, in one currency, with one status.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentBucket {
    pub bucket: i64,
    pub currency: String,
    pub status: String,
    pub payments: i64,
    pub amount: i64,
}

/// Card attempts on payment links that ended approved or declined in one bucket, with the
/// gateway's reason.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptBucket {
    pub bucket: i64,
    pub state: String,
    pub reason: String,
    pub attempts: i64,
}

/// Refunds that paid out, created in one bucket, in one currency (any kind: a refund of a payment,
/// a refund link, a refund on a device, a Commerce Hub refund).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundBucket {
    pub bucket: i64,
    pub currency: String,
    pub refunds: i64,
    pub amount: i64,
}

impl Store {
    /// Payments created in `[from, to)` (Unix ms) that the merchant did not void, by bucket,
    /// currency and link status (`authorized` once approved, whatever was captured or refunded
    /// since; a void is an operation, so voided payments are left out here).
    pub async fn payment_buckets(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<PaymentBucket>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT created_at / $3 AS bucket, currency, status, COUNT(*) AS payments, \
             CAST(SUM(amount) AS BIGINT) AS amount FROM checkouts c \
             WHERE kind = 'payment' AND created_at >= $1 AND created_at < $2 \
             AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.checkout_id = c.id AND o.kind = 'void' \
             AND o.state = 'succeeded' AND o.initiator = 'merchant') \
             GROUP BY created_at / $3, currency, status",
        )
        .bind(from)
        .bind(to)
        .bind(BUCKET_MS)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Approved and declined attempts on payment links created in `[from, to)`, by bucket, state and
    /// reason (the gateway's result text).
    pub async fn attempt_buckets(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<AttemptBucket>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT a.created_at / $3 AS bucket, a.state AS state, \
             COALESCE(NULLIF(a.result_text, ''), '') AS reason, COUNT(*) AS attempts \
             FROM session_attempts a JOIN checkouts c ON c.id = a.checkout_id \
             WHERE c.kind = 'payment' AND a.state IN ('approved', 'declined') \
             AND a.created_at >= $1 AND a.created_at < $2 \
             GROUP BY a.created_at / $3, a.state, COALESCE(NULLIF(a.result_text, ''), '')",
        )
        .bind(from)
        .bind(to)
        .bind(BUCKET_MS)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Refunds that paid out, created in `[from, to)`, by bucket and currency (one row per source
    /// and bucket; the caller adds them up).
    pub async fn refund_buckets(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<RefundBucket>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT o.created_at / $3 AS bucket, c.currency AS currency, COUNT(*) AS refunds, \
             CAST(SUM(COALESCE(o.approved_amount, o.amount)) AS BIGINT) AS amount \
             FROM operations o JOIN checkouts c ON c.id = o.checkout_id \
             WHERE o.kind = 'refund' AND o.state = 'succeeded' AND o.created_at >= $1 AND o.created_at < $2 \
             GROUP BY o.created_at / $3, c.currency \
             UNION ALL \
             SELECT created_at / $3, currency, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM checkouts \
             WHERE kind = 'refund' AND authorized_transaction_id IS NOT NULL AND created_at >= $1 AND created_at < $2 \
             GROUP BY created_at / $3, currency \
             UNION ALL \
             SELECT created_at / $3, currency, COUNT(*), CAST(SUM(COALESCE(approved_amount, amount)) AS BIGINT) \
             FROM device_refunds WHERE status = 'completed' AND created_at >= $1 AND created_at < $2 \
             GROUP BY created_at / $3, currency \
             UNION ALL \
             SELECT created_at / $3, currency, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM gateway_refunds \
             WHERE status = 'refunded' AND created_at >= $1 AND created_at < $2 \
             GROUP BY created_at / $3, currency",
        )
        .bind(from)
        .bind(to)
        .bind(BUCKET_MS)
        .fetch_all(&self.pool)
        .await?)
    }
}
