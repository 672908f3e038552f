//! Pure parsing of messages from the hosted-form iframe, and the origin checks that decide whether
//! to listen at all.
//!
//! Everything here is a *hint*: a message can make the page ask the server, never make it show
//! "paid".

use serde_json::Value;

/// The longest string we keep from a message; anything longer is not a gateway id.
const MAX_FIELD_LEN: usize = 200;
/// The `type` our own return page uses when it lands inside the payment iframe.
pub const RETURNED_MESSAGE_TYPE: &str = "paydesk.returned";

/// What the hosted form says happened. A hint, to be confirmed by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResultHint {
    Approved,
    NotApproved,
    Cancelled,
}

/// A message the payment page acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameMessage {
    /// The hosted form finished (vendor-style result).
    FormResult {
        hint: ResultHint,
        transaction_id: Option<String>,
        reference_id: Option<String>,
    },
    /// The hosted form asks for a height, in CSS pixels (bounded).
    Resize { height: u32 },
    /// Our own return page has loaded inside the iframe: the form is done.
    Returned { checkout_id: String },
}

/// Which origin a message must come from to be considered at all.
pub struct TrustedOrigins<'a> {
    /// Exact origin of the current iframe URL.
    pub hosted_form: &'a str,
    /// Exact origin of this page (our return page lives here).
    pub own: &'a str,
}

/// Classifies a message by its origin and content. `data_json` is `JSON.stringify(event.data)`.
/// Returns `None` for anything from another origin or not matching a known schema.
/// The caller must separately check that `event.source` is the iframe's window.
pub fn classify(
    event_origin: &str,
    trusted: &TrustedOrigins<'_>,
    data_json: &str,
) -> Option<FrameMessage> {
    if event_origin.is_empty() || event_origin == "null" {
        return None;
    }
    if event_origin == trusted.hosted_form {
        parse_hosted_form_message(data_json)
    } else if event_origin == trusted.own {
        parse_returned_message(data_json)
    } else {
        None
    }
}

/// Parses the hosted form's messages. Accepts the vendor-style `fiskaPaymentResult` shape, the flat
/// `{status: completed|error|canceled}` shape, and `{type|action: "resize", height}`; either as an
/// object or as a JSON string.
pub fn parse_hosted_form_message(data_json: &str) -> Option<FrameMessage> {
    let value = decode(data_json)?;
    let obj = value.as_object()?;
    let kind = obj.get("type").and_then(Value::as_str);
    let action = obj.get("action").and_then(Value::as_str);
    if kind == Some("resize") || action == Some("resize") {
        let height = obj.get("height")?.as_f64()?;
        if !height.is_finite() || height < 0.0 {
            return None;
        }
        return Some(FrameMessage::Resize {
            height: height.round().clamp(120.0, 2000.0) as u32,
        });
    }
    if kind == Some("fiskaPaymentResult") {
        let data = obj.get("data")?.as_object()?;
        let success = data.get("success")?.as_bool()?;
        return Some(FrameMessage::FormResult {
            hint: if success {
                ResultHint::Approved
            } else {
                ResultHint::NotApproved
            },
            transaction_id: short_string(data.get("transactionId")),
            reference_id: short_string(data.get("referenceId")),
        });
    }
    if kind.is_none() {
        let hint = match obj.get("status").and_then(Value::as_str)? {
            "completed" => ResultHint::Approved,
            "error" => ResultHint::NotApproved,
            "canceled" | "cancelled" => ResultHint::Cancelled,
            _ => return None,
        };
        return Some(FrameMessage::FormResult {
            hint,
            transaction_id: short_string(obj.get("transactionId")),
            reference_id: None,
        });
    }
    None
}

/// Parses the message our return page posts to its parent: `{type: "paydesk.returned",
/// checkoutId}`.
pub fn parse_returned_message(data_json: &str) -> Option<FrameMessage> {
    let value = decode(data_json)?;
    let obj = value.as_object()?;
    if obj.get("type").and_then(Value::as_str) != Some(RETURNED_MESSAGE_TYPE) {
        return None;
    }
    let checkout_id = short_string(obj.get("checkoutId"))?;
    Some(FrameMessage::Returned { checkout_id })
}

/// The JSON our return page posts to its parent.
pub fn returned_message_json(checkout_id: &str) -> String {
    serde_json::json!({ "type": RETURNED_MESSAGE_TYPE, "checkoutId": checkout_id }).to_string()
}

fn decode(data_json: &str) -> Option<Value> {
    if data_json.len() > 64 * 1024 {
        return None;
    }
    match serde_json::from_str::<Value>(data_json).ok()? {
        Value::String(inner) => serde_json::from_str(&inner).ok(),
        other => Some(other),
    }
}

