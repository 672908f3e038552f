//! What a customer reads after a decline or a gateway error, by the gateway's response code, in
//! their language. Pure.

use crate::gateways::omni::wire::response_code;
use crate::i18n::Locale;
use crate::model::LinkKind;

/// What the customer reads after a decline, by the gateway's response code, in their language.
pub fn decline_message(kind: LinkKind, response_code: Option<i64>, locale: Locale) -> String {
    let fr = locale == Locale::Fr;
    if kind == LinkKind::Refund {
        return if fr {
            "Cette carte ne peut pas recevoir le remboursement. Rien n’y a été versé. Vous pouvez essayer une autre carte."
        } else {
            "This card could not receive the refund. Nothing was sent to it. You can try another card."
        }
        .to_string();
    }
    match (response_code, fr) {
        (Some(response_code::INSUFFICIENT_FUNDS), false) => {
            "Your card was declined for insufficient funds. Nothing was charged. You can try another card."
        }
        (Some(response_code::INSUFFICIENT_FUNDS), true) => {
            "Votre carte a été refusée pour fonds insuffisants. Rien n’a été débité. Vous pouvez essayer une autre carte."
        }
        (Some(response_code::CARD_EXPIRED), false) => "Your card has expired. Nothing was charged. You can try another card.",
        (Some(response_code::CARD_EXPIRED), true) => "Votre carte est expirée. Rien n’a été débité. Vous pouvez essayer une autre carte.",
        (Some(response_code::PARTIAL_APPROVED), false) => {
            "Your card could only be approved for part of the amount, so nothing was charged. You can try another card."
        }
        (Some(response_code::PARTIAL_APPROVED), true) => {
            "Votre carte n’a pu être approuvée que pour une partie du montant; rien n’a donc été débité. Vous pouvez essayer une autre carte."
        }
        (_, false) => "Your card was declined. Nothing was charged. You can try another card, or contact your bank.",
        (_, true) => "Votre carte a été refusée. Rien n’a été débité. Vous pouvez essayer une autre carte ou contacter votre banque.",
    }
    .to_string()
}

/// What the customer reads after the gateway reported an error for an attempt, in their language.
pub fn failure_message(kind: LinkKind, result_code: Option<i64>, locale: Locale) -> String {
    match locale {
        Locale::En => {
            let (what, nothing) = match kind {
                LinkKind::Payment => ("payment", "Nothing was charged"),
                LinkKind::Refund => ("refund", "Nothing was sent"),
            };
            match result_code {
                Some(code) => format!("The {what} could not be processed (gateway error {code}). {nothing}. Please try again."),
                None => format!("The {what} could not be processed. {nothing}. Please try again."),
            }
        }
        Locale::Fr => {
            let (what, nothing) = match kind {
                LinkKind::Payment => ("Le paiement", "Rien n’a été débité"),
                LinkKind::Refund => ("Le remboursement", "Rien n’a été versé"),
            };
            match result_code {
                Some(code) => format!("{what} n’a pas pu être traité (erreur de la passerelle {code}). {nothing}. Veuillez réessayer."),
                None => format!("{what} n’a pas pu être traité. {nothing}. Veuillez réessayer."),
            }
        }
    }
}

/// A refund that ended without paying out (refused by the gateway): nothing more to do on the page.
pub fn refund_ended_message(merchant: &str, locale: Locale) -> String {
    match locale {
        Locale::En => format!("This refund cannot be completed here. Nothing was sent to a card. {merchant} has been told; please contact them to receive your money."),
        Locale::Fr => format!("Ce remboursement ne peut pas être effectué ici. Rien n’a été versé sur une carte. {merchant} en a été informé; veuillez le contacter pour recevoir votre argent."),
    }
}

/// The gateway made nothing of the card the secure fields sent (no card reached it, or it did not
/// answer): nothing was sent, the customer may try again.
pub fn card_not_read_message(locale: Locale) -> String {
    match locale {
        Locale::En => "The secure form could not pass your card on. Nothing was sent; please enter it again.",
        Locale::Fr => "Le formulaire sécurisé n’a pas pu transmettre votre carte. Rien n’a été versé; veuillez la saisir à nouveau.",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declines_say_nothing_was_charged_in_each_language() {
        let en = decline_message(
            LinkKind::Payment,
            Some(response_code::INSUFFICIENT_FUNDS),
            Locale::En,
        );
        assert!(
            en.contains("insufficient funds") && en.contains("Nothing was charged"),
            "{en}"
        );
        let fr = decline_message(
            LinkKind::Payment,
            Some(response_code::CARD_EXPIRED),
            Locale::Fr,
        );
        assert!(fr.contains("expirée"), "{fr}");
        let refund = decline_message(LinkKind::Refund, Some(10), Locale::En);
        assert!(refund.contains("Nothing was sent"), "{refund}");
        assert!(failure_message(LinkKind::Payment, Some(3000), Locale::En)
            .contains("gateway error 3000"));
    }
}
