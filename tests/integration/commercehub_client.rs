//! The Commerce Hub client against the Commerce Hub simulator (each with its own copy of the wire
//! format and of the HMAC): a closed card's tagged refund declined, Hosted Fields credentials, a
//! token from the session, the unmatched refund to the new card; signature, timestamp and replay
//! refusals; both error shapes; a timeout resent with the same `Client-Request-Id` refunds once.

use std::time::Duration;

use paydesk::sandbox::commercehub::{
    CommerceHubSandboxConfig, RunningCommerceHubSandbox, APPROVAL_CARDS, DECLINED_CARD,
};
use paydesk_core::gateways::commercehub::amount::Total;
use paydesk_core::gateways::commercehub::interpret::{
    outcome, permits_unmatched_refund, CLOSED_ACCOUNT_CODES,
};
use paydesk_core::gateways::commercehub::wire::{
    Amount, ReferenceTransactionDetails, RefundRequest, RefundSource, RefundTransactionDetails,
    TokenCard, TransactionInteraction,
};
use paydesk_core::gateways::commercehub::{
    new_client_request_id, CommerceHubAccount, CommerceHubClient, CommerceHubError,
};
use paydesk_core::gateways::{Effect, Outcome};
use serde_json::{json, Value};

const KEY: &str = "ch_test_key_0123456789";
const SECRET: &str = "ch_test_secret_0123456789abcdef";

