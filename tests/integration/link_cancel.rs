//! Canceling a refund link: it pays nothing and its page says so; what it held on a payment is
//! released; a form already open keeps it from ending until that form is proven unused; a link
//! that paid out cannot be canceled, and a cancel racing a card pays out at most once. A Commerce
//! Hub refund waiting for a new card is canceled at once and takes no card afterwards.

use std::sync::Arc;

use crate::common::{spawn_app, spawn_app_in, TestApp, TestDatabase};
use crate::refund_links::link_ref;
use paydesk_core::i18n::Locale;
use paydesk_core::model::{LinkRef, PaymentState};
use paydesk_core::payments::{link_page, Intent};
use serde_json::{json, Value};

const MASTERCARD: &str = "5555555555554444";

async fn new_link(app: &TestApp, body: Value) -> Value {
    let response = app.post("/api/v1/refund-links", body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn cancel(app: &TestApp, id: &str) -> (u16, Value) {
    let response = app
        .post(&format!("/api/v1/refund-links/{id}/cancel"), json!({}))
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn page(app: &TestApp, link: &LinkRef) -> PaymentState {
    link_page(&app.state, link, Intent::View, Locale::En)
        .await
        .expect("page")
        .state
}

pub(crate) fn events_of(events: &[(String, Value)], kind: &str) -> usize {
    events.iter().filter(|(t, _)| t == kind).count()
}

pub(crate) async fn wait_for_event(app: &TestApp, kind: &str) -> Vec<(String, Value)> {
    for _ in 0..100 {
        let events = app.merchant_events().await;
        if events_of(&events, kind) > 0 {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{kind} never sent");
}

#[tokio::test]
async fn a_canceled_refund_link_pays_nothing_and_its_page_says_so() {
    let app = spawn_app().await;
    let link = new_link(&app, json!({ "amount": 1500, "currency": "USD" })).await;
    let id = link["id"].as_str().unwrap();
    let reference = link_ref(&link);

    let (status, canceled) = cancel(&app, id).await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(canceled["acceptingNewSessions"], false);
    assert!(canceled["canceledAt"].is_string(), "{canceled}");

    // The customer's page: canceled, and no form was opened for it.
    match page(&app, &reference).await {
        PaymentState::Ended { message } => assert!(message.contains("canceled"), "{message}"),
        other => panic!("a canceled link shows no form: {other:?}"),
    }
    let html = app
        .http
        .get(format!("{}/refund/{id}?sig={}", app.base, reference.sig))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("The merchant canceled this refund link"),
        "{html}"
    );
    assert!(app.state.store.attempts_for(id).await.unwrap().is_empty());

    // Told once, audited once; canceling again answers the same.
    let events = wait_for_event(&app, "refund_link.canceled").await;
    let (again, _) = cancel(&app, id).await;
    assert_eq!(again, 200);
    let event = &events
        .iter()
        .find(|(t, _)| t == "refund_link.canceled")
        .unwrap()
        .1;
    assert_eq!(
        (event["refundLinkId"].as_str(), event["status"].as_str()),
        (Some(id), Some("canceled"))
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        events_of(&app.merchant_events().await, "refund_link.canceled"),
        1
    );
    let audit = app.state.store.audit_log(100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "refund_link.cancel" && a.subject.as_deref() == Some(id))
            .count(),
        1
    );
    let (status, error) = cancel(&app, "rfl_unknown").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn canceling_a_bound_link_releases_what_it_held() {
    let app = spawn_app().await;
    let checkout = app.authorized_checkout(2000, "4111111111111111").await;
    let captured = app
        .post(
            &format!("/api/v1/checkouts/{checkout}/capture"),
            json!({ "amount": 2000 }),
        )
        .await;
    assert!(captured.status().is_success());
    let link = new_link(
        &app,
        json!({ "amount": 2000, "currency": "USD", "checkoutId": checkout }),
    )
    .await;
    let held = app.checkout(&checkout).await;
    assert_eq!(held["ledger"]["pending"], 2000, "{held}");
    let refund = app
        .post(
            &format!("/api/v1/checkouts/{checkout}/refund"),
            json!({ "amount": 100 }),
        )
        .await;
    assert_eq!(
        refund.status(),
        422,
        "nothing is refundable while the link holds it"
    );

    let (status, _) = cancel(&app, link["id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let released = app.checkout(&checkout).await;
    assert_eq!(released["ledger"]["pending"], 0, "{released}");
    let refund = app
        .post(
            &format!("/api/v1/checkouts/{checkout}/refund"),
            json!({ "amount": 2000 }),
        )
        .await;
    assert!(
        refund.status().is_success(),
        "the released amount can be refunded"
    );
}

#[tokio::test]
async fn a_link_with_an_open_form_ends_once_that_form_is_proven_unused() {
    let app = spawn_app().await;
    let link = new_link(&app, json!({ "amount": 900, "currency": "USD" })).await;
    let id = link["id"].as_str().unwrap();
    let reference = link_ref(&link);
    let PaymentState::Ready(form) = page(&app, &reference).await else {
        panic!("a form opens");
    };

    let (status, error) = cancel(&app, id).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("payout_form_open")),
        "{error}"
    );
    let link_now = app.get(&format!("/api/v1/refund-links/{id}")).await;
    assert_eq!(link_now["status"], "open");
    assert_eq!(link_now["acceptingNewSessions"], false);

    // The open form is past its expiry (and the grace for a last-second card): unused, proven.
    let expired = paydesk_core::store::now_ms() - 120_000;
    app.sql(&format!(
        "UPDATE session_attempts SET expires_at = {expired} WHERE id = '{}'",
        form.attempt_id
    ))
    .await;
    // No new form opens for it meanwhile, whatever the customer does.
    for intent in [Intent::View, Intent::Retry] {
        let state = link_page(&app.state, &reference, intent, Locale::En)
            .await
            .unwrap()
            .state;
        assert!(
            matches!(state, PaymentState::Ended { .. }),
            "{intent:?}: {state:?}"
        );
    }
    assert_eq!(app.state.store.attempts_for(id).await.unwrap().len(), 1);
    let ended = app.get(&format!("/api/v1/refund-links/{id}")).await;
    assert_eq!(ended["status"], "canceled", "{ended}");
    wait_for_event(&app, "refund_link.canceled").await;
}

#[tokio::test]
async fn a_link_that_paid_out_cannot_be_canceled() {
    let app = spawn_app().await;
    let link = new_link(&app, json!({ "amount": 700, "currency": "USD" })).await;
    let id = link["id"].as_str().unwrap();
    let PaymentState::Ready(form) = page(&app, &link_ref(&link)).await else {
        panic!("a form opens");
    };
    assert_eq!(
        app.submit_card(&form.iframe_url, MASTERCARD).await.status(),
        200
    );
    let (status, error) = cancel(&app, id).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("cannot_cancel")),
        "{error}"
    );
    let link_now = app.get(&format!("/api/v1/refund-links/{id}")).await;
    assert_eq!(
        (link_now["status"].as_str(), link_now["payouts"].as_u64()),
        (Some("completed"), Some(1))
    );
}

#[tokio::test]
async fn a_cancel_racing_a_card_pays_out_at_most_once() {
    let app = spawn_app().await;
    let link = new_link(&app, json!({ "amount": 1100, "currency": "USD" })).await;
    let id = link["id"].as_str().unwrap().to_string();
    let PaymentState::Ready(form) = page(&app, &link_ref(&link)).await else {
        panic!("a form opens");
    };
    app.inject(json!({ "operation": "submit", "fault": "slow", "delayMs": 1500 }))
        .await;
    let paying = app.submit_card_in_background(&form.iframe_url, MASTERCARD);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, error) = cancel(&app, &id).await;
    assert_eq!(status, 409, "a card is being paid: {error}");
    assert_eq!(paying.await.unwrap(), 200);
    let mut settled = Value::Null;
    for _ in 0..100 {
        settled = app.get(&format!("/api/v1/refund-links/{id}")).await;
        if settled["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        (settled["status"].as_str(), settled["payouts"].as_u64()),
        (Some("completed"), Some(1)),
        "{settled}"
    );
    let (status, _) = cancel(&app, &id).await;
    assert_eq!(status, 409);
    assert_eq!(
        events_of(&app.merchant_events().await, "refund_link.canceled"),
        0
    );
}

#[tokio::test]
async fn the_console_cancels_a_link_for_a_role_that_may_stop_payouts() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[]).await;
    let [viewer, operator] = crate::staff_roles::viewer_and_operator(&app, &db).await;
    let link = new_link(&app, json!({ "amount": 400, "currency": "USD" })).await;
    let id = link["id"].as_str().unwrap();
    let path = format!("/admin/refund-links/{id}/cancel");

    let (_, seen) =
        crate::staff_roles::get(&app, &viewer.cookie, &format!("/admin/refund-links/{id}")).await;
    assert!(
        !seen.contains("data-testid=\"cancel-link\""),
        "a viewer gets no cancel form"
    );
    assert_eq!(
        crate::staff_roles::post(&app, &viewer, &path, &[]).await,
        403
    );
    assert_eq!(
        app.get(&format!("/api/v1/refund-links/{id}")).await["status"],
        "open"
    );

    let (_, seen) =
        crate::staff_roles::get(&app, &operator.cookie, &format!("/admin/refund-links/{id}")).await;
    assert!(seen.contains("data-testid=\"cancel-link\""), "{seen}");
    assert_eq!(
        crate::staff_roles::post(&app, &operator, &path, &[]).await,
        303
    );
    assert_eq!(
        app.get(&format!("/api/v1/refund-links/{id}")).await["status"],
        "canceled"
    );
    let audit = app.state.store.audit_log(100).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "refund_link.cancel" && a.actor == "operator@example.com"));
}

