//! Money is never lost or doubled under faults: each sequence that broke that promise, replayed
//! against the real server and sandbox (time moved in the database where a test cannot wait).

use std::time::Duration;

use crate::common::{spawn_app, spawn_app_with, try_build_in, TestApp};
use paydesk_core::gateways::omni::wire::HostedSessionRequest;
use paydesk_core::i18n::Locale;
use paydesk_core::model::{
    CheckoutStatus, HostedForm, LinkRef, OperationKind, OperationState, PaymentState,
};
use paydesk_core::payments::{confirm_outcome, link_page, Intent};
use paydesk_core::store::now_ms;
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";
const MASTERCARD: &str = "5555555555554444";
const DECLINED: &str = "4000000000000002";
/// The reconciler's cadence in these tests.
const FAST_RECONCILER: (&str, &str) = ("PAYDESK_RECONCILE_INTERVAL_MS", "100");

async fn captured_payment(app: &TestApp, amount: i64) -> String {
    let id = app.authorized_checkout(amount, VISA).await;
    let response = app
        .post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
        .await;
    assert_eq!(response.status(), 201);
    id
}

async fn bound_refund_link(
    app: &TestApp,
    checkout_id: &str,
    amount: i64,
    ttl: i64,
) -> (u16, Value) {
    let response = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": amount, "currency": "USD", "checkoutId": checkout_id, "expiresInSeconds": ttl }),
        )
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn open(app: &TestApp, link: &LinkRef) -> HostedForm {
    match link_page(&app.state, link, Intent::View, Locale::En)
        .await
        .unwrap()
        .state
    {
        PaymentState::Ready(form) => form,
        other => panic!("expected a ready form, got {other:?}"),
    }
}

async fn expire_link_now(app: &TestApp, link_id: &str) {
    app.sql(&format!(
        "UPDATE checkouts SET expires_at = {} WHERE id = '{link_id}'",
        now_ms() - 1_000
    ))
    .await;
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

fn webhook(event_id: &str, kind: &str, transaction: Value) -> String {
    json!({
        "event": { "id": event_id, "type": kind, "timestamp": "2026-11-21T10:00:00Z" },
        "originalResponse": transaction,
    })
    .to_string()
}

fn transaction(
    id: &str,
    kind: &str,
    reference: &str,
    result_code: i64,
    response_code: Option<i64>,
    amount: i64,
) -> Value {
    let approved = if response_code == Some(1) { amount } else { 0 };
    let responses: Vec<Value> = response_code
        .map(|code| json!({ "responseCode": code, "hostResponseText": "TEXT", "cardType": "VISA" }))
        .into_iter()
        .collect();
    json!({
        "id": id, "type": kind, "status": "Completed", "resultCode": result_code, "resultText": "TEXT",
        "referenceId": reference, "requestedAmount": amount, "approvedAmount": approved,
        "transactionResponses": responses,
    })
}

/// A second hosted session of an already authorized checkout, approved at the gateway.
async fn second_approved_authorization(app: &TestApp, checkout_id: &str, amount: u32) {
    let reference = format!("att_second_{}", now_ms());
    app.state
        .store
        .insert_attempt(
            &reference,
            checkout_id,
            &reference,
            now_ms(),
            i64::MAX,
            None,
        )
        .await
        .unwrap();
    let session = app
        .state
        .omni
        .create_virtual_auth(&HostedSessionRequest {
            amount,
            amount_breakdown: None,
            payment_method_id: Some("pmt_vrt_01JRZPTWS99Z7RB57Q1CVWSWDS".into()),
            invoice_number: None,
            order_number: None,
            reference_id: Some(reference),
            return_url: None,
            use_javascript_callback: false,
        })
        .await
        .unwrap();
    assert_eq!(
        app.submit_card(session.iframe_url.as_deref().unwrap(), VISA)
            .await
            .status(),
        200
    );
}

async fn automatic_voids(
    app: &TestApp,
    checkout_id: &str,
) -> Vec<paydesk_core::store::OperationRecord> {
    let ops = app.state.store.operations_for(checkout_id).await.unwrap();
    ops.into_iter().filter(|o| o.is_automatic()).collect()
}

/// Sequence 1: a refund link opened just before its expiry must not let the money be refunded again
/// while its session can still pay out.
#[tokio::test]
async fn a_refund_link_past_its_expiry_never_pays_out_twice() {
    let app = spawn_app().await;
    let id = captured_payment(&app, 1000).await;
    let (status, link) = bound_refund_link(&app, &id, 1000, 60).await;
    assert_eq!(status, 201, "{link}");
    let reference = TestApp::refund_link_ref(link["url"].as_str().unwrap());
    let s1 = open(&app, &reference).await;

    expire_link_now(&app, &reference.id).await;
    // The customer can still finish the session they have; no new one is opened.
    let again = open(&app, &reference).await;
    assert_eq!(again.attempt_id, s1.attempt_id);
    let shown = app
        .get(&format!("/api/v1/refund-links/{}", reference.id))
        .await;
    assert_eq!(
        (
            shown["status"].as_str(),
            shown["acceptingNewSessions"].as_bool()
        ),
        (Some("open"), Some(false))
    );
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (ledger["pending"].as_i64(), ledger["refundable"].as_i64()),
        (Some(1000), Some(0))
    );

    // The same money cannot be sent out again meanwhile.
    let (status, second) = bound_refund_link(&app, &id, 1000, 600).await;
    assert_eq!(
        (status, second["error"]["code"].as_str()),
        (422, Some("exceeds_balance")),
        "{second}"
    );

    assert_eq!(
        app.submit_card(&s1.iframe_url, MASTERCARD).await.status(),
        200
    );
    wait_until("the link is paid out", || async {
        app.get(&format!("/api/v1/refund-links/{}", reference.id))
            .await["status"]
            == "completed"
    })
    .await;
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (
            ledger["refunded"].as_i64(),
            ledger["overRefunded"].as_i64(),
            ledger["remaining"].as_i64()
        ),
        (Some(1000), Some(0), Some(0))
    );
}

