//! Every request paydesk's Commerce Hub client builds, and every answer the Commerce Hub simulator
//! gives it, validated against the schema Fiserv's OpenAPI 3.0 spec gives that operation and
//! status: Hosted Fields credentials, a token from the session, a closed card's tagged refund
//! declined then paid to the new card, an inquiry, a charge not captured cancelled instead of
//! refunded, and the errors in each documented shape.

use std::time::Duration;

use paydesk::sandbox::commercehub::{
    CommerceHubSandboxConfig, RunningCommerceHubSandbox, APPROVAL_CARDS,
};
use paydesk::sandbox::variants::Variants;
use paydesk_core::gateways::commercehub::amount::Total;
use paydesk_core::gateways::commercehub::wire::{
    four_digit_year, Amount, CancelRequest, CancelTransactionDetails, ReferenceTransactionDetails,
    RefundRequest, RefundSource, RefundTransactionDetails, TokenCard, TransactionInteraction,
};
use paydesk_core::gateways::commercehub::{
    new_client_request_id, CommerceHubAccount, CommerceHubClient,
};
use serde_json::{json, Value};

use crate::recording_proxy::{assert_exchanged, Exchange, RecordingProxy};
use crate::schema::{Dialect, SpecSchemas};
use crate::specs;

const KEY: &str = "ch_test_key_0123456789";
const SECRET: &str = "ch_test_secret_0123456789abcdef";

