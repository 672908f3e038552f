//! Sandbox-only helpers for a merchant's own tests: move a link's clock past its expiry (and the
//! sessions it opened past the time a lookup proves them unused), and send a test event to the
//! merchant's endpoint. In live mode they find nothing.

use crate::merchant_events;
use crate::model::LinkKind;
use crate::payments::actor::Actor;
use crate::payments::error::PaymentsError;
use crate::payments::rules::schedule::RELEASE_GRACE_MS;
use crate::store::{now_ms, MerchantEventRecord};
use crate::AppState;

fn sandbox_only(state: &AppState) -> Result<(), PaymentsError> {
    if state.config.sandbox_mode {
        Ok(())
    } else {
        Err(PaymentsError::NotFound)
    }
}

/// Moves the `kind` link `id`'s expiry into the past, and that of every session of it still open
/// past the grace after which a lookup proves it unused: the next read settles it as its time
/// being up would (`expired` and its event once no form of it can be paid). The simulator's form
/// itself stays open: a card typed into it now is taken as a late payment, never lost.
pub async fn move_link_past_expiry(
    state: &AppState,
    id: &str,
    kind: LinkKind,
) -> Result<(), PaymentsError> {
    sandbox_only(state)?;
    let link = state
        .store
        .link(id)
        .await?
        .filter(|link| link.kind == kind)
        .ok_or(PaymentsError::NotFound)?;
    let now = state.store.database_now().await?;
    state
        .store
        .move_link_past_expiry(&link.id, now - 1_000, now - RELEASE_GRACE_MS - 1_000)
        .await?;
    tracing::info!(link = %link.id, "sandbox: link moved past its expiry");
    Ok(())
}

/// Queues a `webhook.test` event for the merchant's endpoint, delivered and signed as every event.
pub async fn send_test_event(
    state: &AppState,
    actor: &Actor,
) -> Result<MerchantEventRecord, PaymentsError> {
    sandbox_only(state)?;
    let event = merchant_events::for_test(now_ms());
    let audit = actor.audit("webhook.test", &event.id, serde_json::json!({}));
    state.store.enqueue_once_audited(&event, &audit).await?;
    // As stored: the body the endpoint receives.
    Ok(state
        .store
        .merchant_event(&event.id)
        .await?
        .unwrap_or(event))
}
