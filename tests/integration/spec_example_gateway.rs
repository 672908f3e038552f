//! A small gateway that answers with the vendors' own spec examples — not paydesk's simulators —
//! for a paydesk in live mode: Commerce Hub (the refund example, a closed card's decline, the
//! ServerError example with its error inside `gatewayResponse`, the inquiry example with its string
//! amount, the two-token example, a charge not captured refused with `837` then the cancel example) and Payroc (the SDK's token, 25 devices in pages of 10, the
//! refund-instruction and refund examples, one of them reversed). Each request paydesk sends is
//! checked against the vendor's schema for it; what is wrong is kept for the test to report.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::schema::{Dialect, SpecSchemas};
use crate::specs;

/// The amount (minor units) whose tagged refund is declined as a closed account, then paid to a
/// new card.
pub const CLOSED_CARD_AMOUNT: i64 = 5555;
/// The amount whose refund meets the ServerError example, then is found by inquiry.
pub const SERVER_ERROR_AMOUNT: i64 = 69_000;
/// The amount whose refund meets the ServerError example, and whose inquiry answers the spec's
/// example as it is: a `CHARGE`, not the refund.
pub const CHARGE_FOUND_AMOUNT: i64 = 69_001;
/// The amount of Payroc's refund example (approved); any other device refund is reversed.
pub const PAYROC_EXAMPLE_AMOUNT: i64 = 4999;
/// The amount whose refund the refund example approves for 15.00 only (a partial approval: code
/// `000`, Fiserv's response-code table lists it for partial approvals too).
pub const PARTIAL_AMOUNT: i64 = 2000;
pub const DEVICES: usize = 25;
/// The amount whose charge was authorized and not captured: its refund meets the BadRequest
/// example with code `837`, and its cancel the CancelResponse example.
pub const NOT_CAPTURED_AMOUNT: i64 = 3456;

#[derive(Clone)]
struct Gateway {
    commercehub: Arc<SpecSchemas>,
    payroc: Arc<SpecSchemas>,
    ch_examples: Arc<Value>,
    payroc_examples: Arc<Value>,
    origin: String,
    /// Instruction id → order amount.
    instructions: Arc<Mutex<HashMap<String, i64>>>,
    /// Commerce Hub `Client-Request-Id` → refund amount asked.
    requests: Arc<Mutex<HashMap<String, i64>>>,
    /// Schema errors of what paydesk sent, and the token data of each new-card refund.
    pub problems: Arc<Mutex<Vec<String>>>,
    pub tokens_used: Arc<Mutex<Vec<String>>>,
}

pub struct RunningSpecGateway {
    pub origin: String,
    problems: Arc<Mutex<Vec<String>>>,
    tokens_used: Arc<Mutex<Vec<String>>>,
}

impl RunningSpecGateway {
    pub fn problems(&self) -> Vec<String> {
        self.problems.lock().unwrap().clone()
    }
    pub fn tokens_used(&self) -> Vec<String> {
        self.tokens_used.lock().unwrap().clone()
    }
}

pub async fn start() -> RunningSpecGateway {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let ch = specs::commercehub();
    let pr = specs::payroc();
    let gateway = Gateway {
        ch_examples: Arc::new(ch["components"].clone()),
        payroc_examples: Arc::new(pr["paths"].clone()),
        commercehub: Arc::new(SpecSchemas::new(ch, Dialect::OpenApi30)),
        payroc: Arc::new(SpecSchemas::new(pr, Dialect::OpenApi31)),
        origin: origin.clone(),
        instructions: Arc::default(),
        requests: Arc::default(),
        problems: Arc::default(),
        tokens_used: Arc::default(),
    };
    let running = RunningSpecGateway {
        origin,
        problems: gateway.problems.clone(),
        tokens_used: gateway.tokens_used.clone(),
    };
    let app = Router::new()
        .route("/ch/payments/v1/refunds", post(ch_refund))
        .route("/ch/payments/v1/cancels", post(ch_cancel))
        .route("/ch/payments/v1/transaction-inquiry", post(ch_inquiry))
        .route(
            "/ch/payments-vas/v1/security/credentials",
            post(ch_credentials),
        )
        .route("/ch/payments-vas/v1/tokens", post(ch_tokens))
        .route("/payroc/authorize", post(payroc_token))
        .route("/payroc/v1/devices", get(payroc_devices))
        .route(
            "/payroc/v1/devices/{serial}/refund-instructions",
            post(payroc_instruct),
        )
        .route(
            "/payroc/v1/refund-instructions/{id}",
            get(payroc_instruction),
        )
        .route("/payroc/v1/refunds/{id}", get(payroc_refund))
        .route("/payroc/v1/refunds", get(payroc_no_refunds))
        .with_state(gateway);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    running
}

