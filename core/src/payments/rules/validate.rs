//! The field rules every merchant request shares (amounts, currencies, texts, URLs, lifetimes),
//! each naming the field as the API spells it.

use crate::model::Currency;
use crate::origin::origin_of;
use crate::payments::error::FieldError;

pub const MAX_AMOUNT: i64 = 999_999_999;
pub const MAX_REFERENCE_LEN: usize = 100;
pub const MAX_DESCRIPTION_LEN: usize = 500;
const MAX_URL_LEN: usize = 2000;
const MIN_TTL_SECS: i64 = 60;
const MAX_TTL_SECS: i64 = 30 * 24 * 3600;

pub fn check_amount(amount: i64) -> Result<(), FieldError> {
    if (1..=MAX_AMOUNT).contains(&amount) {
        Ok(())
    } else {
        Err(FieldError::new(
            "amount",
            "amount must be a whole number of minor units (cents) between 1 and 999999999.",
        ))
    }
}

pub fn check_currency(code: &str) -> Result<Currency, FieldError> {
    Currency::parse(code)
        .ok_or_else(|| FieldError::new("currency", "currency must be \"USD\" or \"CAD\"."))
}

/// A link lifetime (`expiresInSeconds`), when given.
pub fn check_ttl(seconds: Option<i64>) -> Result<(), FieldError> {
    match seconds {
        Some(ttl) if !(MIN_TTL_SECS..=MAX_TTL_SECS).contains(&ttl) => Err(FieldError::new(
            "expiresInSeconds",
            format!("expiresInSeconds must be between {MIN_TTL_SECS} and {MAX_TTL_SECS}."),
        )),
        _ => Ok(()),
    }
}

pub fn check_text(field: &str, value: Option<&str>, max: usize) -> Result<(), FieldError> {
    let Some(value) = value else { return Ok(()) };
    if value.trim().is_empty() {
        return Err(FieldError::new(
            field,
            format!("{field} must not be empty when given."),
        ));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("{field} must be at most {max} characters."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("{field} must not contain control characters."),
        ));
    }
    if let Some(invisible) = value.chars().find(|c| is_invisible_format(*c)) {
        return Err(FieldError::new(
            field,
            format!(
                "{field} must not contain invisible formatting characters (found U+{:04X}): they can make text read differently than it is.",
                u32::from(invisible)
            ),
        ));
    }
    Ok(())
}

/// Unicode's format characters (general category Cf, Unicode 15): bidirectional overrides and
/// isolates, zero-width spaces and joiners, the byte-order mark, invisible operators, tags. Shown to
/// a customer or staff member they can reorder or hide text (an order number that reads like
/// another one).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

pub fn check_url(field: &str, value: Option<&str>) -> Result<(), FieldError> {
    let Some(value) = value else { return Ok(()) };
    if value.len() > MAX_URL_LEN
        || origin_of(value).is_none()
        || value.chars().any(|c| c.is_control() || c == ' ')
    {
        return Err(FieldError::new(
            field,
            format!("{field} must be an absolute http:// or https:// URL of at most {MAX_URL_LEN} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_format_characters_are_refused_and_named() {
        for sneaky in [
            "A-1\u{202E}001",
            "A\u{200B}1",
            "\u{FEFF}A1",
            "A\u{2066}1\u{2069}",
        ] {
            let error = check_text("orderNumber", Some(sneaky), 100).unwrap_err();
            assert_eq!(error.field, "orderNumber");
            assert!(error.message.contains("invisible"), "{}", error.message);
        }
        for fine in ["Commande n° 12 — été", "注文 42", "Café ☕"] {
            assert!(check_text("description", Some(fine), 100).is_ok(), "{fine}");
        }
    }
}

#[cfg(test)]
mod documented_bounds {
    use super::*;
    use crate::payments::{NewCheckout, NewRefundLink};
    use serde_json::Value;

    fn properties<T: schemars::JsonSchema>() -> Value {
        let mut settings = schemars::gen::SchemaSettings::draft2019_09();
        settings.definitions_path = "#/components/schemas/".into();
        let schema = settings.into_generator().into_root_schema_for::<T>();
        serde_json::to_value(schema).unwrap_or_default()["properties"].clone()
    }

    /// The bounds the API's document states are the ones these checks enforce.
    #[test]
    fn the_request_schemas_state_the_checked_bounds() {
        for properties in [properties::<NewCheckout>(), properties::<NewRefundLink>()] {
            assert_eq!(properties["amount"]["minimum"], 1.0);
            assert_eq!(properties["amount"]["maximum"], MAX_AMOUNT as f64);
            assert_eq!(
                properties["currency"]["enum"],
                serde_json::json!(["USD", "CAD"])
            );
            assert_eq!(properties["orderNumber"]["maxLength"], MAX_REFERENCE_LEN);
            assert_eq!(properties["referenceId"]["maxLength"], MAX_REFERENCE_LEN);
            assert_eq!(properties["returnUrl"]["maxLength"], MAX_URL_LEN);
            assert_eq!(
                properties["expiresInSeconds"]["minimum"],
                MIN_TTL_SECS as f64
            );
            assert_eq!(
                properties["expiresInSeconds"]["maximum"],
                MAX_TTL_SECS as f64
            );
        }
        assert_eq!(
            properties::<NewCheckout>()["description"]["maxLength"],
            MAX_DESCRIPTION_LEN
        );
        assert_eq!(
            properties::<NewRefundLink>()["reason"]["maxLength"],
            MAX_DESCRIPTION_LEN
        );
    }
}