async fn simulator() -> RunningCommerceHubSandbox {
    let config = CommerceHubSandboxConfig::new(KEY.into(), SECRET.into(), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    paydesk::sandbox::commercehub::start(config, listener)
        .await
        .unwrap()
}

fn client_with(
    sim: &RunningCommerceHubSandbox,
    secret: &str,
    timeout: Duration,
) -> CommerceHubClient {
    CommerceHubClient::new(
        &sim.api_url,
        CommerceHubAccount {
            api_key: KEY.into(),
            api_secret: secret.into(),
            merchant_id: sim.merchant_id.clone(),
            terminal_id: sim.terminal_id.clone(),
        },
        timeout,
    )
    .unwrap()
}

fn client(sim: &RunningCommerceHubSandbox) -> CommerceHubClient {
    client_with(sim, SECRET, Duration::from_secs(10))
}

async fn control(
    sim: &RunningCommerceHubSandbox,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let answer = reqwest::Client::new()
        .request(method, format!("{}{path}", sim.origin))
        .header("Api-Key", KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

/// A sandbox charge; its Commerce Hub transaction id.
async fn charge(sim: &RunningCommerceHubSandbox, amount: i64, card: &str) -> String {
    let answer = control(
        sim,
        reqwest::Method::POST,
        "/sandbox/charges",
        json!({ "amount": amount, "card": card }),
    )
    .await;
    answer["gatewayResponse"]["transactionProcessingDetails"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn refund(
    client: &CommerceHubClient,
    original: &str,
    amount: i64,
    source: Option<RefundSource>,
) -> RefundRequest {
    RefundRequest {
        amount: Amount {
            total: Total(amount),
            currency: "USD".into(),
        },
        reference_transaction_details: ReferenceTransactionDetails {
            reference_transaction_id: Some(original.into()),
            reference_merchant_transaction_id: None,
        },
        transaction_interaction: source.as_ref().map(|_| TransactionInteraction::ecom()),
        source,
        merchant_details: client.merchant(),
        transaction_details: RefundTransactionDetails {
            capture_flag: true,
            ..Default::default()
        },
    }
}

/// What the customer's browser does in the Hosted Fields: the field frames send the card to the
/// gateway with the access token.
async fn type_card(
    sim: &RunningCommerceHubSandbox,
    access_token: &str,
    number: &str,
) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{}/fields/submit", sim.origin))
        .json(&json!({
            "apiKey": KEY, "accessToken": access_token, "merchantId": sim.merchant_id,
            "terminalId": sim.terminal_id, "keyId": "88000000022",
            "card": { "cardData": number, "expirationMonth": "12", "expirationYear": "2030", "securityCode": "777" },
        }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn new_card_token(
    sim: &RunningCommerceHubSandbox,
    client: &CommerceHubClient,
    number: &str,
) -> RefundSource {
    let credentials = client.security_credentials().await.unwrap();
    assert_eq!(
        type_card(sim, &credentials.access_token, number).await,
        reqwest::StatusCode::OK
    );
    let token = client
        .tokenize_session(&credentials.session_id)
        .await
        .unwrap();
    assert!(
        client
            .tokenize_session(&credentials.session_id)
            .await
            .is_err(),
        "a session is single use"
    );
    RefundSource::PaymentToken {
        token_data: token.payment_tokens[0].token_data.clone(),
        token_source: "TRANSARMOR".into(),
        card: TokenCard {
            expiration_month: token.source.card.expiration_month.clone().unwrap(),
            expiration_year: token.source.card.expiration_year.clone().unwrap(),
        },
    }
}

async fn send(
    client: &CommerceHubClient,
    request: &RefundRequest,
) -> Result<paydesk_core::gateways::commercehub::wire::RefundResponse, CommerceHubError> {
    let body = CommerceHubClient::refund_body(request).unwrap();
    client.refund(&new_client_request_id(), &body).await
}

#[tokio::test]
async fn a_closed_cards_refund_is_declined_then_paid_to_a_new_card_through_a_token() {
    let sim = simulator().await;
    let client = client(&sim);
    let original = charge(&sim, 1204, "closed").await;
    let defaults: Vec<String> = CLOSED_ACCOUNT_CODES.iter().map(|c| c.to_string()).collect();

    let early = send(
        &client,
        &refund(
            &client,
            &original,
            1204,
            Some(new_card_token(&sim, &client, APPROVAL_CARDS[1]).await),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(early.effect(), Effect::None);
    assert!(
        early
            .to_string()
            .contains("requires a prior declined tagged refund"),
        "{early}"
    );

    let tagged = send(&client, &refund(&client, &original, 1204, None))
        .await
        .unwrap();
    let (declined, code) = outcome(&tagged, 1204);
    assert!(matches!(declined, Outcome::Declined { .. }), "{declined:?}");
    assert_eq!(code.as_deref(), Some("030"));
    assert!(permits_unmatched_refund(code.as_deref(), &defaults));

    let declined_card = send(
        &client,
        &refund(
            &client,
            &original,
            1204,
            Some(new_card_token(&sim, &client, DECLINED_CARD).await),
        ),
    )
    .await
    .unwrap();
    assert!(matches!(
        outcome(&declined_card, 1204).0,
        Outcome::Declined { .. }
    ));

    let paid = send(
        &client,
        &refund(
            &client,
            &original,
            1204,
            Some(new_card_token(&sim, &client, APPROVAL_CARDS[1]).await),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        outcome(&paid, 1204).0,
        Outcome::Approved {
            approved: Some(1204),
            requested: Some(1204)
        }
    );
    assert_eq!(
        paid.source.unwrap().card.unwrap().last4.as_deref(),
        Some("7385")
    );

    let over = send(
        &client,
        &refund(
            &client,
            &original,
            1,
            Some(new_card_token(&sim, &client, APPROVAL_CARDS[1]).await),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(over.code(), Some("810"));
    assert!(
        over.api_trace_id().is_some_and(|t| t.len() == 32),
        "{over:?}"
    );
}

#[tokio::test]
async fn wrong_signatures_stale_timestamps_and_reused_ids_are_refused() {
    let sim = simulator().await;
    let original = charge(&sim, 5000, APPROVAL_CARDS[0]).await;
    let honest = client(&sim);

    let forged = send(
        &client_with(&sim, "not the secret", Duration::from_secs(5)),
        &refund(&honest, &original, 100, None),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(forged, CommerceHubError::Api { status: 401, .. }),
        "{forged:?}"
    );
    assert_eq!(forged.effect(), Effect::None);

    // A request signed correctly but 6 minutes ago.
    let body = CommerceHubClient::refund_body(&refund(&honest, &original, 100, None)).unwrap();
    let id = new_client_request_id();
    let stale = (paydesk_core::store::now_ms() - 360_000).to_string();
    let signature = paydesk_core::gateways::commercehub::signature::authorization(
        KEY,
        SECRET.as_bytes(),
        &id,
        &stale,
        &body,
    );
    let answer = reqwest::Client::new()
        .post(format!("{}/payments/v1/refunds", sim.api_url))
        .header("Content-Type", "application/json")
        .header("Client-Request-Id", &id)
        .header("Api-Key", KEY)
        .header("Timestamp", &stale)
        .header("Auth-Token-Type", "HMAC")
        .header("Authorization", signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert!(answer.headers().contains_key("apitraceid"));

    // The same id and body: the first answer again, one refund. Another body: refused.
    let first = honest.refund(&id, &body).await.unwrap();
    let again = honest.refund(&id, &body).await.unwrap();
    assert_eq!(
        first
            .gateway_response
            .transaction_processing_details
            .transaction_id,
        again
            .gateway_response
            .transaction_processing_details
            .transaction_id
    );
    let other = CommerceHubClient::refund_body(&refund(&honest, &original, 200, None)).unwrap();
    let reused = honest.refund(&id, &other).await.unwrap_err();
    assert!(
        matches!(reused, CommerceHubError::Api { status: 400, .. }),
        "{reused:?}"
    );
    assert_eq!(honest.inquire_request(&id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn errors_are_read_in_both_documented_shapes() {
    let sim = simulator().await;
    let client = client(&sim);
    for shape in ["top-level", "wrapped"] {
        control(
            &sim,
            reqwest::Method::PUT,
            "/sandbox/error-shape",
            json!({ "shape": shape }),
        )
        .await;
        let missing = send(&client, &refund(&client, "99999999999", 100, None))
            .await
            .unwrap_err();
        assert_eq!(missing.code(), Some("764"), "{shape}: {missing:?}");
        assert!(missing.api_trace_id().is_some(), "{shape}");
        assert!(
            missing
                .to_string()
                .contains("Referenced transaction not found"),
            "{shape}: {missing}"
        );
    }
}

#[tokio::test]
async fn a_timeout_resent_with_the_same_client_request_id_refunds_once() {
    let sim = simulator().await;
    let client = client_with(&sim, SECRET, Duration::from_secs(1));
    let original = charge(&sim, 3000, APPROVAL_CARDS[0]).await;
    control(
        &sim,
        reqwest::Method::POST,
        "/sandbox/faults",
        json!({ "operation": "refund", "fault": "timeout", "applied": true, "delayMs": 2500 }),
    )
    .await;

    let id = new_client_request_id();
    let body = CommerceHubClient::refund_body(&refund(&client, &original, 3000, None)).unwrap();
    let lost = client.refund(&id, &body).await.unwrap_err();
    assert!(matches!(lost, CommerceHubError::Timeout { .. }), "{lost:?}");
    assert_eq!(lost.effect(), Effect::Unknown);

    let resent = client.refund(&id, &body).await.unwrap();
    assert_eq!(
        outcome(&resent, 3000).0,
        Outcome::Approved {
            approved: Some(3000),
            requested: Some(3000)
        }
    );
    let recorded = client.inquire_request(&id).await.unwrap();
    assert_eq!(recorded.len(), 1, "one refund at the gateway");
    // Nothing is left to refund: a second refund would exceed the capture.
    let more = send(&client, &refund(&client, &original, 1, None))
        .await
        .unwrap_err();
    assert_eq!(more.code(), Some("810"));
}
