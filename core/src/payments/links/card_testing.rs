//! The defence against card testing on one link: after `max_declines_per_link` declined cards the
//! link locks — no new card form opens, the customer reads a calm message, the merchant hears of it
//! (`payment.locked` / `refund_link.locked`) and can unlock it.

use crate::i18n::{texts, Locale};
use crate::merchant_events;
use crate::model::{LinkKind, PaymentState};
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::store::{now_ms, LinkRecord};
use crate::AppState;

/// What the customer sees on a locked link.
pub fn locked(kind: LinkKind, locale: Locale) -> PaymentState {
    let texts = texts(locale);
    PaymentState::Locked {
        message: match kind {
            LinkKind::Payment => texts.locked_payment,
            LinkKind::Refund => texts.locked_refund,
        }
        .into(),
    }
}

/// The locked page when `link` is locked, or has just reached its cap of declined cards (it is
/// locked now, and the merchant told). `None` while more cards may be tried.
pub(in crate::payments) async fn lock_if_card_testing(
    state: &AppState,
    link: &LinkRecord,
    locale: Locale,
) -> Result<Option<PaymentState>, PaymentsError> {
    let count = state.store.decline_count(&link.id).await?;
    if count.locked_at.is_some() {
        return Ok(Some(locked(link.kind, locale)));
    }
    if count.declines < state.config.max_declines_per_link {
        return Ok(None);
    }
    let now = now_ms();
    let event = merchant_events::for_lock(link, count.declines, now);
    if state.store.lock_link(&link.id, &event, now).await? {
        tracing::warn!(link = %link.id, declines = count.declines, "link locked after repeated declined cards");
    }
    Ok(Some(locked(link.kind, locale)))
}

/// The merchant's unlock: new cards may be tried again (the declines so far are forgiven).
/// `Ok(false)` when the link was not locked.
pub async fn unlock_link(
    state: &AppState,
    id: &str,
    kind: LinkKind,
    actor: &Actor,
) -> Result<bool, PaymentsError> {
    let _guard = state.store.lock(id).await?;
    match state.store.link(id).await? {
        Some(link) if link.kind == kind => {
            let audit = actor.audit("link.unlock", id, serde_json::json!({}));
            let unlocked = state.store.unlock_link(id, &audit, now_ms()).await?;
            if unlocked {
                tracing::info!(link = %id, "link unlocked by the merchant");
            }
            Ok(unlocked)
        }
        _ => Err(PaymentsError::NotFound),
    }
}
