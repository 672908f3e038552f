//! Every answer carries a `Request-Id` (`req_` and a ULID), new for each request and never taken
//! from the client; the merchant API's error bodies name it too (`error.requestId`), so a developer
//! can quote it to support. A zero amount is an invalid field, not a balance problem.

use serde_json::{json, Value};

use crate::common::spawn_app;

fn request_id(response: &reqwest::Response) -> String {
    let id = response
        .headers()
        .get("request-id")
        .unwrap_or_else(|| panic!("no Request-Id on {}", response.url()))
        .to_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("req_") && id.len() == 30, "{id}");
    id
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_api_errors_name_it() {
    let app = spawn_app().await;
    let mut seen = std::collections::BTreeSet::new();
    for path in ["/health/ready", "/api/v1/openapi.json", "/admin/login"] {
        let response = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(seen.insert(request_id(&response)), "a new id per request");
    }
    // A forged id is not taken over.
    let forged = app
        .http
        .get(format!("{}/health/ready", app.base))
        .header("request-id", "req_forged")
        .send()
        .await
        .unwrap();
    assert_ne!(request_id(&forged), "req_forged");

    // Errors from a handler, from the token check and from an unknown path all name it.
    let id = app.authorized_checkout(1_500, "4111111111111111").await;
    let zero = app
        .post(
            &format!("/api/v1/checkouts/{id}/capture"),
            json!({ "amount": 0 }),
        )
        .await;
    assert_eq!(zero.status(), 400);
    let header = request_id(&zero);
    let body: Value = zero.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_field", "{body}");
    assert_eq!(body["error"]["field"], "amount", "{body}");
    assert_eq!(body["error"]["requestId"], header.as_str(), "{body}");
    let refund = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            json!({ "amount": -5 }),
        )
        .await;
    let body: Value = refund.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_field", "{body}");

    let anonymous = app
        .http
        .get(format!("{}/api/v1/checkouts/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let header = request_id(&anonymous);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["requestId"], header.as_str(), "{body}");

    let unknown = app
        .http
        .get(format!("{}/api/v1/nothing-here", app.base))
        .bearer_auth(crate::common::TOKEN)
        .send()
        .await
        .unwrap();
    let header = request_id(&unknown);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["requestId"], header.as_str(), "{body}");
}
