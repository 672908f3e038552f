//! The check every unbound payout passes before it exists — under one lock for the deployment, so
//! two requests can never both fit under a daily cap that has room for one — and, above the
//! approval threshold, the request a second staff member approves instead (four eyes).

use serde::Serialize;

use crate::model::{ApprovalStatus, PayoutKind};
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::ids::new_id;
use crate::payments::rules::payout_limits::{decide, needs_approval, RecentPayouts};
use crate::store::{iso8601, now_ms, PayoutApprovalRecord, WorkLock};
use crate::AppState;

/// The lock every unbound payout is created under.
const LOCK: &str = "unbound-payouts";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What asking for a payout did.
#[derive(Debug)]
pub enum Payout<T> {
    /// It exists: the payout, and whether it is new (`false`: an identical earlier request).
    Created(T, bool),
    /// It waits for a second staff member's approval; nothing exists yet.
    AwaitingApproval(Box<PayoutApprovalResource>),
}

/// Whether the payout was approved by a second staff member already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    NotYet,
    Given,
}

/// What the check allows.
pub(in crate::payments) enum Check {
    /// Create it now, keeping this lock (and writing under its fence) until it is written.
    Go(WorkLock),
    /// Ask a second staff member first.
    AskApproval,
}

/// Whether `requester` may make an unbound payout of `amount` in `currency` now.
pub(in crate::payments) async fn check_unbound_payout(
    state: &AppState,
    requester: &Actor,
    amount: i64,
    currency: &str,
    approval: Approval,
) -> Result<Check, PaymentsError> {
    let guard = state.store.lock(LOCK).await?;
    // Rows carry their instance's clock; the earlier of two clocks makes the window, if anything,
    // longer.
    let since = state.store.database_now().await?.min(now_ms()) - DAY_MS;
    let (by_requester, all) = state
        .store
        .recent_unbound_payouts(since, currency, requester.as_str())
        .await?;
    let limits = &state.config.payout_limits;
    decide(
        limits,
        amount,
        currency,
        RecentPayouts { by_requester, all },
    )
    .map_err(|refusal| {
        tracing::warn!(
            requester = requester.as_str(),
            amount,
            currency,
            code = refusal.code,
            "unbound payout refused by the payout limits"
        );
        PaymentsError::Refused(refusal)
    })?;
    if approval == Approval::NotYet && needs_approval(limits, amount) {
        return Ok(Check::AskApproval);
    }
    Ok(Check::Go(guard))
}

/// A payout waiting for (or past) a second staff member's decision.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutApprovalResource {
    /// `apr_…`.
    pub id: String,
    /// Always `payout_approval`.
    pub object: String,
    /// `refund_link` or `device_refund`.
    pub kind: PayoutKind,
    /// `pending`, `approved` (then `resultId` names what was created), `rejected` or `expired`.
    pub status: ApprovalStatus,
    /// The payout's amount, in minor units.
    pub amount: i64,
    /// The currency (ISO 4217).
    pub currency: String,
    /// Who asked for the payout (a staff member or an API token).
    pub requested_by: String,
    /// The staff member who approved or rejected it, once decided.
    pub decided_by: Option<String>,
    /// The refund link or device refund created on approval.
    pub result_id: Option<String>,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// A request nobody decided on by then expires.
    pub expires_at: String,
}

impl From<&PayoutApprovalRecord> for PayoutApprovalResource {
    fn from(record: &PayoutApprovalRecord) -> Self {
        PayoutApprovalResource {
            id: record.id.clone(),
            object: "payout_approval".into(),
            kind: record.kind,
            status: status_now(record, now_ms()),
            amount: record.amount,
            currency: record.currency.clone(),
            requested_by: record.requested_by.clone(),
            decided_by: record.decided_by.clone(),
            result_id: record.result_id.clone(),
            created_at: iso8601(record.created_at),
            expires_at: iso8601(record.expires_at),
        }
    }
}

/// A pending request past its time is expired, whether or not that was written yet.
pub(in crate::payments) fn status_now(record: &PayoutApprovalRecord, now: i64) -> ApprovalStatus {
    match record.status {
        ApprovalStatus::Pending if now >= record.expires_at => ApprovalStatus::Expired,
        status => status,
    }
}

/// One payout to ask a second staff member about.
pub(in crate::payments) struct ApprovalRequest<'a> {
    pub kind: PayoutKind,
    /// The request as made (JSON), replayed on approval.
    pub request: String,
    /// The payout's idempotency key (`None`: the approval's id becomes it).
    pub request_key: Option<String>,
    pub amount: i64,
    pub currency: &'a str,
    pub requester: &'a Actor,
}

/// Writes the request for approval (audited); nothing else exists until someone approves it.
pub(in crate::payments) async fn ask_approval(
    state: &AppState,
    asked: ApprovalRequest<'_>,
) -> Result<PayoutApprovalResource, PaymentsError> {
    if let Some(key) = &asked.request_key {
        // The same request again (same referenceId / Idempotency-Key): the same approval.
        if let Some(existing) = state.store.payout_approval_by_key(key).await? {
            return Ok(PayoutApprovalResource::from(&existing));
        }
    }
    let now = now_ms();
    let id = new_id("apr");
    let record = PayoutApprovalRecord {
        request_key: asked.request_key.unwrap_or_else(|| id.clone()),
        id,
        kind: asked.kind,
        request: asked.request,
        amount: asked.amount,
        currency: asked.currency.to_string(),
        requested_by: asked.requester.as_str().to_string(),
        status: ApprovalStatus::Pending,
        decided_by: None,
        decided_at: None,
        result_id: None,
        created_at: now,
        expires_at: now + DAY_MS,
    };
    let audit = asked.requester.audit(
        "payout.approval_requested",
        &record.id,
        serde_json::json!({ "kind": record.kind.as_str(), "amount": record.amount, "currency": record.currency }),
    );
    state.store.insert_payout_approval(&record, &audit).await?;
    tracing::info!(approval = %record.id, kind = record.kind.as_str(), amount = record.amount, "unbound payout waits for a second staff member's approval");
    Ok(PayoutApprovalResource::from(&record))
}
