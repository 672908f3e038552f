//! paydesk in live mode against a gateway that answers exactly the vendors' spec examples (see
//! `spec_example_gateway`): every device is listed across pages, and every refund ends in the state
//! the gateway's answer means — approved, reversed, declined then paid to a new card through the
//! TransArmor token of two, lost to a server error then found with a string amount.

use serde_json::{json, Value};

use crate::common::{spawn_app_with, TestApp};
use crate::device_refunds::until;
use crate::gateway_refunds::age_sends;
use crate::sandbox_process::free_port;
use crate::spec_example_gateway::{
    self as gateway, serial, CHARGE_FOUND_AMOUNT, CLOSED_CARD_AMOUNT, DEVICES, NOT_CAPTURED_AMOUNT,
    PARTIAL_AMOUNT, PAYROC_EXAMPLE_AMOUNT, SERVER_ERROR_AMOUNT,
};

async fn live_paydesk(origin: &str) -> TestApp {
    let port = free_port();
    let env = [
        ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
        ("PAYDESK_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
        (
            "PAYDESK_GATEWAY_API_KEY",
            "key_live_spec_examples".to_string(),
        ),
        ("PAYDESK_GATEWAY_URL", format!("{origin}/omni/v1")),
        ("PAYDESK_GATEWAY_HPF_ORIGIN", origin.to_string()),
        ("PAYDESK_GATEWAY_TIMEOUT_SECS", "1".into()),
        ("PAYDESK_PAYROC_API_KEY", "payroc_live_spec_examples".into()),
        ("PAYDESK_PAYROC_API_URL", format!("{origin}/payroc/v1")),
        ("PAYDESK_PAYROC_IDENTITY_URL", format!("{origin}/payroc")),
        ("PAYDESK_PAYROC_TERMINAL_ID", "1234001".into()),
        (
            "PAYDESK_COMMERCEHUB_API_KEY",
            "ch_live_spec_examples".into(),
        ),
        (
            "PAYDESK_COMMERCEHUB_API_SECRET",
            "ch_live_spec_examples_secret_0123".into(),
        ),
        ("PAYDESK_COMMERCEHUB_API_URL", format!("{origin}/ch")),
        (
            "PAYDESK_COMMERCEHUB_SDK_URL",
            format!("{origin}/ch/checkout.js"),
        ),
        ("PAYDESK_COMMERCEHUB_MERCHANT_ID", "100008000003683".into()),
        ("PAYDESK_COMMERCEHUB_TERMINAL_ID", "10000001".into()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&env).await;
    assert!(!app.state.config.sandbox_mode, "paydesk is in live mode");
    app
}

/// A refund of its own charge (an open refund holds its charge).
async fn commercehub_refund(app: &TestApp, amount: i64) -> Value {
    let answer = app
        .post(
            "/api/v1/refunds",
            json!({ "gateway": "commercehub", "originalTransactionId": format!("8435653{amount:04}"),
                    "amount": amount, "currency": "USD" }),
        )
        .await;
    assert!(answer.status().is_success(), "{}", answer.status());
    answer.json().await.unwrap()
}

async fn device_refund(app: &TestApp, device: &str, amount: i64) -> String {
    let answer = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": device, "amount": amount, "currency": "USD", "orderId": "OrderRef6543",
                    "description": "Refund for order OrderRef6543", "operator": "Jane" }),
        )
        .await;
    assert_eq!(answer.status(), 202);
    let body: Value = answer.json().await.unwrap();
    body["id"].as_str().unwrap().to_string()
}

