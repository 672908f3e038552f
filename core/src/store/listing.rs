//! The console's filtered lists: payments or refund links by search text, status, creation time
//! and amount, a page at a time; and every refund that paid out, of any kind, for the CSV export.

use super::database::{like_pattern, naming_row, Store, StoreError};
use super::records::LinkRecord;
use crate::model::{CheckoutStatus, LinkKind};

/// What a console list shows. `None` fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkFilter {
    /// Part of the id, order, invoice or merchant reference (any case).
    pub query: Option<String>,
    pub status: Option<CheckoutStatus>,
    /// Created at or after (Unix ms).
    pub created_from: Option<i64>,
    /// Created before (Unix ms).
    pub created_before: Option<i64>,
    /// At least this many minor units.
    pub min_amount: Option<i64>,
    /// At most this many minor units.
    pub max_amount: Option<i64>,
}

/// A refund that paid out, of any kind, as the refunds export lists it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundRow {
    /// `refund` (of a payment), `refund_link`, `device_refund` or `commercehub_refund`.
    pub kind: String,
    pub id: String,
    /// The payment it returns money from, when there is one.
    pub checkout_id: Option<String>,
    pub created_at: i64,
    pub amount: i64,
    pub currency: String,
    pub order_number: Option<String>,
}

/// Every refund that paid out, of any kind, as rows of [`RefundRow`]'s columns: a refund of a
/// payment (its approved amount), a refund link that completed, a refund on a device that completed
/// (its approved amount), a Commerce Hub refund that was refunded. The one definition the export and
/// the dashboard both read.
pub(super) const PAID_REFUNDS: &str = "SELECT 'refund' AS kind, o.id AS id, o.checkout_id AS checkout_id, \
    o.created_at AS created_at, COALESCE(o.approved_amount, o.amount) AS amount, c.currency AS currency, \
    c.order_number AS order_number FROM operations o JOIN checkouts c ON c.id = o.checkout_id \
    WHERE o.kind = 'refund' AND o.state = 'succeeded' \
    UNION ALL SELECT 'refund_link', id, refund_of_checkout_id, created_at, amount, currency, order_number \
    FROM checkouts WHERE kind = 'refund' AND authorized_transaction_id IS NOT NULL \
    UNION ALL SELECT 'device_refund', id, checkout_id, created_at, COALESCE(approved_amount, amount), currency, order_id \
    FROM device_refunds WHERE status = 'completed' \
    UNION ALL SELECT 'commercehub_refund', id, NULL, created_at, amount, currency, order_number \
    FROM gateway_refunds WHERE status = 'refunded'";

impl Store {
    /// `kind` links matching `filter`, newest first: `limit` of them after skipping `offset`.
    pub async fn filter_links(
        &self,
        kind: LinkKind,
        filter: &LinkFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<LinkRecord>, StoreError> {
        let pattern = filter.query.as_deref().map(like_pattern);
        sqlx::query_as(&format!(
            "SELECT {} FROM checkouts WHERE kind = $1 AND ($2 IS NULL OR LOWER(id) LIKE $2 ESCAPE '\\' \
             OR LOWER(order_number) LIKE $2 ESCAPE '\\' OR LOWER(invoice_number) LIKE $2 ESCAPE '\\' \
             OR LOWER(merchant_reference_id) LIKE $2 ESCAPE '\\') \
             AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at < $5) \
             AND ($6 IS NULL OR amount >= $6) AND ($7 IS NULL OR amount <= $7) \
             ORDER BY created_at DESC, id DESC LIMIT $8 OFFSET $9",
            super::links::COLUMNS
        ))
        .bind(kind)
        .bind(pattern)
        .bind(filter.status)
        .bind(filter.created_from)
        .bind(filter.created_before)
        .bind(filter.min_amount)
        .bind(filter.max_amount)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("checkouts matching", filter.query.as_deref().unwrap_or("")))
    }

    /// Refunds that paid out and were created in `[from, before)` (either end open), newest first,
    /// at most `limit`.
    pub async fn paid_refunds(
        &self,
        from: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<RefundRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT * FROM ({PAID_REFUNDS}) refunds WHERE ($1 IS NULL OR created_at >= $1) AND ($2 IS NULL OR created_at < $2) \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        ))
        .bind(from)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
