//! Refunds of gateway-held charges (Commerce Hub): the refund, each call sent for it (its
//! Client-Request-Id and exact body stored before it is sent), and the Hosted Fields sessions of its
//! customer page. A status change and its merchant event are written together; an ended refund is
//! never rewritten; one open refund per original charge is a unique index.

use super::audit::{insert_audit, AuditRecord};
use super::database::{like_pattern, naming_row, BindNow, Store, StoreError};
use super::outbox::{enqueue, MerchantEventRecord};
use super::text_columns::Flag;
use crate::model::{GatewayRefundStatus, RefundAttemptKind, RefundAttemptState, SupportReference};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GatewayRefundRecord {
    pub id: String,
    pub gateway: String,
    pub original_transaction_id: Option<String>,
    pub original_merchant_transaction_id: Option<String>,
    pub original_key: String,
    pub amount: i64,
    pub currency: String,
    pub order_number: Option<String>,
    pub reason: Option<String>,
    pub return_url: Option<String>,
    pub reference_id: Option<String>,
    pub request_fingerprint: String,
    pub status: GatewayRefundStatus,
    pub decline_code: Option<String>,
    pub message: Option<String>,
    /// e.g. "VISA •••• 7385" (the card the money went to).
    pub card: Option<String>,
    pub gateway_transaction_id: Option<String>,
    pub link_expires_at: i64,
    pub card_declines: i64,
    pub requested_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the background pass looks at it next: an unanswered call once it can be settled, a
    /// waiting link when it expires; none once it has ended.
    pub next_check_at: Option<i64>,
    /// Looks that changed nothing since its last change (the next one waits longer).
    pub checks: i64,
    /// What Commerce Hub paid out, once refunded: the amount, or less on a partial approval.
    pub refunded_amount: Option<i64>,
    /// Which request moved the money, once refunded: a refund to the original card, to a new
    /// card, or a cancel of a charge that was authorized and not captured.
    pub refunded_by: Option<RefundAttemptKind>,
    /// When the page locked after too many declined new cards (card testing); none while more
    /// may be tried.
    pub locked_at: Option<i64>,
    /// Declined new cards forgiven by the merchant's last unlock (`card_declines` counts them all).
    pub declines_forgiven: i64,
    /// The merchant's metadata: a JSON object of string values (`None`: none given).
    pub metadata: Option<String>,
}

pub(super) const COLUMNS: &str = "id, gateway, original_transaction_id, original_merchant_transaction_id, \
    original_key, amount, currency, order_number, reason, return_url, reference_id, request_fingerprint, \
    status, decline_code, message, card, gateway_transaction_id, link_expires_at, card_declines, \
    requested_by, created_at, updated_at, next_check_at, checks, refunded_amount, refunded_by, \
    locked_at, declines_forgiven, metadata";

/// One call to the gateway for a refund.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundAttemptRecord {
    pub client_request_id: String,
    pub refund_id: String,
    pub kind: RefundAttemptKind,
    pub body: String,
    pub first_sent_at: i64,
    pub state: RefundAttemptState,
    pub api_trace_id: Option<String>,
    pub created_at: i64,
    /// When it was last sent, by the database's clock (`None`: never sent — the mark is written
    /// before every send).
    pub last_sent_at: Option<i64>,
    /// How many times it was sent.
    pub sends: i64,
}

const ATTEMPT_COLUMNS: &str = "client_request_id, refund_id, kind, body, first_sent_at, state, \
    api_trace_id, created_at, last_sent_at, sends";

/// A Hosted Fields session of a refund's customer page (`session_id` stays on the server).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefundSessionRecord {
    pub id: String,
    pub refund_id: String,
    pub session_id: String,
    pub access_token: String,
    pub public_key: String,
    pub key_id: String,
    pub expires_at: i64,
    #[sqlx(try_from = "i64")]
    pub used: Flag,
    pub created_at: i64,
}

impl std::fmt::Debug for RefundSessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefundSessionRecord")
            .field("id", &self.id)
            .field("refund_id", &self.refund_id)
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

const SESSION_COLUMNS: &str =
    "id, refund_id, session_id, access_token, public_key, key_id, expires_at, used, created_at";

/// What inserting a refund did.
#[derive(Debug)]
pub enum GatewayRefundInsert {
    Created,
    /// The merchant's `referenceId` was used before: the refund it made.
    ReferenceExists(Box<GatewayRefundRecord>),
    /// Another refund of the same charge is still open.
    OriginalBusy(Box<GatewayRefundRecord>),
}

