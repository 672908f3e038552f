//! The limits on unbound payouts (refund links and device refunds without `checkoutId`): a cap per
//! payout, per requester and per deployment in 24 hours, or none allowed at all — each refused
//! with its typed error, bound payouts never capped, and concurrent requests never passing a cap
//! together.

use std::sync::Arc;

use crate::api_tokens::{cli, created_token};
use crate::common::{spawn_app_in, spawn_app_with, TestApp, TestDatabase};
use serde_json::{json, Value};

async fn link(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = app.http.post(format!("{}/api/v1/refund-links", app.base));
    request = request.bearer_auth(token.unwrap_or(crate::common::TOKEN));
    let response = request.json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn code(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["error"]["code"].as_str())
}

#[tokio::test]
async fn one_unbound_payout_is_capped_and_a_bound_one_is_not() {
    let app = spawn_app_with(&[("PAYDESK_UNBOUND_PAYOUT_MAX", "5000")]).await;
    let over = link(&app, None, json!({ "amount": 5001, "currency": "USD" })).await;
    assert_eq!(code(&over), (422, Some("payout_over_limit")), "{}", over.1);
    let at = link(&app, None, json!({ "amount": 5000, "currency": "USD" })).await;
    assert_eq!(at.0, 201, "{}", at.1);
    let device = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": "1850010868", "amount": 5001, "currency": "USD", "orderId": "CAP-1", "description": "cap" }),
        )
        .await;
    assert_eq!(device.status(), 422);

    // Bound to a payment, the payment's own balance is the limit.
    let checkout = app.authorized_checkout(8000, "4111111111111111").await;
    let captured = app
        .post(&format!("/api/v1/checkouts/{checkout}/capture"), json!({}))
        .await;
    assert!(captured.status().is_success());
    let bound = link(
        &app,
        None,
        json!({ "amount": 8000, "currency": "USD", "checkoutId": checkout }),
    )
    .await;
    assert_eq!(bound.0, 201, "{}", bound.1);
}

#[tokio::test]
async fn the_daily_caps_count_links_and_device_refunds_per_requester_and_for_everyone() {
    let db = Arc::new(TestDatabase::fresh().await);
    let (ok, out) = cli(
        &db,
        &["token", "create", "--name", "second", "--scopes", "refunds"],
    );
    assert!(ok, "{out}");
    let (_, second) = created_token(&out);
    let app = spawn_app_in(
        db.clone(),
        &[
            ("PAYDESK_UNBOUND_PAYOUT_MAX_PER_REQUESTER_PER_DAY", "3000"),
            ("PAYDESK_UNBOUND_PAYOUT_MAX_PER_DAY", "5000"),
        ],
    )
    .await;
    let first = link(&app, None, json!({ "amount": 2000, "currency": "USD" })).await;
    assert_eq!(first.0, 201);
    let device = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": "1850010868", "amount": 1500, "currency": "USD", "orderId": "DAY-1", "description": "day" }),
        )
        .await;
    let device: (u16, Value) = (device.status().as_u16(), device.json().await.unwrap());
    assert_eq!(
        code(&device),
        (422, Some("daily_payout_limit")),
        "{}",
        device.1
    );
    // Another currency has its own sums; another requester its own.
    let cad = link(&app, None, json!({ "amount": 2500, "currency": "CAD" })).await;
    assert_eq!(cad.0, 201, "{}", cad.1);
    let theirs = link(
        &app,
        Some(&second),
        json!({ "amount": 3000, "currency": "USD" }),
    )
    .await;
    assert_eq!(theirs.0, 201, "{}", theirs.1);
    // The deployment's 5000 USD are now out: nobody may add any.
    let over = link(
        &app,
        Some(&second),
        json!({ "amount": 1, "currency": "USD" }),
    )
    .await;
    assert_eq!(code(&over), (422, Some("daily_payout_limit")), "{}", over.1);
    // A canceled link pays nothing and counts for nothing.
    let canceled = app
        .post(
            &format!(
                "/api/v1/refund-links/{}/cancel",
                first.1["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(canceled.status(), 200);
    let again = link(&app, None, json!({ "amount": 2000, "currency": "USD" })).await;
    assert_eq!(again.0, 201, "{}", again.1);
}

#[tokio::test]
async fn a_deployment_may_forbid_unbound_payouts() {
    let app = spawn_app_with(&[("PAYDESK_UNBOUND_PAYOUTS", "forbidden")]).await;
    let refused = link(&app, None, json!({ "amount": 100, "currency": "USD" })).await;
    assert_eq!(
        code(&refused),
        (422, Some("unbound_payouts_forbidden")),
        "{}",
        refused.1
    );
    assert!(refused.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("checkoutId"));
    assert_eq!(
        app.state
            .store
            .audit_log(100)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.action == "refund_link.create")
            .count(),
        0
    );
}

#[tokio::test]
async fn concurrent_requests_never_pass_a_daily_cap_together() {
    let app = spawn_app_with(&[("PAYDESK_UNBOUND_PAYOUT_MAX_PER_DAY", "5000")]).await;
    let requests: Vec<_> = (0..10)
        .map(|_| {
            let (http, url) = (
                app.http.clone(),
                format!("{}/api/v1/refund-links", app.base),
            );
            tokio::spawn(async move {
                let response = http
                    .post(url)
                    .bearer_auth(crate::common::TOKEN)
                    .json(&json!({ "amount": 1000, "currency": "USD" }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await.unwrap());
    }
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    let refused = answers
        .iter()
        .filter(|a| code(a) == (422, Some("daily_payout_limit")))
        .count();
    assert_eq!((created, refused), (5, 5), "{answers:?}");
}
