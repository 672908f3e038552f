//! The field rules every merchant request shares (amounts, currencies, texts, URLs, lifetimes),
//! each naming the field as the API spells it.

use super::error::FieldError;
use crate::model::Currency;
use crate::server::origin::origin_of;

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
    Ok(())
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
