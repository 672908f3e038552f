//! A customer who left an embedded checkout or refund page (the storefront called `cancel()` on
//! embed.js's handle): recorded for the merchant — a merchant event and an audit entry, once per
//! link — and nothing else. The link stays as it is: a session the customer already submitted is
//! still settled from the gateway's webhook or lookup, and reported as usual.

use crate::merchant_events;
use crate::model::{CheckoutStatus, GatewayRefundStatus, LinkRef};
use crate::payments::actor::Actor;
use crate::payments::commercehub_refunds::new_card_page::verify;
use crate::payments::commercehub_refunds::refunds::is_gateway_refund_id;
use crate::payments::error::PaymentsError;
use crate::payments::links::session::load_link;
use crate::store::now_ms;
use crate::AppState;

/// What recording an abandonment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abandonment {
    /// Recorded now: the merchant hears of it.
    Recorded,
    /// Recorded before (a second `cancel()`): nothing new.
    AlreadyRecorded,
    /// The payment or refund had already ended (paid, refunded, expired): nothing to abandon.
    AlreadyEnded,
}

/// Records that the customer abandoned `link` in a frame on `storefront_origin` (a registered
/// storefront, checked by the caller).
pub async fn record_abandonment(
    state: &AppState,
    link: &LinkRef,
    storefront_origin: &str,
) -> Result<Abandonment, PaymentsError> {
    let now = now_ms();
    let actor = Actor::customer();
    let detail = serde_json::json!({ "storefrontOrigin": storefront_origin });
    let (event, subject) = if is_gateway_refund_id(&link.id) {
        verify(state, link)?;
        let refund = state
            .store
            .gateway_refund(&link.id)
            .await?
            .ok_or(PaymentsError::InvalidLink)?;
        if refund.status != GatewayRefundStatus::AwaitingCard {
            return Ok(Abandonment::AlreadyEnded);
        }
        (
            merchant_events::for_gateway_refund_abandonment(&refund, storefront_origin, now),
            refund.id,
        )
    } else {
        let record = load_link(state, link).await?;
        if record.authorized_transaction_id.is_some()
            || matches!(
                record.status,
                CheckoutStatus::Expired | CheckoutStatus::Canceled
            )
        {
            return Ok(Abandonment::AlreadyEnded);
        }
        (
            merchant_events::for_link_abandonment(&record, storefront_origin, now),
            record.id,
        )
    };
    let audit = actor.audit("link.abandon", &subject, detail);
    if state.store.enqueue_once_audited(&event, &audit).await? {
        tracing::info!(link = %subject, storefront = %storefront_origin, "customer abandoned the page");
        Ok(Abandonment::Recorded)
    } else {
        Ok(Abandonment::AlreadyRecorded)
    }
}
