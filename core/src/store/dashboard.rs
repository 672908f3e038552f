//! What the console's dashboard counts, read in 15-minute buckets (every time zone's offset is a
//! whole number of quarter hours, so the buckets fold into any zone's days): approved payments and
//! their amounts, approved and declined card attempts with their reasons, and refunds of every
//! kind. Amounts are summed in the database as BIGINT, by currency.

use super::database::{Store, StoreError};
use super::listing::PAID_REFUNDS;

/// The bucket size, in milliseconds.
pub const BUCKET_MS: i64 = 15 * 60 * 1000;

/// Approved payments created in one bucket, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentBucket {
    pub bucket: i64,
    pub currency: String,
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

/// Refunds that paid out, created in one bucket, in one currency (any kind, as `PAID_REFUNDS`
/// defines it).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundBucket {
    pub bucket: i64,
    pub currency: String,
    pub refunds: i64,
    pub amount: i64,
}

impl Store {
    /// Approved payments created in `[from, to)` (Unix ms) that the merchant did not void, by
    /// bucket and currency. (A link stays `authorized` once approved, whatever was captured or
    /// refunded since; a void is an operation, so voided payments are left out here.)
    pub async fn payment_buckets(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<PaymentBucket>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT created_at / $3 AS bucket, currency, COUNT(*) AS payments, \
             CAST(SUM(amount) AS BIGINT) AS amount FROM checkouts c \
             WHERE kind = 'payment' AND status = 'authorized' AND created_at >= $1 AND created_at < $2 \
             AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.checkout_id = c.id AND o.kind = 'void' \
             AND o.state = 'succeeded' AND o.initiator = 'merchant') \
             GROUP BY created_at / $3, currency",
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
             COALESCE(a.result_text, '') AS reason, COUNT(*) AS attempts \
             FROM session_attempts a JOIN checkouts c ON c.id = a.checkout_id \
             WHERE c.kind = 'payment' AND a.state IN ('approved', 'declined') \
             AND a.created_at >= $1 AND a.created_at < $2 \
             GROUP BY a.created_at / $3, a.state, COALESCE(a.result_text, '')",
        )
        .bind(from)
        .bind(to)
        .bind(BUCKET_MS)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Refunds that paid out (of any kind), created in `[from, to)`, by bucket and currency.
    pub async fn refund_buckets(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<RefundBucket>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT created_at / $3 AS bucket, currency, COUNT(*) AS refunds, CAST(SUM(amount) AS BIGINT) AS amount \
             FROM ({PAID_REFUNDS}) refunds WHERE created_at >= $1 AND created_at < $2 \
             GROUP BY created_at / $3, currency"
        ))
        .bind(from)
        .bind(to)
        .bind(BUCKET_MS)
        .fetch_all(&self.pool)
        .await?)
    }
}
