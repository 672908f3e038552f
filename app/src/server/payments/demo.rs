//! The demo checkout and demo refund link of sandbox mode (the startup banner, the home page's
//! buttons and the example storefront all offer the same ones).

use super::checkout::NewCheckout;
use super::refund_link::NewRefundLink;
use crate::server::store::now_ms;

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
