//! The closed list of the merchant API's error codes, each with what it means: published as the
//! `ErrorCode` enum of the OpenAPI document, and checked against every code the source can answer.

use paydesk_core::payments::named_string_enum;
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;

/// Every `error.code`, with its meaning.
pub const ERROR_CODES: &[(&str, &str)] = &[
    (
        "invalid_field",
        "A field is missing or wrong; `field` names it.",
    ),
    (
        "invalid_json",
        "The body is not the JSON the operation takes.",
    ),
    (
        "invalid_header",
        "A header is malformed (e.g. `Idempotency-Key`).",
    ),
    ("invalid_query", "An unknown or malformed query parameter."),
    ("invalid_request", "The request cannot be read."),
    (
        "unsupported_media_type",
        "The body is not `application/json`.",
    ),
    ("payload_too_large", "The body is over the size limit."),
    (
        "method_not_allowed",
        "The path exists, not with this method.",
    ),
    ("unauthorized", "No valid API token."),
    (
        "insufficient_scope",
        "The token lacks the scope the operation needs.",
    ),
    (
        "rate_limited",
        "Too many requests: retry after `Retry-After` seconds.",
    ),
    ("not_found", "No such object."),
    (
        "reference_id_conflict",
        "The `referenceId` was used by a different request.",
    ),
    (
        "idempotency_conflict",
        "The `Idempotency-Key` was used by a different request.",
    ),
    (
        "currency_not_enabled",
        "The gateway account takes no payments in this currency.",
    ),
    (
        "gateway_unavailable",
        "The gateway could not be reached; nothing was decided.",
    ),
    (
        "gateway_rejected",
        "The gateway refused the request (nothing happened).",
    ),
    (
        "internal_error",
        "paydesk could not complete the request: quote `requestId`.",
    ),
    ("not_authorized", "The payment is not authorized (yet)."),
    ("not_captured", "Nothing was captured to refund."),
    (
        "already_captured",
        "The authorization was captured already (once per authorization).",
    ),
    ("already_voided", "The payment was voided."),
    (
        "partially_refunded",
        "Part was refunded: the capture can no longer be voided.",
    ),
    ("amount_required", "This operation needs an amount."),
    ("exceeds_balance", "The amount is more than what remains."),
    (
        "operation_in_progress",
        "Another operation on this payment is under way.",
    ),
    (
        "refund_not_declined",
        "Only a declined refund can go to a new card.",
    ),
    (
        "cannot_cancel",
        "It can no longer be canceled (paid, ended or expired).",
    ),
    (
        "payment_form_open",
        "A payment form is open: a card may already be on its way.",
    ),
    (
        "payout_form_open",
        "A payout form is open: a card may already be on its way.",
    ),
    ("cannot_reverse", "The device refund cannot be reversed."),
    (
        "cannot_pay",
        "Sandbox helper: this checkout takes no payment.",
    ),
    (
        "already_paid",
        "Sandbox helper: this checkout is paid already.",
    ),
    (
        "unbound_payouts_forbidden",
        "Payouts not bound to a payment are switched off.",
    ),
    (
        "payout_over_limit",
        "The payout is over the configured limit.",
    ),
    (
        "daily_payout_limit",
        "Today's payouts would pass the daily limit.",
    ),
    (
        "already_decided",
        "The payout approval was decided already.",
    ),
    (
        "same_person",
        "A payout is approved by a second person, not the one who asked.",
    ),
    (
        "device_refunds_off",
        "Payroc is not configured: no device refunds.",
    ),
    (
        "gateway_refunds_off",
        "Commerce Hub is not configured: no refunds of its charges.",
    ),
    (
        "refund_in_progress",
        "A refund of this charge is under way.",
    ),
];

/// The schema of `error.code`: the `ErrorCode` enum, its meanings in the description.
pub fn error_code_schema(generator: &mut SchemaGenerator) -> Schema {
    let codes: Vec<&str> = ERROR_CODES.iter().map(|(code, _)| *code).collect();
    let meanings: Vec<String> = ERROR_CODES
        .iter()
        .map(|(code, meaning)| format!("`{code}`: {meaning}"))
        .collect();
    named_string_enum(
        generator,
        "ErrorCode",
        &format!("Stable, machine-readable. {}", meanings.join(" ")),
        &codes,
    )
}

#[cfg(test)]
mod tests {
    use super::ERROR_CODES;

    /// The code-like string literal `text` starts with (after any whitespace).
    fn literal_at(text: &str) -> Option<&str> {
        let rest = text.trim_start().strip_prefix('"')?;
        let literal = &rest[..rest.find('"')?];
        literal
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
            .then_some(literal)
    }

    /// The string literals that follow `prefix` (after any whitespace) in `text`.
    fn literals_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
        text.match_indices(prefix)
            .filter_map(|(at, _)| literal_at(&text[at + prefix.len()..]))
            .collect()
    }

    fn sources(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn every_code_the_source_answers_is_in_the_list_once() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        sources(&root.join("core/src/payments"), &mut texts);
        sources(&root.join("src/api"), &mut texts);
        let mut answered = Vec::new();
        for text in &texts {
            for prefix in ["refuse(", "refused(", "code: "] {
                answered.extend(literals_after(text, prefix));
            }
            for (at, _) in text.match_indices("StatusCode::") {
                let rest = &text[at..];
                let name_end = "StatusCode::".len()
                    + rest["StatusCode::".len()..]
                        .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                        .unwrap_or(0);
                if let Some(comma) = Some(name_end).filter(|end| rest[*end..].starts_with(',')) {
                    answered.extend(literal_at(&rest[comma + 1..]));
                }
            }
        }
        let listed: Vec<&str> = ERROR_CODES.iter().map(|(code, _)| *code).collect();
        assert!(
            answered.len() > 20,
            "the scan finds the codes: {answered:?}"
        );
        for code in answered {
            assert!(
                listed.contains(&code),
                "{code} is answered but not in ERROR_CODES"
            );
        }
        let mut unique = listed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), listed.len(), "each code once");
    }
}