/// Sequence 1, for a payment link: past its expiry, a session opened before is still payable, so the
/// checkout is not reported expired.
#[tokio::test]
async fn a_payment_link_past_its_expiry_stays_payable_and_is_not_reported_expired() {
    let app = spawn_app().await;
    let (id, s1) = app.open_session(1000).await;
    expire_link_now(&app, &id).await;
    let checkout = app.checkout(&id).await;
    assert_eq!(
        (
            checkout["status"].as_str(),
            checkout["acceptingNewSessions"].as_bool()
        ),
        (Some("open"), Some(false))
    );
    assert_eq!(app.submit_card(&s1.iframe_url, VISA).await.status(), 200);
    app.wait_for_status(&id, "authorized").await;
}

/// Sequence 2: a bound link that paid out, whose webhook was lost, keeps its amount held after its
/// session's expiry: only a lookup can say it was unused.
#[tokio::test]
async fn a_paid_bound_link_whose_webhook_is_lost_keeps_its_money_held() {
    let app = spawn_app().await;
    let id = captured_payment(&app, 1000).await;
    let (_, link) = bound_refund_link(&app, &id, 1000, 60).await;
    let reference = TestApp::refund_link_ref(link["url"].as_str().unwrap());
    let s1 = open(&app, &reference).await;
    app.inject(json!({ "operation": "webhook", "fault": "drop", "count": 2 }))
        .await;
    assert_eq!(
        app.submit_card(&s1.iframe_url, MASTERCARD).await.status(),
        200
    );

    expire_link_now(&app, &reference.id).await;
    let long_ago = now_ms() - 10 * 60 * 1000;
    app.sql(&format!(
        "UPDATE session_attempts SET expires_at = {long_ago} WHERE checkout_id = '{}'",
        reference.id
    ))
    .await;
    let (status, second) = bound_refund_link(&app, &id, 1000, 600).await;
    assert_eq!(
        (status, second["error"]["code"].as_str()),
        (422, Some("exceeds_balance")),
        "{second}"
    );
    let checkout = app.checkout(&id).await;
    let ledger = checkout["ledger"].clone();
    assert_eq!(
        (
            ledger["refunded"].as_i64(),
            ledger["refundedToOtherCards"].as_i64()
        ),
        (Some(1000), Some(1000)),
        "{checkout}"
    );
}

