//! Rolling secrets without breaking what is in flight (issue 28): while a merchant-webhook secret is
//! rolled every event carries a signature by each secret, so the merchant's receiver may move to the
//! new one at its own pace; while the gateway's webhook secret is rolled, its webhooks signed with
//! either are accepted, and with neither refused.

use std::sync::Arc;

use paydesk_core::gateways::omni::signature::{sign, SignatureEncoding};
use paydesk_core::merchant_events::signature::verify;
use serde_json::json;

use crate::common::{spawn_app_in, spawn_app_with, TestDatabase};
use crate::merchant_webhooks::Receiver;

const NEW: &str = "whsec_new_0123456789abcdef0123";
const OLD: &str = "whsec_old_0123456789abcdef0123";

#[tokio::test]
async fn while_the_merchant_webhook_secret_is_rolled_events_verify_with_either() {
    let (receiver, url) = Receiver::start().await;
    let app = spawn_app_in(
        Arc::new(TestDatabase::fresh().await),
        &[
            ("PAYDESK_MERCHANT_WEBHOOK_URL", url.as_str()),
            ("PAYDESK_MERCHANT_WEBHOOK_SECRET", NEW),
            ("PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET", OLD),
        ],
    )
    .await;
    app.authorized_checkout(1000, "4111111111111111").await;
    receiver
        .wait_until("an event", |seen| !seen.is_empty())
        .await;
    let delivery = receiver.seen()[0].clone();
    let now = delivery
        .signature
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap();
    for secret in [NEW, OLD] {
        assert!(
            verify(
                secret.as_bytes(),
                &delivery.signature,
                delivery.body.as_bytes(),
                now,
                300
            )
            .is_ok(),
            "{secret}: {}",
            delivery.signature
        );
    }
    assert!(verify(
        b"whsec_other_0123456789abcdef012",
        &delivery.signature,
        delivery.body.as_bytes(),
        now,
        300
    )
    .is_err());
}

#[tokio::test]
async fn a_previous_secret_shorter_than_a_secret_is_refused() {
    let settings = paydesk::settings::Settings::from_lookup(|name| match name {
        "PAYDESK_MERCHANT_WEBHOOK_URL" => Some("http://127.0.0.1:9/hooks".into()),
        "PAYDESK_MERCHANT_WEBHOOK_SECRET" => Some(NEW.into()),
        "PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET" => Some("short".into()),
        _ => None,
    });
    let error = settings.unwrap_err();
    assert_eq!(error.variable, "PAYDESK_MERCHANT_WEBHOOK_PREVIOUS_SECRET");
}

#[tokio::test]
async fn while_the_gateway_webhook_secret_is_rolled_either_signature_is_accepted() {
    let app = spawn_app_with(&[
        ("PAYDESK_PUBLIC_URL", "http://127.0.0.1:3000"),
        ("PAYDESK_GATEWAY_API_KEY", "key_live_rotation_test"),
        ("PAYDESK_GATEWAY_URL", "http://127.0.0.1:9/v1"),
        ("PAYDESK_WEBHOOK_SECRET", NEW),
        ("PAYDESK_WEBHOOK_PREVIOUS_SECRET", OLD),
    ])
    .await;
    // Its public URL is another address: post to where it listens.
    let deliver = |body: String, signature: String| {
        app.http
            .post(format!("{}/webhooks/gateway", app.local_base()))
            .header("content-type", "application/json")
            .header("x-fsk-wh-chksm", signature)
            .body(body)
            .send()
    };
    for (n, secret) in [NEW, OLD].into_iter().enumerate() {
        let body = json!({ "event": { "id": format!("evt_roll_{n}"), "type": "something.new" } })
            .to_string();
        let signature = sign(secret.as_bytes(), body.as_bytes(), SignatureEncoding::Hex);
        let answer = deliver(body, signature).await.unwrap();
        assert_eq!(
            answer.status(),
            200,
            "signed with the {} secret",
            if n == 0 { "new" } else { "old" }
        );
    }
    let body = json!({ "event": { "id": "evt_roll_x", "type": "something.new" } }).to_string();
    let forged = sign(
        b"whsec_other_0123456789abcdef012",
        body.as_bytes(),
        SignatureEncoding::Hex,
    );
    assert_eq!(deliver(body, forged).await.unwrap().status(), 401);
}

