//! The customer pages' two languages: English and French (Canadian merchants take CAD). The locale
//! comes from `?lang=`, then the `paydesk_lang` cookie, then the browser's `Accept-Language`;
//! amounts are formatted for it. Data and pure functions, shared by the server and the browser.

use serde::{Deserialize, Serialize};

use crate::model::{group_thousands, Currency, Money};

/// The cookie that remembers a language chosen with the switch.
pub const LANG_COOKIE: &str = "paydesk_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    /// The BCP 47 primary tag, for `<html lang>` and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Fr => "Français",
        }
    }

    /// `en`, `fr`, `fr-CA`, `EN-us`…; anything else is `None`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The best supported language of an `Accept-Language` header (by q-value, then order).
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(best_q, _)| q > best_q) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// `?lang=` first, then the cookie, then `Accept-Language`, then English.
    pub fn choose(
        query_lang: Option<&str>,
        cookie_lang: Option<&str>,
        accept_language: Option<&str>,
    ) -> Locale {
        query_lang
            .and_then(Locale::parse)
            .or_else(|| cookie_lang.and_then(Locale::parse))
            .or_else(|| accept_language.and_then(Locale::from_accept_language))
            .unwrap_or_default()
    }

    /// An amount as people of this language write it: "$1,234.50 USD" / "1 234,50 $ US".
    pub fn money(self, money: Money) -> String {
        match self {
            Locale::En => money.display(),
            Locale::Fr => {
                let grouped = group_thousands(money.minor / 100, '\u{202f}');
                let country = match money.currency {
                    Currency::Usd => "US",
                    Currency::Cad => "CA",
                };
                format!("{grouped},{:02}\u{a0}$\u{a0}{country}", money.minor % 100)
            }
        }
    }
}

/// Every customer-page string that does not depend on whether the link pays or refunds.
pub struct Texts {
    pub loading: &'static str,
    pub confirming: &'static str,
    pub amount: &'static str,
    pub card: &'static str,
    pub authorization_code: &'static str,
    pub reference: &'static str,
    pub order: &'static str,
    pub invoice: &'static str,
    /// The label of the support reference (`PD-7K4M-2Q`) a customer quotes to the merchant.
    pub support_reference: &'static str,
    pub refund_to_card: &'static str,
    /// Followed by the merchant's name: "Return to Acme".
    pub return_to: &'static str,
    /// The receipt's print button.
    pub print_receipt: &'static str,
    pub back_to_cart: &'static str,
    pub try_again: &'static str,
    pub starting_new_form: &'static str,
    pub countdown_before: &'static str,
    pub countdown_after: &'static str,
    pub refreshing: &'static str,
    pub slow: &'static str,
    pub language: &'static str,
    pub unavailable_payment: &'static str,
    pub unavailable_refund: &'static str,
    pub locked_payment: &'static str,
    pub locked_refund: &'static str,
    /// A refund link the merchant canceled.
    pub canceled_refund: &'static str,
    /// A checkout the merchant canceled.
    pub canceled_payment: &'static str,
    pub too_many_tries: &'static str,
    pub not_found_link: &'static str,
    pub invalid_refund_link: &'static str,
    pub form_unavailable: &'static str,
    pub link_paused: &'static str,
    pub something_wrong: &'static str,
    pub page_not_found: &'static str,
    pub page_not_found_text: &'static str,
    pub new_card_heading: &'static str,
    pub new_card_intro: &'static str,
    pub card_number: &'static str,
    pub name_on_card: &'static str,
    pub expiration: &'static str,
    pub security_code: &'static str,
    pub card_fields_loading: &'static str,
    pub card_fields_unavailable: &'static str,
    pub sending_card: &'static str,
    pub check_card: &'static str,
    pub card_not_sent: &'static str,
    pub send_refund_to_card: &'static str,
}