/// Sequence 3: an authorization whose webhook is lost, and whose customer closed the tab, is found by
/// the background reconciler, and the merchant is told — once.
#[tokio::test]
async fn an_authorization_whose_webhook_is_lost_is_found_by_the_reconciler() {
    let app = spawn_app_with(&[FAST_RECONCILER]).await;
    let (id, form) = app.open_session(1000).await;
    app.inject(json!({ "operation": "webhook", "fault": "drop", "count": 2 }))
        .await;
    assert_eq!(app.submit_card(&form.iframe_url, VISA).await.status(), 200);
    // Nobody loads the page or calls the API; the session's first background look comes due.
    app.sql("UPDATE session_attempts SET next_check_at = 0")
        .await;
    wait_until("the reconciler finds the authorization", || async {
        app.state
            .store
            .link(&id)
            .await
            .unwrap()
            .is_some_and(|l| l.status == CheckoutStatus::Authorized)
    })
    .await;
    let authorized: Vec<Value> = app
        .merchant_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment.authorized")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(authorized.len(), 1);
    assert_eq!(
        (
            authorized[0]["checkoutId"].as_str(),
            authorized[0]["status"].as_str()
        ),
        (Some(id.as_str()), Some("authorized"))
    );
}

/// Sequence 4: the void of an authorization the checkout does not keep is written in the same commit
/// as that authorization's outcome — a database that refuses the write loses neither.
#[tokio::test]
async fn a_busy_database_cannot_lose_the_void_of_a_second_authorization() {
    let app = spawn_app_with(&[FAST_RECONCILER]).await;
    let id = app.authorized_checkout(1000, VISA).await;
    app.db.break_inserts("operations", "database busy").await;
    second_approved_authorization(&app, &id, 1000).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.db.mend_inserts("operations").await;
    wait_until("the second authorization is voided", || async {
        automatic_voids(&app, &id)
            .await
            .iter()
            .any(|op| op.state == OperationState::Succeeded)
    })
    .await;
    let checkout = app.checkout(&id).await;
    assert_eq!(
        checkout["ledger"]["capturable"], 1000,
        "the kept authorization is untouched"
    );
}

/// Sequence 4: an automatic void the gateway refused is sent again until it succeeds.
#[tokio::test]
async fn a_refused_automatic_void_is_sent_again_until_it_succeeds() {
    let app = spawn_app_with(&[FAST_RECONCILER]).await;
    let id = app.authorized_checkout(1000, VISA).await;
    app.inject(json!({ "operation": "void", "fault": "rate-limited" }))
        .await;
    second_approved_authorization(&app, &id, 1000).await;
    wait_until("the first void is refused", || async {
        automatic_voids(&app, &id)
            .await
            .iter()
            .any(|op| op.state == OperationState::Rejected)
    })
    .await;
    // Its retry comes due.
    app.sql("UPDATE operations SET next_check_at = 0 WHERE state = 'rejected'")
        .await;
    wait_until("a retry succeeds", || async {
        automatic_voids(&app, &id)
            .await
            .iter()
            .any(|op| op.state == OperationState::Succeeded)
    })
    .await;
    let voids = automatic_voids(&app, &id).await;
    assert_eq!(voids.len(), 2, "one refused try, one that succeeded");
    assert_eq!(
        voids[0].original_transaction_id,
        voids[1].original_transaction_id
    );
}

