//! Pure rules: what a gateway transaction means for an attempt, what attempts mean for a checkout,
//! and what the customer is told. No I/O, so every rule is unit-tested.

use crate::i18n::Locale;
use crate::model::{CheckoutStatus, LinkKind};
use crate::server::gateway::wire::{response_code, Transaction, TransactionStatus};
use crate::server::store::AttemptState;

/// What a gateway transaction says about the attempt it belongs to.
pub fn attempt_state_for(transaction: &Transaction) -> AttemptState {
    match transaction.status {
        TransactionStatus::Created => AttemptState::Open,
        TransactionStatus::Pending | TransactionStatus::Processing | TransactionStatus::Unknown => {
            AttemptState::Submitted
        }
        TransactionStatus::Declined => AttemptState::Declined,
        TransactionStatus::Completed => match transaction.result_code {
            Some(0) => match first_response_code(transaction) {
                Some(response_code::APPROVED) if fully_approved(transaction) => AttemptState::Approved,
                // A partial approval does not pay the checkout: treat it as not approved.
                Some(_) => AttemptState::Declined,
                // Result 0 without any response is not an approval we can prove.
                None => AttemptState::Failed,
            },
            _ => AttemptState::Failed,
        },
    }
}

/// An authorization that approved some money but does not pay the checkout (a partial approval):
/// it must be voided, not left on the card.
pub fn holds_money_without_paying(transaction: &Transaction) -> bool {
    transaction.status == TransactionStatus::Completed
        && transaction.result_code == Some(0)
        && transaction.approved_amount.is_some_and(|a| a > 0)
        && matches!(first_response_code(transaction), Some(response_code::APPROVED | response_code::PARTIAL_APPROVED))
        && attempt_state_for(transaction) != AttemptState::Approved
}

fn first_response_code(transaction: &Transaction) -> Option<i64> {
    transaction
        .transaction_responses
        .iter()
        .find_map(|r| r.response_code)
}

fn fully_approved(transaction: &Transaction) -> bool {
    match (transaction.approved_amount, transaction.requested_amount) {
        (Some(approved), Some(requested)) => approved >= requested,
        _ => true,
    }
}

/// The checkout's status from its attempts (newest first) and whether its link has expired.
/// An approval anywhere wins, whatever order the gateway's messages arrived in.
pub fn checkout_status(attempts_newest_first: &[AttemptState], link_expired: bool) -> CheckoutStatus {
    if attempts_newest_first.contains(&AttemptState::Approved) {
        return CheckoutStatus::Authorized;
    }
    if attempts_newest_first.contains(&AttemptState::Submitted) {
        return CheckoutStatus::Processing;
    }
    if link_expired {
        return CheckoutStatus::Expired;
    }
    match attempts_newest_first.first() {
        Some(AttemptState::Declined) => CheckoutStatus::Declined,
        Some(AttemptState::Failed) => CheckoutStatus::Failed,
        _ => CheckoutStatus::Open,
    }
}

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

/// "VISA •••• 1111" from a card type and a masked number.
pub fn card_label(card_type: Option<&str>, masked: Option<&str>) -> Option<String> {
    let last4: String = masked?
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if last4.len() != 4 {
        return None;
    }
    Some(match card_type {
        Some(kind) if !kind.is_empty() && kind != "UNKNOWN" => format!("{kind} •••• {last4}"),
        _ => format!("Card •••• {last4}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::gateway::wire::{TransactionResponse, TransactionType};

    fn tx(status: TransactionStatus, result: Option<i64>, response: Option<i64>) -> Transaction {
        Transaction {
            id: "trx_1".into(),
            kind: TransactionType::Auth,
            status,
            timestamp: None,
            result_code: result,
            result_text: None,
            reference_id: Some("pd_1".into()),
            order_number: None,
            invoice_number: None,
            requested_amount: Some(1000),
            approved_amount: response.filter(|c| *c == 1).map(|_| 1000),
            payment_method: None,
            transaction_responses: response
                .map(|code| {
                    vec![TransactionResponse {
                        response_code: Some(code),
                        auth_code: None,
                        amount_approved: None,
                        card_type: None,
                        avs_result: None,
                        cvv_result: None,
                        account_type: None,
                        host_response_text: None,
                        payment_method: None,
                    }]
                })
                .unwrap_or_default(),
        }
    }

    #[test]
    fn gateway_results_map_to_attempt_states() {
        use AttemptState::*;
        use TransactionStatus as S;
        assert_eq!(attempt_state_for(&tx(S::Created, None, None)), Open);
        assert_eq!(attempt_state_for(&tx(S::Pending, None, None)), Submitted);
        assert_eq!(attempt_state_for(&tx(S::Completed, Some(0), Some(1))), Approved);
        assert_eq!(attempt_state_for(&tx(S::Completed, Some(0), Some(10))), Declined);
        assert_eq!(attempt_state_for(&tx(S::Completed, Some(0), Some(11))), Declined);
        assert_eq!(attempt_state_for(&tx(S::Completed, Some(3000), None)), Failed);
        assert_eq!(attempt_state_for(&tx(S::Completed, Some(0), None)), Failed);
        assert_eq!(attempt_state_for(&tx(S::Unknown, None, None)), Submitted);
    }

    #[test]
    fn partial_approval_is_not_a_payment() {
        let mut partial = tx(TransactionStatus::Completed, Some(0), Some(1));
        partial.approved_amount = Some(400);
        assert_eq!(attempt_state_for(&partial), AttemptState::Declined);
    }

    #[test]
    fn approval_wins_regardless_of_order() {
        use AttemptState::*;
        // A late decline of attempt 1 arriving after attempt 2 was approved changes nothing.
        assert_eq!(checkout_status(&[Approved, Declined], false), CheckoutStatus::Authorized);
        assert_eq!(checkout_status(&[Declined, Approved], false), CheckoutStatus::Authorized);
        assert_eq!(checkout_status(&[Approved], true), CheckoutStatus::Authorized);
    }

    #[test]
    fn latest_attempt_decides_otherwise() {
        use AttemptState::*;
        assert_eq!(checkout_status(&[], false), CheckoutStatus::Open);
        assert_eq!(checkout_status(&[Declined], false), CheckoutStatus::Declined);
        assert_eq!(checkout_status(&[Open, Declined], false), CheckoutStatus::Open);
        assert_eq!(checkout_status(&[Failed, Expired], false), CheckoutStatus::Failed);
        assert_eq!(checkout_status(&[Submitted], true), CheckoutStatus::Processing);
        assert_eq!(checkout_status(&[Declined], true), CheckoutStatus::Expired);
    }

    #[test]
    fn card_labels() {
        assert_eq!(card_label(Some("VISA"), Some("************1111")).as_deref(), Some("VISA •••• 1111"));
        assert_eq!(card_label(None, Some("4*0011")).as_deref(), Some("Card •••• 0011"));
        assert_eq!(card_label(Some("VISA"), Some("**1")), None);
        assert_eq!(card_label(Some("VISA"), None), None);
    }
}
