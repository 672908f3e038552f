//! What a customer page says, for a payment or for a refund being paid out, in each language.

use paydesk_core::i18n::Locale;
use paydesk_core::model::LinkKind;

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
    processing_text:
        "Please keep this page open while we confirm the result with the payment service.",
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

const PAYMENT_FR: Wording = Wording {
    page_title: "Paiement sécurisé",
    unavailable_heading: "Cette page de paiement n’est pas disponible",
    frame_title: "Formulaire de paiement par carte sécurisé",
    secure_note: "Vos données de carte vont directement au service de paiement; ce site ne les voit jamais.",
    processing_heading: "Confirmation de votre paiement…",
    processing_text: "Veuillez garder cette page ouverte pendant que nous confirmons le résultat avec le service de paiement.",
    done_testid: "checkout-approved",
    done_heading: "Paiement approuvé",
    already_done_testid: "checkout-already-paid",
    already_done_heading: "Cette commande est déjà payée",
    declined_heading: "Paiement refusé",
    failed_heading: "Paiement non traité",
    expired_heading: "Ce lien de paiement a expiré",
    expired_text: "Rien n’a été débité. Veuillez demander un nouveau lien de paiement au marchand.",
    not_complete_heading: "Ce paiement n’est pas terminé",
    not_complete_text: "Aucun paiement n’a encore été effectué pour cette commande.",
    go_to_page: "Aller à la page de paiement",
};

const REFUND_FR: Wording = Wording {
    page_title: "Recevoir votre remboursement",
    unavailable_heading: "Ce lien de remboursement n’est pas disponible",
    frame_title: "Formulaire de carte sécurisé pour recevoir votre remboursement",
    secure_note: "Vos données de carte vont directement au service de paiement; ce site ne les voit jamais. Rien n’est débité de votre carte.",
    processing_heading: "Confirmation de votre remboursement…",
    processing_text: "Veuillez garder cette page ouverte pendant que nous confirmons le remboursement avec le service de paiement.",
    done_testid: "refund-completed",
    done_heading: "Remboursement envoyé",
    already_done_testid: "refund-already-completed",
    already_done_heading: "Ce remboursement a déjà été versé",
    declined_heading: "Remboursement refusé par cette carte",
    failed_heading: "Remboursement non traité",
    expired_heading: "Ce lien de remboursement a expiré",
    expired_text: "Rien n’a été versé. Veuillez demander un nouveau lien de remboursement au marchand.",
    not_complete_heading: "Ce remboursement n’est pas terminé",
    not_complete_text: "Aucun remboursement n’a encore été versé par ce lien.",
    go_to_page: "Aller à la page de remboursement",
};

pub fn wording(kind: LinkKind, locale: Locale) -> &'static Wording {
    match (kind, locale) {
        (LinkKind::Payment, Locale::En) => &PAYMENT,
        (LinkKind::Refund, Locale::En) => &REFUND,
        (LinkKind::Payment, Locale::Fr) => &PAYMENT_FR,
        (LinkKind::Refund, Locale::Fr) => &REFUND_FR,
    }
}