/// Sequence 5: an operation booked `lost` that the gateway later proves happened is revived, and the
/// ledger counts it (so the money cannot be refunded again).
#[tokio::test]
async fn a_lost_refund_is_revived_when_the_gateway_proves_it_happened() {
    let app = spawn_app_with(&[FAST_RECONCILER]).await;
    let id = captured_payment(&app, 1000).await;
    app.inject(json!({ "operation": "refund", "fault": "interrupted", "applied": false }))
        .await;
    let response = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": 300 }),
        )
        .await;
    assert_eq!(response.status(), 202);
    let op: Value = response.json().await.unwrap();
    let op_id = op["operation"]["id"].as_str().unwrap().to_string();
    // Long after, the gateway still has no record: lost.
    let long_ago = now_ms() - 60 * 60 * 1000;
    app.sql(&format!(
        "UPDATE operations SET created_at = {long_ago}, next_check_at = 0 WHERE id = '{op_id}'"
    ))
    .await;
    wait_until("the refund is lost", || async {
        app.state
            .store
            .operation(&op_id)
            .await
            .unwrap()
            .is_some_and(|o| o.state == OperationState::Lost)
    })
    .await;
    // Then the gateway's webhook proves it happened.
    let reference = app
        .state
        .store
        .operation(&op_id)
        .await
        .unwrap()
        .unwrap()
        .gateway_reference_id;
    let proof = webhook(
        "evt_proof",
        "refund.completed",
        transaction("trx_proof", "Refund", &reference, 0, Some(1), 300),
    );
    assert_eq!(app.post_signed_webhook(&proof).await, 200);
    let checkout = app.checkout(&id).await;
    assert_eq!(
        checkout["operations"][1]["status"], "succeeded",
        "{checkout}"
    );
    assert_eq!(
        (
            checkout["ledger"]["refunded"].as_i64(),
            checkout["ledger"]["refundable"].as_i64()
        ),
        (Some(300), Some(700)),
        "{checkout}"
    );
    assert!(app
        .merchant_events()
        .await
        .iter()
        .any(|(kind, d)| kind == "payment.refunded" && d["operationId"] == op_id));
}

