//! Refund links end to end against the sandbox: creation, signed URLs, a payout through the hosted
//! form, single use under reloads, retries and races, and the refund to a different card when the
//! original one is closed.

use crate::common::{spawn_app, TestApp};
use paydesk_core::i18n::Locale;
use paydesk_core::model::{LinkRef, PaymentState};
use paydesk_core::payments::{confirm_outcome, link_page, Intent, PaymentsError};
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";
const MASTERCARD: &str = "5555555555554444";
const CLOSED_ACCOUNT: &str = "4000000000000341";

async fn create_link(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app.post("/api/v1/refund-links", body).await;
    (
        response.status().as_u16(),
        response.json().await.expect("json"),
    )
}

/// The signed reference the customer's URL carries.
pub(crate) fn link_ref(link: &Value) -> LinkRef {
    let url = link["url"].as_str().expect("url");
    let sig = url.split("sig=").nth(1).expect("signed").to_string();
    LinkRef::refund(link["id"].as_str().unwrap(), sig)
}

async fn ready_form(app: &TestApp, link: &LinkRef) -> paydesk_core::model::HostedForm {
    match link_page(&app.state, link, Intent::View, Locale::En)
        .await
        .expect("page")
        .state
    {
        PaymentState::Ready(form) => form,
        other => panic!("expected a ready form, got {other:?}"),
    }
}

