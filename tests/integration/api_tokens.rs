//! API tokens made with the real `paydesk token` CLI: shown once, stored hashed, scopes enforced,
//! revocation immediate; every refusal is JSON with a stable code.

use std::process::Command;
use std::sync::Arc;

use crate::common::spawn_app_in;
use serde_json::{json, Value};

pub(crate) fn cli(db: &crate::common::TestDatabase, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(args)
        .env("DATABASE_URL", db.url.clone())
        .output()
        .expect("run paydesk");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

pub(crate) fn created_token(output: &str) -> (String, String) {
    let token = output
        .split_whitespace()
        .find(|w| w.starts_with("pdk_"))
        .expect("token printed")
        .to_string();
    let id = output
        .split_whitespace()
        .find(|w| w.starts_with("tok_"))
        .expect("id printed")
        .to_string();
    (id, token)
}

async fn call(
    app: &crate::common::TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", app.base);
    let request = match method {
        "GET" => app.http.get(url),
        _ => app.http.post(url),
    }
    .bearer_auth(token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn cli_tokens_are_scoped_hashed_and_revocable() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let (ok, out) = cli(
        &dir,
        &["token", "create", "--name", "reporting", "--scopes", "read"],
    );
    assert!(ok, "{out}");
    let (_, read) = created_token(&out);
    let (ok, out) = cli(
        &dir,
        &[
            "token",
            "create",
            "--name",
            "shop backend",
            "--scopes",
            "payments",
        ],
    );
    assert!(ok, "{out}");
    let (_, payments) = created_token(&out);
    let (ok, out) = cli(
        &dir,
        &[
            "token",
            "create",
            "--name",
            "support desk",
            "--scopes",
            "refunds",
        ],
    );
    assert!(ok, "{out}");
    let (refunds_id, refunds) = created_token(&out);
    let (ok, out) = cli(
        &dir,
        &["token", "create", "--name", "x", "--scopes", "admin"],
    );
    assert!(!ok && out.contains("unknown scope"), "{out}");

    let (ok, listed) = cli(&dir, &["token", "list"]);
    assert!(ok);
    assert!(listed.contains("reporting") && listed.contains("support desk"));
    for token in [&read, &payments, &refunds] {
        assert!(
            !listed.contains(token.as_str()),
            "a listed token is never shown whole"
        );
    }

    let app = spawn_app_in(dir.clone(), &[]).await;
    for stored in app.state.store.tokens().await.unwrap() {
        for token in [&read, &payments, &refunds] {
            assert!(!stored.token_hash.contains(token.as_str()) && stored.token_hash != *token);
        }
    }

    let checkout = json!({ "amount": 1000, "currency": "USD" });
    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/checkouts",
        &payments,
        Some(checkout.clone()),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let link = json!({ "amount": 500, "currency": "USD" });

    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/checkouts",
        &read,
        Some(checkout.clone()),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(
        call(&app, "GET", &format!("/api/v1/checkouts/{id}"), &read, None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, "GET", "/api/v1/webhook-events", &read, None)
            .await
            .0,
        200
    );

    assert_eq!(
        call(
            &app,
            "POST",
            "/api/v1/refund-links",
            &payments,
            Some(link.clone())
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &app,
            "POST",
            &format!("/api/v1/checkouts/{id}/refund"),
            &payments,
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &app,
            "POST",
            "/api/v1/refund-links",
            &refunds,
            Some(link.clone())
        )
        .await
        .0,
        201
    );
    assert_eq!(
        call(
            &app,
            "POST",
            "/api/v1/checkouts",
            &refunds,
            Some(checkout.clone())
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &app,
            "POST",
            &format!("/api/v1/checkouts/{id}/capture"),
            &refunds,
            None
        )
        .await
        .0,
        403
    );

    let (ok, out) = cli(&dir, &["token", "revoke", &refunds_id]);
    assert!(ok, "{out}");
    let (status, body) = call(&app, "POST", "/api/v1/refund-links", &refunds, Some(link)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/v1/checkouts/{id}"),
        "pdk_made_up",
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (ok, out) = cli(&dir, &["token", "revoke", &refunds_id]);
    assert!(!ok && out.contains("no active token"), "{out}");
}

#[tokio::test]
async fn the_environment_token_is_replaced_when_it_changes() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let first = spawn_app_in(
        dir.clone(),
        &[("PAYDESK_MERCHANT_TOKEN", "first_env_token_0123456789abcdef")],
    )
    .await;
    assert_eq!(
        call(
            &first,
            "GET",
            "/api/v1/webhook-events",
            "first_env_token_0123456789abcdef",
            None
        )
        .await
        .0,
        200
    );
    first.stop().await;
    let second = spawn_app_in(
        dir.clone(),
        &[("PAYDESK_MERCHANT_TOKEN", "second_env_token_0123456789abcd")],
    )
    .await;
    assert_eq!(
        call(
            &second,
            "GET",
            "/api/v1/webhook-events",
            "second_env_token_0123456789abcd",
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &second,
            "GET",
            "/api/v1/webhook-events",
            "first_env_token_0123456789abcdef",
            None
        )
        .await
        .0,
        401
    );
}

/// A refund link's URL pays out to whoever opens it: only a token that may refund receives it.
#[tokio::test]
async fn refund_payout_urls_reach_only_tokens_that_may_refund() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let (ok, out) = cli(
        &dir,
        &["token", "create", "--name", "reporting", "--scopes", "read"],
    );
    assert!(ok, "{out}");
    let (_, read) = created_token(&out);
    let (ok, out) = cli(
        &dir,
        &[
            "token", "create", "--name", "shipping", "--scopes", "payments",
        ],
    );
    assert!(ok, "{out}");
    let (_, payments) = created_token(&out);
    let app = spawn_app_in(dir.clone(), &[]).await;

    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/refund-links",
        crate::common::TOKEN,
        Some(json!({ "amount": 700, "currency": "USD" })),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let url = created["url"].as_str().expect("the creator sees the URL");
    let sig = url.split("sig=").nth(1).expect("a signed URL").to_string();

    let path = format!("/api/v1/refund-links/{id}");
    let (status, seen) = call(&app, "GET", &path, crate::common::TOKEN, None).await;
    assert_eq!((status, seen["url"].as_str()), (200, Some(url)));
    for token in [&read, &payments] {
        let (status, seen) = call(&app, "GET", &path, token, None).await;
        assert_eq!(status, 200);
        assert_eq!(seen["status"], "open", "the status is readable");
        assert!(seen.get("url").is_none(), "no payout URL: {seen}");
        assert!(!seen.to_string().contains(&sig), "{seen}");
        let (_, events) = call(&app, "GET", "/api/v1/webhook-events", token, None).await;
        assert!(!events.to_string().contains(&sig), "{events}");
    }
}

/// Every operation of the published document refuses a token whose scopes do not grant its
/// permission (403 `insufficient_scope`, before anything else is read), and admits one that
/// does past the check: one test per permission, driven by the document itself.
#[tokio::test]
async fn every_operation_refuses_a_token_without_its_scope() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let token = |scopes: &str| {
        let (ok, out) = cli(
            &dir,
            &["token", "create", "--name", scopes, "--scopes", scopes],
        );
        assert!(ok, "{out}");
        created_token(&out).1
    };
    let (payments, refunds) = (token("payments"), token("refunds"));
    let app = spawn_app_in(dir.clone(), &[]).await;
    let document = app.get("/api/v1/openapi.json").await;
    let mut checked = 0;
    for (template, operations) in document["paths"].as_object().unwrap() {
        for (verb, operation) in operations.as_object().unwrap() {
            let (without, with) = match operation["x-paydesk-scope"].as_str() {
                Some("payments") => (&refunds, &payments),
                Some("refunds") => (&payments, &refunds),
                _ => continue,
            };
            let path = template.replace("{id}", "x");
            let body = (verb == "post").then(|| json!({}));
            let method = verb.to_uppercase();
            let (status, error) = call(&app, &method, &path, without, body.clone()).await;
            assert_eq!(
                (status, error["error"]["code"].as_str()),
                (403, Some("insufficient_scope")),
                "{verb} {template} without its scope"
            );
            let (status, _) = call(&app, &method, &path, with, body).await;
            assert_ne!(status, 403, "{verb} {template} with its scope");
            checked += 1;
        }
    }
    assert!(checked >= 14, "{checked} operations checked");
}
