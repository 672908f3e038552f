//! Every example Fiserv's Commerce Hub spec gives for the operations paydesk uses (refunds,
//! transaction inquiry, security credentials, tokens, and their errors) is read by paydesk's wire
//! types and leads to the outcome the spec means.

use paydesk_core::gateways::commercehub::amount::Total;
use paydesk_core::gateways::commercehub::interpret::{
    cancel_outcome, is_cancel, outcome, released,
};
use paydesk_core::gateways::commercehub::wire::{
    RefundResponse, SecurityCredentials, TokenResponse,
};
use paydesk_core::gateways::commercehub::CommerceHubError;
use paydesk_core::gateways::{Effect, Outcome};
use serde_json::Value;

use crate::specs::{commercehub, error_examples, example};

fn approved(amount: i64) -> Outcome {
    Outcome::Approved {
        approved: Some(amount),
        requested: Some(amount),
    }
}

#[test]
fn the_refund_example_is_an_approval_of_its_amount() {
    let answer: RefundResponse =
        serde_json::from_value(example(&commercehub(), "RefundResponse")).unwrap();
    assert_eq!(outcome(&answer, 1204).0, approved(1204));
    assert_eq!(
        answer
            .gateway_response
            .transaction_processing_details
            .transaction_id
            .as_deref(),
        Some("84356531338")
    );
}

/// CH:6935: a cancel's answer (200) carries the original's state, `AUTHORIZED`; read as a cancel it
/// is an approval of its amount (12.04), and the reconciliation counts it as released.
#[test]
fn the_cancel_example_is_an_approval_of_its_amount() {
    let answer: RefundResponse =
        serde_json::from_value(example(&commercehub(), "CancelResponse")).unwrap();
    assert!(is_cancel(&answer));
    assert_eq!(cancel_outcome(&answer, 1204).0, approved(1204));
    assert_eq!(released(&answer, 1204), Some(1204));
}

/// CH:9861: `total: '690'` is a string and `captureFlag: 'true'` too; paydesk once rejected the
/// whole answer, and a refund looked up this way stayed `processing` for ever.
#[test]
fn the_inquiry_examples_are_read_with_string_amounts_and_six_digit_codes() {
    let spec = commercehub();
    for (name, total, code) in [
        ("TransactionInquiryResponse", 69_000, "000"),
        (
            "TransactionInquiryByMerchantOrderIdResponse",
            1693,
            "000000",
        ),
    ] {
        let answers: Vec<RefundResponse> =
            serde_json::from_value(example(&spec, name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(answers.len(), 1, "{name}");
        let receipt = answers[0].payment_receipt.as_ref().unwrap();
        assert_eq!(
            receipt.approved_amount.as_ref().unwrap().total,
            Total(total),
            "{name}"
        );
        assert_eq!(
            outcome(&answers[0], total),
            (approved(total), Some(code.into())),
            "{name}"
        );
        // What was approved is not what was asked: never a full approval.
        assert_ne!(
            outcome(&answers[0], total + 1).0,
            approved(total + 1),
            "{name}"
        );
    }
}

#[test]
fn the_credentials_example_is_read() {
    let credentials: SecurityCredentials =
        serde_json::from_value(example(&commercehub(), "SecurityCredentialsResponse")).unwrap();
    assert_eq!(credentials.key_id, "dc86c901145e47fb8e339bf11af1e0b1");
    assert_eq!(credentials.access_token_time_to_live, Some(1799));
    assert!(!credentials.access_token.is_empty() && !credentials.session_id.is_empty());
}

/// CH:8375: two tokens, TRANSARMOR and CHASE; the refund is sent with the TransArmor one.
#[test]
fn the_token_example_gives_its_transarmor_token() {
    let spec = commercehub();
    let tokens: TokenResponse =
        serde_json::from_value(example(&spec, "PaymentCardTokenResponse")).unwrap();
    assert_eq!(tokens.payment_tokens.len(), 2);
    let chosen = tokens.transarmor_token().expect("a TransArmor token");
    assert_eq!(chosen.token_data, "8519371934460009");

    let mut chase_first = example(&spec, "PaymentCardTokenResponse");
    chase_first["paymentTokens"]
        .as_array_mut()
        .unwrap()
        .reverse();
    let tokens: TokenResponse = serde_json::from_value(chase_first).unwrap();
    assert_eq!(
        tokens.transarmor_token().unwrap().token_data,
        "8519371934460009"
    );

    let mut not_made = example(&spec, "PaymentCardTokenResponse");
    not_made["paymentTokens"][0]["tokenResponseCode"] = Value::from("401");
    let tokens: TokenResponse = serde_json::from_value(not_made).unwrap();
    assert!(
        tokens.transarmor_token().is_none(),
        "a token that was not made"
    );
}

/// Every documented error answer keeps its message and trace, whichever of the three shapes it
/// uses (CH:1775–1925: `error` at the top level, or inside `gatewayResponse` for 500/503/504), and
/// says whether the request may have acted.
#[test]
fn every_error_example_is_read_with_its_message_and_effect() {
    let spec = commercehub();
    let examples = error_examples(&spec);
    assert_eq!(examples.len(), 10, "the spec's error responses");
    for (name, body) in examples {
        let status = match name.as_str() {
            "BadRequest" => 400,
            "Unauthorized" => 401,
            "NotFound" => 404,
            "RequestTimeout" => 408,
            "UnsupportedMediaType" => 415,
            "TooEarly" => 425,
            "TooManyRequest" => 429,
            "ServerError" => 500,
            "ServiceUnavailable" => 503,
            "GatewayTimeout" => 504,
            other => panic!("an error response paydesk does not know: {other}"),
        };
        let error = CommerceHubError::from_answer(status, None, body.to_string().as_bytes());
        let CommerceHubError::Api { items, .. } = &error else {
            panic!("{name}: not read as Commerce Hub's error: {error:?}");
        };
        assert!(
            items.iter().any(|item| item.message.is_some()),
            "{name}: its message is lost: {error}"
        );
        assert_eq!(
            error.api_trace_id(),
            Some("7027b61dbf7645399d204dbfa0de0870"),
            "{name}"
        );
        let may_have_acted = matches!(status, 408 | 425 | 500..=599);
        assert_eq!(
            error.effect(),
            if may_have_acted {
                Effect::Unknown
            } else {
                Effect::None
            },
            "{name}"
        );
    }
}