/// Sequence 5: a request without an idempotency key while an operation is in flight is told so
/// instead of acting a second time.
#[tokio::test]
async fn a_second_refund_while_one_is_in_flight_gets_a_409() {
    let app = spawn_app().await;
    let id = captured_payment(&app, 1000).await;
    app.inject(json!({ "operation": "refund", "fault": "slow", "delayMs": 1500 }))
        .await;
    let first = {
        let (http, base, id) = (app.http.clone(), app.base.clone(), id.clone());
        tokio::spawn(async move {
            http.post(format!("{base}/api/v1/checkouts/{id}/refund"))
                .bearer_auth(crate::common::TOKEN)
                .json(&json!({ "amount": 100 }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": 100 }),
        )
        .await;
    assert_eq!(second.status(), 409);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["error"]["code"], "operation_in_progress");
    assert_eq!(first.await.unwrap(), 201);
    assert_eq!(
        app.checkout(&id).await["ledger"]["refunded"],
        100,
        "refunded once"
    );
}

/// Sequence 6: "took too long" and "unknown error" do not prove nothing happened: the customer is not
/// invited to pay again, the outcome is looked up.
#[tokio::test]
async fn a_timed_out_answer_is_looked_up_again_not_offered_as_a_failure() {
    let app = spawn_app().await;
    let (id, _form) = app.open_session(1000).await;
    let attempt = app.state.store.attempts_for(&id).await.unwrap().remove(0);
    let timed_out = transaction(
        "trx_timed_out",
        "Auth",
        &attempt.gateway_reference_id,
        3010,
        None,
        1000,
    );
    assert_eq!(
        app.post_signed_webhook(&webhook("evt_3010", "auth.completed", timed_out))
            .await,
        200
    );
    assert_eq!(
        app.state.store.link(&id).await.unwrap().unwrap().status,
        CheckoutStatus::Processing
    );
    let page = confirm_outcome(&app.state, &LinkRef::payment(&id), Locale::En)
        .await
        .unwrap();
    assert_eq!(page, PaymentState::Processing, "never 'failed, try again'");
}

/// Sequence 6: an approval reported for an attempt already declined is voided, not left on the card.
#[tokio::test]
async fn an_approval_reported_after_a_decline_is_voided() {
    let app = spawn_app().await;
    let (id, form) = app.open_session(1000).await;
    assert_eq!(
        app.submit_card(&form.iframe_url, DECLINED).await.status(),
        200
    );
    app.wait_for_status(&id, "declined").await;
    let attempt = app.state.store.attempts_for(&id).await.unwrap().remove(0);
    let late = transaction(
        "trx_late_approval",
        "Auth",
        &attempt.gateway_reference_id,
        0,
        Some(1),
        1000,
    );
    assert_eq!(
        app.post_signed_webhook(&webhook("evt_late", "auth.completed", late))
            .await,
        200
    );
    // A delivery that arrives beside others (the sandbox's own for the decline) is stored, answered,
    // then applied.
    wait_until("the late approval is applied", || async {
        !automatic_voids(&app, &id).await.is_empty()
    })
    .await;
    let voids = automatic_voids(&app, &id).await;
    assert_eq!(voids.len(), 1);
    assert_eq!(
        (voids[0].kind, voids[0].original_transaction_id.as_str()),
        (OperationKind::Void, "trx_late_approval")
    );
    assert_eq!(
        app.state.store.link(&id).await.unwrap().unwrap().status,
        CheckoutStatus::Declined
    );
}

/// Sequence 7: once a checkout is authorized, a late decline of an older attempt tells the merchant
/// nothing; events carry the checkout's status.
#[tokio::test]
async fn no_decline_event_follows_an_authorization_and_events_carry_the_status() {
    let app = spawn_app().await;
    let (id, _first) = app.open_session(1000).await;
    let first_attempt = app.state.store.attempts_for(&id).await.unwrap().remove(0);
    // The first session was replaced (one live session per link), then the second one approved.
    app.sql(&format!(
        "UPDATE session_attempts SET state = 'replaced' WHERE id = '{}'",
        first_attempt.id
    ))
    .await;
    second_approved_authorization(&app, &id, 1000).await;
    app.wait_for_status(&id, "authorized").await;
    let late = transaction(
        "trx_late_decline",
        "Auth",
        &first_attempt.gateway_reference_id,
        0,
        Some(10),
        1000,
    );
    assert_eq!(
        app.post_signed_webhook(&webhook("evt_late_decline", "auth.completed", late))
            .await,
        200
    );
    let captured = app
        .post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
        .await;
    assert_eq!(captured.status(), 201);
    let events = app.merchant_events().await;
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["payment.authorized", "payment.captured"]);
    assert_eq!(events[0].1["status"], "authorized");
    assert_eq!(events[1].1["status"], "captured");
}

/// Sequence 7: a refund link paid out twice is recorded, shown on the ledger (not hidden by clamping)
/// and reported.
#[tokio::test]
async fn a_refund_link_paid_out_twice_is_recorded_shown_and_reported() {
    let app = spawn_app().await;
    let id = captured_payment(&app, 1000).await;
    let (_, link) = bound_refund_link(&app, &id, 1000, 600).await;
    let reference = TestApp::refund_link_ref(link["url"].as_str().unwrap());
    let s1 = open(&app, &reference).await;
    assert_eq!(
        app.submit_card(&s1.iframe_url, MASTERCARD).await.status(),
        200
    );
    wait_until("the link is paid out", || async {
        app.get(&format!("/api/v1/refund-links/{}", reference.id))
            .await["status"]
            == "completed"
    })
    .await;
    let attempt = app
        .state
        .store
        .attempts_for(&reference.id)
        .await
        .unwrap()
        .remove(0);
    let again = transaction(
        "trx_second_payout",
        "Refund",
        &attempt.gateway_reference_id,
        0,
        Some(1),
        1000,
    );
    assert_eq!(
        app.post_signed_webhook(&webhook("evt_second_payout", "refund.completed", again))
            .await,
        200
    );

    let shown = app
        .get(&format!("/api/v1/refund-links/{}", reference.id))
        .await;
    assert_eq!(shown["payouts"], 2);
    let ledger = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (
            ledger["refunded"].as_i64(),
            ledger["overRefunded"].as_i64(),
            ledger["remaining"].as_i64()
        ),
        (Some(2000), Some(1000), Some(0))
    );
    let overpaid: Vec<Value> = app
        .merchant_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "refund_link.overpaid")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(overpaid.len(), 1);
    assert_eq!(
        (
            overpaid[0]["refundLinkId"].as_str(),
            overpaid[0]["payouts"].as_i64()
        ),
        (Some(reference.id.as_str()), Some(2))
    );
}

