//! The merchant API against the real server: auth, validation, idempotency, status.

use crate::common::{spawn_app, TOKEN};
use serde_json::{json, Value};

#[tokio::test]
async fn creating_a_checkout_returns_its_payment_link() {
    let app = spawn_app().await;
    let response = app
        .create_checkout(json!({ "amount": 1999, "currency": "CAD", "orderNumber": "A-1", "invoiceNumber": "INV-9",
                                 "amountBreakdown": { "tax": 199, "amountGoodsAndServices": 1800 },
                                 "returnUrl": "https://shop.example/thanks" }))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with("chk_"));
    assert_eq!(body["status"], "open");
    assert_eq!(body["url"], format!("{}/pay/{id}", app.base));
    assert_eq!(body["currency"], "CAD");
    assert_eq!(body["amountBreakdown"]["tax"], 199);
    assert_eq!(body["transaction"], Value::Null);
    assert_eq!(app.checkout(id).await["orderNumber"], "A-1");
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "amount": 0, "currency": "USD" }), "amount"),
        (json!({ "amount": 1.5, "currency": "USD" }), "amount"),
        (json!({ "amount": "10", "currency": "USD" }), "amount"),
        (json!({ "currency": "USD" }), "amount"),
        (json!({ "amount": 100, "currency": "EUR" }), "currency"),
        (
            json!({ "amount": 100, "currency": "USD", "orderNumber": "x".repeat(101) }),
            "orderNumber",
        ),
        (
            json!({ "amount": 100, "currency": "USD", "returnUrl": "not a url" }),
            "returnUrl",
        ),
        (
            json!({ "amount": 100, "currency": "USD", "amout": 5 }),
            "amout",
        ),
    ];
    for (body, field) in cases {
        let response = app.create_checkout(body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_field", "{body}");
        assert_eq!(error["error"]["field"], field, "{body}: {error}");
        assert!(!error["error"]["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_api_needs_the_merchant_token() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/checkouts", app.base);
    let missing = app
        .http
        .post(&url)
        .json(&json!({ "amount": 1, "currency": "USD" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    let wrong = app
        .http
        .post(&url)
        .bearer_auth("nope")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(!body.to_string().contains(TOKEN));
}

#[tokio::test]
async fn reference_id_makes_creation_idempotent() {
    let app = spawn_app().await;
    let body = json!({ "amount": 500, "currency": "USD", "referenceId": "order-77" });
    let first = app.create_checkout(body.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = app.create_checkout(body).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<Value>().await.unwrap()["id"], first["id"]);
    let conflict = app
        .create_checkout(json!({ "amount": 501, "currency": "USD", "referenceId": "order-77" }))
        .await;
    assert_eq!(conflict.status(), 409);
    assert_eq!(
        conflict.json::<Value>().await.unwrap()["error"]["code"],
        "reference_id_conflict"
    );
}

#[tokio::test]
async fn unknown_checkouts_are_404_and_non_json_is_415() {
    let app = spawn_app().await;
    let missing = app
        .http
        .get(format!("{}/api/v1/checkouts/chk_nope", app.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let form = app
        .http
        .post(format!("{}/api/v1/checkouts", app.base))
        .bearer_auth(TOKEN)
        .body("amount=1")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_csp_limiting_frames_and_embedders() {
    let app = crate::common::spawn_app_with(&[
        ("PAYDESK_FRAME_ANCESTORS", "https://shop.example.com"),
        ("PAYDESK_DEMO_STOREFRONT_ADDR", "off"),
    ])
    .await;
    let (id, _) = app.open_session(1000).await;
    let response = app
        .http
        .get(format!("{}/pay/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("frame-src 'self' {};", app.sandbox_origin)),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'self' https://shop.example.com;"),
        "{csp}"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("data-testid=\"hosted-form\""));
    assert!(
        !html.contains("key_test_"),
        "the API key must never reach a page"
    );
    assert!(!html.contains(crate::common::WEBHOOK_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_storefront_is_a_registered_embedder_in_sandbox_mode() {
    let with_storefront =
        crate::common::spawn_app_with(&[("PAYDESK_FRAME_ANCESTORS", "https://shop.example.com")])
            .await;
    let (id, _) = with_storefront.open_session(1000).await;
    let page = with_storefront
        .http
        .get(format!("{}/pay/{id}", with_storefront.base))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'self' https://shop.example.com http://127.0.0.1:"),
        "{csp}"
    );
}

#[tokio::test]
async fn every_api_error_is_json_even_an_oversized_body() {
    let app = crate::common::spawn_app().await;
    let huge = format!(
        "{{\"amount\": 1, \"currency\": \"USD\", \"description\": \"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let response = app
        .http
        .post(format!("{}/api/v1/checkouts", app.base))
        .bearer_auth(crate::common::TOKEN)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}