impl Store {
    /// Writes a new refund with its first attempt and audit entry, together.
    pub async fn insert_gateway_refund(
        &self,
        refund: &GatewayRefundRecord,
        attempt: &RefundAttemptRecord,
        audit: &AuditRecord,
    ) -> Result<GatewayRefundInsert, StoreError> {
        if let Some(reference) = &refund.reference_id {
            if let Some(existing) = self.gateway_refund_by_reference(reference).await? {
                return Ok(GatewayRefundInsert::ReferenceExists(Box::new(existing)));
            }
        }
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO gateway_refunds ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29) \
             ON CONFLICT DO NOTHING"
        ))
        .bind(&refund.id)
        .bind(&refund.gateway)
        .bind(&refund.original_transaction_id)
        .bind(&refund.original_merchant_transaction_id)
        .bind(&refund.original_key)
        .bind(refund.amount)
        .bind(&refund.currency)
        .bind(&refund.order_number)
        .bind(&refund.reason)
        .bind(&refund.return_url)
        .bind(&refund.reference_id)
        .bind(&refund.request_fingerprint)
        .bind(refund.status)
        .bind(&refund.decline_code)
        .bind(&refund.message)
        .bind(&refund.card)
        .bind(&refund.gateway_transaction_id)
        .bind(refund.link_expires_at)
        .bind(refund.card_declines)
        .bind(&refund.requested_by)
        .bind(refund.created_at)
        .bind(refund.updated_at)
        .bind(refund.next_check_at)
        .bind(refund.checks)
        .bind(refund.refunded_amount)
        .bind(refund.refunded_by)
        .bind(refund.locked_at)
        .bind(refund.declines_forgiven)
        .bind(&refund.metadata)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            insert_attempt(&mut tx, attempt).await?;
            insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
            return Ok(GatewayRefundInsert::Created);
        }
        tx.rollback().await?;
        if let Some(reference) = &refund.reference_id {
            if let Some(existing) = self.gateway_refund_by_reference(reference).await? {
                return Ok(GatewayRefundInsert::ReferenceExists(Box::new(existing)));
            }
        }
        let open: Option<GatewayRefundRecord> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_refunds WHERE original_key = $1 \
             AND status IN ('processing', 'awaiting_card')"
        ))
        .bind(&refund.original_key)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("gateway_refunds", &refund.original_key))?;
        open.map(|open| GatewayRefundInsert::OriginalBusy(Box::new(open)))
            .ok_or_else(|| {
                StoreError::Corrupt(format!("refund {} conflicted with nothing", refund.id))
            })
    }

    pub async fn gateway_refund(
        &self,
        id: &str,
    ) -> Result<Option<GatewayRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_refunds WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("gateway_refunds", id))
    }

    async fn gateway_refund_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<GatewayRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_refunds WHERE reference_id = $1"
        ))
        .bind(reference)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("gateway_refunds", reference))
    }

    /// Refunds created since `since` (Unix milliseconds), oldest first: the reconciliation report's.
    pub async fn gateway_refunds_since(
        &self,
        since: i64,
    ) -> Result<Vec<GatewayRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_refunds WHERE created_at >= $1 ORDER BY created_at, id"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("gateway_refunds", "since"))
    }

    /// Claims refunds whose next look is due, most overdue first, until `claim_until` (see
    /// [`Store::claim_sql`]); each look writes the refund's next one.
    pub async fn claim_due_gateway_refunds(
        &self,
        now: i64,
        limit: i64,
        claim_until: i64,
    ) -> Result<Vec<GatewayRefundRecord>, StoreError> {
        sqlx::query_as(&self.claim_sql(
            "gateway_refunds",
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
        .map_err(naming_row("gateway_refunds", "due"))
    }

    /// After a look that changed nothing: when to look again, one more look counted. Nothing for a
    /// refund that has ended.
    pub async fn reschedule_gateway_refund(
        &self,
        id: &str,
        next_check_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE gateway_refunds SET next_check_at = $1, checks = checks + 1 \
             WHERE id = $2 AND status IN ('processing', 'awaiting_card')",
        )
        .bind(next_check_at)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Refunds newest first, those whose id, order number, original ids or reference contain
    /// `query` when one is given (the console's list).
    pub async fn search_gateway_refunds(
        &self,
        query: Option<&str>,
        limit: i64,
    ) -> Result<Vec<GatewayRefundRecord>, StoreError> {
        let pattern = query.map(like_pattern);
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_refunds WHERE ($1 IS NULL OR LOWER(id) LIKE $1 ESCAPE '\\' \
             OR LOWER(order_number) LIKE $1 ESCAPE '\\' OR LOWER(original_transaction_id) LIKE $1 ESCAPE '\\' \
             OR LOWER(original_merchant_transaction_id) LIKE $1 ESCAPE '\\' OR LOWER(reference_id) LIKE $1 ESCAPE '\\') \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("gateway_refunds matching", query.unwrap_or("")))
    }

    /// Refunds whose support reference is `reference` (their id ends with it), newest first.
    pub async fn gateway_refunds_by_support_reference(
        &self,
        reference: &SupportReference,
    ) -> Result<Vec<GatewayRefundRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM gateway_refunds WHERE LOWER(id) LIKE $1 ORDER BY created_at DESC, id DESC LIMIT 20"
        ))
        .bind(format!("%{}", reference.id_suffix()))
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("gateway_refunds with support reference", &reference.to_string()))
    }

    /// The attempts of a refund, oldest first.
    pub async fn refund_attempts(
        &self,
        refund_id: &str,
    ) -> Result<Vec<RefundAttemptRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM gateway_refund_attempts WHERE refund_id = $1 \
             ORDER BY created_at, client_request_id"
        ))
        .bind(refund_id)
        .fetch_all(&self.pool)
        .await
        .map_err(naming_row("gateway_refund_attempts", refund_id))
    }

    /// Moves an open refund to `updated` (status, outcome fields), marks `attempt` with
    /// `attempt_state`, adds `next_attempt` (a new call about to be sent) and the merchant event —
    /// all in one transaction, and only if the refund is still in `expected`. Returns whether it was
    /// written.
    pub async fn advance_gateway_refund(
        &self,
        updated: &GatewayRefundRecord,
        expected: GatewayRefundStatus,
        attempt: Option<(&str, RefundAttemptState, Option<&str>)>,
        next_attempt: Option<&RefundAttemptRecord>,
        event: Option<&MerchantEventRecord>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let written = sqlx::query(
            "UPDATE gateway_refunds SET status = $1, decline_code = $2, message = $3, card = $4, \
             gateway_transaction_id = $5, card_declines = $6, updated_at = $7, next_check_at = $10, \
             checks = 0, refunded_amount = $11, refunded_by = $12 WHERE id = $8 AND status = $9",
        )
        .bind(updated.status)
        .bind(&updated.decline_code)
        .bind(&updated.message)
        .bind(&updated.card)
        .bind(&updated.gateway_transaction_id)
        .bind(updated.card_declines)
        .bind(updated.updated_at)
        .bind(&updated.id)
        .bind(expected)
        .bind(updated.next_check_at)
        .bind(updated.refunded_amount)
        .bind(updated.refunded_by)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !written {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some((client_request_id, state, trace)) = attempt {
            // An attempt's answer counts once. A second answer to a request already answered (a
            // resend another instance had in flight: Commerce Hub answers a Client-Request-Id the
            // same each time) would otherwise move the refund again — counting one declined card
            // twice while the customer's next card is being refunded.
            let answered_now = sqlx::query(
                "UPDATE gateway_refund_attempts SET state = $1, api_trace_id = COALESCE($2, api_trace_id) \
                 WHERE client_request_id = $3 AND state <> 'answered'",
            )
            .bind(state)
            .bind(trace)
            .bind(client_request_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if answered_now != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        if let Some(next) = next_attempt {
            insert_attempt(&mut tx, next).await?;
        }
        if let Some(event) = event {
            enqueue(&mut tx, event).await?;
        }
        tx.commit().await?;
        self.told_outbox();
        Ok(true)
    }

    /// Marks `client_request_id` as being sent now (by the database's clock), unless it was answered
    /// or last sent less than `quiet_ms` ago — an earlier send may still be open at the gateway, and a
    /// duplicate arriving meanwhile could be booked twice. Written before every send, so an attempt
    /// never marked was never sent. `false`: not to be sent now.
    pub async fn mark_refund_attempt_sending(
        &self,
        client_request_id: &str,
        quiet_ms: i64,
    ) -> Result<bool, StoreError> {
        let now = self.dialect.now_ms_sql("$3");
        let sql = format!(
            "UPDATE gateway_refund_attempts SET last_sent_at = {now}, sends = sends + 1 \
             WHERE client_request_id = $1 AND state IN ('sending', 'unknown') \
             AND (last_sent_at IS NULL OR last_sent_at <= {now} - $2)"
        );
        let query = sqlx::query(&sql).bind(client_request_id).bind(quiet_ms);
        let query = query.bind_now(self);
        Ok(query.execute(&self.writer).await?.rows_affected() == 1)
    }

    /// Keeps a Hosted Fields session for a refund's page.
    pub async fn insert_refund_session(
        &self,
        session: &RefundSessionRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO gateway_refund_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&session.id)
        .bind(&session.refund_id)
        .bind(&session.session_id)
        .bind(&session.access_token)
        .bind(&session.public_key)
        .bind(&session.key_id)
        .bind(session.expires_at)
        .bind(i64::from(session.used))
        .bind(session.created_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Marks a session used; `false` if it already was (a second submit of the same form).
    pub async fn use_refund_session(&self, id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("UPDATE gateway_refund_sessions SET used = 1 WHERE id = $1 AND used = 0")
                .bind(id)
                .execute(&self.writer)
                .await?
                .rows_affected()
                == 1,
        )
    }

    pub async fn refund_session(
        &self,
        id: &str,
    ) -> Result<Option<RefundSessionRecord>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM gateway_refund_sessions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(naming_row("gateway_refund_sessions", id))
    }
}

async fn insert_attempt(
    conn: &mut sqlx::AnyConnection,
    attempt: &RefundAttemptRecord,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO gateway_refund_attempts ({ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&attempt.client_request_id)
    .bind(&attempt.refund_id)
    .bind(attempt.kind)
    .bind(&attempt.body)
    .bind(attempt.first_sent_at)
    .bind(attempt.state)
    .bind(&attempt.api_trace_id)
    .bind(attempt.created_at)
    .bind(attempt.last_sent_at)
    .bind(attempt.sends)
    .execute(conn)
    .await?;
    Ok(())
}
