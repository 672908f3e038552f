//! The demo checkout, demo refund link and demo closed-card refund of sandbox mode (the startup banner, the home page's
//! buttons and the example storefront all offer the same ones).

use crate::gateways::commercehub::amount::Total;
use crate::gateways::commercehub::wire::{
    Amount, ChargeRequest, ChargeSource, PlainCard, RefundTransactionDetails,
};
use crate::payments::actor::Actor;
use crate::payments::commercehub_refunds::refunds::{
    commercehub, create_gateway_refund, GatewayRefundResource, NewGatewayRefund,
};
use crate::payments::error::PaymentsError;
use crate::payments::links::checkout::NewCheckout;
use crate::payments::links::refund_link::NewRefundLink;
use crate::store::now_ms;
use crate::AppState;

/// An order number unique enough for a demo: `<prefix>-<7 digits of the clock>`.
fn order_number(prefix: &str) -> String {
    format!("{prefix}-{:07}", now_ms() % 10_000_000)
}

/// A demo payment of two mugs.
pub fn demo_checkout(order_prefix: &str) -> NewCheckout {
    NewCheckout {
        amount: 2450,
        currency: "USD".into(),
        order_number: Some(order_number(order_prefix)),
        description: Some("Demo order: 2 × paydesk mug".into()),
        ..Default::default()
    }
}

/// A demo refund of one returned mug.
pub fn demo_refund_link(order_prefix: &str) -> NewRefundLink {
    NewRefundLink {
        amount: 1225,
        currency: "USD".into(),
        order_number: Some(order_number(order_prefix)),
        reason: Some("Demo refund: 1 × paydesk mug returned".into()),
        ..Default::default()
    }
}

/// The Commerce Hub sandbox's closed-account test card: refunds to it are declined with `030`.
const CLOSED_ACCOUNT_CARD: &str = "4012000033330026";

/// Sandbox only: a charge on a card whose account is closed, and the merchant's refund of it. The
/// tagged refund is declined, so the refund waits for a new card (its `url` is the customer's page).
pub async fn demo_closed_card_refund(
    state: &AppState,
    actor: &Actor,
) -> Result<GatewayRefundResource, PaymentsError> {
    let hub = commercehub(state)?;
    let order = order_number("DEMO");
    let amount = 1225;
    let charge = ChargeRequest {
        amount: Amount {
            total: Total(amount),
            currency: "USD".into(),
        },
        source: ChargeSource::PaymentCard {
            card: PlainCard {
                card_data: CLOSED_ACCOUNT_CARD.into(),
                expiration_month: "12".into(),
                expiration_year: (time::OffsetDateTime::now_utc().year() + 3).to_string(),
            },
        },
        merchant_details: hub.client.merchant(),
        transaction_details: RefundTransactionDetails {
            capture_flag: true,
            merchant_transaction_id: Some(order.clone()),
            merchant_order_id: Some(order.clone()),
        },
    };
    hub.client.sandbox_charge(&charge).await?;
    let (refund, _) = create_gateway_refund(
        state,
        NewGatewayRefund {
            gateway: "commercehub".into(),
            original_merchant_transaction_id: Some(order.clone()),
            amount,
            currency: "USD".into(),
            order_number: Some(order),
            reason: Some("Demo refund: 1 × paydesk mug returned".into()),
            ..Default::default()
        },
        actor,
    )
    .await?;
    Ok(refund)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demos_are_valid_requests() {
        assert!(demo_checkout("DEMO").validate().is_ok());
        assert!(demo_refund_link("SHOP").validate().is_ok());
        assert!(demo_checkout("DEMO")
            .order_number
            .is_some_and(|n| n.starts_with("DEMO-") && n.len() == 12));
    }
}