async fn wait_for_link(app: &TestApp, id: &str, status: &str) -> Value {
    for _ in 0..100 {
        let link = app.get(&format!("/api/v1/refund-links/{id}")).await;
        if link["status"] == status {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("refund link {id} never reached {status}");
}

#[tokio::test]
async fn a_refund_link_pays_out_once_whatever_the_customer_does() {
    let app = spawn_app().await;
    let (status, link) = create_link(
        &app,
        json!({
            "amount": 1500, "currency": "CAD", "orderNumber": "R-77", "reason": "Returned item"
        }),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(
        (link["object"].as_str(), link["status"].as_str()),
        (Some("refund_link"), Some("open"))
    );
    assert!(link["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/refund/rfl_", app.base)));
    let reference = link_ref(&link);

    // Two tabs opening at once share one session.
    let (a, b) = tokio::join!(ready_form(&app, &reference), ready_form(&app, &reference));
    assert_eq!(a.attempt_id, b.attempt_id);
    assert!(a.iframe_url.starts_with(&app.sandbox_origin));

    let submitted = app.submit_card(&a.iframe_url, MASTERCARD).await;
    assert_eq!(submitted.status(), 200);
    let done = wait_for_link(&app, reference.id.as_str(), "completed").await;
    assert_eq!(done["transaction"]["type"], "Refund");
    assert_eq!(done["transaction"]["approvedAmount"], 1500);

    // Reload, "try again", a direct confirm and a replayed card submission: never a second refund.
    for intent in [Intent::View, Intent::Retry, Intent::Confirm] {
        let page = link_page(&app.state, &reference, intent, Locale::En)
            .await
            .unwrap();
        assert!(
            matches!(page.state, PaymentState::Paid(_)),
            "{intent:?}: {:?}",
            page.state
        );
    }
    assert!(matches!(
        confirm_outcome(&app.state, &reference, Locale::En)
            .await
            .unwrap(),
        PaymentState::Paid(_)
    ));
    assert_eq!(
        app.submit_card(&a.iframe_url, MASTERCARD).await.status(),
        409
    );
    assert_eq!(
        app.state
            .store
            .attempts_for(&reference.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_forged_or_altered_link_is_refused() {
    let app = spawn_app().await;
    let (_, link) = create_link(&app, json!({ "amount": 500, "currency": "USD" })).await;
    let good = link_ref(&link);
    let flipped = if good.sig.starts_with('x') { 'y' } else { 'x' };
    let altered_sig = LinkRef::refund(&good.id, format!("{flipped}{}", &good.sig[1..]));
    let other_id = LinkRef::refund(good.id.replace("rfl_0", "rfl_1"), &good.sig);
    let unsigned = LinkRef::refund(&good.id, "");
    for forged in [altered_sig, other_id, unsigned] {
        assert!(
            matches!(
                link_page(&app.state, &forged, Intent::View, Locale::En).await,
                Err(PaymentsError::InvalidLink)
            ),
            "{forged:?}"
        );
    }
    // A checkout is not a refund link, and a refund link is not a checkout.
    let (checkout, _) = app.open_session(1000).await;
    let as_refund = LinkRef::refund(&checkout, app.state.link_signer.sign(&checkout));
    assert!(matches!(
        link_page(&app.state, &as_refund, Intent::View, Locale::En).await,
        Err(PaymentsError::InvalidLink)
    ));
    assert!(matches!(
        link_page(
            &app.state,
            &LinkRef::payment(&good.id),
            Intent::View,
            Locale::En
        )
        .await,
        Err(PaymentsError::NotFound)
    ));
    assert_eq!(
        app.http
            .get(format!("{}/api/v1/checkouts/{}", app.base, good.id))
            .bearer_auth(crate::common::TOKEN)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Nothing was opened for the forgeries.
    assert!(app
        .state
        .store
        .attempts_for(&good.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn refund_link_requests_are_validated_and_replays_return_the_same_link() {
    let app = spawn_app().await;
    let (status, body) = create_link(&app, json!({ "amount": 0, "currency": "USD" })).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("amount"))
    );
    let (status, body) = create_link(
        &app,
        json!({ "amount": 10, "currency": "USD", "amountt": 1 }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("amountt"))
    );
    let (status, body) = create_link(
        &app,
        json!({ "amount": 10, "currency": "USD", "checkoutId": "chk_missing" }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("checkoutId"))
    );

    let request = json!({ "amount": 700, "currency": "USD", "referenceId": "rf-1" });
    let (first_status, first) = create_link(&app, request.clone()).await;
    let (second_status, second) = create_link(&app, request).await;
    assert_eq!((first_status, second_status), (201, 200));
    assert_eq!(first["id"], second["id"]);
    let (status, conflict) = create_link(
        &app,
        json!({ "amount": 701, "currency": "USD", "referenceId": "rf-1" }),
    )
    .await;
    assert_eq!(
        (status, conflict["error"]["code"].as_str()),
        (409, Some("reference_id_conflict"))
    );
}

#[tokio::test]
async fn a_refund_declined_by_a_closed_card_goes_to_a_new_card_through_a_bound_link() {
    let app = spawn_app().await;
    let id = app.authorized_checkout(2000, CLOSED_ACCOUNT).await;
    assert_eq!(
        app.post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
            .await
            .status(),
        201
    );

    // Without a declined refund, the fallback is refused.
    let early = app
        .post(&format!("/api/v1/checkouts/{id}/refund-link"), Value::Null)
        .await;
    assert_eq!(early.status(), 422);

    app.close_batch().await;
    let declined: Value = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": 800 }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(declined["operation"]["status"], "declined");
    assert_eq!(declined["operation"]["message"], "CLOSED ACCOUNT");
    assert_eq!(declined["ledger"]["refundable"], 2000);

    let response = app
        .post(&format!("/api/v1/checkouts/{id}/refund-link"), Value::Null)
        .await;
    assert_eq!(response.status(), 201);
    let link: Value = response.json().await.unwrap();
    assert_eq!(
        (link["amount"].as_i64(), link["checkoutId"].as_str()),
        (Some(2000), Some(id.as_str()))
    );
    let held = app.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (held["pending"].as_i64(), held["refundable"].as_i64()),
        (Some(2000), Some(0))
    );
    // The amount is held: no second link and no referenced refund can take it again.
    assert_eq!(
        app.post(&format!("/api/v1/checkouts/{id}/refund-link"), Value::Null)
            .await
            .status(),
        422
    );
    let (status, _) = create_link(
        &app,
        json!({ "amount": 1, "currency": "USD", "checkoutId": id }),
    )
    .await;
    assert_eq!(status, 422);

    // The customer's closed card is refused again by the refund form; a new card receives it.
    let reference = link_ref(&link);
    let form = ready_form(&app, &reference).await;
    app.submit_card(&form.iframe_url, CLOSED_ACCOUNT).await;
    wait_for_link(&app, &reference.id, "declined").await;
    let retry = match link_page(&app.state, &reference, Intent::Retry, Locale::En)
        .await
        .unwrap()
        .state
    {
        PaymentState::Ready(form) => form,
        other => panic!("expected a new form, got {other:?}"),
    };
    app.submit_card(&retry.iframe_url, VISA).await;
    wait_for_link(&app, &reference.id, "completed").await;

    let checkout = app.checkout(&id).await;
    assert_eq!(
        checkout["ledger"],
        json!({
            "authorized": 2000, "captured": 2000, "voided": 0, "refunded": 2000, "refundedToOtherCards": 2000, "refundedOnDevices": 0, "overRefunded": 0,
            "pending": 0, "capturable": 0, "refundable": 0, "remaining": 0
        })
    );
    assert_eq!(checkout["refundLinks"][0]["card"], "VISA •••• 1111");
    assert_eq!(checkout["refundLinks"][0]["status"], "completed");
}

/// The return URL the gateway receives shows the outcome but cannot pay out: it never carries the
/// customer's signature, and its own signature never opens a card form.
#[tokio::test]
async fn the_gateway_never_holds_a_link_that_pays_out() {
    let app = spawn_app().await;
    let (_, link) = create_link(&app, json!({ "amount": 900, "currency": "USD" })).await;
    let reference = link_ref(&link);
    let form = ready_form(&app, &reference).await;
    let answer = app
        .submit_card(&form.iframe_url, VISA)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !answer.contains(&reference.sig),
        "the payout signature reached the gateway"
    );
    let return_sig = answer
        .split(&format!("/refund/{}/return?sig=", reference.id))
        .nth(1)
        .expect("the hosted form returns to paydesk")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect::<String>();
    let returned = LinkRef::refund(&reference.id, return_sig);
    assert!(matches!(
        confirm_outcome(&app.state, &returned, Locale::En)
            .await
            .unwrap(),
        PaymentState::Paid(_)
    ));

    // On an unpaid link, the return signature confirms but never opens a form.
    let (_, unpaid) = create_link(&app, json!({ "amount": 901, "currency": "USD" })).await;
    let id = unpaid["id"].as_str().unwrap();
    let back = LinkRef::refund(id, app.state.link_signer.sign_return(id));
    assert!(link_page(&app.state, &back, Intent::View, Locale::En)
        .await
        .is_err());
    assert!(!matches!(
        confirm_outcome(&app.state, &back, Locale::En)
            .await
            .unwrap(),
        PaymentState::Ready(_)
    ));
    assert!(
        app.state.store.attempts_for(id).await.unwrap().is_empty(),
        "no session was opened"
    );
}

/// Sequence 9 (issue 25): the gateway approves only part of a refund link's payout. That money went
/// to the customer's card: the link is completed with what was paid (never "declined, nothing was
/// sent"), it opens no form for another card, and the bound payment's ledger counts what went out.
#[tokio::test]
async fn a_payout_approved_in_part_completes_the_link_with_what_was_paid() {
    let app = spawn_app().await;
    let checkout = app.authorized_checkout(1000, VISA).await;
    assert_eq!(
        app.post(
            &format!("/api/v1/checkouts/{checkout}/capture"),
            Value::Null
        )
        .await
        .status(),
        201
    );
    let (status, link) = create_link(
        &app,
        json!({ "amount": 1000, "currency": "USD", "checkoutId": checkout }),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    let reference = link_ref(&link);
    let form = ready_form(&app, &reference).await;
    let attempt = app
        .state
        .store
        .attempt(&form.attempt_id)
        .await
        .unwrap()
        .unwrap();
    let partial = json!({
        "event": { "id": "evt_partial_payout", "type": "refund.completed", "timestamp": "2026-12-06T10:00:00Z" },
        "originalResponse": {
            "id": "trx_partial_payout", "type": "Refund", "status": "Completed", "resultCode": 0,
            "resultText": "Approved", "referenceId": attempt.gateway_reference_id,
            "requestedAmount": 1000, "approvedAmount": 400,
            "transactionResponses": [{ "responseCode": 1, "hostResponseText": "APPROVED FOR PARTIAL AMOUNT", "cardType": "MASTERCARD" }],
        },
    })
    .to_string();
    assert_eq!(app.post_signed_webhook(&partial).await, 200);

    let shown = wait_for_link(&app, &reference.id, "completed").await;
    assert_eq!(shown["payouts"], 1, "{shown}");
    match link_page(&app.state, &reference, Intent::Retry, Locale::En)
        .await
        .unwrap()
        .state
    {
        PaymentState::Paid(receipt) => assert_eq!(receipt.amount.minor, 400),
        other => panic!("a paid link opens no new form: {other:?}"),
    }
    let ledger = app.checkout(&checkout).await["ledger"].clone();
    assert_eq!(
        (
            ledger["refunded"].as_i64(),
            ledger["refundedToOtherCards"].as_i64(),
            ledger["pending"].as_i64(),
            ledger["refundable"].as_i64()
        ),
        (Some(400), Some(400), Some(0), Some(600)),
        "{ledger}"
    );
    let events: Vec<String> = app
        .merchant_events()
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .filter(|kind| kind.starts_with("refund_link."))
        .collect();
    assert_eq!(events, ["refund_link.completed"]);
}

/// Sequence 4 (issue 25): a card submitted at the last second of a refund link's session is still
/// being processed (the gateway shows the session unused) when the session's time is up. A reload —
/// even the paying tab's own — opens no second session beside it: the page says the refund is
/// processing until the gateway's answer comes, and the link pays out once.
#[tokio::test]
async fn a_refund_link_session_is_not_replaced_while_a_card_may_be_processing() {
    let app = spawn_app().await;
    let (status, link) = create_link(&app, json!({ "amount": 1200, "currency": "USD" })).await;
    assert_eq!(status, 201, "{link}");
    let reference = link_ref(&link);
    let form = ready_form(&app, &reference).await;
    app.inject(json!({ "operation": "submit", "fault": "slow", "delayMs": 3000 }))
        .await;
    let paying = app.submit_card_in_background(&form.iframe_url, MASTERCARD);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The session's time is up (past the clock-skew grace) while the card is processed.
    let expired = paydesk_core::store::now_ms() - 4_000;
    app.sql(&format!(
        "UPDATE session_attempts SET expires_at = {expired} WHERE id = '{}'",
        form.attempt_id
    ))
    .await;
    let page = link_page(&app.state, &reference, Intent::View, Locale::En)
        .await
        .unwrap();
    assert!(
        matches!(page.state, PaymentState::Processing),
        "no second session beside one that may be paying: {:?}",
        page.state
    );
    assert_eq!(
        app.state
            .store
            .attempts_for(&reference.id)
            .await
            .unwrap()
            .len(),
        1
    );

    assert_eq!(paying.await.unwrap(), 200);
    let done = wait_for_link(&app, &reference.id, "completed").await;
    assert_eq!(done["payouts"], 1, "{done}");
    let page = link_page(&app.state, &reference, Intent::View, Locale::En)
        .await
        .unwrap();
    assert!(
        matches!(page.state, PaymentState::Paid(_)),
        "{:?}",
        page.state
    );
}