async fn rpc(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let answer = app
        .http
        .post(format!("{}/rpc/{endpoint}", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body = answer.text().await.unwrap();
    assert_eq!(status, 200, "{endpoint}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn live_paydesk_against_the_vendors_own_examples_lists_every_device_and_ends_every_refund_right(
) {
    let spec = gateway::start().await;
    let app = live_paydesk(&spec.origin).await;

    // 25 devices in pages of 10: every one listed.
    let devices = app.get("/api/v1/devices").await;
    let serials: Vec<&str> = devices["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["serialNumber"].as_str())
        .collect();
    assert_eq!(serials.len(), DEVICES, "{devices}");
    assert!(serials.contains(&serial(DEVICES - 1).as_str()));

    // Payroc: the refund example approves; the same refund reversed fails.
    let approved = device_refund(&app, &serial(0), PAYROC_EXAMPLE_AMOUNT).await;
    let reversed = device_refund(&app, &serial(1), 5001).await;
    let done = until(&app, &approved, "completed").await;
    assert_eq!(done["refundId"], "CD3HN88U9F", "{done}");
    until(&app, &reversed, "failed").await;

    // Commerce Hub: the refund example approves 12.04.
    let plain = commercehub_refund(&app, 1204).await;
    assert_eq!(plain["status"], "refunded", "{plain}");
    assert_eq!(plain["refundedAmount"], 1204, "{plain}");

    // A charge authorized and not captured: the refund is refused (837), the cancel example
    // releases it.
    let canceled = commercehub_refund(&app, NOT_CAPTURED_AMOUNT).await;
    assert_eq!(
        (
            &canceled["status"],
            &canceled["refundedBy"],
            &canceled["refundedAmount"]
        ),
        (
            &json!("refunded"),
            &json!("cancel"),
            &json!(NOT_CAPTURED_AMOUNT)
        ),
        "{canceled}"
    );

    // Approved for 15.00 of 20.00: refunded, and the refund says how much went out.
    let partial = commercehub_refund(&app, PARTIAL_AMOUNT).await;
    assert_eq!(
        (
            &partial["status"],
            &partial["amount"],
            &partial["refundedAmount"]
        ),
        (&json!("refunded"), &json!(2000), &json!(1500)),
        "{partial}"
    );

    // The ServerError example: unknown, then the inquiry example (`total: '690'`) settles it.
    let lost = commercehub_refund(&app, SERVER_ERROR_AMOUNT).await;
    assert_eq!(lost["status"], "processing", "{lost}");
    let lost_id = lost["id"].as_str().unwrap();
    age_sends(&app, lost_id).await;
    let found = app.get(&format!("/api/v1/refunds/{lost_id}")).await;
    assert_eq!(found["status"], "refunded", "{found}");

    // The same, but the inquiry answers the example as it is — a CHARGE of 690.00: it is not the
    // refund's result, so the refund stays processing (money held) and nothing is sent again.
    let charge_found = commercehub_refund(&app, CHARGE_FOUND_AMOUNT).await;
    let charge_found_id = charge_found["id"].as_str().unwrap();
    age_sends(&app, charge_found_id).await;
    let still = app.get(&format!("/api/v1/refunds/{charge_found_id}")).await;
    assert_eq!(still["status"], "processing", "{still}");
    assert_eq!(
        app.state
            .store
            .refund_attempts(charge_found_id)
            .await
            .unwrap()[0]
            .sends,
        1
    );

    // A closed card: declined, then paid to the new card with the TransArmor token of the two.
    let closed = commercehub_refund(&app, CLOSED_CARD_AMOUNT).await;
    assert_eq!(closed["status"], "awaiting_card", "{closed}");
    let link = TestApp::refund_link_ref(closed["url"].as_str().unwrap());
    let submission = rpc(
        &app,
        "card_submission",
        &[("id", &link.id), ("sig", &link.sig), ("lang", "en")],
    )
    .await;
    let submission_id = submission["submission_id"].as_str().unwrap();
    rpc(
        &app,
        "refund_to_new_card",
        &[
            ("id", &link.id),
            ("sig", &link.sig),
            ("submission", submission_id),
            ("lang", "en"),
        ],
    )
    .await;
    let paid = app
        .get(&format!(
            "/api/v1/refunds/{}",
            closed["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(paid["status"], "refunded", "{paid}");
    assert_eq!(
        spec.tokens_used(),
        vec!["8519371934460009".to_string()],
        "the TRANSARMOR token, not CHASE's"
    );

    let problems = spec.problems();
    assert!(
        problems.is_empty(),
        "requests outside the vendors' schemas:\n{}",
        problems.join("\n")
    );
}
