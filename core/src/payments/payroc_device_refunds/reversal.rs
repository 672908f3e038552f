//! Reversing a completed device refund (Payroc's `reverseRefund`: the refund is taken out of the
//! open batch, so no money reaches the card). The reversal's key is written before it is sent; a
//! lost answer is sent again with the same key once the first send can no longer be open at Payroc;
//! only Payroc's answer — to the reversal, or about the refund itself — ends it, and until then the
//! refund still counts as paid (its money stays held on a bound payment).

use crate::gateways::payroc::wire::{Refund, ResultStatus};
use crate::gateways::payroc::{PayrocClient, PayrocError};
use crate::gateways::Effect;
use crate::merchant_events;
use crate::model::{DeviceRefundReversal, DeviceRefundStatus};
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::payroc_device_refunds::refunds::{
    backoff, get_device_refund, payroc, quiet_after_send_ms, refusal_text, uuid_v4,
    DeviceRefundResource,
};
use crate::payments::rules::ledger::Refusal;
use crate::store::{now_ms, DeviceRefundRecord, ReversalEnd, StoreError};
use crate::AppState;

/// What Payroc's refund says about a reversal.
#[derive(Debug, PartialEq, Eq)]
enum RefundReads {
    /// `status: reversal`: out of the batch.
    Reversed,
    /// A success status: the refund stands.
    Standing,
    /// Anything else (under review, not confirmed yet, unknown): ask again later.
    NotFinal,
}

fn reads(refund: &Refund) -> RefundReads {
    match refund.transaction_result.status {
        ResultStatus::Reversal => RefundReads::Reversed,
        ResultStatus::Ready | ResultStatus::Pending | ResultStatus::Complete => {
            RefundReads::Standing
        }
        _ => RefundReads::NotFinal,
    }
}

/// Asks Payroc to reverse completed device refund `id` (idempotent: a reversal under way or done is
/// shown as it stands). The answer shows the refund after Payroc's answer: `reversed`, or
/// `completed` with the reversal `refused` (and why), or still `reversing` if Payroc's answer was
/// lost — then it is sent again in the background and `device_refund.reversed` or
/// `device_refund.reversal_refused` follows.
pub async fn reverse_device_refund(
    state: &AppState,
    id: &str,
    actor: &Actor,
) -> Result<DeviceRefundResource, PaymentsError> {
    let (client, _) = payroc(state)?;
    let record = load(state, id).await?;
    let reversing = record.reversal.reversal_status == Some(DeviceRefundReversal::Reversing);
    if record.status == DeviceRefundStatus::Reversed || reversing {
        return Ok(DeviceRefundResource::of(state, &record));
    }
    let Some(refund_id) = record.refund_id.clone() else {
        return Err(cannot_reverse(&record));
    };
    if record.status != DeviceRefundStatus::Completed {
        return Err(cannot_reverse(&record));
    }
    let audit = actor.audit(
        "device_refund.reverse",
        id,
        serde_json::json!({ "refundId": refund_id }),
    );
    let retry_at = now_ms() + quiet_after_send_ms(state);
    let key = uuid_v4();
    if !state
        .store
        .begin_device_refund_reversal(id, &key, retry_at, &audit)
        .await?
    {
        // Changed meanwhile (another reversal began, or it ended): what is stored stands.
        return get_device_refund(state, id).await;
    }
    tracing::info!(device_refund = %id, refund = %refund_id, "device refund reversal asked for");
    let sent = send(state, client, load(state, id).await?).await?;
    Ok(DeviceRefundResource::of(state, &sent))
}

/// The background worker's step for a reversal under way: sends it again (same key) once it can.
pub async fn advance_device_refund_reversal(
    state: &AppState,
    record: DeviceRefundRecord,
) -> Result<(), PaymentsError> {
    let (client, _) = payroc(state)?;
    send(state, client, record).await.map(drop)
}

