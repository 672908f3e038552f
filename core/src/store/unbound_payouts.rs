//! What unbound payouts (refund links and device refunds not bound to a payment) were asked for
//! recently: the sums their daily caps are checked against.

use super::database::{Store, StoreError};

impl Store {
    /// Unbound payouts in `currency` created at or after `since` that may still pay, or paid: by
    /// `requester`, and by everyone. A link that expired or was canceled, and a device refund that
    /// was declined, failed, canceled or reversed, paid nothing and counts for nothing.
    pub async fn recent_unbound_payouts(
        &self,
        since: i64,
        currency: &str,
        requester: &str,
    ) -> Result<(i64, i64), StoreError> {
        let (by_requester, all): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN requested_by = $3 THEN amount ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ( \
             SELECT amount, requested_by FROM checkouts WHERE kind = 'refund' \
             AND refund_of_checkout_id IS NULL AND created_at >= $1 AND currency = $2 \
             AND status NOT IN ('expired', 'canceled') \
             UNION ALL \
             SELECT amount, requested_by FROM device_refunds WHERE checkout_id IS NULL \
             AND created_at >= $1 AND currency = $2 \
             AND status NOT IN ('declined', 'failed', 'canceled', 'reversed')) recent",
        )
        .bind(since)
        .bind(currency)
        .bind(requester)
        .fetch_one(&self.pool)
        .await?;
        Ok((by_requester, all))
    }
}
