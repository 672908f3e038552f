//! The defence against card testing on a refund waiting for a new card, as on links: after
//! `max_declines_per_link` declined new cards its page locks — no card form opens, no card reaches
//! Commerce Hub, the customer reads a calm message, the merchant hears of it (`refund.locked`) and
//! can unlock it.

use crate::merchant_events;
use crate::model::LinkKind;
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::store::{now_ms, GatewayRefundRecord};
use crate::AppState;

/// Declined new cards since the merchant's last unlock.
fn declines(record: &GatewayRefundRecord) -> i64 {
    (record.card_declines - record.declines_forgiven).max(0)
}

/// Whether `record`'s page is locked: locked before, or at its cap of declined cards now (then it
/// is locked, and the merchant told, once).
pub(in crate::payments) async fn locked_by_card_testing(
    state: &AppState,
    record: &GatewayRefundRecord,
) -> Result<bool, PaymentsError> {
    if record.locked_at.is_some() {
        return Ok(true);
    }
    let declines = declines(record);
    if declines < state.config.max_declines_per_link {
        return Ok(false);
    }
    let now = now_ms();
    let event = merchant_events::for_gateway_refund_lock(record, declines, now);
    if state
        .store
        .lock_gateway_refund(&record.id, &event, now)
        .await?
    {
        tracing::warn!(refund = %record.id, declines, "refund locked after repeated declined cards");
    }
    Ok(true)
}

/// The merchant's unlock: new cards may be tried again (the declines so far are forgiven).
/// `Ok(false)` when the refund's page was not locked.
pub async fn unlock_gateway_refund(
    state: &AppState,
    id: &str,
    actor: &Actor,
) -> Result<bool, PaymentsError> {
    let _guard = state.store.lock(id).await?;
    if state.store.gateway_refund(id).await?.is_none() {
        return Err(PaymentsError::NotFound);
    }
    let audit = actor.audit("refund.unlock", id, serde_json::json!({}));
    let unlocked = state
        .store
        .unlock_gateway_refund(id, &audit, now_ms())
        .await?;
    if unlocked {
        tracing::info!(refund = %id, "refund's new-card page unlocked by the merchant");
    }
    Ok(unlocked)
}

/// What the customer sees on a locked refund: the same calm message as a locked refund link.
pub(in crate::payments) fn locked_page(locale: crate::i18n::Locale) -> crate::model::PaymentState {
    crate::payments::links::card_testing::locked(LinkKind::Refund, locale)
}
