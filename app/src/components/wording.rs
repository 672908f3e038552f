//! What a customer page says, for a payment or for a refund being paid out.

use crate::model::LinkKind;

/// The texts and test ids that differ between a checkout and a refund link.
pub struct Wording {
    pub page_title: &'static str,
    pub unavailable_heading: &'static str,
    pub frame_title: &'static str,
    pub secure_note: &'static str,
    pub processing_heading: &'static str,
    pub processing_text: &'static str,
    pub done_testid: &'static str,
    pub done_heading: &'static str,
    pub already_done_testid: &'static str,
    pub already_done_heading: &'static str,
    pub declined_heading: &'static str,
    pub failed_heading: &'static str,
    pub expired_heading: &'static str,
    pub expired_text: &'static str,
    pub not_complete_heading: &'static str,
    pub not_complete_text: &'static str,
    pub go_to_page: &'static str,
}

const PAYMENT: Wording = Wording {
    page_title: "Secure payment",
    unavailable_heading: "This payment page is not available",
    frame_title: "Secure card payment form",
    secure_note: "Your card details go straight to the payment service; this site never sees them.",
    processing_heading: "Confirming your payment…",
    processing_text: "Please keep this page open while we confirm the result with the payment service.",
    done_testid: "checkout-approved",
    done_heading: "Payment approved",
    already_done_testid: "checkout-already-paid",
    already_done_heading: "This order is already paid",
    declined_heading: "Payment declined",
    failed_heading: "Payment not processed",
    expired_heading: "This payment link has expired",
    expired_text: "Nothing was charged. Please ask the merchant for a new payment link.",
    not_complete_heading: "This payment is not complete",
    not_complete_text: "We have no completed payment for this order yet.",
    go_to_page: "Go to the payment page",
};

const REFUND: Wording = Wording {
    page_title: "Receive your refund",
    unavailable_heading: "This refund link is not available",
    frame_title: "Secure card form to receive your refund",
    secure_note: "Your card details go straight to the payment service; this site never sees them. Nothing is charged to your card.",
    processing_heading: "Confirming your refund…",
    processing_text: "Please keep this page open while we confirm the refund with the payment service.",
    done_testid: "refund-completed",
    done_heading: "Refund sent",
    already_done_testid: "refund-already-completed",
    already_done_heading: "This refund has already been paid out",
    declined_heading: "Refund not accepted by this card",
    failed_heading: "Refund not processed",
    expired_heading: "This refund link has expired",
    expired_text: "Nothing was sent. Please ask the merchant for a new refund link.",
    not_complete_heading: "This refund is not complete",
    not_complete_text: "No refund has been paid out through this link yet.",
    go_to_page: "Go to the refund page",
};

pub fn wording(kind: LinkKind) -> &'static Wording {
    match kind {
        LinkKind::Payment => &PAYMENT,
        LinkKind::Refund => &REFUND,
    }
}
