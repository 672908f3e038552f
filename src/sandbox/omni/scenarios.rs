//! Test cards: which card number produces which gateway result. Shown on the hosted form and in the
//! book (docs/evaluating/test-cards.md).

/// What the sandbox's "issuer" does with a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// responseCode 1.
    Approve,
    /// A completed transaction with this declining responseCode.
    Decline {
        response_code: i64,
        text: &'static str,
    },
    /// resultCode 3000: the gateway failed; no approval.
    GatewayError,
    /// Approved, but the account is closed afterwards: every later refund to it is declined.
    ClosedAccount,
}

/// How a closed account answers a refund: `INVALID_PAYMENT_INFO` (14), "CLOSED ACCOUNT".
pub const CLOSED_ACCOUNT_RESPONSE: (i64, &str) = (14, "CLOSED ACCOUNT");

impl Scenario {
    /// A closed account's refund decline, as a scenario.
    pub const CLOSED_ACCOUNT_DECLINE: Scenario = Scenario::Decline {
        response_code: CLOSED_ACCOUNT_RESPONSE.0,
        text: CLOSED_ACCOUNT_RESPONSE.1,
    };
}

/// A documented test card.
pub struct TestCard {
    pub number: &'static str,
    pub scenario: Scenario,
    pub label: &'static str,
}

pub const TEST_CARDS: &[TestCard] = &[
    TestCard {
        number: "4111111111111111",
        scenario: Scenario::Approve,
        label: "Approved (Visa)",
    },
    TestCard {
        number: "5555555555554444",
        scenario: Scenario::Approve,
        label: "Approved (Mastercard)",
    },
    TestCard {
        number: "4000000000000002",
        scenario: Scenario::Decline {
            response_code: 10,
            text: "DECLINED",
        },
        label: "Declined",
    },
    TestCard {
        number: "4000000000009995",
        scenario: Scenario::Decline {
            response_code: 11,
            text: "INSUFFICIENT FUNDS",
        },
        label: "Declined: insufficient funds",
    },
    TestCard {
        number: "4000000000000069",
        scenario: Scenario::Decline {
            response_code: 12,
            text: "EXPIRED CARD",
        },
        label: "Declined: expired card",
    },
    TestCard {
        number: "4000000000000119",
        scenario: Scenario::GatewayError,
        label: "Gateway error (resultCode 3000)",
    },
    TestCard {
        number: "4000000000000341",
        scenario: Scenario::ClosedAccount,
        label: "Approved, then closed: refunds to it are declined",
    },
];

/// The scenario for a (digits-only) card number. Any other valid number is approved.
pub fn scenario_for(card_number: &str) -> Scenario {
    TEST_CARDS
        .iter()
        .find(|card| card.number == card_number)
        .map_or(Scenario::Approve, |card| card.scenario)
}

/// Luhn check of a digits-only string.
pub fn luhn_valid(digits: &str) -> bool {
    if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card brand the sandbox reports, from the first digits.
pub fn card_type(digits: &str) -> &'static str {
    match digits.as_bytes().first() {
        Some(b'4') => "VISA",
        Some(b'5') | Some(b'2') => "MASTERCARD",
        Some(b'3') => "AMEX",
        Some(b'6') => "DISCOVER",
        _ => "UNKNOWN",
    }
}

/// "4111 1111 1111 1111" for display.
pub fn grouped(number: &str) -> String {
    number
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_passes_luhn() {
        for card in TEST_CARDS {
            assert!(luhn_valid(card.number), "{}", card.number);
        }
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("41111"));
    }

    #[test]
    fn scenarios_by_card() {
        assert_eq!(scenario_for("4111111111111111"), Scenario::Approve);
        assert_eq!(scenario_for("4000000000000119"), Scenario::GatewayError);
        assert!(matches!(
            scenario_for("4000000000009995"),
            Scenario::Decline {
                response_code: 11,
                ..
            }
        ));
        assert_eq!(scenario_for("4242424242424242"), Scenario::Approve);
        assert_eq!(card_type("5555555555554444"), "MASTERCARD");
        assert_eq!(grouped("4111111111111111"), "4111 1111 1111 1111");
    }
}
