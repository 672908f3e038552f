//! The Payroc Cloud client against the Payroc simulator (each with its own copy of the wire format):
//! identity, devices, a refund instruction through its long poll to a refund, idempotent resends,
//! cancel and its races, a client timeout mid-poll, and typed RFC 7807 errors.

use std::time::{Duration, Instant};

use paydesk::sandbox::payroc::{PayrocSandboxConfig, RunningPayrocSandbox};
use paydesk_core::gateways::payroc::wire::{
    InstructionOrder, InstructionStatus, RefundInstructionRequest,
};
use paydesk_core::gateways::payroc::{
    interpret, CancelOutcome, PayrocApiKey, PayrocClient, PayrocEndpoints, PayrocError, ProblemType,
};
use paydesk_core::gateways::Outcome;

const KEY: &str = "payroc_test_key_0123456789";
const DEVICE: &str = "1850010868";

async fn simulator(hold: Duration) -> RunningPayrocSandbox {
    let mut config = PayrocSandboxConfig::new(KEY.into(), None);
    config.hold = hold;
    config.processing = Duration::from_millis(100);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    paydesk::sandbox::payroc::start(config, listener)
        .await
        .unwrap()
}

fn client(sim: &RunningPayrocSandbox, key: &str, poll_timeout: Duration) -> PayrocClient {
    PayrocClient::new(
        &PayrocEndpoints {
            api_url: sim.api_url.clone(),
            identity_url: sim.identity_url.clone(),
        },
        PayrocApiKey::new(key),
        Duration::from_secs(10),
        poll_timeout,
    )
    .unwrap()
}

fn request(order_id: &str, amount: i64) -> RefundInstructionRequest {
    RefundInstructionRequest {
        processing_terminal_id: "1234001".into(),
        operator: Some("Jane".into()),
        order: InstructionOrder {
            order_id: order_id.into(),
            description: format!("Refund for order {order_id}"),
            amount,
            currency: "USD".into(),
        },
        customization_options: None,
    }
}

fn new_key() -> String {
    let hex = format!("{:032x}", rand::random::<u128>());
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Presses a button of the virtual terminal, as a person would.
async fn terminal(sim: &RunningPayrocSandbox, action: &str, form: &[(&str, &str)]) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/{DEVICE}/{action}", sim.terminal_url))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{action}");
}

#[tokio::test]
async fn a_refund_on_a_device_is_polled_to_its_refund() {
    let sim = simulator(Duration::from_secs(5)).await;
    let payroc = client(&sim, KEY, Duration::from_secs(75));
    let devices = payroc.devices().await.unwrap();
    assert!(devices.iter().any(|d| d.serial_number == DEVICE));

    let sent = payroc
        .send_refund_instruction(DEVICE, &request("OrderRef6543", 4999), &new_key())
        .await
        .unwrap();
    assert_eq!(sent.status, InstructionStatus::InProgress);
    assert_eq!(sent.refund_instruction_id.len(), 32);

    // The poll is held; a card tapped meanwhile ends it early.
    let tap = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        terminal(&sim, "tap", &[("card", "visa")]).await;
    };
    let started = Instant::now();
    let (polled, ()) = tokio::join!(
        payroc.poll_refund_instruction(&sent.refund_instruction_id),
        tap
    );
    let mut polled = polled
        .unwrap()
        .expect("answered within the client's timeout");
    while polled.status == InstructionStatus::InProgress {
        polled = payroc
            .poll_refund_instruction(&sent.refund_instruction_id)
            .await
            .unwrap()
            .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the hold ended on the change"
    );
    assert_eq!(polled.status, InstructionStatus::Completed);
    let refund_id = polled.link.unwrap().refund_id().expect("a refund link");
    assert_eq!(refund_id.len(), 10);
    let refund = payroc.refund(&refund_id).await.unwrap();
    assert_eq!(refund.transaction_result.authorized_amount, Some(-4999));
    assert_eq!(
        interpret::outcome(&refund),
        Outcome::Approved {
            approved: Some(4999),
            requested: Some(4999)
        }
    );
}

