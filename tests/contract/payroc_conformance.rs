//! Every request paydesk's Payroc client builds, and every answer the Payroc simulator gives it,
//! validated against the schema Payroc's OpenAPI 3.1 spec gives that operation and status: a refund
//! tapped to its end, a cancel, a cancel too late, a reused key, unknown ids and devices, the device
//! list.

use std::time::Duration;

use paydesk::sandbox::payroc::{PayrocSandboxConfig, RunningPayrocSandbox};
use paydesk::sandbox::variants::Variants;
use paydesk_core::gateways::payroc::interpret::outcome;
use paydesk_core::gateways::payroc::wire::{
    CustomizationOptions, EntryMethod, InstructionOrder, InstructionStatus,
    RefundInstructionRequest,
};
use paydesk_core::gateways::payroc::{CancelOutcome, PayrocApiKey, PayrocClient, PayrocEndpoints};
use paydesk_core::gateways::Outcome;
use serde_json::Value;

use crate::recording_proxy::{assert_exchanged, Exchange, RecordingProxy};
use crate::schema::{Dialect, SpecSchemas};
use crate::specs;

const KEY: &str = "payroc_test_key_0123456789";
const DEVICE: &str = "1850010868";

async fn simulator(variants: Variants) -> RunningPayrocSandbox {
    let mut config = PayrocSandboxConfig::new(KEY.into(), None);
    config.variants = variants;
    config.hold = Duration::from_millis(300);
    config.processing = Duration::from_millis(50);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    paydesk::sandbox::payroc::start(config, listener)
        .await
        .unwrap()
}

