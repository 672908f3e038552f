//! The customer's page of a Commerce Hub refund waiting for a new card, over HTTP as the browser
//! uses it: the page and its CSP, the Hosted Fields credentials fetched at submit (never the
//! session id), the card typed into the simulator's fields, and the unmatched refund made once,
//! whatever the page says or repeats.

use serde_json::{json, Value};

use crate::common::{spawn_app, TestApp};
use crate::gateway_refunds::{commercehub_charge, control};

/// A refund of a charge on a closed card: waiting for a new card; its (id, sig).
pub(crate) async fn awaiting_card(app: &TestApp, amount: i64) -> (String, String) {
    let original = commercehub_charge(app, amount, "closed").await;
    let answer = app
        .post(
            "/api/v1/refunds",
            json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": amount, "currency": "USD" }),
        )
        .await;
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["status"], "awaiting_card", "{body}");
    let link = TestApp::refund_link_ref(body["url"].as_str().unwrap());
    (link.id, link.sig)
}

pub(crate) async fn rpc(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = app
        .http
        .post(format!("{}/rpc/{endpoint}", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// What the page gets when the customer submits: the SDK's submit credentials.
pub(crate) async fn submission(app: &TestApp, id: &str, sig: &str) -> Value {
    let (status, body) = rpc(
        app,
        "card_submission",
        &[("id", id), ("sig", sig), ("lang", "en")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// What the field frames do with the credentials: send the card to the simulator.
pub(crate) async fn type_card(app: &TestApp, submission: &Value, number: &str) {
    let answer = app
        .http
        .post(format!("{}/fields/submit", app.commercehub_origin))
        .json(&json!({
            "apiKey": submission["api_key"], "accessToken": submission["access_token"],
            "merchantId": submission["merchant_id"], "terminalId": submission["terminal_id"],
            "keyId": submission["key_id"],
            "card": { "cardData": number, "nameOnCard": "Ada Lovelace", "expirationMonth": "12", "expirationYear": "2031", "securityCode": "123" },
        }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

pub(crate) async fn refund_to(app: &TestApp, id: &str, sig: &str, submission: &Value) -> Value {
    let submission_id = submission["submission_id"].as_str().unwrap();
    let (status, body) = rpc(
        app,
        "refund_to_new_card",
        &[
            ("id", id),
            ("sig", sig),
            ("submission", submission_id),
            ("lang", "en"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn the_page_mounts_hosted_fields_from_the_gateway_origin_only_and_keeps_the_session_id() {
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1204).await;
    let page = app
        .http
        .get(format!("{}/refund/{id}?sig={sig}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-testid="card-fields""#), "{html}");
    // Scripts from the SDK's version folder only, not the whole origin.
    assert!(
        csp.contains(&format!(
            "'wasm-unsafe-eval' {}/3.6.0/;",
            app.commercehub_origin
        )),
        "{csp}"
    );
    assert!(
        csp.contains(&format!(" {};", app.commercehub_origin))
            && csp.contains("connect-src 'self';")
    );
    assert!(
        !html.contains(&app.commercehub_api_key),
        "no credential in the HTML"
    );

    // Any other page: nothing of Commerce Hub is allowed.
    let other = app
        .http
        .get(format!("{}/pay/{}", app.base, app.new_checkout(1000).await))
        .send()
        .await
        .unwrap();
    let other_csp = other.headers()["content-security-policy"].to_str().unwrap();
    assert!(!other_csp.contains(&app.commercehub_origin), "{other_csp}");

    // At submit: what the SDK needs, never the session id; a forged link gets nothing.
    let first = submission(&app, &id, &sig).await;
    let (status, _) = rpc(
        &app,
        "card_submission",
        &[("id", &id), ("sig", "forged"), ("lang", "en")],
    )
    .await;
    assert_ne!(status, 200);
    let sessions = app
        .db
        .texts("SELECT session_id FROM gateway_refund_sessions")
        .await;
    assert_eq!(sessions.len(), 1);
    assert!(!first.to_string().contains(&sessions[0]), "{first}");
    assert_eq!(first["api_key"], app.commercehub_api_key.as_str());
    assert!(first["access_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn a_new_card_gets_the_refund_once_and_the_page_says_so_again_later() {
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1204).await;

    // The page says it submitted, but no card reached Commerce Hub: nothing is sent.
    let empty = submission(&app, &id, &sig).await;
    let state = refund_to(&app, &id, &sig, &empty).await;
    assert!(state["Failed"]["message"].as_str().is_some(), "{state}");
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "awaiting_card", "{shown}");

    let typed = submission(&app, &id, &sig).await;
    type_card(&app, &typed, "5500007287297385").await;
    let state = refund_to(&app, &id, &sig, &typed).await;
    assert_eq!(state["Paid"]["card"], "MASTERCARD •••• 7385", "{state}");

    // The same submit again, and a fresh one: the refund is already made.
    let again = refund_to(&app, &id, &sig, &typed).await;
    assert_eq!(again["Paid"]["card"], "MASTERCARD •••• 7385", "{again}");
    let (_, late) = rpc(
        &app,
        "card_submission",
        &[("id", &id), ("sig", &sig), ("lang", "en")],
    )
    .await;
    assert_eq!(late, "null", "no new form once refunded");

    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "refunded", "{shown}");
    assert_eq!(shown["card"], "MASTERCARD •••• 7385");
    assert!(shown["url"].is_null(), "the link is used");
    let events = app.merchant_events().await;
    let refunded: Vec<_> = events
        .iter()
        .filter(|(t, _)| t == "refund.refunded")
        .collect();
    assert_eq!(refunded.len(), 1, "{events:?}");
    let (_, attempts) = rpc(
        &app,
        "confirm_link",
        &[
            ("kind", "refund"),
            ("id", &id),
            ("sig", &sig),
            ("lang", "en"),
        ],
    )
    .await;
    assert!(attempts.contains("Paid"), "{attempts}");
}

#[tokio::test]
async fn a_declined_new_card_can_be_replaced_by_another() {
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1204).await;
    let first = submission(&app, &id, &sig).await;
    type_card(&app, &first, "4000000000000002").await;
    let state = refund_to(&app, &id, &sig, &first).await;
    assert!(state["Declined"]["message"].as_str().is_some(), "{state}");
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "awaiting_card", "{shown}");
    assert_eq!(shown["cardDeclines"], 1);
    // The merchant hears that the refund still waits, now after a declined new card.
    let waiting: Vec<Value> = app
        .merchant_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "refund.awaiting_card")
        .map(|(_, data)| data)
        .collect();
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    assert_eq!(waiting[1]["cardDeclines"], 1, "{waiting:?}");

    // Reopened, the page says so; "try again" shows the fields.
    let view = |retry: &'static str| {
        let (id, sig) = (id.clone(), sig.clone());
        let app = &app;
        async move {
            let (_, body) = rpc(
                app,
                "link_page",
                &[
                    ("kind", "refund"),
                    ("id", &id),
                    ("sig", &sig),
                    ("retry", retry),
                    ("lang", "fr"),
                ],
            )
            .await;
            serde_json::from_str::<Value>(&body).unwrap()["state"].clone()
        }
    };
    let reopened = view("false").await;
    assert!(
        reopened["Declined"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Rien n’y a été versé")),
        "{reopened}"
    );
    assert!(view("true").await["CardFields"]["sdk_url"].is_string());

    let second = submission(&app, &id, &sig).await;
    type_card(&app, &second, "4012001928706700").await;
    let state = refund_to(&app, &id, &sig, &second).await;
    assert_eq!(state["Paid"]["card"], "VISA •••• 6700", "{state}");
}

#[tokio::test]
async fn a_refund_commerce_hub_refuses_for_the_new_card_ends_and_the_page_says_so() {
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1204).await;
    let typed = submission(&app, &id, &sig).await;
    type_card(&app, &typed, "5500007287297385").await;
    // Commerce Hub refuses the unmatched refund (a 4xx: nothing moved).
    control(
        &app,
        "/sandbox/faults",
        json!({ "operation": "refund", "fault": "rate-limited" }),
    )
    .await;
    let state = refund_to(&app, &id, &sig, &typed).await;
    assert!(
        state["Ended"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot be completed here")),
        "{state}"
    );
    let shown = app.get(&format!("/api/v1/refunds/{id}")).await;
    assert_eq!(shown["status"], "failed", "{shown}");
    let ended: Vec<_> = app
        .merchant_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "refund.failed")
        .collect();
    assert_eq!(ended.len(), 1, "{ended:?}");

    // Reopened, the page says it ended: no fields, no "try again".
    let html = app
        .http
        .get(format!("{}/refund/{id}?sig={sig}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="checkout-ended""#), "{html}");
    assert!(!html.contains(r#"data-testid="card-fields""#) && !html.contains("try-again"));
}

#[tokio::test]
async fn the_page_pins_the_sdk_it_loads_with_subresource_integrity() {
    use base64::Engine;
    use sha2::{Digest, Sha384};
    let app = spawn_app().await;
    let (id, sig) = awaiting_card(&app, 1206).await;
    let reference = paydesk_core::model::LinkRef::refund(&id, sig);
    let page = paydesk_core::payments::link_page(
        &app.state,
        &reference,
        paydesk_core::payments::Intent::View,
        paydesk_core::i18n::Locale::En,
    )
    .await
    .unwrap();
    let paydesk_core::model::PaymentState::CardFields(form) = page.state else {
        panic!("card fields: {:?}", page.state);
    };
    // The file the customer's browser will fetch, hashed as the browser does.
    let sdk = app.http.get(&form.sdk_url).send().await.unwrap();
    assert_eq!(
        sdk.headers()["access-control-allow-origin"],
        "*",
        "an integrity-checked script is fetched with CORS"
    );
    let digest = Sha384::digest(sdk.bytes().await.unwrap());
    let expected = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    );
    assert_eq!(form.sdk_integrity.as_deref(), Some(expected.as_str()));
}