#[tokio::test]
async fn an_unchanged_instruction_is_answered_after_the_hold_and_a_client_timeout_is_still_in_progress(
) {
    let sim = simulator(Duration::from_millis(300)).await;
    let payroc = client(&sim, KEY, Duration::from_secs(75));
    let sent = payroc
        .send_refund_instruction(DEVICE, &request("O-HOLD", 1000), &new_key())
        .await
        .unwrap();
    let held = payroc
        .poll_refund_instruction(&sent.refund_instruction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.status, InstructionStatus::InProgress);

    let long_hold = simulator(Duration::from_secs(5)).await;
    let impatient = client(&long_hold, KEY, Duration::from_millis(300));
    let sent = impatient
        .send_refund_instruction(DEVICE, &request("O-IMPATIENT", 1000), &new_key())
        .await
        .unwrap();
    assert!(
        impatient
            .poll_refund_instruction(&sent.refund_instruction_id)
            .await
            .unwrap()
            .is_none(),
        "our own timeout means: still in progress, poll again"
    );
}

#[tokio::test]
async fn a_lost_answer_is_resent_with_the_same_key_and_reaches_the_device_once() {
    let sim = simulator(Duration::from_millis(200)).await;
    let payroc = client(&sim, KEY, Duration::from_secs(75));
    let http = reqwest::Client::new();
    let queued = http
        .post(format!("{}/sandbox/faults", sim.identity_url))
        .header("x-api-key", KEY)
        .json(&serde_json::json!({ "operation": "refund-instruction", "fault": "interrupted", "applied": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 201);
    let key = new_key();
    let lost = payroc
        .send_refund_instruction(DEVICE, &request("O-LOST", 2500), &key)
        .await
        .unwrap_err();
    assert!(
        lost.may_resend(),
        "a 5xx may be resent with the same key: {lost}"
    );
    let resent = payroc
        .send_refund_instruction(DEVICE, &request("O-LOST", 2500), &key)
        .await
        .unwrap();
    let again = payroc
        .send_refund_instruction(DEVICE, &request("O-LOST", 2500), &key)
        .await
        .unwrap();
    assert_eq!(
        resent.refund_instruction_id, again.refund_instruction_id,
        "a replay, not a second instruction"
    );

    let conflict = payroc
        .send_refund_instruction(DEVICE, &request("O-OTHER", 2500), &key)
        .await
        .unwrap_err();
    assert_eq!(conflict.kind(), Some(&ProblemType::IdempotencyKeyInUse));
    assert!(!conflict.may_resend());
    let busy = payroc
        .send_refund_instruction(DEVICE, &request("O-OTHER", 2500), &new_key())
        .await
        .unwrap_err();
    assert_eq!(
        busy.kind(),
        Some(&ProblemType::ResourceAlreadyExists),
        "one instruction per device"
    );
}

#[tokio::test]
async fn cancel_works_while_waiting_and_tells_what_happened_when_it_is_too_late() {
    let sim = simulator(Duration::from_millis(200)).await;
    let payroc = client(&sim, KEY, Duration::from_secs(75));

    let waiting = payroc
        .send_refund_instruction(DEVICE, &request("O-CANCEL", 1500), &new_key())
        .await
        .unwrap();
    assert_eq!(
        payroc
            .cancel_refund_instruction(&waiting.refund_instruction_id)
            .await
            .unwrap(),
        CancelOutcome::Canceled
    );
    let polled = payroc
        .poll_refund_instruction(&waiting.refund_instruction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(polled.status, InstructionStatus::Canceled);
    assert!(matches!(
        payroc
            .cancel_refund_instruction(&waiting.refund_instruction_id)
            .await
            .unwrap(),
        CancelOutcome::TooLate { .. }
    ));

    // Cancel racing completion: the completed instruction's refund is named in the 409.
    let completed = payroc
        .send_refund_instruction(DEVICE, &request("O-RACE", 1500), &new_key())
        .await
        .unwrap();
    terminal(&sim, "tap", &[("card", "mastercard")]).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let CancelOutcome::AlreadyCompleted { refund_id } = payroc
        .cancel_refund_instruction(&completed.refund_instruction_id)
        .await
        .unwrap()
    else {
        panic!("a completed instruction cannot be canceled")
    };
    assert_eq!(
        payroc.refund(&refund_id).await.unwrap().refund_id,
        refund_id
    );

    // A declined card still completes the instruction: the refund says declined.
    let declined = payroc
        .send_refund_instruction(DEVICE, &request("O-DECLINE", 1500), &new_key())
        .await
        .unwrap();
    terminal(&sim, "decline", &[]).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let done = payroc
        .poll_refund_instruction(&declined.refund_instruction_id)
        .await
        .unwrap()
        .unwrap();
    let refund = payroc
        .refund(&done.link.unwrap().refund_id().unwrap())
        .await
        .unwrap();
    assert!(matches!(
        interpret::outcome(&refund),
        Outcome::Declined { .. }
    ));

    // Timed out on the device: failure, with its message.
    let timed_out = payroc
        .send_refund_instruction(DEVICE, &request("O-TIMEOUT", 1500), &new_key())
        .await
        .unwrap();
    terminal(&sim, "timeout", &[]).await;
    let failed = payroc
        .poll_refund_instruction(&timed_out.refund_instruction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, InstructionStatus::Failure);
    assert_eq!(
        failed.error_message.as_deref(),
        Some("Instruction timed out on device")
    );
}

#[tokio::test]
async fn bad_keys_and_bad_requests_are_typed_errors() {
    let sim = simulator(Duration::from_millis(200)).await;
    let refused = client(&sim, "not_the_key", Duration::from_secs(75))
        .devices()
        .await
        .unwrap_err();
    assert!(matches!(refused, PayrocError::Identity(_)), "{refused}");

    let payroc = client(&sim, KEY, Duration::from_secs(75));
    let mut bad = request("an order id longer than twenty-four", 100);
    bad.order.order_id = "x".repeat(25);
    let error = payroc
        .send_refund_instruction(DEVICE, &bad, &new_key())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(&ProblemType::BadRequest));
    assert!(!error.may_resend());
    let unknown = payroc
        .poll_refund_instruction("0123456789abcdef0123456789abcdef")
        .await
        .unwrap_err();
    assert_eq!(unknown.kind(), Some(&ProblemType::NotFound));
}

/// The Bearer token is cached, and fetched again two minutes before it expires.
#[tokio::test]
async fn the_token_is_cached_and_refreshed_two_minutes_early() {
    let mut config = PayrocSandboxConfig::new(KEY.into(), None);
    // 2 min 1 s: due for a refresh one second after it is issued.
    config.token_ttl = Duration::from_secs(121);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = paydesk::sandbox::payroc::start(config, listener)
        .await
        .unwrap();
    let payroc = client(&sim, KEY, Duration::from_secs(75));
    payroc.devices().await.unwrap();

    // The identity service now fails its next call: a cached token does not call it.
    let queued = reqwest::Client::new()
        .post(format!("{}/sandbox/faults", sim.identity_url))
        .header("x-api-key", KEY)
        .json(&serde_json::json!({ "operation": "authorize", "fault": "interrupted" }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 201);
    payroc.devices().await.expect("the cached token");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let refreshed = payroc.devices().await.unwrap_err();
    assert!(
        matches!(refreshed, PayrocError::Identity(_)),
        "refreshed early: {refreshed}"
    );
    payroc
        .devices()
        .await
        .expect("a fresh token once identity answers again");
}

/// A server that answers `GET /devices` as Payroc's spec writes it (PR:34395–34470): 25 devices in
/// pages of at most `max_page` (10 by default, `limit` honoured up to `max_page`), the next page
/// after the last `deviceId`, with a `next` link while `hasMore`.
async fn spec_devices_server(max_page: usize) -> PayrocEndpoints {
    use axum::extract::Query;
    use axum::routing::{get, post};
    use axum::Json;
    use serde_json::{json, Value};
    use std::collections::HashMap;

    async fn devices(max_page: usize, Query(query): Query<HashMap<String, String>>) -> Json<Value> {
        let ids: Vec<String> = (0..25).map(|i| format!("2900{i:04}")).collect();
        let limit = query
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(10)
            .min(max_page);
        let start = query
            .get("after")
            .and_then(|after| ids.iter().position(|id| id == after))
            .map_or(0, |i| i + 1);
        let page: Vec<&String> = ids.iter().skip(start).take(limit).collect();
        let has_more = start + page.len() < ids.len();
        let data: Vec<Value> = page
            .iter()
            .map(|id| {
                json!({ "deviceId": id, "serialNumber": format!("SN{id}"), "tender": "creditDebit",
                              "deviceType": { "model": "paxA80", "manufacturer": "pax" } })
            })
            .collect();
        let links = if has_more {
            json!([{ "rel": "next", "method": "get",
                     "href": format!("https://api.payroc.com/v1/devices?limit={limit}&after={}", page.last().unwrap()) }])
        } else {
            json!([])
        };
        Json(
            json!({ "limit": limit, "count": data.len(), "hasMore": has_more, "data": data, "links": links }),
        )
    }

    let app = axum::Router::new()
        .route(
            "/authorize",
            post(|| async {
                Json(json!({ "access_token": "spec-token", "token_type": "Bearer", "expires_in": 3600 }))
            }),
        )
        .route(
            "/v1/devices",
            get(move |query| devices(max_page, query)),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    PayrocEndpoints {
        api_url: format!("{origin}/v1"),
        identity_url: origin,
    }
}

/// Sequence 6 of issue 26: a merchant with more terminals than one page reaches them all — whether
/// Payroc gives the 100 a page paydesk asks for or pages of 10.
#[tokio::test]
async fn every_device_is_listed_across_pages() {
    for max_page in [100, 10, 7] {
        let endpoints = spec_devices_server(max_page).await;
        let client = PayrocClient::new(
            &endpoints,
            PayrocApiKey::new(KEY),
            Duration::from_secs(10),
            Duration::from_secs(75),
        )
        .unwrap();
        let devices = client.devices().await.unwrap();
        let serials: Vec<&str> = devices.iter().map(|d| d.serial_number.as_str()).collect();
        assert_eq!(serials.len(), 25, "pages of {max_page}: {serials:?}");
        assert_eq!(serials[0], "SN29000000");
        assert_eq!(serials[24], "SN29000024");
    }
}

/// The simulator pages its devices as Payroc does: 10 by default, `limit` and `after` honoured.
#[tokio::test]
async fn the_simulator_pages_its_devices_as_payroc_does() {
    let sim = simulator(Duration::from_secs(1)).await;
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/authorize", sim.identity_url))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = |query: &'static str| {
        let (http, url, token) = (
            http.clone(),
            format!("{}/devices{query}", sim.api_url),
            token["access_token"].as_str().unwrap().to_string(),
        );
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let first = page("?limit=2").await;
    assert_eq!(
        (first["count"].as_u64(), first["hasMore"].as_bool()),
        (Some(2), Some(true)),
        "{first}"
    );
    let after = first["data"][1]["deviceId"].as_str().unwrap().to_string();
    assert!(first["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("after={after}")));
    let all = page("").await;
    assert_eq!(
        (
            all["limit"].as_u64(),
            all["count"].as_u64(),
            all["hasMore"].as_bool()
        ),
        (Some(10), Some(3), Some(false))
    );
    let client = client(&sim, KEY, Duration::from_secs(75));
    assert_eq!(client.devices().await.unwrap().len(), 3);
}
