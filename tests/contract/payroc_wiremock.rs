//! Payroc's own SDK test fixtures (WireMock mappings of `payroc/payroc-sdk-python`) served as they
//! are written, and paydesk's Payroc client driven against them: the token exchange, a refund
//! instruction sent, polled to its refund, the refund read and approved, a cancel.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::Response;
use paydesk_core::gateways::payroc::wire::{
    CustomizationOptions, EntryMethod, InstructionOrder, InstructionStatus,
    RefundInstructionRequest,
};
use paydesk_core::gateways::payroc::{
    interpret, CancelOutcome, PayrocApiKey, PayrocClient, PayrocEndpoints,
};
use paydesk_core::gateways::Outcome;
use serde_json::Value;

use crate::specs;

/// A WireMock mapping's request matcher: method, `urlPathTemplate` and `pathParameters.equalTo`.
fn matches(mapping: &Value, method: &str, path: &str) -> bool {
    let request = &mapping["request"];
    if request["method"].as_str() != Some(method) {
        return false;
    }
    let template = request["urlPathTemplate"].as_str().unwrap_or_default();
    let (parts, actual): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    parts.len() == actual.len()
        && parts.iter().zip(&actual).all(|(part, actual)| {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => request["pathParameters"][name]["equalTo"]
                    .as_str()
                    .is_none_or(|wanted| wanted == *actual),
                None => part == actual,
            }
        })
}

async fn answer(State(mappings): State<Arc<Vec<Value>>>, request: Request) -> Response {
    let (method, path) = (
        request.method().to_string(),
        request.uri().path().to_string(),
    );
    let Some(mapping) = mappings.iter().find(|m| matches(m, &method, &path)) else {
        // What WireMock answers when nothing matches.
        return Response::builder()
            .status(404)
            .body(format!("no mapping for {method} {path}").into())
            .unwrap();
    };
    let response = &mapping["response"];
    let mut built = Response::builder().status(response["status"].as_u64().unwrap() as u16);
    for (name, value) in response["headers"].as_object().into_iter().flatten() {
        built = built.header(name.as_str(), value.as_str().unwrap());
    }
    built
        .body(
            response["body"]
                .as_str()
                .unwrap_or_default()
                .to_string()
                .into(),
        )
        .unwrap()
}

/// The mappings served on a local port; the SDK's tests point both its API and identity hosts at
/// the same WireMock, so paydesk's client does too.
async fn wiremock() -> String {
    let mappings = specs::payroc_wiremock_mappings();
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(Arc::new(mappings));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn the_sdks_wiremock_fixtures_drive_a_refund_on_a_device_to_its_approval() {
    let url = wiremock().await;
    let payroc = PayrocClient::new(
        &PayrocEndpoints {
            api_url: url.clone(),
            identity_url: url,
        },
        PayrocApiKey::new("payroc_test_key_0123456789"),
        Duration::from_secs(5),
        Duration::from_secs(5),
    )
    .unwrap();
    let request = RefundInstructionRequest {
        processing_terminal_id: "1234001".into(),
        operator: Some("Jane".into()),
        order: InstructionOrder {
            order_id: "OrderRef6543".into(),
            description: "Refund for order OrderRef6543".into(),
            amount: 4999,
            currency: "USD".into(),
        },
        // As the spec's own example request.
        customization_options: Some(CustomizationOptions {
            entry_method: EntryMethod::ManualEntry,
        }),
    };
    let key = uuid::Uuid::new_v4().to_string();
    let sent = payroc
        .send_refund_instruction("1850010868", &request, &key)
        .await
        .unwrap();
    assert_eq!(sent.status, InstructionStatus::InProgress);
    assert_eq!(
        sent.refund_instruction_id,
        "a37439165d134678a9100ebba3b29597"
    );

    let polled = payroc
        .poll_refund_instruction(&sent.refund_instruction_id)
        .await
        .unwrap()
        .expect("answered");
    assert_eq!(polled.status, InstructionStatus::Completed);
    let refund_id = polled
        .link
        .and_then(|link| link.refund_id())
        .expect("a refund link");
    assert_eq!(refund_id, "CD3HN88U9F");

    let refund = payroc.refund(&refund_id).await.unwrap();
    assert_eq!(
        interpret::outcome(&refund),
        Outcome::Approved {
            approved: Some(4999),
            requested: Some(4999)
        },
        "status ready, response code A, -4999 authorized for a 4999 order"
    );
    // The fixture answers a cancel 200 with an empty body (the spec says 204): still canceled.
    assert_eq!(
        payroc
            .cancel_refund_instruction(&sent.refund_instruction_id)
            .await
            .unwrap(),
        CancelOutcome::Canceled
    );
}