/// Sequence 8: a second server process on the same SQLite file refuses to start.
#[tokio::test]
async fn a_second_server_on_the_same_sqlite_file_refuses_to_start() {
    let dir = std::sync::Arc::new(crate::common::TestDatabase::fresh().await);
    if dir.is_postgres() {
        // Several servers on one PostgreSQL database is the supported way to scale (see the
        // two-instance tests); this guard is SQLite's.
        return;
    }
    let first = crate::common::spawn_app_in(dir.clone(), &[]).await;
    let second = try_build_in(&dir, &[]).await;
    let error = second
        .err()
        .expect("the second server must not start")
        .to_string();
    assert!(
        error.contains("another paydesk server is already running"),
        "{error}"
    );
    first.stop().await;
    let again = try_build_in(&dir, &[]).await;
    assert!(
        again.is_ok(),
        "free again once the first stopped: {:?}",
        again.err().map(|e| e.to_string())
    );
}

/// A process killed during gateway calls: the next one looks the calls up at once (they were
/// `pending` for a process that no longer exists) and abandons sessions whose URLs nobody received.
#[tokio::test]
async fn calls_in_flight_when_paydesk_died_are_looked_up_as_soon_as_it_restarts() {
    let dir = std::sync::Arc::new(crate::common::TestDatabase::fresh().await);
    let app = crate::common::spawn_app_in(dir.clone(), &[FAST_RECONCILER]).await;
    let id = captured_payment(&app, 1000).await;
    let later = now_ms() + 3_600_000;
    // As the killed process left it: the capture sent (the gateway has it) but not yet answered,
    // and a new session being asked for.
    app.sql(&format!(
        "UPDATE operations SET state = 'pending', transaction_id = NULL, approved_amount = NULL, \
         response_code = NULL, updated_at = {now}, next_check_at = {later} WHERE checkout_id = '{id}'",
        now = now_ms()
    ))
    .await;
    app.sql(&format!(
        "INSERT INTO session_attempts (id, checkout_id, seq, gateway_reference_id, state, created_at, \
         updated_at, next_check_at) VALUES ('att_interrupted', '{id}', 99, 'att_interrupted', \
         'creating', {now}, {now}, {later})",
        now = now_ms()
    ))
    .await;
    app.stop().await;

    let restarted = crate::common::spawn_app_in(dir, &[FAST_RECONCILER]).await;
    let store = &restarted.state.store;
    let op_id = store.operations_for(&id).await.unwrap()[0].id.clone();
    wait_until("the interrupted capture is settled", || async {
        store
            .operation(&op_id)
            .await
            .unwrap()
            .is_some_and(|op| op.state == OperationState::Succeeded)
    })
    .await;
    let attempt = store.attempt("att_interrupted").await.unwrap().unwrap();
    assert_eq!(attempt.state, paydesk_core::model::AttemptState::Abandoned);
    assert_eq!(restarted.checkout(&id).await["status"], "captured");
}