async fn simulator(variants: Variants) -> RunningCommerceHubSandbox {
    let mut config = CommerceHubSandboxConfig::new(KEY.into(), SECRET.into(), None);
    config.variants = variants;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    paydesk::sandbox::commercehub::start(config, listener)
        .await
        .unwrap()
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

/// The customer's card typed into the Hosted Fields, then the session made a token, as the refund
/// page does: the TransArmor token, with a four-digit year.
async fn new_card(
    sim: &RunningCommerceHubSandbox,
    client: &CommerceHubClient,
    number: &str,
) -> RefundSource {
    let credentials = client.security_credentials().await.unwrap();
    let typed = reqwest::Client::new()
        .post(format!("{}/fields/submit", sim.origin))
        .json(&json!({
            "apiKey": KEY, "accessToken": credentials.access_token, "merchantId": sim.merchant_id,
            "terminalId": sim.terminal_id, "keyId": "88000000022",
            "card": { "cardData": number, "expirationMonth": "12", "expirationYear": "2030", "securityCode": "777" },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(typed.status(), 200);
    let token = client
        .tokenize_session(&credentials.session_id)
        .await
        .unwrap();
    let chosen = token.transarmor_token().expect("a TransArmor token");
    RefundSource::PaymentToken {
        token_data: chosen.token_data.clone(),
        token_source: "TRANSARMOR".into(),
        card: TokenCard {
            expiration_month: token.source.card.expiration_month.clone().unwrap(),
            expiration_year: four_digit_year(token.source.card.expiration_year.as_deref().unwrap()),
        },
    }
}

fn refund(
    client: &CommerceHubClient,
    original: &str,
    amount: i64,
    source: Option<RefundSource>,
) -> Vec<u8> {
    CommerceHubClient::refund_body(&RefundRequest {
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
    })
    .unwrap()
}

fn cancel(client: &CommerceHubClient, original: &str, amount: i64, refund_id: &str) -> Vec<u8> {
    CommerceHubClient::cancel_body(&CancelRequest {
        amount: Amount {
            total: Total(amount),
            currency: "USD".into(),
        },
        reference_transaction_details: ReferenceTransactionDetails {
            reference_transaction_id: Some(original.into()),
            reference_merchant_transaction_id: None,
        },
        merchant_details: client.merchant(),
        transaction_details: CancelTransactionDetails {
            merchant_transaction_id: Some(refund_id.into()),
            merchant_order_id: None,
        },
    })
    .unwrap()
}

fn schema_errors(spec: &SpecSchemas, exchanges: &[Exchange]) -> Vec<String> {
    let mut errors = Vec::new();
    for exchange in exchanges {
        let Some(path) = exchange.path.strip_prefix("/ch") else {
            errors.push(format!(
                "{} {}: not a Commerce Hub path",
                exchange.method, exchange.path
            ));
            continue;
        };
        errors.extend(spec.request_errors(&exchange.method, path, exchange.request.as_ref()));
        errors.extend(spec.answer_errors(
            &exchange.method,
            path,
            exchange.status,
            exchange.answer.as_ref(),
        ));
    }
    errors
}

/// Each flow runs with canonical answers, then with the documented variants of a few seeds.
#[tokio::test]
async fn every_request_and_simulator_answer_matches_commerce_hubs_schemas() {
    for seed in [None, Some(1), Some(2), Some(3), Some(4)] {
        conforms(Variants::from_seed(seed)).await;
    }
}

async fn conforms(variants: Variants) {
    let sim = simulator(variants).await;
    let proxy = RecordingProxy::start(&sim.origin).await;
    let account = CommerceHubAccount {
        api_key: KEY.into(),
        api_secret: SECRET.into(),
        merchant_id: sim.merchant_id.clone(),
        terminal_id: sim.terminal_id.clone(),
    };
    let client = CommerceHubClient::new(
        &format!("{}/ch", proxy.url),
        account.clone(),
        Duration::from_secs(10),
    )
    .unwrap();

    // A closed card: the tagged refund is declined, then paid to a new card.
    let original = charge(&sim, 1204, "closed").await;
    client
        .refund(
            &new_client_request_id(),
            &refund(&client, &original, 1204, None),
        )
        .await
        .unwrap();
    let declined = new_card(&sim, &client, paydesk::sandbox::commercehub::DECLINED_CARD).await;
    client
        .refund(
            &new_client_request_id(),
            &refund(&client, &original, 1204, Some(declined)),
        )
        .await
        .unwrap();
    let id = new_client_request_id();
    let source = new_card(&sim, &client, APPROVAL_CARDS[1]).await;
    client
        .refund(&id, &refund(&client, &original, 1204, Some(source)))
        .await
        .unwrap();
    assert_eq!(client.inquire_request(&id).await.unwrap().len(), 1);
    // A plain refund, one too many, an unknown charge in both error shapes, a reused session.
    let open = charge(&sim, 3000, APPROVAL_CARDS[0]).await;
    client
        .refund(
            &new_client_request_id(),
            &refund(&client, &open, 3000, None),
        )
        .await
        .unwrap();
    client
        .refund(&new_client_request_id(), &refund(&client, &open, 1, None))
        .await
        .unwrap_err();
    // A charge authorized and not captured: its refund is refused (837), its cancel released; a
    // second cancel finds nothing left; the cancel is found by the refund's own id.
    let pre_auth = control(
        &sim,
        reqwest::Method::POST,
        "/sandbox/charges",
        json!({ "amount": 2500, "captureFlag": false }),
    )
    .await["gatewayResponse"]["transactionProcessingDetails"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = client
        .refund(
            &new_client_request_id(),
            &refund(&client, &pre_auth, 2500, None),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("837"), "{refused}");
    client
        .cancel(
            &new_client_request_id(),
            &cancel(&client, &pre_auth, 2500, "rfd_conformance"),
        )
        .await
        .unwrap();
    client
        .cancel(
            &new_client_request_id(),
            &cancel(&client, &pre_auth, 100, "rfd_other"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        client
            .inquire_merchant_transaction("rfd_conformance")
            .await
            .unwrap()
            .len(),
        1
    );
    for shape in ["top-level", "wrapped"] {
        control(
            &sim,
            reqwest::Method::PUT,
            "/sandbox/error-shape",
            json!({ "shape": shape }),
        )
        .await;
        client
            .refund(
                &new_client_request_id(),
                &refund(&client, "99999999999", 100, None),
            )
            .await
            .unwrap_err();
    }
    let wrong_secret = CommerceHubClient::new(
        &format!("{}/ch", proxy.url),
        CommerceHubAccount {
            api_secret: "not_the_secret_0123456789abcdef".into(),
            ..account
        },
        Duration::from_secs(10),
    )
    .unwrap();
    wrong_secret.security_credentials().await.unwrap_err();

    let exchanges = proxy.exchanges();
    let spec = SpecSchemas::new(specs::commercehub(), Dialect::OpenApi30);
    let errors = schema_errors(&spec, &exchanges);
    assert!(
        errors.is_empty(),
        "{} schema errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_exchanged(
        &spec,
        &exchanges,
        "/ch",
        &[
            ("POST", "/payments-vas/v1/security/credentials", 201),
            ("POST", "/payments-vas/v1/security/credentials", 401),
            ("POST", "/payments-vas/v1/tokens", 200),
            ("POST", "/payments/v1/refunds", 201),
            ("POST", "/payments/v1/refunds", 400),
            ("POST", "/payments/v1/transaction-inquiry", 201),
            ("POST", "/payments/v1/cancels", 200),
            ("POST", "/payments/v1/cancels", 400),
        ],
    );
}