/// The refund-link signing key rolled: a link signed with the old key still opens while the old
/// key is kept as the previous one, new links use the new key, and once the old key is removed its
/// links are refused.
#[tokio::test]
async fn while_the_link_signing_key_is_rolled_outstanding_links_still_open() {
    use paydesk_core::i18n::Locale;
    use paydesk_core::payments::{link_page, Intent, PaymentsError};
    const OLD_KEY: &str = "old_link_key_0123456789abcdef0123456789";
    const NEW_KEY: &str = "new_link_key_0123456789abcdef0123456789";
    let dir = Arc::new(TestDatabase::fresh().await);
    let before = spawn_app_in(dir.clone(), &[("PAYDESK_LINK_SIGNING_KEY", OLD_KEY)]).await;
    let made = before
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 900, "currency": "USD", "reason": "Returned item" }),
        )
        .await;
    let made: serde_json::Value = made.json().await.unwrap();
    let outstanding = crate::common::TestApp::refund_link_ref(made["url"].as_str().unwrap());
    before.stop().await;

    let rolled = spawn_app_in(
        dir.clone(),
        &[
            ("PAYDESK_LINK_SIGNING_KEY", NEW_KEY),
            ("PAYDESK_LINK_SIGNING_PREVIOUS_KEY", OLD_KEY),
        ],
    )
    .await;
    let page = link_page(&rolled.state, &outstanding, Intent::View, Locale::En).await;
    assert!(page.is_ok(), "the outstanding link opens: {page:?}");
    let fresh: serde_json::Value = rolled
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 901, "currency": "USD", "reason": "Returned item" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let fresh = crate::common::TestApp::refund_link_ref(fresh["url"].as_str().unwrap());
    rolled.stop().await;

    let after = spawn_app_in(dir, &[("PAYDESK_LINK_SIGNING_KEY", NEW_KEY)]).await;
    let refused = link_page(&after.state, &outstanding, Intent::View, Locale::En).await;
    assert!(
        matches!(refused, Err(PaymentsError::InvalidLink)),
        "{refused:?}"
    );
    let page = link_page(&after.state, &fresh, Intent::View, Locale::En).await;
    assert!(
        page.is_ok(),
        "a link signed with the new key opens: {page:?}"
    );
}

#[tokio::test]
async fn the_cli_rotates_the_databases_link_signing_key_and_outstanding_links_still_open() {
    use paydesk_core::i18n::Locale;
    use paydesk_core::payments::{link_page, Intent};
    let dir = Arc::new(TestDatabase::fresh().await);
    let before = spawn_app_in(dir.clone(), &[]).await;
    let made: serde_json::Value = before
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 700, "currency": "USD", "reason": "Returned item" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let outstanding = crate::common::TestApp::refund_link_ref(made["url"].as_str().unwrap());
    before.stop().await;
    let old_key = database_link_key(&dir).await;

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["secrets", "rotate", "link-signing-key"])
        .env("DATABASE_URL", dir.url.clone())
        .env_remove("PAYDESK_LINK_SIGNING_KEY")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}");
    assert!(
        !said.contains(&old_key),
        "the CLI never prints a key it keeps"
    );
    let new_key = database_link_key(&dir).await;
    assert_ne!(new_key, old_key);

    let after = spawn_app_in(dir.clone(), &[]).await;
    let page = link_page(&after.state, &outstanding, Intent::View, Locale::En).await;
    assert!(
        page.is_ok(),
        "a link signed before the rotation opens: {page:?}"
    );
    let fresh: serde_json::Value = after
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 701, "currency": "USD", "reason": "Returned item" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let fresh_sig = fresh["url"]
        .as_str()
        .unwrap()
        .split("sig=")
        .nth(1)
        .unwrap()
        .to_string();
    assert_ne!(
        fresh_sig,
        paydesk_core::link_signer::LinkSigner::new(old_key.into_bytes())
            .sign(fresh["id"].as_str().unwrap()),
        "new links are signed with the new key"
    );
    after.stop().await;

    // Past the longest link's life the previous key is dropped.
    dir.sql("UPDATE app_secrets SET created_at = 0 WHERE name = 'link_signing_key_previous'")
        .await;
    let later = spawn_app_in(dir, &[]).await;
    let refused = link_page(&later.state, &outstanding, Intent::View, Locale::En).await;
    assert!(refused.is_err(), "{refused:?}");
}

/// The link-signing key the database keeps.
async fn database_link_key(db: &TestDatabase) -> String {
    let keys = db
        .texts("SELECT value FROM app_secrets WHERE name = 'link_signing_key'")
        .await;
    keys.first().cloned().expect("a key")
}
