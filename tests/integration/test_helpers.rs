//! The sandbox's test helper: a merchant's CI pays a checkout headlessly with a test card and
//! receives `payment.authorized` (or a decline) at once; in live mode the helper does not exist.

use serde_json::{json, Value};

use crate::common::{spawn_app, spawn_app_with};

const VISA: &str = "4111111111111111";

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

/// How many events of `kind` are about `id`.
async fn events_about(app: &crate::common::TestApp, kind: &str, id: &str) -> usize {
    app.merchant_events()
        .await
        .iter()
        .filter(|(t, d)| t == kind && (d["checkoutId"] == id || d["refundLinkId"] == id))
        .count()
}

#[tokio::test]
async fn a_refund_link_is_paid_out_headlessly_to_a_test_card() {
    let app = spawn_app().await;
    let link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 750, "currency": "CAD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = link["id"].as_str().unwrap();
    let paid = app
        .post(
            &format!("/api/v1/test-helpers/refund-links/{id}/pay"),
            json!({}),
        )
        .await;
    assert_eq!(paid.status(), 200);
    let paid: Value = paid.json().await.unwrap();
    assert_eq!(paid["status"], "completed", "{paid}");
    assert_eq!(events_about(&app, "refund_link.completed", id).await, 1);
    let again = app
        .post(
            &format!("/api/v1/test-helpers/refund-links/{id}/pay"),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), 409, "paid out once only");
    let missing = app
        .post(
            "/api/v1/test-helpers/refund-links/rfl_01JAAAAAAAAAAAAAAAAAAAAAAA/pay",
            json!({}),
        )
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_link_moved_past_its_expiry_ends_expired_and_says_so_once() {
    let app = spawn_app().await;
    // Nobody opened it.
    let idle = app.new_checkout(300).await;
    let expired = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{idle}/expire"),
            json!({}),
        )
        .await;
    assert_eq!(expired.status(), 200);
    let expired: Value = expired.json().await.unwrap();
    assert_eq!(expired["status"], "expired", "{expired}");
    assert_eq!(expired["acceptingNewSessions"], false);
    assert_eq!(events_about(&app, "payment.expired", &idle).await, 1);
    app.post(
        &format!("/api/v1/test-helpers/checkouts/{idle}/expire"),
        json!({}),
    )
    .await;
    app.checkout(&idle).await;
    assert_eq!(
        events_about(&app, "payment.expired", &idle).await,
        1,
        "told once"
    );

    // Its form was open: the lookup after the form's own expiry proves it unused first.
    let open = app.new_checkout(400).await;
    app.hosted_form(&open).await;
    let expired: Value = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{open}/expire"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(expired["status"], "expired", "{expired}");
    assert_eq!(events_about(&app, "payment.expired", &open).await, 1);

    // A paid checkout stays paid.
    let paid = app.authorized_checkout(500, VISA).await;
    let still: Value = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{paid}/expire"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "authorized", "{still}");
    assert_eq!(events_about(&app, "payment.expired", &paid).await, 0);

    // A refund link, likewise.
    let link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 200, "currency": "USD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let link = link["id"].as_str().unwrap();
    let expired: Value = app
        .post(
            &format!("/api/v1/test-helpers/refund-links/{link}/expire"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(expired["status"], "expired", "{expired}");
    assert_eq!(events_about(&app, "refund_link.expired", link).await, 1);
    let wrong_kind = app
        .post(
            &format!("/api/v1/test-helpers/refund-links/{idle}/expire"),
            json!({}),
        )
        .await;
    assert_eq!(wrong_kind.status(), 404);
}

#[tokio::test]
async fn a_test_event_is_queued_for_the_merchant_endpoint() {
    let app = spawn_app().await;
    let sent = app.post("/api/v1/test-helpers/events", json!({})).await;
    assert_eq!(sent.status(), 202);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["type"], "webhook.test", "{sent}");
    let id = sent["id"].as_str().unwrap();
    let listed = app.get("/api/v1/events?type=webhook.test").await;
    assert_eq!(listed["data"][0]["id"], id, "{listed}");
    assert_eq!(listed["data"][0]["payload"]["type"], "webhook.test");
    assert_eq!(
        listed["data"][0]["payload"]["livemode"], false,
        "sandbox data"
    );
    assert_eq!(sent["payload"]["livemode"], false, "the body as delivered");
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
    for path in [
        "/api/v1/test-helpers/checkouts/chk_01JAAAAAAAAAAAAAAAAAAAAAAA/expire",
        "/api/v1/test-helpers/refund-links/rfl_01JAAAAAAAAAAAAAAAAAAAAAAA/pay",
        "/api/v1/test-helpers/refund-links/rfl_01JAAAAAAAAAAAAAAAAAAAAAAA/expire",
        "/api/v1/test-helpers/events",
    ] {
        let other = app
            .http
            .post(format!("{}{path}", app.local_base()))
            .bearer_auth(crate::common::TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 404, "{path}");
    }
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only in sandbox mode"),
        "{body}"
    );
}

/// The check every event read in this suite goes through catches an event off its schema.
#[test]
fn an_event_off_its_published_schema_is_caught() {
    let schemas = crate::common::event_schemas();
    let schema = json!({ "$ref": "#/components/schemas/Event_webhook.test" });
    let good = json!({ "id": "evt_1", "type": "webhook.test", "created": 1, "livemode": false,
                       "data": { "message": "hi" } });
    assert!(schemas.errors(&schema, &good, "good").is_empty());
    let mut unmarked = good.clone();
    unmarked.as_object_mut().unwrap().remove("livemode");
    let mut extra = good.clone();
    extra["data"]["surprise"] = json!(1);
    let mut other_type = good.clone();
    other_type["type"] = json!("payment.authorized");
    for bad in [unmarked, extra, other_type] {
        assert!(!schemas.errors(&schema, &bad, "bad").is_empty(), "{bad}");
    }
}