impl Gateway {
    fn ch_example(&self, name: &str) -> Value {
        self.ch_examples["examples"][name]["value"].clone()
    }

    fn ch_checked(&self, path: &str, body: &Value) {
        let errors = self.commercehub.request_errors("POST", path, Some(body));
        self.problems.lock().unwrap().extend(errors);
    }

    fn payroc_example(&self, path: &str, method: &str, status: &str) -> Value {
        let examples = &self.payroc_examples[path][method]["responses"][status]["content"]
            ["application/json"]["examples"];
        examples.as_object().unwrap().values().next().unwrap()["value"].clone()
    }
}

fn minor(total: &Value) -> i64 {
    (total.as_f64().unwrap() * 100.0).round() as i64
}

fn created(body: Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// The refund example for the amount asked; a closed card's tagged refund declined (code 030, as
/// Fiserv's response-code table lists it); the ServerError example for [`SERVER_ERROR_AMOUNT`].
async fn ch_refund(
    State(gateway): State<Gateway>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    gateway.ch_checked("/payments/v1/refunds", &body);
    let amount = minor(&body["amount"]["total"]);
    if let Some(id) = headers
        .get("Client-Request-Id")
        .and_then(|v| v.to_str().ok())
    {
        gateway
            .requests
            .lock()
            .unwrap()
            .insert(id.to_string(), amount);
    }
    let mut answer = gateway.ch_example("RefundResponse");
    answer["paymentReceipt"]["approvedAmount"]["total"] = body["amount"]["total"].clone();
    match (amount, body["source"]["tokenData"].as_str()) {
        (NOT_CAPTURED_AMOUNT, None) => {
            let mut example = gateway.ch_examples["responses"]["BadRequest"]["content"]
                ["application/json"]["example"]
                .clone();
            example["error"][0]["code"] = json!("837");
            example["error"][0]["field"] = json!("referenceTransactionDetails");
            example["error"][0]["message"] =
                json!("Unable to Refund: Transaction Not in a Captured or Authorized Status");
            (StatusCode::BAD_REQUEST, Json(example)).into_response()
        }
        (SERVER_ERROR_AMOUNT | CHARGE_FOUND_AMOUNT, _) => {
            let example = gateway.ch_examples["responses"]["ServerError"]["content"]
                ["application/json"]["example"]
                .clone();
            (StatusCode::INTERNAL_SERVER_ERROR, Json(example)).into_response()
        }
        (PARTIAL_AMOUNT, _) => {
            answer["paymentReceipt"]["approvedAmount"]["total"] = json!(15.00);
            created(answer)
        }
        (CLOSED_CARD_AMOUNT, None) => {
            answer["gatewayResponse"]["transactionState"] = json!("DECLINED");
            let details = &mut answer["paymentReceipt"]["processorResponseDetails"];
            details["approvalStatus"] = json!("DECLINED");
            details["responseCode"] = json!("030");
            details["responseMessage"] = json!("CLOSED ACCOUNT");
            answer["paymentReceipt"]["approvedAmount"]["total"] = json!(0);
            created(answer)
        }
        (_, token) => {
            if let Some(token) = token {
                gateway.tokens_used.lock().unwrap().push(token.to_string());
            }
            created(answer)
        }
    }
}

/// The cancel example (200), for the amount asked.
async fn ch_cancel(State(gateway): State<Gateway>, Json(body): Json<Value>) -> Response {
    gateway.ch_checked("/payments/v1/cancels", &body);
    let mut answer = gateway.ch_example("CancelResponse");
    answer["paymentReceipt"]["approvedAmount"]["total"] = body["amount"]["total"].clone();
    (StatusCode::OK, Json(answer)).into_response()
}

/// The inquiry example (`total: '690'`, a string), for the refund the request asks about: the
/// example describes a charge, so its type and request id are the refund's.
async fn ch_inquiry(State(gateway): State<Gateway>, Json(body): Json<Value>) -> Response {
    gateway.ch_checked("/payments/v1/transaction-inquiry", &body);
    let mut answer = gateway.ch_example("TransactionInquiryResponse");
    let asked = body["referenceTransactionDetails"]["referenceClientRequestId"]
        .as_str()
        .unwrap_or_default();
    if gateway.requests.lock().unwrap().get(asked) == Some(&CHARGE_FOUND_AMOUNT) {
        return created(answer);
    }
    answer[0]["gatewayResponse"]["transactionType"] = json!("REFUND");
    answer[0]["gatewayResponse"]["transactionProcessingDetails"]["clientRequestId"] =
        body["referenceTransactionDetails"]["referenceClientRequestId"].clone();
    created(answer)
}

async fn ch_credentials(State(gateway): State<Gateway>, Json(body): Json<Value>) -> Response {
    gateway.ch_checked("/payments-vas/v1/security/credentials", &body);
    created(gateway.ch_example("SecurityCredentialsResponse"))
}

/// The two-token example (TRANSARMOR and CHASE), 200 as the spec answers a tokenization.
async fn ch_tokens(State(gateway): State<Gateway>, Json(body): Json<Value>) -> Response {
    gateway.ch_checked("/payments-vas/v1/tokens", &body);
    Json(gateway.ch_example("PaymentCardTokenResponse")).into_response()
}

/// The token of Payroc's SDK fixtures (its `token_type` is literally `"token_type"`).
async fn payroc_token() -> Response {
    Json(json!({ "access_token": "access_token", "token_type": "token_type", "expires_in": 3600, "scope": "scope" }))
        .into_response()
}

pub fn serial(index: usize) -> String {
    format!("18500{:05}", 10868 + index)
}

/// [`DEVICES`] devices, the spec's first device example with its serial and id changed, in pages
/// of at most 10 whatever `limit` asks (a server may give fewer), linked by `next`.
async fn payroc_devices(
    State(gateway): State<Gateway>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let example = gateway.payroc_example("/devices", "get", "200");
    let device = example["data"][0].clone();
    let after: usize = query
        .get("after")
        .and_then(|a| a.parse::<usize>().ok())
        .map_or(0, |a| a - 29_005_000 + 1);
    let limit = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(10)
        .min(10);
    let data: Vec<Value> = (after..DEVICES.min(after + limit))
        .map(|i| {
            let mut d = device.clone();
            d["deviceId"] = json!(format!("{}", 29_005_000 + i));
            d["serialNumber"] = json!(serial(i));
            d
        })
        .collect();
    let has_more = after + limit < DEVICES;
    let mut links = Vec::new();
    if has_more {
        let last = 29_005_000 + after + limit - 1;
        links.push(json!({ "rel": "next", "method": "get",
            "href": format!("{}/payroc/v1/devices?after={last}&limit={limit}", gateway.origin) }));
    }
    Json(json!({ "limit": limit, "count": data.len(), "hasMore": has_more, "links": links, "data": data })).into_response()
}

async fn payroc_instruct(
    State(gateway): State<Gateway>,
    Path(serial): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let errors = gateway.payroc.request_errors(
        "POST",
        &format!("/devices/{serial}/refund-instructions"),
        Some(&body),
    );
    gateway.problems.lock().unwrap().extend(errors);
    let id = format!("{:032x}", rand::random::<u128>());
    gateway
        .instructions
        .lock()
        .unwrap()
        .insert(id.clone(), body["order"]["amount"].as_i64().unwrap());
    let mut answer =
        gateway.payroc_example("/devices/{serialNumber}/refund-instructions", "post", "202");
    answer["refundInstructionId"] = json!(id);
    answer["link"]["href"] = json!(format!(
        "{}/payroc/v1/refund-instructions/{id}",
        gateway.origin
    ));
    (StatusCode::ACCEPTED, Json(answer)).into_response()
}

/// The completed example; its refund is the refund example for its amount ([`PAYROC_EXAMPLE_AMOUNT`]
/// keeps the example's id `CD3HN88U9F`), any other is a reversed refund.
async fn payroc_instruction(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
    let Some(amount) = gateway.instructions.lock().unwrap().get(&id).copied() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let refund_id = if amount == PAYROC_EXAMPLE_AMOUNT {
        "CD3HN88U9F".to_string()
    } else {
        format!("R{amount:09}")
    };
    let mut answer =
        gateway.payroc_example("/refund-instructions/{refundInstructionId}", "get", "200");
    answer["refundInstructionId"] = json!(id);
    answer["link"]["href"] = json!(format!("{}/payroc/v1/refunds/{refund_id}", gateway.origin));
    Json(answer).into_response()
}

async fn payroc_refund(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
    let mut answer = gateway.payroc_example("/refunds/{refundId}", "get", "200");
    if id != "CD3HN88U9F" {
        let amount: i64 = id.trim_start_matches('R').parse().unwrap();
        answer["refundId"] = json!(id);
        answer["order"]["amount"] = json!(amount);
        answer["transactionResult"]["authorizedAmount"] = json!(-amount);
        answer["transactionResult"]["status"] = json!("reversal");
    }
    Json(answer).into_response()
}

async fn payroc_no_refunds() -> Response {
    Json(json!({ "limit": 100, "count": 0, "hasMore": false, "links": [], "data": [] }))
        .into_response()
}
