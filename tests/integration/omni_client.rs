//! The typed gateway client against the sandbox (which keeps its own wire types) and against bad
//! upstreams.

use std::time::Duration;

use crate::common::spawn_app;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use paydesk_core::gateways::omni::wire::{
    HostedSessionRequest, ReferencedRequest, TransactionStatus, TransactionType,
};
use paydesk_core::gateways::omni::{ApiKey, ExecutionStatus, ListQuery, OmniClient, OmniError};
use paydesk_core::gateways::Effect;

fn session_request(reference: &str, amount: u32) -> HostedSessionRequest {
    HostedSessionRequest {
        amount,
        amount_breakdown: None,
        payment_method_id: Some("pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into()),
        invoice_number: Some("INV-1".into()),
        order_number: Some("ORD-1".into()),
        reference_id: Some(reference.into()),
        return_url: Some("http://127.0.0.1:9/return".into()),
        use_javascript_callback: true,
    }
}

#[tokio::test]
async fn client_and_sandbox_agree_on_sessions_lookups_and_errors() {
    let app = spawn_app().await;
    let gateway = &app.state.omni;

    let methods = gateway
        .list_payment_methods(&ListQuery::default())
        .await
        .unwrap();
    assert_eq!(methods.items.len(), 2);

    let session = gateway
        .create_virtual_auth(&session_request("ref-client-1", 1000))
        .await
        .unwrap();
    assert!(session.id.starts_with("ifr_"));
    assert!(session
        .iframe_url
        .as_deref()
        .unwrap()
        .starts_with(&app.sandbox_origin));
    assert!(session.expiration_timestamp.is_some());
    let created = gateway
        .find_by_reference("ref-client-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.status, TransactionStatus::Created);
    assert_eq!(created.kind, TransactionType::Auth);
    assert!(gateway
        .find_by_reference("ref-nobody")
        .await
        .unwrap()
        .is_none());

    // The seeds' validation body, kept whole.
    let error = gateway
        .create_virtual_auth(&session_request("ref-client-2", 0))
        .await
        .unwrap_err();
    let api = error.api_error().expect("structured error");
    assert_eq!((api.code, api.status), (2000, ExecutionStatus::Rejected));
    assert_eq!(api.error_details[0].field.as_deref(), Some("Amount"));
    assert!(api.trace_id.is_some());
    assert_eq!(error.effect(), Effect::None);

    // referenceId is unique per merchant.
    let duplicate = gateway
        .create_virtual_auth(&session_request("ref-client-1", 1000))
        .await
        .unwrap_err();
    assert_eq!(
        duplicate.api_error().unwrap().error_details[0]
            .field
            .as_deref(),
        Some("ReferenceId")
    );

    // A bad key is a 401 that never echoes the key.
    let wrong = OmniClient::new(
        gateway.base_url(),
        ApiKey::new("key_test_wrong_secret"),
        Duration::from_secs(5),
    )
    .unwrap();
    let unauthorized = wrong
        .list_payment_methods(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(
        unauthorized,
        OmniError::Api {
            http_status: 401,
            ..
        }
    ));
    assert!(!unauthorized.to_string().contains("wrong_secret"));
}

#[tokio::test]
async fn capture_void_and_refund_follow_the_balance_rules() {
    let app = spawn_app().await;
    let (_, form) = app.open_session(1000).await;
    app.submit_card(&form.iframe_url, "4111111111111111").await;
    let gateway = &app.state.omni;
    let auth = gateway
        .find_by_reference(&form.attempt_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.status, TransactionStatus::Completed);

    let by_id = |amount| ReferencedRequest {
        original_transaction_id: Some(auth.id.clone()),
        amount,
        ..Default::default()
    };
    let capture = gateway.capture(&by_id(Some(600))).await.unwrap();
    assert_eq!(
        (capture.kind, capture.approved_amount),
        (TransactionType::Capture, Some(600))
    );
    let over = gateway.capture(&by_id(Some(500))).await.unwrap_err();
    assert!(
        over.to_string()
            .contains("exceeds the available balance of 400"),
        "{over}"
    );

    let refund = |amount| ReferencedRequest {
        original_transaction_id: Some(capture.id.clone()),
        amount,
        ..Default::default()
    };
    gateway.refund(&refund(Some(100))).await.unwrap();
    let needs_amount = gateway.refund(&refund(None)).await.unwrap_err();
    assert!(
        needs_amount.to_string().contains("explicit amount"),
        "{needs_amount}"
    );
    gateway.refund(&refund(Some(500))).await.unwrap();
    let exhausted = gateway.refund(&refund(Some(1))).await.unwrap_err();
    assert!(
        exhausted
            .to_string()
            .contains("exceeds the available balance of 0"),
        "{exhausted}"
    );

    let captured = gateway.void(&by_id(None)).await.unwrap_err();
    assert!(
        captured.to_string().contains("has been captured"),
        "{captured}"
    );

    // A fresh authorization, never captured, is voided while its batch is open, once.
    let (_, form) = app.open_session(700).await;
    app.submit_card(&form.iframe_url, "4111111111111111").await;
    let auth = gateway
        .find_by_reference(&form.attempt_id)
        .await
        .unwrap()
        .unwrap();
    let original = ReferencedRequest {
        original_transaction_id: Some(auth.id.clone()),
        ..Default::default()
    };
    let void = gateway.void(&original).await.unwrap();
    assert_eq!(
        (void.kind, void.approved_amount),
        (TransactionType::Void, Some(700))
    );
    assert!(gateway.void(&original).await.is_err());
}

async fn upstream(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn bad_upstream_answers_become_typed_errors() {
    let base = upstream(
        Router::new()
            .route("/v1/transactions/virtual-auth", post(|| async {
                r#"{"id":"ifr_1","status":"Pending","iframeUrl":null,"sessionId":"ses_1"}"#
            }))
            .route("/v1/transactions/capture", post(|| async {
                (StatusCode::BAD_GATEWAY, "<html>upstream down</html>")
            }))
            .route("/v1/transactions/void", post(|| async {
                (StatusCode::INTERNAL_SERVER_ERROR,
                 r#"{"code":3000,"status":"Interrupted","message":"Timed out talking to the processor","traceId":"1-x","errorDetails":[]}"#)
            }))
            .route("/v1/transactions/refund", post(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "{}"
            }))
            .route("/v1/transactions", get(|| async { "this is not json" })),
    )
    .await;
    let client = OmniClient::new(&base, ApiKey::new("key_test_x"), Duration::from_secs(1)).unwrap();
    let original = || ReferencedRequest {
        original_transaction_id: Some("trx_1".into()),
        ..Default::default()
    };

    let no_iframe = client
        .create_virtual_auth(&session_request("r", 1))
        .await
        .unwrap_err();
    assert!(matches!(no_iframe, OmniError::NoIframeUrl { .. }));

    let html = client.capture(&original()).await.unwrap_err();
    assert!(matches!(
        html,
        OmniError::UnexpectedResponse {
            http_status: 502,
            ..
        }
    ));
    assert_eq!(html.effect(), Effect::Unknown);

    let interrupted = client.void(&original()).await.unwrap_err();
    assert_eq!(
        interrupted.api_error().unwrap().status,
        ExecutionStatus::Interrupted
    );
    assert_eq!(
        interrupted.effect(),
        Effect::Unknown,
        "Interrupted means look it up, never retry blindly"
    );

    let slow = client.refund(&original()).await.unwrap_err();
    assert!(matches!(slow, OmniError::Timeout { .. }));
    assert_eq!(slow.effect(), Effect::Unknown);

    let garbage = client
        .list_transactions(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(
        garbage,
        OmniError::UnexpectedResponse {
            http_status: 200,
            ..
        }
    ));

    let refused = OmniClient::new(
        "http://127.0.0.1:9/v1",
        ApiKey::new("k"),
        Duration::from_secs(1),
    )
    .unwrap();
    let error = refused
        .list_payment_methods(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(error, OmniError::Connect(_)));
    assert_eq!(error.effect(), Effect::None);
}

/// A gateway answer that redirects elsewhere is never followed: the API key stays with the gateway.
#[tokio::test]
async fn a_redirect_never_carries_the_api_key_to_another_host() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let elsewhere = upstream(Router::new().fallback({
        let seen = seen.clone();
        move |headers: axum::http::HeaderMap| {
            let seen = seen.clone();
            async move {
                if let Some(key) = headers.get("x-api-key") {
                    seen.lock()
                        .unwrap()
                        .push(key.to_str().unwrap_or("?").to_string());
                }
                "{}"
            }
        }
    }))
    .await;
    let target = format!("{elsewhere}/steal");
    let base = upstream(Router::new().route(
        "/v1/transactions/capture",
        post(move || {
            let target = target.clone();
            async move { (StatusCode::TEMPORARY_REDIRECT, [("location", target)], "") }
        }),
    ))
    .await;
    let client = OmniClient::new(
        &base,
        ApiKey::new("key_live_secret"),
        Duration::from_secs(2),
    )
    .unwrap();
    let error = client
        .capture(&ReferencedRequest {
            original_transaction_id: Some("trx_1".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OmniError::UnexpectedResponse {
                http_status: 307,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.effect(),
        Effect::Unknown,
        "looked up, never retried blindly"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "the key reached another host"
    );
}