#[tokio::test]
async fn a_commerce_hub_refund_waiting_for_a_card_is_canceled_at_once_and_takes_no_card() {
    use crate::gateway_refund_page::{awaiting_card, refund_to, submission, type_card};
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1300).await;
    // A card form opened before the cancel, used after it.
    let opened_before = submission(&app, &id, &sig).await;

    let (status, canceled) = post_cancel(&app, &format!("/api/v1/refunds/{id}/cancel")).await;
    assert_eq!(
        (status, canceled["status"].as_str()),
        (200, Some("canceled")),
        "{canceled}"
    );
    let sent = app.state.store.refund_attempts(&id).await.unwrap().len();
    type_card(&app, &opened_before, "4012001928706700").await;
    let state = refund_to(&app, &id, &sig, &opened_before).await;
    assert!(
        state["Ended"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("canceled")),
        "the customer reads that it was canceled: {state}"
    );
    assert_eq!(
        app.state.store.refund_attempts(&id).await.unwrap().len(),
        sent,
        "nothing was sent to Commerce Hub"
    );
    let refund = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(refund["status"], "canceled", "{refund}");
    wait_for_event(&app, "refund.canceled").await;
    let (again, _) = post_cancel(&app, &format!("/api/v1/refunds/{id}/cancel")).await;
    assert_eq!(again, 200);
    assert_eq!(
        events_of(&app.merchant_events().await, "refund.canceled"),
        1
    );
}

#[tokio::test]
async fn a_commerce_hub_refund_that_ended_cannot_be_canceled() {
    use crate::gateway_refund_page::{awaiting_card, refund_to, submission, type_card};
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1400).await;
    let form = submission(&app, &id, &sig).await;
    type_card(&app, &form, "4012001928706700").await;
    refund_to(&app, &id, &sig, &form).await;
    let refund = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(refund["status"], "refunded", "{refund}");
    let (status, error) = post_cancel(&app, &format!("/api/v1/refunds/{id}/cancel")).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("cannot_cancel")),
        "{error}"
    );
}

async fn post_cancel(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.post(path, json!({})).await;
    (response.status().as_u16(), response.json().await.unwrap())
}
