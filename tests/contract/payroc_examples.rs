//! Every example Payroc's spec (v1.0.294) gives for the Payroc Cloud operations paydesk uses —
//! refund instructions, refunds, devices, and their RFC 7807 problems — is read by paydesk's wire
//! types and leads to the outcome the spec means.

use paydesk_core::gateways::payroc::interpret::outcome;
use paydesk_core::gateways::payroc::wire::{
    DeviceList, Problem, Refund, RefundInstruction, RefundPage,
};
use paydesk_core::gateways::payroc::PayrocError;
use paydesk_core::gateways::{Effect, Outcome};
use serde_json::Value;

use crate::specs::payroc;

/// Each (path, method, status, example name, example) of the operations' answers.
fn answers(spec: &Value) -> Vec<(String, String, u16, String, Value)> {
    let mut found = Vec::new();
    for (path, operations) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for (status, response) in responses {
                let Ok(status) = status.parse::<u16>() else {
                    continue;
                };
                let Some(contents) = response["content"].as_object() else {
                    continue;
                };
                for content in contents.values() {
                    for (name, example) in content["examples"].as_object().into_iter().flatten() {
                        found.push((
                            path.clone(),
                            method.clone(),
                            status,
                            name.clone(),
                            example["value"].clone(),
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_success_example_is_read_and_a_refund_is_approved_for_its_amount() {
    let spec = payroc();
    let mut read = 0;
    for (path, method, status, name, example) in answers(&spec) {
        if !(200..300).contains(&status) {
            continue;
        }
        let what = format!("{method} {path} {status} {name}");
        match path.as_str() {
            "/devices/{serialNumber}/refund-instructions"
            | "/refund-instructions/{refundInstructionId}" => {
                serde_json::from_value::<RefundInstruction>(example)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
            }
            "/refunds/{refundId}" => {
                let refund: Refund =
                    serde_json::from_value(example).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(
                    outcome(&refund),
                    Outcome::Approved {
                        approved: Some(4999),
                        requested: Some(4999)
                    },
                    "{what}"
                );
            }
            "/refunds/{refundId}/reverse" => {
                // The refund taken out of the batch: approved once, no money moved now.
                let refund: Refund =
                    serde_json::from_value(example).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert!(
                    matches!(outcome(&refund), Outcome::Failed { .. }),
                    "{what}: {:?}",
                    outcome(&refund)
                );
            }
            "/refunds" => {
                // listRefunds: each refund in it read as `GET /refunds/{refundId}` reads one.
                let page: RefundPage =
                    serde_json::from_value(example).unwrap_or_else(|e| panic!("{what}: {e}"));
                for refund in &page.data {
                    assert_ne!(
                        outcome(refund),
                        Outcome::Unknown,
                        "{what}: {}",
                        refund.refund_id
                    );
                }
            }
            "/devices" => {
                let list: DeviceList =
                    serde_json::from_value(example).unwrap_or_else(|e| panic!("{what}: {e}"));
                // The paged example says where its next page starts (`after=29005020`).
                let expected = (name == "paginatedResults").then(|| "29005020".to_string());
                assert_eq!(list.next_after(), expected, "{what}");
            }
            other => panic!("an operation paydesk does not use: {other}"),
        }
        read += 1;
    }
    assert!(read >= 5, "the spec's success examples: {read}");
}

/// A problem answer is a refusal (nothing happened), except a 5xx, which may have acted, and an
/// `idempotency-key-in-use`: a request under that key exists at Payroc, so it may have acted.
#[test]
fn every_problem_example_is_read_with_its_effect() {
    let spec = payroc();
    let mut read = 0;
    for (path, method, status, name, example) in answers(&spec) {
        if status < 400 {
            continue;
        }
        let what = format!("{method} {path} {status} {name}");
        let problem: Problem =
            serde_json::from_value(example).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(!problem.kind.is_empty(), "{what}: no type");
        let key_in_use = problem.kind.ends_with("#idempotency-key-in-use");
        let error = PayrocError::problem(status, problem);
        let expected = if status >= 500 || key_in_use {
            Effect::Unknown
        } else {
            Effect::None
        };
        assert_eq!(error.effect(), expected, "{what}");
        read += 1;
    }
    assert!(read >= 30, "the spec's problem examples: {read}");
}
