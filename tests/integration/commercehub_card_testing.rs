//! Card testing on a Commerce Hub refund waiting for a new card (issue 28): the decline cap, the
//! lock, `refund.locked`, the merchant's unlock, and the per-address ration of card submissions —
//! through the server functions the page calls, as a card tester would call them directly.

use serde_json::Value;

use crate::common::{spawn_app_with, TestApp};
use crate::gateway_refund_page::{awaiting_card, refund_to, rpc, submission, type_card};

const DECLINED: &str = "4000000000000002";
const GOOD: &str = "4012001928706700";

/// One declined new card, tried start to end: what the page shows after it.
async fn decline_once(app: &TestApp, id: &str, sig: &str) -> Value {
    let form = submission(app, id, sig).await;
    type_card(app, &form, DECLINED).await;
    refund_to(app, id, sig, &form).await
}

async fn refund_of(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/refunds/{id}")).await
}

#[tokio::test]
async fn the_refund_locks_at_its_cap_of_declined_cards_and_no_further_card_reaches_commerce_hub() {
    let app = spawn_app_with(&[
        ("PAYDESK_MAX_DECLINES_PER_LINK", "3"),
        ("PAYDESK_CARD_RETRIES_PER_HOUR", "1000"),
    ])
    .await;
    let (id, sig) = awaiting_card(&app, 1500).await;
    for _ in 0..2 {
        let state = decline_once(&app, &id, &sig).await;
        assert!(state["Declined"].is_object(), "{state}");
    }
    // A form opened before the lock, used after it.
    let opened_before = submission(&app, &id, &sig).await;
    let state = decline_once(&app, &id, &sig).await;
    assert!(
        state["Locked"]["message"].as_str().is_some(),
        "the cap's card locks the page at once: {state}"
    );
    let attempts = app.state.store.refund_attempts(&id).await.unwrap().len();

    // The next card is refused before Commerce Hub: no session for it.
    let (status, body) = rpc(
        &app,
        "card_submission",
        &[("id", &id), ("sig", &sig), ("lang", "en")],
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "null"), "no card form opens");
    type_card(&app, &opened_before, GOOD).await;
    let state = refund_to(&app, &id, &sig, &opened_before).await;
    assert!(
        state["Locked"]["message"].as_str().is_some(),
        "the customer reads why: {state}"
    );
    assert_eq!(
        app.state.store.refund_attempts(&id).await.unwrap().len(),
        attempts,
        "nothing was sent to Commerce Hub"
    );
    let refund = refund_of(&app, &id).await;
    assert_eq!(refund["status"], "awaiting_card", "{refund}");
    assert_eq!(refund["locked"], true, "{refund}");
    assert_eq!(refund["cardDeclines"], 3, "{refund}");
    let (_, page) = rpc(
        &app,
        "link_page",
        &[
            ("kind", "refund"),
            ("id", &id),
            ("sig", &sig),
            ("retry", "true"),
            ("lang", "en"),
        ],
    )
    .await;
    let page: Value = serde_json::from_str(&page).unwrap();
    assert!(page["state"]["Locked"].is_object(), "{page}");

    // The merchant hears of it once.
    let locks: Vec<Value> = app
        .merchant_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "refund.locked")
        .map(|(_, data)| data)
        .collect();
    assert_eq!(locks.len(), 1, "{locks:?}");
    assert_eq!(locks[0]["declines"], 3);

    // The merchant unlocks it: the declines so far are forgiven, and a good card is refunded.
    let unlocked = app
        .post(&format!("/api/v1/refunds/{id}/unlock"), Value::Null)
        .await;
    assert_eq!(unlocked.status(), 200);
    let unlocked: Value = unlocked.json().await.unwrap();
    assert_eq!(unlocked["locked"], false, "{unlocked}");
    let audit = app.state.store.audit_log(50).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "refund.unlock"));
    let form = submission(&app, &id, &sig).await;
    type_card(&app, &form, GOOD).await;
    let state = refund_to(&app, &id, &sig, &form).await;
    assert_eq!(state["Paid"]["card"], "VISA •••• 6700", "{state}");
}

#[tokio::test]
async fn unlocking_an_unknown_refund_is_a_typed_404() {
    let app = spawn_app_with(&[]).await;
    let answer = app
        .post("/api/v1/refunds/rfd_unknown/unlock", Value::Null)
        .await;
    assert_eq!(answer.status(), 404);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "{body}");
}

/// Card submissions called directly from one address take from the same ration as new card forms
/// after a decline; another customer is not held.
#[tokio::test]
async fn card_submissions_share_the_per_address_ration() {
    let app = spawn_app_with(&[
        ("PAYDESK_CARD_RETRIES_PER_HOUR", "4"),
        ("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For"),
    ])
    .await;
    let (id, sig) = awaiting_card(&app, 900).await;
    let submit = |client: &'static str| {
        let http = app.http.clone();
        let url = format!("{}/rpc/card_submission", app.base);
        let (id, sig) = (id.clone(), sig.clone());
        async move {
            let response = http
                .post(url)
                .header("x-forwarded-for", client)
                .form(&[("id", id.as_str()), ("sig", sig.as_str()), ("lang", "en")])
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, body) = submit("198.51.100.9").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = submit("198.51.100.9").await;
    assert_ne!(status, 200, "the same address at once is held: {body}");
    assert!(body.contains("too_many_tries"), "{body}");
    let (status, body) = submit("203.0.113.77").await;
    assert_eq!(status, 200, "another customer is not held: {body}");
}