fn request(order_id: &str, amount: i64) -> RefundInstructionRequest {
    RefundInstructionRequest {
        processing_terminal_id: "1234001".into(),
        operator: Some("Jane".into()),
        order: InstructionOrder {
            order_id: order_id.into(),
            description: format!("Refund for order {order_id}"),
            amount,
            currency: "USD".into(),
        },
        customization_options: None,
    }
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A button of the virtual terminal (`tap`, `key`…), as a person presses it.
async fn press(sim: &RunningPayrocSandbox, action: &str, form: &[(&str, &str)]) {
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/{DEVICE}/{action}", sim.terminal_url))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
}

async fn poll_to_end(
    payroc: &PayrocClient,
    id: &str,
) -> paydesk_core::gateways::payroc::wire::RefundInstruction {
    loop {
        if let Some(polled) = payroc.poll_refund_instruction(id).await.unwrap() {
            if polled.status != InstructionStatus::InProgress {
                return polled;
            }
        }
    }
}

/// Every schema error of the exchanges; the identity call (not in the OpenAPI document) is checked
/// against the SDK's token type: `access_token`, `token_type` and `expires_in` required.
fn schema_errors(spec: &SpecSchemas, exchanges: &[Exchange]) -> Vec<String> {
    let mut errors = Vec::new();
    for exchange in exchanges {
        let Some(path) = exchange.path.strip_prefix("/v1") else {
            if exchange.path == "/authorize" {
                let token = exchange.answer.clone().unwrap_or(Value::Null);
                for field in ["access_token", "token_type", "expires_in"] {
                    if token[field].is_null() {
                        errors.push(format!("POST /authorize: no {field}"));
                    }
                }
            } else {
                errors.push(format!(
                    "{} {}: not a Payroc path",
                    exchange.method, exchange.path
                ));
            }
            continue;
        };
        errors.extend(spec.request_errors(&exchange.method, path, exchange.request.as_ref()));
        errors.extend(spec.answer_errors(
            &exchange.method,
            path,
            exchange.status,
            exchange.answer.as_ref(),
        ));
    }
    errors
}

/// Each flow runs with canonical answers, then with the documented variants of a few seeds.
#[tokio::test]
async fn every_request_and_simulator_answer_matches_payrocs_schemas() {
    for seed in [None, Some(1), Some(2), Some(3), Some(4)] {
        conforms(Variants::from_seed(seed)).await;
    }
}

async fn conforms(variants: Variants) {
    let sim = simulator(variants).await;
    let proxy = RecordingProxy::start(&sim.identity_url).await;
    let payroc = PayrocClient::new(
        &PayrocEndpoints {
            api_url: format!("{}/v1", proxy.url),
            identity_url: proxy.url.clone(),
        },
        PayrocApiKey::new(KEY),
        Duration::from_secs(10),
        Duration::from_secs(10),
    )
    .unwrap();

    assert!(payroc
        .devices()
        .await
        .unwrap()
        .iter()
        .any(|d| d.serial_number == DEVICE));

    // A refund tapped to its end, and the refund it made.
    let key = new_key();
    // As the spec's own example: keyed in on the device (customizationOptions.entryMethod).
    let mut keyed = request("OrderRef6543", 4999);
    keyed.customization_options = Some(CustomizationOptions {
        entry_method: EntryMethod::ManualEntry,
    });
    let sent = payroc
        .send_refund_instruction(DEVICE, &keyed, &key)
        .await
        .unwrap();
    press(&sim, "key", &[("number", "4761730000000011")]).await;
    let done = poll_to_end(&payroc, &sent.refund_instruction_id).await;
    assert_eq!(done.status, InstructionStatus::Completed);
    let refund_id = done
        .link
        .as_ref()
        .and_then(|l| l.refund_id())
        .expect("a refund link");
    payroc.refund(&refund_id).await.unwrap();
    // What the reconciliation report reads: every refund of the terminal since a date.
    let listed = payroc
        .refunds_since("1234001", "2020-01-01T00:00:00Z")
        .await
        .unwrap();
    assert!(listed.iter().any(|r| r.refund_id == refund_id));
    // Taken out of the batch: its answer, a replay of it, then refused with another key.
    let reverse_key = new_key();
    let reversed = payroc
        .reverse_refund(&refund_id, &reverse_key)
        .await
        .unwrap();
    assert!(
        matches!(outcome(&reversed), Outcome::Failed { .. }),
        "{reversed:?}"
    );
    let again = payroc
        .reverse_refund(&refund_id, &reverse_key)
        .await
        .unwrap();
    assert_eq!(again.refund_id, reversed.refund_id);
    payroc
        .reverse_refund(&refund_id, &new_key())
        .await
        .unwrap_err();
    payroc
        .reverse_refund("NOSUCHREF0", &new_key())
        .await
        .unwrap_err();
    // Too late to cancel; the same key with another body; unknown ids and devices.
    assert!(matches!(
        payroc
            .cancel_refund_instruction(&sent.refund_instruction_id)
            .await
            .unwrap(),
        CancelOutcome::AlreadyCompleted { .. }
    ));
    payroc
        .send_refund_instruction(DEVICE, &request("OrderRef6543", 5000), &key)
        .await
        .unwrap_err();
    payroc
        .poll_refund_instruction("0000000000000000000000000000dead")
        .await
        .unwrap_err();
    payroc.refund("NOSUCHREF0").await.unwrap_err();
    payroc
        .send_refund_instruction("0000000000", &request("O-NODEVICE", 100), &new_key())
        .await
        .unwrap_err();

    // A refund canceled while the device waits.
    let waiting = payroc
        .send_refund_instruction(DEVICE, &request("O-CANCEL", 1200), &new_key())
        .await
        .unwrap();
    assert_eq!(
        payroc
            .cancel_refund_instruction(&waiting.refund_instruction_id)
            .await
            .unwrap(),
        CancelOutcome::Canceled
    );
    assert_eq!(
        poll_to_end(&payroc, &waiting.refund_instruction_id)
            .await
            .status,
        InstructionStatus::Canceled
    );

    let exchanges = proxy.exchanges();
    let spec = SpecSchemas::new(specs::payroc(), Dialect::OpenApi31);
    let errors = schema_errors(&spec, &exchanges);
    assert!(
        errors.is_empty(),
        "{} schema errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
    // Every operation paydesk uses was exercised, with its success and its problems.
    assert_exchanged(
        &spec,
        &exchanges,
        "/v1",
        &[
            ("GET", "/devices", 200),
            ("POST", "/devices/{serialNumber}/refund-instructions", 202),
            ("POST", "/devices/{serialNumber}/refund-instructions", 409),
            ("POST", "/devices/{serialNumber}/refund-instructions", 404),
            ("GET", "/refund-instructions/{refundInstructionId}", 200),
            ("GET", "/refund-instructions/{refundInstructionId}", 404),
            ("DELETE", "/refund-instructions/{refundInstructionId}", 204),
            ("DELETE", "/refund-instructions/{refundInstructionId}", 409),
            ("GET", "/refunds/{refundId}", 200),
            ("GET", "/refunds/{refundId}", 404),
            ("GET", "/refunds", 200),
            ("POST", "/refunds/{refundId}/reverse", 200),
            ("POST", "/refunds/{refundId}/reverse", 404),
            ("POST", "/refunds/{refundId}/reverse", 409),
        ],
    );
}
