//! Four eyes on large unbound payouts: a second staff member — never the one who asked — approves
//! a payout waiting above `PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE` (it is then created, as asked, by
//! whoever asked, the caps checked again) or rejects it. Audited, and told to the merchant.

use crate::merchant_events;
use crate::model::{ApprovalStatus, PayoutKind};
use crate::payments::actor::Actor;
use crate::payments::error::{FieldError, PaymentsError};
use crate::payments::links::refund_link::{create_refund_link_with, NewRefundLink};
use crate::payments::payroc_device_refunds::refunds::{create_device_refund_with, NewDeviceRefund};
use crate::payments::rules::ledger::Refusal;
use crate::payments::steps::unbound_payouts::{
    status_now, Approval, Payout, PayoutApprovalResource,
};
use crate::store::{now_ms, PayoutApprovalRecord};
use crate::AppState;

/// The request `id` as it stands.
pub async fn get_payout_approval(
    state: &AppState,
    id: &str,
) -> Result<PayoutApprovalResource, PaymentsError> {
    Ok(PayoutApprovalResource::from(&load(state, id).await?))
}

/// The newest requests, pending ones first.
pub async fn list_payout_approvals(
    state: &AppState,
    limit: i64,
) -> Result<Vec<PayoutApprovalResource>, PaymentsError> {
    Ok(state
        .store
        .payout_approvals(limit)
        .await?
        .iter()
        .map(PayoutApprovalResource::from)
        .collect())
}

/// `approver` approves the request `id`: the payout is created as its requester asked.
pub async fn approve_payout(
    state: &AppState,
    id: &str,
    approver: &Actor,
) -> Result<PayoutApprovalResource, PaymentsError> {
    let _guard = state.store.lock(id).await?;
    let record = decidable(state, id, approver).await?;
    let requester = Actor::recorded(&record.requested_by);
    let result_id = match record.kind {
        PayoutKind::RefundLink => {
            let mut request: NewRefundLink = stored_request(&record)?;
            // Approving twice (a retry after a lost answer) finds the same link.
            request.reference_id = Some(record.request_key.clone());
            match create_refund_link_with(state, request, &requester, Approval::Given).await? {
                Payout::Created(link, _) => link.id,
                Payout::AwaitingApproval(_) => return Err(still_waiting()),
            }
        }
        PayoutKind::DeviceRefund => {
            let request: NewDeviceRefund = stored_request(&record)?;
            let key = Some(record.request_key.clone());
            match create_device_refund_with(state, request, key, &requester, Approval::Given)
                .await?
            {
                Payout::Created(refund, _) => refund.id,
                Payout::AwaitingApproval(_) => return Err(still_waiting()),
            }
        }
    };
    let decided = PayoutApprovalRecord {
        status: ApprovalStatus::Approved,
        result_id: Some(result_id.clone()),
        ..decision(&record, approver)
    };
    let audit = approver.audit(
        "payout.approved",
        id,
        serde_json::json!({ "resultId": result_id, "requestedBy": record.requested_by }),
    );
    record_decision(state, &decided, &audit).await
}

/// `approver` rejects the request `id`: nothing is created.
pub async fn reject_payout(
    state: &AppState,
    id: &str,
    approver: &Actor,
) -> Result<PayoutApprovalResource, PaymentsError> {
    let _guard = state.store.lock(id).await?;
    let record = decidable(state, id, approver).await?;
    let decided = PayoutApprovalRecord {
        status: ApprovalStatus::Rejected,
        ..decision(&record, approver)
    };
    let audit = approver.audit(
        "payout.rejected",
        id,
        serde_json::json!({ "requestedBy": record.requested_by }),
    );
    record_decision(state, &decided, &audit).await
}

async fn load(state: &AppState, id: &str) -> Result<PayoutApprovalRecord, PaymentsError> {
    state
        .store
        .payout_approval(id)
        .await?
        .ok_or(PaymentsError::NotFound)
}

/// The request, if it is still pending and `approver` is not who asked for it.
async fn decidable(
    state: &AppState,
    id: &str,
    approver: &Actor,
) -> Result<PayoutApprovalRecord, PaymentsError> {
    let record = load(state, id).await?;
    let status = status_now(&record, now_ms());
    if status != ApprovalStatus::Pending {
        return Err(refused(
            "already_decided",
            format!("This payout request is already {}.", status.as_str()),
        ));
    }
    if record.requested_by == approver.as_str() {
        tracing::warn!(approval = %id, staff = approver.as_str(), "a payout's requester tried to approve it themselves");
        return Err(refused(
            "same_person",
            "Someone other than the person who asked for this payout must decide on it.".into(),
        ));
    }
    Ok(record)
}

fn decision(record: &PayoutApprovalRecord, approver: &Actor) -> PayoutApprovalRecord {
    PayoutApprovalRecord {
        decided_by: Some(approver.as_str().to_string()),
        decided_at: Some(now_ms()),
        ..record.clone()
    }
}

async fn record_decision(
    state: &AppState,
    decided: &PayoutApprovalRecord,
    audit: &crate::store::AuditRecord,
) -> Result<PayoutApprovalResource, PaymentsError> {
    let event = merchant_events::for_payout_decision(decided, now_ms());
    state
        .store
        .decide_payout_approval(decided, Some(audit), event.as_ref())
        .await?;
    tracing::info!(approval = %decided.id, status = decided.status.as_str(), "payout request decided");
    get_payout_approval(state, &decided.id).await
}

fn stored_request<T: serde::de::DeserializeOwned>(
    record: &PayoutApprovalRecord,
) -> Result<T, PaymentsError> {
    serde_json::from_str(&record.request).map_err(|e| {
        PaymentsError::Invalid(FieldError::new(
            "request",
            format!("the stored request of {} cannot be read: {e}", record.id),
        ))
    })
}

fn still_waiting() -> PaymentsError {
    refused(
        "already_decided",
        "The payout was not created: it still needed an approval.".into(),
    )
}

fn refused(code: &'static str, message: String) -> PaymentsError {
    PaymentsError::Refused(Refusal { code, message })
}
