//! The merchant's cancel of a Commerce Hub refund waiting for a new card (its link sent to the wrong
//! person, say). A card is only ever sent to Commerce Hub under the refund's lock while it waits, so
//! a cancel under the same lock ends it at once: nothing can be paid through it afterwards.

use crate::merchant_events;
use crate::model::GatewayRefundStatus;
use crate::payments::actor::Actor;
use crate::payments::commercehub_refunds::refunds::{get_gateway_refund, GatewayRefundResource};
use crate::payments::error::PaymentsError;
use crate::payments::rules::ledger::Refusal;
use crate::store::now_ms;
use crate::AppState;

/// Cancels the refund `id` while it waits for a new card: the canceled refund, or why it could
/// not be (a request under way, or already ended).
#[tracing::instrument(skip(state, actor))]
pub async fn cancel_gateway_refund(
    state: &AppState,
    id: &str,
    actor: &Actor,
) -> Result<GatewayRefundResource, PaymentsError> {
    {
        let _guard = state.store.lock(id).await?;
        let record = state
            .store
            .gateway_refund(id)
            .await?
            .ok_or(PaymentsError::NotFound)?;
        match record.status {
            GatewayRefundStatus::Canceled => {}
            GatewayRefundStatus::AwaitingCard => {
                let now = now_ms();
                let mut canceled = record.clone();
                canceled.status = GatewayRefundStatus::Canceled;
                canceled.updated_at = now;
                let event = merchant_events::for_gateway_refund(&canceled, now);
                let audit = actor.audit("refund.cancel", id, serde_json::json!({}));
                if state
                    .store
                    .cancel_gateway_refund(id, &audit, event.as_ref(), now)
                    .await?
                {
                    tracing::info!(refund = %id, "refund waiting for a new card canceled");
                }
            }
            GatewayRefundStatus::Processing => {
                return Err(refused(
                    "A refund request to Commerce Hub is under way: it cannot be canceled now. Its \
                     outcome follows; if the card declines it, the refund waits for a new card again \
                     and can then be canceled."
                        .into(),
                ))
            }
            ended => {
                return Err(refused(format!(
                    "The refund has already ended ({}): there is nothing left to cancel.",
                    ended.as_str()
                )))
            }
        }
    }
    get_gateway_refund(state, id).await
}

fn refused(message: String) -> PaymentsError {
    PaymentsError::Refused(Refusal {
        code: "cannot_cancel",
        message,
    })
}
