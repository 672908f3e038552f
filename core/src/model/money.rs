//! Money in integer minor units, and the currencies the gateway settles.

use serde::{Deserialize, Serialize};

/// The currencies the gateway settles (US and Canada).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "CAD")]
    Cad,
}

/// A currency code in a request, as its schema documents it: one of [`Currency::ALL`].
#[cfg(feature = "server")]
pub fn currency_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let codes = Currency::ALL
        .iter()
        .map(|c| serde_json::Value::from(c.code()))
        .collect();
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        enum_values: Some(codes),
        ..Default::default()
    }
    .into()
}

impl Currency {
    pub const ALL: [Currency; 2] = [Currency::Usd, Currency::Cad];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Cad => "CAD",
        }
    }

    /// Parses an ISO 4217 code, case-insensitively.
    pub fn parse(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// `1234567` as `1,234,567` (with `separator` between groups of three digits).
pub fn group_thousands(number: u32, separator: char) -> String {
    let digits = number.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(ch);
    }
    grouped
}

/// An amount in integer minor units (cents) with its currency. Never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: u32,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: u32, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Money as stored (minor units and an ISO code); `None` for an amount or a currency paydesk
    /// cannot show.
    pub fn from_stored(minor: i64, currency: &str) -> Option<Self> {
        Some(Money::new(
            u32::try_from(minor).ok()?,
            Currency::parse(currency)?,
        ))
    }

    /// "$12.34 USD": unambiguous for both currencies, which share the dollar sign.
    pub fn display(&self) -> String {
        let whole = self.minor / 100;
        let cents = self.minor % 100;
        let grouped = group_thousands(whole, ',');
        format!("${grouped}.{cents:02} {}", self.currency.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_from_minor_units() {
        assert_eq!(Money::new(1999, Currency::Usd).display(), "$19.99 USD");
        assert_eq!(Money::new(5, Currency::Cad).display(), "$0.05 CAD");
        assert_eq!(
            Money::new(123456789, Currency::Usd).display(),
            "$1,234,567.89 USD"
        );
        assert_eq!(Money::new(100000, Currency::Usd).display(), "$1,000.00 USD");
    }

    #[test]
    fn currency_parses_case_insensitively_and_rejects_others() {
        assert_eq!(Currency::parse("cad"), Some(Currency::Cad));
        assert_eq!(Currency::parse("USD"), Some(Currency::Usd));
        assert_eq!(Currency::parse("EUR"), None);
    }
}