/// Work a killed process had claimed for its background jobs (here a merchant event it was
/// delivering and an operation it was looking up) is due again as soon as the next process starts,
/// not when the claim would have run out; a row a live instance claimed keeps its time.
#[tokio::test]
async fn work_a_killed_process_had_claimed_is_taken_over_at_once() {
    let (receiver, url) = crate::merchant_webhooks::Receiver::start().await;
    let dir = std::sync::Arc::new(crate::common::TestDatabase::fresh().await);
    let settings = [
        FAST_RECONCILER,
        ("PAYDESK_MERCHANT_WEBHOOK_URL", url.as_str()),
        (
            "PAYDESK_MERCHANT_WEBHOOK_SECRET",
            "whsec_claims_test_0123456789",
        ),
        ("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS", "50"),
        ("PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS", "30"),
    ];
    let app = crate::common::spawn_app_in(dir.clone(), &settings).await;
    let taken_over = captured_payment(&app, 1000).await;
    let held_elsewhere = captured_payment(&app, 500).await;
    app.stop().await;

    // As the killed process left it: every merchant event and the first capture's lookup claimed
    // for an hour; the second capture's lookup claimed by an instance that still runs.
    let (now, later) = (now_ms(), now_ms() + 3_600_000);
    app.sql(&format!(
        "UPDATE merchant_events SET next_attempt_at = {later}, claimed_by = 'paydesk-killed', \
         claimed_until = {later} WHERE status = 'pending'"
    ))
    .await;
    for (id, claimer) in [
        (&taken_over, "paydesk-killed"),
        (&held_elsewhere, "paydesk-alive"),
    ] {
        app.sql(&format!(
            "UPDATE operations SET state = 'unknown', transaction_id = NULL, approved_amount = NULL, \
             response_code = NULL, updated_at = {now}, next_check_at = {later}, \
             claimed_by = '{claimer}', claimed_until = {later} WHERE checkout_id = '{id}'"
        ))
        .await;
    }
    app.sql(&format!(
        "INSERT INTO leases (name, holder, expires_at, taken) \
         VALUES ('instance:paydesk-alive', 'paydesk-alive', {later}, 1)"
    ))
    .await;
    receiver.up.store(true, std::sync::atomic::Ordering::SeqCst);

    let restarted = crate::common::spawn_app_in(dir, &settings).await;
    let store = &restarted.state.store;
    receiver
        .wait_until("all four events delivered", |seen| {
            let mut ids: Vec<&str> = seen.iter().map(|d| d.event_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len() == 4
        })
        .await;
    let op_of = |id: String| async move { store.operations_for(&id).await.unwrap()[0].clone() };
    wait_until("the killed process's lookup is done", || async {
        op_of(taken_over.clone()).await.state == OperationState::Succeeded
    })
    .await;
    let held = op_of(held_elsewhere.clone()).await;
    assert_eq!(
        held.state,
        OperationState::Unknown,
        "a live instance's claim is its own"
    );
    assert_eq!(held.next_check_at, Some(later));
}

/// A new session's attempt is written without a flush of its own (the session's commit flushes
/// both, before the form is shown); the writer flushes every commit again afterwards, on either
/// database (as it did before), and the attempt is stored with its session.
#[tokio::test]
async fn the_writer_flushes_every_commit_again_after_a_new_sessions_attempt() {
    let app = spawn_app().await;
    // The throwaway PostgreSQL of `make test` skips flushes altogether; SQLite flushes every commit.
    let flushing = app.state.store.flushes_every_commit().await.unwrap();
    let (_, form) = app.open_session(1000).await;
    assert_eq!(
        app.state.store.flushes_every_commit().await.unwrap(),
        flushing,
        "the writer was left without its flush after an attempt's insert"
    );
    let attempt = app
        .state
        .store
        .attempt(&form.attempt_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(attempt.state, paydesk_core::model::AttemptState::Open);
    assert_eq!(
        attempt.iframe_url.as_deref(),
        Some(form.iframe_url.as_str())
    );
}
