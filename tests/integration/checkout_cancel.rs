//! Canceling a checkout (a cart that changed): no form opens for it any more and its page says the
//! merchant canceled it; with a form already open the cancel waits for that form to be proven
//! unused (a card may already have been sent), and a card paid in it meanwhile is taken, not lost;
//! a paid or expired checkout cannot be canceled.

use paydesk_core::model::PaymentState;
use paydesk_core::payments::Intent;
use serde_json::{json, Value};

use crate::common::{payment_page, spawn_app, TestApp};
use crate::link_cancel::{events_of, wait_for_event};

const VISA: &str = "4111111111111111";

async fn cancel(app: &TestApp, id: &str) -> (u16, Value) {
    let response = app
        .post(&format!("/api/v1/checkouts/{id}/cancel"), json!({}))
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

/// How many merchant events of `kind` paydesk has written.
async fn events(app: &TestApp, kind: &str) -> usize {
    events_of(&app.merchant_events().await, kind)
}

#[tokio::test]
async fn a_canceled_checkout_takes_nothing_and_its_page_says_so() {
    let app = spawn_app().await;
    let id = app.new_checkout(2_000).await;
    let (status, canceled) = cancel(&app, &id).await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled", "{canceled}");

    let page = payment_page(&app.state, &id, Intent::View).await.unwrap();
    match page.state {
        PaymentState::Ended { message } => {
            assert!(message.contains("canceled this payment link"), "{message}")
        }
        other => panic!("a canceled checkout opens no form: {other:?}"),
    }
    let html = app
        .http
        .get(format!("{}/pay/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("The merchant canceled this payment link"),
        "{html}"
    );
    assert!(app.state.store.attempts_for(&id).await.unwrap().is_empty());

    wait_for_event(&app, "payment.canceled").await;
    let (again, _) = cancel(&app, &id).await;
    assert_eq!(again, 200, "canceling again answers the same");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(events(&app, "payment.canceled").await, 1, "told once");
    let audit = app.state.store.audit_log(100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "checkout.cancel" && a.subject.as_deref() == Some(id.as_str()))
            .count(),
        1
    );
}

#[tokio::test]
async fn an_open_form_keeps_the_checkout_until_proven_unused_and_a_card_sent_in_it_is_taken() {
    let app = spawn_app().await;
    // The customer has the form open when the merchant cancels.
    let id = app.new_checkout(1_200).await;
    let form = app.hosted_form(&id).await;
    let (status, refused) = cancel(&app, &id).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("payment_form_open")),
        "{refused}"
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("void it"),
        "{refused}"
    );
    // The card was already on its way: the payment is taken and reported, never lost.
    assert_eq!(app.submit_card(&form.iframe_url, VISA).await.status(), 200);
    app.wait_for_status(&id, "authorized").await;
    let (status, paid) = cancel(&app, &id).await;
    assert_eq!(
        (status, paid["error"]["code"].as_str()),
        (409, Some("cannot_cancel")),
        "{paid}"
    );
    assert_eq!(events(&app, "payment.canceled").await, 0);

    // Another checkout whose open form is never used: it ends canceled once proven unused.
    let id = app.new_checkout(800).await;
    let form = app.hosted_form(&id).await;
    assert_eq!(cancel(&app, &id).await.0, 409);
    let expired = paydesk_core::store::now_ms() - 120_000;
    app.sql(&format!(
        "UPDATE session_attempts SET expires_at = {expired} WHERE id = '{}'",
        form.attempt_id
    ))
    .await;
    let (status, canceled) = cancel(&app, &id).await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    let page = payment_page(&app.state, &id, Intent::Retry).await.unwrap();
    assert!(
        matches!(page.state, PaymentState::Ended { .. }),
        "{:?}",
        page.state
    );
    assert_eq!(
        app.state.store.attempts_for(&id).await.unwrap().len(),
        1,
        "no new form"
    );
    wait_for_event(&app, "payment.canceled").await;
}