fn short_string(value: Option<&Value>) -> Option<String> {
    let s = value?.as_str()?;
    (!s.is_empty() && s.len() <= MAX_FIELD_LEN).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted() -> TrustedOrigins<'static> {
        TrustedOrigins {
            hosted_form: "http://127.0.0.1:3100",
            own: "http://127.0.0.1:3000",
        }
    }

    const VENDOR_RESULT: &str = r#"{"type":"fiskaPaymentResult","data":{"success":true,"transactionId":"trx_1","referenceId":"pd_1","amount":100}}"#;

    #[test]
    fn vendor_result_from_the_iframe_origin_is_a_hint() {
        assert_eq!(
            classify("http://127.0.0.1:3100", &trusted(), VENDOR_RESULT),
            Some(FrameMessage::FormResult {
                hint: ResultHint::Approved,
                transaction_id: Some("trx_1".into()),
                reference_id: Some("pd_1".into()),
            })
        );
    }

    #[test]
    fn the_same_message_from_any_other_origin_is_ignored() {
        for origin in [
            "http://127.0.0.1:3101",
            "https://127.0.0.1:3100",
            "http://localhost:3100",
            "null",
            "",
            "http://127.0.0.1:3100.evil.com",
        ] {
            assert_eq!(
                classify(origin, &trusted(), VENDOR_RESULT),
                None,
                "{origin}"
            );
        }
        // Our own origin may only send the return-page message, never a payment result.
        assert_eq!(
            classify("http://127.0.0.1:3000", &trusted(), VENDOR_RESULT),
            None
        );
    }

    #[test]
    fn string_encoded_and_flat_shapes_are_tolerated() {
        let stringified = serde_json::to_string(VENDOR_RESULT).unwrap();
        assert!(matches!(
            parse_hosted_form_message(&stringified),
            Some(FrameMessage::FormResult {
                hint: ResultHint::Approved,
                ..
            })
        ));
        assert!(matches!(
            parse_hosted_form_message(r#"{"status":"canceled"}"#),
            Some(FrameMessage::FormResult {
                hint: ResultHint::Cancelled,
                ..
            })
        ));
        assert!(matches!(
            parse_hosted_form_message(r#"{"status":"error","message":"x"}"#),
            Some(FrameMessage::FormResult {
                hint: ResultHint::NotApproved,
                ..
            })
        ));
    }

    #[test]
    fn malformed_messages_are_ignored() {
        for bad in [
            "null",
            "42",
            r#""hello""#,
            r#"{"type":"fiskaPaymentResult"}"#,
            r#"{"type":"fiskaPaymentResult","data":{"success":"yes"}}"#,
            r#"{"type":"somethingElse","data":{"success":true}}"#,
            r#"{"status":"paid"}"#,
            r#"{"type":"resize","height":"tall"}"#,
            "{not json",
        ] {
            assert_eq!(parse_hosted_form_message(bad), None, "{bad}");
        }
    }

    #[test]
    fn resize_is_bounded_and_rounded() {
        assert_eq!(
            parse_hosted_form_message(r#"{"type":"resize","height":412.6}"#),
            Some(FrameMessage::Resize { height: 413 })
        );
        assert_eq!(
            parse_hosted_form_message(r#"{"action":"resize","height":99999}"#),
            Some(FrameMessage::Resize { height: 2000 })
        );
        assert_eq!(
            parse_hosted_form_message(r#"{"type":"resize","height":3}"#),
            Some(FrameMessage::Resize { height: 120 })
        );
    }

    #[test]
    fn return_page_message_only_from_our_origin() {
        let msg = returned_message_json("chk_1");
        assert_eq!(
            classify("http://127.0.0.1:3000", &trusted(), &msg),
            Some(FrameMessage::Returned {
                checkout_id: "chk_1".into()
            })
        );
        assert_eq!(classify("http://127.0.0.1:3100", &trusted(), &msg), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const FORM: &str = "https://hpf.example.io";
    const OWN: &str = "https://pay.example.com";

    /// JSON-ish text: valid messages of every known shape, and garbage.
    fn message() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            (any::<bool>(), ".{0,300}", ".{0,300}").prop_map(|(success, id, reference)| {
                serde_json::json!({"type": "fiskaPaymentResult", "data": {"success": success, "transactionId": id, "referenceId": reference}}).to_string()
            }),
            (".{0,20}", ".{0,300}").prop_map(|(status, id)| {
                serde_json::json!({"status": status, "transactionId": id}).to_string()
            }),
            any::<f64>().prop_map(|h| serde_json::json!({"type": "resize", "height": h}).to_string()),
            ".{0,300}".prop_map(|id| serde_json::json!({"type": RETURNED_MESSAGE_TYPE, "checkoutId": id}).to_string()),
            ".{0,200}".prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        ]
    }

    proptest! {
        /// No message from any other origin is ever considered, whatever it says.
        #[test]
        fn other_origins_are_never_heard(origin in ".{0,60}", data in message()) {
            prop_assume!(origin != FORM && origin != OWN);
            let trusted = TrustedOrigins { hosted_form: FORM, own: OWN };
            prop_assert_eq!(classify(&origin, &trusted, &data), None);
        }

        /// Whatever the trusted frames send, nothing panics, kept strings are bounded and heights
        /// stay in range; our own origin can only say "returned" (never a result).
        #[test]
        fn trusted_messages_are_bounded_hints(data in message()) {
            let trusted = TrustedOrigins { hosted_form: FORM, own: OWN };
            match classify(FORM, &trusted, &data) {
                Some(FrameMessage::Resize { height }) => prop_assert!((120..=2000).contains(&height)),
                Some(FrameMessage::FormResult { transaction_id, reference_id, .. }) => {
                    prop_assert!(transaction_id.is_none_or(|t| t.chars().count() <= MAX_FIELD_LEN));
                    prop_assert!(reference_id.is_none_or(|r| r.chars().count() <= MAX_FIELD_LEN));
                }
                Some(FrameMessage::Returned { .. }) => prop_assert!(false, "the hosted form cannot say 'returned'"),
                None => {}
            }
            match classify(OWN, &trusted, &data) {
                None | Some(FrameMessage::Returned { .. }) => {}
                Some(other) => prop_assert!(false, "our own origin said {:?}", other),
            }
        }
    }
}
