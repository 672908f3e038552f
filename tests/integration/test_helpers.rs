//! The sandbox's test helper: a merchant's CI pays a checkout headlessly with a test card and
//! receives `payment.authorized` (or a decline) at once; in live mode the helper does not exist.

use serde_json::{json, Value};

use crate::common::{spawn_app, spawn_app_with};

#[tokio::test]
async fn a_checkout_is_paid_headlessly_with_a_test_card() {
    let app = spawn_app().await;
    let id = app.new_checkout(1_999).await;
    let started = std::time::Instant::now();
    let paid = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{id}/pay"),
            json!({}),
        )
        .await;
    assert_eq!(paid.status(), 200);
    let paid: Value = paid.json().await.unwrap();
    assert_eq!(paid["status"], "authorized", "{paid}");
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    let events = app.merchant_events().await;
    assert!(
        events
            .iter()
            .any(|(t, d)| t == "payment.authorized" && d["checkoutId"] == id.as_str()),
        "{events:?}"
    );
    // Paid once only.
    let again = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{id}/pay"),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), 409);

    // A declined card, then an approved one: as a customer retrying.
    let id = app.new_checkout(500).await;
    let declined: Value = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{id}/pay"),
            json!({ "card": "4000000000000002" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(declined["status"], "declined", "{declined}");
    let paid: Value = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{id}/pay"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "authorized", "{paid}");
    let bad = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{id}/pay"),
            json!({ "card": "4111-1111" }),
        )
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn live_mode_has_no_test_helpers() {
    let app = spawn_app_with(&[
        ("PAYDESK_PUBLIC_URL", "http://127.0.0.1:3000"),
        ("PAYDESK_GATEWAY_API_KEY", "key_live_helpers_test"),
        ("PAYDESK_GATEWAY_URL", "http://127.0.0.1:9/v1"),
    ])
    .await;
    let answer = app
        .http
        .post(format!(
            "{}/api/v1/test-helpers/checkouts/chk_01JAAAAAAAAAAAAAAAAAAAAAAA/pay",
            app.local_base()
        ))
        .bearer_auth(crate::common::TOKEN)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only in sandbox mode"),
        "{body}"
    );
}
