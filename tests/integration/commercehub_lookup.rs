//! A Commerce Hub refund whose answer was lost, on an account whose transaction inquiry does not
//! find requests by `referenceClientRequestId` (in the spec, not in Fiserv's guides): paydesk finds
//! the request by the refund's own `merchantTransactionId` and never sends it twice.

use serde_json::{json, Value};

use crate::common::{spawn_app_with, TestApp};
use crate::gateway_refunds::{events_of, lost_answer, refunded_at_gateway};

/// Sets how the simulator answers an inquiry by `referenceClientRequestId`.
async fn inquiry_by_request_id(app: &TestApp, answer: &str) {
    let set = app
        .http
        .put(format!(
            "{}/sandbox/inquiry-by-request-id",
            app.commercehub_origin
        ))
        .header("Api-Key", &app.commercehub_api_key)
        .json(&json!({ "answer": answer }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
}

/// Moves the refund's request back past the replay window (and its last send past the time it may
/// be open), so the next look asks Commerce Hub before any new request.
async fn age_past_the_window(app: &TestApp, refund_id: &str) {
    app.sql(&format!(
        "UPDATE gateway_refund_attempts SET first_sent_at = first_sent_at - 400000, \
         last_sent_at = last_sent_at - 400000 WHERE refund_id = '{refund_id}'"
    ))
    .await;
}

async fn settled(app: &TestApp, refund_id: &str) -> Value {
    app.get(&format!("/api/v1/refunds/{refund_id}")).await
}

#[tokio::test]
async fn a_request_the_inquiry_by_request_id_overlooks_is_found_by_the_refunds_own_id() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    // Refunded at the gateway, answer lost; the account's inquiry overlooks referenceClientRequestId
    // and answers "nothing". Sending again under a new id would refund the charge twice.
    let (id, original) = lost_answer(&app, true).await;
    inquiry_by_request_id(&app, "ignored").await;
    age_past_the_window(&app, &id).await;
    let shown = settled(&app, &id).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    assert_eq!(
        app.state.store.refund_attempts(&id).await.unwrap().len(),
        1,
        "no second request"
    );
    assert_eq!(refunded_at_gateway(&app, &original).await, 3000);
    assert_eq!(events_of(&app, "refund.refunded").await.len(), 1);

    // Never done at the gateway: nothing under either id, so the same request goes again, once.
    let (lost, original) = lost_answer(&app, false).await;
    age_past_the_window(&app, &lost).await;
    let shown = settled(&app, &lost).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    assert_eq!(
        app.state.store.refund_attempts(&lost).await.unwrap().len(),
        2
    );
    assert_eq!(refunded_at_gateway(&app, &original).await, 3000);
}

#[tokio::test]
async fn a_refused_inquiry_by_request_id_does_not_leave_the_refund_processing() {
    let app = spawn_app_with(&[("PAYDESK_GATEWAY_TIMEOUT_SECS", "1")]).await;
    let (id, original) = lost_answer(&app, true).await;
    inquiry_by_request_id(&app, "refused").await;
    age_past_the_window(&app, &id).await;
    let shown = settled(&app, &id).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    assert_eq!(refunded_at_gateway(&app, &original).await, 3000);
}
