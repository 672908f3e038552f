//! A customer who leaves an embedded page (the storefront's `cancel()`): the page's server function
//! records it once, for registered storefronts only, and a payment the customer had already sent is
//! still settled and reported.

use crate::common::{spawn_app_with, TestApp};
use serde_json::Value;

const SHOP: &str = "https://shop.example.com";

async fn abandon(app: &TestApp, id: &str, storefront: &str) -> (u16, String) {
    abandon_from(app, id, storefront, Some(&app.base)).await
}

/// As the page's fetch sends it: with its `Origin` (`None`: a request made outside a browser).
async fn abandon_from(
    app: &TestApp,
    id: &str,
    storefront: &str,
    origin: Option<&str>,
) -> (u16, String) {
    let mut request = app.http.post(format!("{}/rpc/abandon_link", app.base));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request
        .form(&[
            ("kind", "payment"),
            ("id", id),
            ("sig", ""),
            ("storefront", storefront),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn audit_actions(app: &TestApp, subject: &str) -> Vec<(String, String)> {
    app.state
        .store
        .audit_log(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.subject.as_deref() == Some(subject))
        .map(|entry| (entry.actor, entry.action))
        .collect()
}

#[tokio::test]
async fn a_cancel_from_a_registered_storefront_is_recorded_once_and_a_later_payment_still_counts() {
    let app = spawn_app_with(&[("PAYDESK_FRAME_ANCESTORS", SHOP)]).await;
    let (id, form) = app.open_session(3100).await;

    assert_eq!(abandon(&app, &id, SHOP).await, (200, "true".into()));
    assert_eq!(
        abandon(&app, &id, SHOP).await,
        (200, "true".into()),
        "a second cancel"
    );
    let abandoned: Vec<Value> = app
        .merchant_events()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "payment.abandoned")
        .map(|(_, data)| data)
        .collect();
    assert_eq!(abandoned.len(), 1, "reported once: {abandoned:?}");
    assert_eq!(abandoned[0]["checkoutId"], id.as_str());
    assert_eq!(abandoned[0]["storefrontOrigin"], SHOP);
    assert_eq!(abandoned[0]["status"], "open");
    assert_eq!(
        audit_actions(&app, &id).await,
        vec![("customer".to_string(), "link.abandon".to_string())]
    );

    // The form the customer had already sent is still settled, and reported as usual.
    assert_eq!(
        app.submit_card(&form.iframe_url, "4111111111111111")
            .await
            .status(),
        200
    );
    app.wait_for_status(&id, "authorized").await;
    assert!(app
        .merchant_events()
        .await
        .iter()
        .any(|(kind, data)| kind == "payment.authorized" && data["checkoutId"] == id.as_str()));
    // Once paid there is nothing to abandon.
    assert_eq!(abandon(&app, &id, SHOP).await, (200, "false".into()));
}

#[tokio::test]
async fn a_cancel_naming_an_unregistered_storefront_or_no_link_records_nothing() {
    let app = spawn_app_with(&[("PAYDESK_FRAME_ANCESTORS", SHOP)]).await;
    let id = app.new_checkout(1500).await;
    let (status, body) = abandon(&app, &id, "https://evil.example").await;
    assert_ne!(status, 200);
    assert!(body.contains(r#""code":"invalid_input""#), "{body}");
    let (status, body) = abandon(&app, "chk_01NOSUCHLINK000000000000000", SHOP).await;
    assert_ne!(status, 200);
    assert!(body.contains(r#""code":"not_found""#), "{body}");
    assert!(app
        .merchant_events()
        .await
        .iter()
        .all(|(kind, _)| kind != "payment.abandoned"));
    assert!(audit_actions(&app, &id).await.is_empty());
}

/// Only paydesk's own page reports an abandonment: a request from another site's page, or one
/// without an origin, sends no event.
#[tokio::test]
async fn an_abandonment_not_sent_by_paydesks_own_page_is_refused() {
    let app = spawn_app_with(&[("PAYDESK_FRAME_ANCESTORS", SHOP)]).await;
    let (id, _) = app.open_session(1000).await;
    for origin in [Some("https://evil.example"), Some(SHOP), None] {
        let (status, body) = abandon_from(&app, &id, SHOP, origin).await;
        assert_eq!(status, 400, "{origin:?}: {body}");
    }
    let events = app.merchant_events().await;
    assert!(
        !events.iter().any(|(kind, _)| kind == "payment.abandoned"),
        "{events:?}"
    );
    assert_eq!(abandon(&app, &id, SHOP).await, (200, "true".into()));
}