const EN: Texts = Texts {
    loading: "Loading…",
    confirming: "Confirming…",
    amount: "Amount",
    card: "Card",
    authorization_code: "Authorization code",
    reference: "Reference",
    order: "Order",
    invoice: "Invoice",
    support_reference: "Support reference",
    refund_to_card: "Refund to your card",
    return_to: "Return to",
    print_receipt: "Print the receipt",
    back_to_cart: "Back to cart",
    try_again: "Try again",
    starting_new_form: "Starting a new secure form…",
    countdown_before: "For your security, this form refreshes in ",
    countdown_after: ". Anything typed will need to be entered again.",
    refreshing: "Refreshing the secure form…",
    slow: "This is taking longer than usual. You will not be charged twice; we will show the result as soon as it is confirmed.",
    language: "Language",
    unavailable_payment: "The secure payment form could not be started right now. Nothing was charged; please try again in a moment.",
    unavailable_refund: "The secure refund form could not be started right now. Nothing was sent; please try again in a moment.",
    locked_payment: "This payment link is paused after several declined cards. Nothing was charged. Please contact the merchant to continue.",
    locked_refund: "This refund link is paused after several declined cards. Nothing was sent. Please contact the merchant to continue.",
    canceled_refund: "The merchant canceled this refund link. Nothing was sent through it. Please contact the merchant if you expected a refund.",
    canceled_payment: "The merchant canceled this payment link. Nothing was charged through it. Please return to the store to check your order.",
    too_many_tries: "Many cards were tried from your network in a short time. Please wait a few minutes, then try again.",
    not_found_link: "We couldn't find this payment link. Check the address, or ask the merchant for a new link.",
    invalid_refund_link: "This refund link is not valid. Please open the exact link you received, or ask the merchant for a new one.",
    form_unavailable: "Secure form unavailable",
    link_paused: "Link paused",
    something_wrong: "Something went wrong",
    page_not_found: "Page not found",
    page_not_found_text: "Check the address, or ask the merchant for a new link.",
    new_card_heading: "Where should we send your refund?",
    new_card_intro: "The card you paid with can no longer receive money (its account is closed). Enter another card in your name and the refund goes to it.",
    card_number: "Card number",
    name_on_card: "Name on card",
    expiration: "Expiry date (MM/YY)",
    security_code: "Security code",
    card_fields_loading: "Loading the secure card form…",
    card_fields_unavailable: "The secure card form could not be loaded. Nothing was sent; please reload the page in a moment.",
    sending_card: "Sending the refund…",
    check_card: "Check the card details: every field is needed and must be valid.",
    card_not_sent: "Your card could not be passed to the secure form. Nothing was sent; please try again.",
    send_refund_to_card: "Send the refund to this card",
};