/// Sends the reversal (again, with the same key, if it was sent before). The first send refused
/// (a 4xx, or Payroc never reached) ends it `refused`; after that, a refusal proves nothing about
/// the first send, so the refund itself is looked up; a lost answer is sent again later.
async fn send(
    state: &AppState,
    client: &PayrocClient,
    record: DeviceRefundRecord,
) -> Result<DeviceRefundRecord, PaymentsError> {
    let (Some(key), Some(refund_id)) = (
        record.reversal.reversal_key.clone(),
        record.refund_id.clone(),
    ) else {
        return Err(StoreError::Corrupt(format!(
            "device refund {} is being reversed without a key or a Payroc refund",
            record.id
        ))
        .into());
    };
    let quiet = quiet_after_send_ms(state);
    let Some(sends) = state
        .store
        .mark_device_refund_reversal_sending(&record.id, quiet, now_ms() + quiet)
        .await?
    else {
        tracing::info!(device_refund = %record.id, "the reversal was sent moments ago or has ended; not sending it now");
        return load(state, &record.id).await;
    };
    match client.reverse_refund(&refund_id, &key).await {
        Ok(refund) => match reads(&refund) {
            RefundReads::Reversed => end(state, &record, ReversalEnd::Reversed, None).await,
            other => {
                let why = format!("Payroc answered the reversal with the refund {other:?}; paydesk looks it up again.");
                later(state, &record, sends, &why).await
            }
        },
        Err(error) if error.effect() == Effect::None && sends == 1 => {
            tracing::warn!(device_refund = %record.id, %error, "reversal refused");
            let why = refused_text(&error);
            end(state, &record, ReversalEnd::Refused, Some(&why)).await
        }
        Err(error) if error.effect() == Effect::None => {
            // A resend refused: the first send may still have reversed it. Payroc's refund says.
            tracing::warn!(device_refund = %record.id, %error, sends, "reversal resend refused; looking the refund up");
            look_up(state, client, &record, &refund_id, sends, &error).await
        }
        Err(error) => {
            tracing::warn!(device_refund = %record.id, %error, sends, "reversal not confirmed; will send it again");
            let why = format!("Payroc has not confirmed the reversal yet ({error}); paydesk sends it again with the same key. The refund counts as paid meanwhile.");
            later(state, &record, sends, &why).await
        }
    }
}

/// Reads Payroc's refund after a resend was refused: reversed, standing (the reversal is refused),
/// or not known yet (looked at again later).
async fn look_up(
    state: &AppState,
    client: &PayrocClient,
    record: &DeviceRefundRecord,
    refund_id: &str,
    sends: i64,
    refusal: &PayrocError,
) -> Result<DeviceRefundRecord, PaymentsError> {
    match client.refund(refund_id).await.map(|r| reads(&r)) {
        Ok(RefundReads::Reversed) => end(state, record, ReversalEnd::Reversed, None).await,
        Ok(RefundReads::Standing) => {
            let why = refused_text(refusal);
            end(state, record, ReversalEnd::Refused, Some(&why)).await
        }
        Ok(RefundReads::NotFinal) | Err(_) => {
            let why = format!("Payroc refused a resend of the reversal ({refusal}) and has not said yet whether the first one reversed the refund; paydesk asks again.");
            later(state, record, sends, &why).await
        }
    }
}

/// Ends the reversal with its merchant event (once), and tells waiting long polls.
async fn end(
    state: &AppState,
    record: &DeviceRefundRecord,
    how: ReversalEnd,
    message: Option<&str>,
) -> Result<DeviceRefundRecord, PaymentsError> {
    let now = now_ms();
    let event = merchant_events::for_device_refund_reversal(record, how, message, now);
    if state
        .store
        .end_device_refund_reversal(&record.id, how, message, now, &event)
        .await?
    {
        tracing::info!(device_refund = %record.id, ?how, "device refund reversal ended");
        state.device_refunds.changed();
    }
    load(state, &record.id).await
}

/// Looks at the reversal again after a pause that grows with each send.
async fn later(
    state: &AppState,
    record: &DeviceRefundRecord,
    sends: i64,
    why: &str,
) -> Result<DeviceRefundRecord, PaymentsError> {
    let at = now_ms() + backoff(sends).max(quiet_after_send_ms(state));
    state
        .store
        .reschedule_device_refund_reversal(&record.id, at, Some(why))
        .await?;
    load(state, &record.id).await
}

async fn load(state: &AppState, id: &str) -> Result<DeviceRefundRecord, PaymentsError> {
    state
        .store
        .device_refund(id)
        .await?
        .ok_or(PaymentsError::NotFound)
}

fn refused_text(error: &PayrocError) -> String {
    format!(
        "Payroc did not reverse the refund ({}); it stands — the batch may have closed. A refund \
         that settled is undone only by a new payment.",
        refusal_text(error)
    )
}

fn cannot_reverse(record: &DeviceRefundRecord) -> PaymentsError {
    PaymentsError::Refused(Refusal {
        code: "cannot_reverse",
        message: format!(
            "Only a completed refund can be reversed; this one is {}.",
            record.status
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refund(status: &str) -> Refund {
        serde_json::from_value(serde_json::json!({
            "refundId": "CD3HN88U9F", "processingTerminalId": "1234001",
            "order": {"orderId": "O-1", "amount": 4999, "currency": "USD"},
            "transactionResult": {"type": "refund", "status": status, "authorizedAmount": -4999,
                "currency": "USD", "responseCode": "A"}
        }))
        .unwrap()
    }

    #[test]
    fn only_a_reversal_status_reads_as_reversed_and_only_a_success_as_standing() {
        assert_eq!(reads(&refund("reversal")), RefundReads::Reversed);
        for standing in ["ready", "pending", "complete"] {
            assert_eq!(
                reads(&refund(standing)),
                RefundReads::Standing,
                "{standing}"
            );
        }
        for open in ["admin", "accepted", "something-new"] {
            assert_eq!(reads(&refund(open)), RefundReads::NotFinal, "{open}");
        }
    }
}
