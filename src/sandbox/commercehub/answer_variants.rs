//! The documented variants of Commerce Hub's answers, applied when the simulator runs with a
//! variants seed: an amount as a number or a string (the spec's inquiry example, CH:9876), an
//! approval as `000`, `00000` or `000000` (CH:9938), `captureFlag` as a boolean or a string, one
//! token or two (TRANSARMOR and CHASE, CH:8375), and each error shape (CH:1883).

use serde_json::{json, Value};

use crate::sandbox::variants::Variants;

/// Where an error answer puts its `error` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorShape {
    /// `{"gatewayResponse": …, "error": […]}`.
    TopLevel,
    /// `{"errorResponse": {"gatewayResponse": …, "error": […]}}`.
    Wrapped,
    /// `{"gatewayResponse": {…, "error": […]}}`, as the spec's 500, 503 and 504 examples.
    InGatewayResponse,
}

impl ErrorShape {
    pub fn parse(name: &str) -> Option<ErrorShape> {
        match name {
            "top-level" => Some(ErrorShape::TopLevel),
            "wrapped" => Some(ErrorShape::Wrapped),
            "in-gateway-response" => Some(ErrorShape::InGatewayResponse),
            _ => None,
        }
    }

    /// A shape for an answer with this status: the spec shows the third one on server errors.
    pub fn varied(variants: &Variants, server_error: bool) -> ErrorShape {
        if server_error {
            variants.pick(&[
                ErrorShape::TopLevel,
                ErrorShape::InGatewayResponse,
                ErrorShape::Wrapped,
            ])
        } else {
            variants.pick(&[ErrorShape::TopLevel, ErrorShape::Wrapped])
        }
    }
}

/// A processed transaction's answer with its approval in one of its documented codes.
pub fn vary_transaction(answer: &mut Value, variants: &Variants) {
    let details = &mut answer["paymentReceipt"]["processorResponseDetails"];
    if details["responseCode"] == "000" {
        details["responseCode"] = json!(variants.pick(&["000", "000000", "00000"]));
    }
}

/// A transaction as an inquiry shows it: the spec's own inquiry examples write the amount and
/// `captureFlag` as strings (CH:9876, where its schema says number and boolean), so only an
/// inquiry's answer takes those forms.
pub fn vary_inquiry(answer: &mut Value, variants: &Variants) {
    if let Some(total) = answer["paymentReceipt"]["approvedAmount"]["total"].as_f64() {
        if variants.pick(&[false, true]) {
            answer["paymentReceipt"]["approvedAmount"]["total"] = json!(format!("{total:.2}"));
        }
    }
    if variants.pick(&[false, true]) {
        answer["transactionDetails"]["captureFlag"] = json!("true");
    }
}

/// The tokens of a tokenization: the TRANSARMOR one alone, or beside a CHASE one in either order.
pub fn payment_tokens(transarmor: &str, variants: &Variants) -> Value {
    let token = |data: &str, source: &str| json!({ "tokenData": data, "tokenSource": source, "tokenResponseCode": "000", "tokenResponseDescription": "SUCCESS" });
    let chase_data: String = transarmor.chars().rev().collect();
    match variants.pick(&[0, 1, 2]) {
        1 => json!([token(transarmor, "TRANSARMOR"), token(&chase_data, "CHASE")]),
        2 => json!([token(&chase_data, "CHASE"), token(transarmor, "TRANSARMOR")]),
        _ => json!([token(transarmor, "TRANSARMOR")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_keeps_the_canonical_answer_and_on_reaches_every_form() {
        let canonical = json!({"paymentReceipt": {"approvedAmount": {"total": 12.04},
            "processorResponseDetails": {"responseCode": "000"}}, "transactionDetails": {"captureFlag": true}});
        let mut same = canonical.clone();
        vary_transaction(&mut same, &Variants::off());
        vary_inquiry(&mut same, &Variants::off());
        assert_eq!(same, canonical);
        assert_eq!(
            payment_tokens("1234", &Variants::off())
                .as_array()
                .unwrap()
                .len(),
            1
        );

        let on = Variants::from_seed(Some(3));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let mut varied = canonical.clone();
            vary_transaction(&mut varied, &on);
            vary_inquiry(&mut varied, &on);
            seen.insert(varied["paymentReceipt"]["approvedAmount"]["total"].to_string());
            seen.insert(
                varied["paymentReceipt"]["processorResponseDetails"]["responseCode"].to_string(),
            );
            seen.insert(varied["transactionDetails"]["captureFlag"].to_string());
            seen.insert(format!(
                "tokens {}",
                payment_tokens("1234", &on).as_array().unwrap().len()
            ));
            seen.insert(format!("{:?}", ErrorShape::varied(&on, true)));
        }
        for form in [
            "12.04",
            "\"12.04\"",
            "\"000\"",
            "\"000000\"",
            "\"00000\"",
            "true",
            "\"true\"",
            "tokens 1",
            "tokens 2",
            "TopLevel",
            "Wrapped",
            "InGatewayResponse",
        ] {
            assert!(seen.contains(form), "{form} never drawn: {seen:?}");
        }
    }
}