const FR: Texts = Texts {
    loading: "Chargement…",
    confirming: "Confirmation…",
    amount: "Montant",
    card: "Carte",
    authorization_code: "Code d’autorisation",
    reference: "Référence",
    order: "Commande",
    invoice: "Facture",
    support_reference: "Référence d’assistance",
    refund_to_card: "Remboursement sur votre carte",
    return_to: "Retour chez",
    print_receipt: "Imprimer le reçu",
    back_to_cart: "Retour au panier",
    try_again: "Réessayer",
    starting_new_form: "Ouverture d’un nouveau formulaire sécurisé…",
    countdown_before: "Pour votre sécurité, ce formulaire se renouvelle dans ",
    countdown_after: ". Il faudra saisir de nouveau ce que vous avez entré.",
    refreshing: "Renouvellement du formulaire sécurisé…",
    slow: "Cela prend plus de temps que d’habitude. Vous ne serez pas débité deux fois; le résultat s’affichera dès qu’il sera confirmé.",
    language: "Langue",
    unavailable_payment: "Le formulaire de paiement sécurisé ne peut pas s’ouvrir pour le moment. Rien n’a été débité; veuillez réessayer dans un instant.",
    unavailable_refund: "Le formulaire de remboursement sécurisé ne peut pas s’ouvrir pour le moment. Rien n’a été versé; veuillez réessayer dans un instant.",
    locked_payment: "Ce lien de paiement est suspendu après plusieurs cartes refusées. Rien n’a été débité. Veuillez contacter le commerçant pour continuer.",
    locked_refund: "Ce lien de remboursement est suspendu après plusieurs cartes refusées. Rien n’a été versé. Veuillez contacter le commerçant pour continuer.",
    canceled_refund: "Le commerçant a annulé ce lien de remboursement. Rien n’a été versé par ce lien. Veuillez contacter le commerçant si vous attendiez un remboursement.",
    canceled_payment: "Le commerçant a annulé ce lien de paiement. Rien n’a été débité par ce lien. Veuillez retourner sur la boutique pour vérifier votre commande.",
    too_many_tries: "Plusieurs cartes ont été essayées depuis votre réseau en peu de temps. Veuillez patienter quelques minutes, puis réessayer.",
    not_found_link: "Ce lien de paiement est introuvable. Vérifiez l’adresse, ou demandez un nouveau lien au marchand.",
    invalid_refund_link: "Ce lien de remboursement n’est pas valide. Ouvrez le lien exact que vous avez reçu, ou demandez-en un nouveau au marchand.",
    form_unavailable: "Formulaire sécurisé indisponible",
    link_paused: "Lien suspendu",
    something_wrong: "Une erreur s’est produite",
    page_not_found: "Page introuvable",
    page_not_found_text: "Vérifiez l’adresse, ou demandez un nouveau lien au marchand.",
    new_card_heading: "Où devons-nous verser votre remboursement?",
    new_card_intro: "La carte utilisée pour payer ne peut plus recevoir d’argent (son compte est fermé). Saisissez une autre carte à votre nom : le remboursement y sera versé.",
    card_number: "Numéro de carte",
    name_on_card: "Nom sur la carte",
    expiration: "Date d’expiration (MM/AA)",
    security_code: "Code de sécurité",
    card_fields_loading: "Chargement du formulaire de carte sécurisé…",
    card_fields_unavailable: "Le formulaire de carte sécurisé n’a pas pu se charger. Rien n’a été versé; veuillez recharger la page dans un instant.",
    sending_card: "Envoi du remboursement…",
    check_card: "Vérifiez les informations de la carte : chaque champ est requis et doit être valide.",
    card_not_sent: "Votre carte n’a pas pu être transmise au formulaire sécurisé. Rien n’a été versé; veuillez réessayer.",
    send_refund_to_card: "Verser le remboursement sur cette carte",
};

pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::En => &EN,
        Locale::Fr => &FR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Locale::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Some(Locale::Fr)
        );
        assert_eq!(
            Locale::from_accept_language("de-DE,en;q=0.5,fr;q=0.4"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("en;q=0.2, fr;q=0.7"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::from_accept_language("de,es"), None);
        assert_eq!(Locale::from_accept_language("fr;q=0"), None);
        assert_eq!(
            Locale::choose(Some("en"), Some("fr"), Some("fr-CA")),
            Locale::En
        );
        assert_eq!(Locale::choose(None, Some("fr"), Some("en")), Locale::Fr);
        assert_eq!(Locale::choose(Some("xx"), None, Some("fr-CA")), Locale::Fr);
        assert_eq!(Locale::choose(None, None, None), Locale::En);
    }

    #[test]
    fn amounts_are_formatted_for_the_language() {
        assert_eq!(
            Locale::En.money(Money::new(123456, Currency::Cad)),
            "$1,234.56 CAD"
        );
        assert_eq!(
            Locale::Fr.money(Money::new(123456, Currency::Cad)),
            "1\u{202f}234,56\u{a0}$\u{a0}CA"
        );
        assert_eq!(
            Locale::Fr.money(Money::new(5000, Currency::Usd)),
            "50,00\u{a0}$\u{a0}US"
        );
        assert_eq!(
            Locale::Fr.money(Money::new(5, Currency::Cad)),
            "0,05\u{a0}$\u{a0}CA"
        );
    }
}
