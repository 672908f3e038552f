//! The sandbox fails like a gateway on request: each fault kind, seen through paydesk's own client
//! (what it makes of the answer), and the controls that queue, list and clear faults.

use std::time::Duration;

use crate::common::{spawn_app_with, TestApp};
use paydesk_core::gateways::omni::wire::{
    HostedSessionRequest, ReferencedRequest, TransactionStatus,
};
use paydesk_core::gateways::omni::OmniError;
use paydesk_core::gateways::Effect;
use serde_json::{json, Value};

fn session(reference: &str) -> HostedSessionRequest {
    HostedSessionRequest {
        amount: 1000,
        amount_breakdown: None,
        payment_method_id: Some("pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into()),
        invoice_number: None,
        order_number: None,
        reference_id: Some(reference.into()),
        return_url: None,
        use_javascript_callback: true,
    }
}

async fn queued(app: &TestApp) -> Value {
    app.http
        .get(format!("{}/sandbox/faults", app.sandbox_origin))
        .header("x-api-key", &app.sandbox_api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_api_fault_is_what_the_client_sees() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    let omni = &app.state.omni;

    let inject = |fault: Value| app.inject(fault);
    assert_eq!(
        inject(json!({"operation": "virtual-auth", "fault": "null-iframe"}))
            .await
            .status(),
        200
    );
    assert!(matches!(
        omni.create_virtual_auth(&session("f-1")).await,
        Err(OmniError::NoIframeUrl { .. })
    ));

    inject(json!({"operation": "virtual-auth", "fault": "server-error"})).await;
    let error = omni.create_virtual_auth(&session("f-2")).await.unwrap_err();
    assert!(
        matches!(
            error,
            OmniError::UnexpectedResponse {
                http_status: 502,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.effect(), Effect::Unknown);

    inject(json!({"operation": "virtual-auth", "fault": "rate-limited"})).await;
    let error = omni.create_virtual_auth(&session("f-3")).await.unwrap_err();
    assert!(
        matches!(
            error,
            OmniError::Api {
                http_status: 429,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.effect(),
        Effect::None,
        "a rate-limited call did nothing"
    );

    inject(json!({"operation": "transactions", "fault": "malformed", "count": 2})).await;
    for _ in 0..2 {
        let error = omni.find_by_reference("f-1").await.unwrap_err();
        assert!(
            matches!(
                error,
                OmniError::UnexpectedResponse {
                    http_status: 200,
                    ..
                }
            ),
            "{error}"
        );
    }
    assert_eq!(
        omni.find_by_reference("f-1")
            .await
            .unwrap()
            .map(|t| t.status),
        Some(TransactionStatus::Created),
        "count is respected, and a null-iframe session still exists at the gateway"
    );

    inject(json!({"operation": "transactions", "fault": "timeout", "delayMs": 2500})).await;
    let error = omni.find_by_reference("f-1").await.unwrap_err();
    assert!(matches!(error, OmniError::Timeout { .. }), "{error}");

    inject(json!({"operation": "virtual-auth", "fault": "slow", "delayMs": 300})).await;
    let started = std::time::Instant::now();
    assert!(omni.create_virtual_auth(&session("f-4")).await.is_ok());
    assert!(started.elapsed() >= Duration::from_millis(300));

    // An interrupted capture that was applied happened; one that was not did not.
    let id = app.authorized_checkout(1000, "4111111111111111").await;
    let authorization = app.checkout(&id).await["transaction"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    inject(json!({"operation": "capture", "fault": "interrupted", "applied": false})).await;
    let request = |reference: &str| ReferencedRequest {
        original_transaction_id: Some(authorization.clone()),
        reference_id: Some(reference.into()),
        amount: Some(100),
        ..Default::default()
    };
    let error = omni.capture(&request("cap-1")).await.unwrap_err();
    assert_eq!(error.effect(), Effect::Unknown);
    assert!(omni.find_by_reference("cap-1").await.unwrap().is_none());
    inject(json!({"operation": "capture", "fault": "timeout", "applied": true, "delayMs": 2000}))
        .await;
    assert!(matches!(
        omni.capture(&request("cap-2")).await,
        Err(OmniError::Timeout { .. })
    ));
    assert_eq!(
        omni.find_by_reference("cap-2")
            .await
            .unwrap()
            .map(|t| t.status),
        Some(TransactionStatus::Completed)
    );
}

#[tokio::test]
async fn faults_are_listed_cleared_and_refused_where_they_mean_nothing() {
    let app = spawn_app_with(&[]).await;
    app.inject(json!({"operation": "refund", "fault": "slow", "count": 3, "delayMs": 10}))
        .await;
    app.inject(json!({"operation": "webhook", "fault": "drop"}))
        .await;
    let listed = queued(&app).await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);
    assert_eq!(
        listed["faults"][0],
        json!({"operation": "refund", "fault": "slow", "applied": false, "remaining": 3, "delayMs": 10})
    );
    for bad in [
        json!({"operation": "webhook", "fault": "interrupted"}),
        json!({"operation": "capture", "fault": "null-iframe"}),
        json!({"operation": "capture", "fault": "rate-limited", "applied": true}),
        json!({"operation": "nothing", "fault": "slow"}),
    ] {
        let response = app.inject(bad.clone()).await;
        assert_eq!(response.status(), 400, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert!(
            !body["errorDetails"][0]["details"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{body}"
        );
    }
    let cleared: Value = app
        .http
        .delete(format!("{}/sandbox/faults", app.sandbox_origin))
        .header("x-api-key", &app.sandbox_api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared, json!({"cleared": 2}));
    assert_eq!(queued(&app).await["faults"], json!([]));
    let unauthorized = app
        .http
        .get(format!("{}/sandbox/faults", app.sandbox_origin))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
}

#[tokio::test]
async fn a_slow_submit_stays_unprocessed_in_lookups_until_it_completes() {
    let app = spawn_app_with(&[]).await;
    let (id, form) = app.open_session(1000).await;
    app.inject(json!({"operation": "submit", "fault": "slow", "delayMs": 1500}))
        .await;
    let submit = {
        let app_http = app.http.clone();
        let url = form.iframe_url.clone();
        tokio::spawn(async move {
            app_http
                .post(url)
                .form(&[
                    ("cardNumber", "4111111111111111"),
                    ("expiry", "12/39"),
                    ("cvv", "123"),
                    ("postalCode", "12345"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let attempt = app.state.store.attempts_for(&id).await.unwrap().remove(0);
    let during = app
        .state
        .omni
        .find_by_reference(&attempt.gateway_reference_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        during.status,
        TransactionStatus::Created,
        "the card is still being processed"
    );
    assert_eq!(submit.await.unwrap(), 200);
    app.wait_for_status(&id, "authorized").await;
}

#[tokio::test]
async fn webhook_faults_drop_duplicate_and_reorder() {
    let app = spawn_app_with(&[]).await;
    let events = |app: &TestApp| {
        let store = app.state.store.clone();
        async move { store.recent_webhook_events(100).await.unwrap() }
    };
    // Dropped: the auth.completed never arrives (token.created does).
    app.inject(json!({"operation": "webhook", "fault": "drop"}))
        .await;
    let (_, form) = app.open_session(500).await;
    assert_eq!(
        app.submit_card(&form.iframe_url, "4111111111111111")
            .await
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let kinds: Vec<String> = events(&app)
        .await
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(kinds, ["token.created"]);

    // Duplicated: the same event id twice (stored once, acknowledged twice).
    app.inject(json!({"operation": "webhook", "fault": "duplicate"}))
        .await;
    let (_, form) = app.open_session(600).await;
    app.submit_card(&form.iframe_url, "4111111111111111").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        events(&app).await.len(),
        3,
        "auth.completed once (deduplicated) and token.created"
    );

    // Reordered: auth.completed arrives after token.created.
    app.inject(json!({"operation": "webhook", "fault": "reorder"}))
        .await;
    let (_, form) = app.open_session(700).await;
    app.submit_card(&form.iframe_url, "4111111111111111").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let latest = events(&app).await;
    let order: Vec<&str> = latest
        .iter()
        .take(2)
        .rev()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(order, ["token.created", "auth.completed"]);
}

/// A simulator's outage is one to paydesk: its port refuses connections ("could not connect", which
/// the client says did nothing), then it answers again on the same port.
#[tokio::test]
async fn an_outage_refuses_connections_then_the_simulator_comes_back() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "2")]).await;
    let started = app
        .http
        .post(format!("{}/sandbox/outage", app.sandbox_origin))
        .header("x-api-key", &app.sandbox_api_key)
        .json(&json!({ "forMs": 1500 }))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // paydesk's call fails (on a new connection: refused; on one kept open: broken).
    let down = app
        .state
        .omni
        .create_virtual_auth(&session("att_outage"))
        .await;
    assert!(down.is_err(), "{down:?}");
    let fresh = reqwest::Client::new();
    assert!(fresh
        .get(format!("{}/hpf.css", app.sandbox_origin))
        .send()
        .await
        .is_err_and(|e| e.is_connect()));
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let back = app
        .state
        .omni
        .create_virtual_auth(&session("att_back"))
        .await;
    assert!(back.is_ok(), "{back:?}");
    // (A connection kept open from before the outage broke with it: a new one.)
    let refused = fresh
        .post(format!("{}/sandbox/outage", app.sandbox_origin))
        .json(&json!({ "forMs": 1500 }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "the controls need the key");
}
