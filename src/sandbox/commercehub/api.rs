//! The simulated Commerce Hub API (reference §6–§10, §16): charges (sandbox cards), tagged and
//! unmatched refunds, transaction inquiry, security credentials and tokens for Hosted Fields, with
//! its fault controls and the sandbox's own shortcuts (`/sandbox/…`).

use std::future::Future;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::answer_variants::{payment_tokens, vary_inquiry, vary_transaction};
use super::auth::{new_trace, Admitted};
use super::ledger::{
    luhn_valid, response_code, Charge, CommerceHubState, Dirty, Processed, Reference,
    RefundDecision, Replay, SimCard, APPROVAL_CARDS,
};
use super::simulator::{CommerceHubFaultPoint, CommerceHubSandbox, RequestIdInquiry};
use super::wire::{
    card_json, minor_units, processing_details, traced, transaction_json, Booking, CredentialsIn,
    InquiryIn, NamesMerchant, ReferenceIn, SourceIn, TokenIn, TransactionIn,
};
use crate::sandbox::faults::{bad_gateway, malformed, FaultKind, FaultRequest};

fn now_ms() -> i64 {
    paydesk_core::clock::now_ms()
}

/// A Commerce Hub transaction id: 11 digits, like the docs' examples.
fn transaction_id() -> String {
    format!("{:011}", rand::random::<u64>() % 100_000_000_000)
}

/// What a handler's work produced: the status and body, kept for replays of its `Client-Request-Id`.
type Answer = (StatusCode, Value);

/// Admits the request, then runs `work` under the fault queued for `point`; the answer is kept for
/// replays whenever the work was done.
async fn handle<F: Future<Output = Answer>>(
    sandbox: &CommerceHubSandbox,
    point: CommerceHubFaultPoint,
    headers: &HeaderMap,
    body: &[u8],
    work: impl FnOnce(Admitted) -> F,
) -> Response {
    let admitted = match sandbox.admit(headers, body, now_ms()) {
        Ok(admitted) => admitted,
        Err(answer) => return *answer,
    };
    let trace = admitted.trace.clone();
    let id = admitted.client_request_id.clone();
    let hash = admitted.body_hash.clone();
    let run = |admitted| async {
        let (status, response) = work(admitted).await;
        {
            let mut state = sandbox.lock();
            state.replays.insert(
                id.clone(),
                Replay {
                    body_hash: hash.clone(),
                    status: status.as_u16(),
                    response: response.clone(),
                    at_ms: now_ms(),
                },
            );
            state.dirty.push(Dirty::Replay(id.clone()));
        }
        sandbox.persist().await;
        (status, response)
    };
    let Some(fault) = sandbox.take_fault(point) else {
        let (status, response) = run(admitted).await;
        return traced(status, &trace, response);
    };
    match fault.fault {
        FaultKind::Slow => {
            tokio::time::sleep(fault.delay()).await;
            let (status, response) = run(admitted).await;
            traced(status, &trace, response)
        }
        kind => {
            if fault.applied {
                drop(run(admitted).await);
            }
            match kind {
                FaultKind::Timeout => {
                    tokio::time::sleep(fault.delay()).await;
                    sandbox.error(
                        StatusCode::GATEWAY_TIMEOUT,
                        &trace,
                        Some(&id),
                        "NETWORK",
                        None,
                        "Gateway Timeout",
                    )
                }
                FaultKind::RateLimited => sandbox.error(
                    StatusCode::TOO_MANY_REQUESTS,
                    &trace,
                    None,
                    "APIM",
                    None,
                    "Request volume is too high.",
                ),
                FaultKind::Unauthorized => sandbox.error(
                    StatusCode::UNAUTHORIZED,
                    &trace,
                    None,
                    "APIM",
                    None,
                    "ApiKey and/or Authentication supplied are invalid.",
                ),
                FaultKind::Malformed => malformed(),
                _ => bad_gateway(),
            }
        }
    }
}

fn gateway_error(
    sandbox: &CommerceHubSandbox,
    admitted: &Admitted,
    code: Option<&str>,
    field: Option<&str>,
    message: &str,
) -> Answer {
    (
        StatusCode::BAD_REQUEST,
        super::wire::error_json(
            sandbox.error_shape(StatusCode::BAD_REQUEST),
            &admitted.trace,
            Some(&admitted.client_request_id),
            "GATEWAY",
            code,
            field,
            message,
        ),
    )
}

/// The request body, if it is JSON of the expected shape naming this merchant; otherwise the
/// error to answer (`121` malformed, or an unknown merchant).
fn read_request<T: DeserializeOwned + NamesMerchant>(
    sandbox: &CommerceHubSandbox,
    admitted: &Admitted,
    body: &[u8],
) -> Result<T, Answer> {
    let request: T = serde_json::from_slice(body)
        .map_err(|_| gateway_error(sandbox, admitted, Some("121"), None, "Malformed JSON"))?;
    let merchant = request.merchant();
    // The spec requires merchantId only; a terminalId, when given, must be this merchant's.
    if merchant.merchant_id != sandbox.config.merchant_id
        || merchant
            .terminal_id
            .as_ref()
            .is_some_and(|terminal| *terminal != sandbox.config.terminal_id)
    {
        return Err(gateway_error(
            sandbox,
            admitted,
            None,
            Some("merchantDetails"),
            "Invalid merchantId or terminalId",
        ));
    }
    Ok(request)
}

/// The card a `source` names, or why it cannot be used. A session is used up here.
fn card_of(sandbox: &CommerceHubSandbox, source: &SourceIn) -> Result<SimCard, &'static str> {
    let mut state = sandbox.lock();
    match source {
        SourceIn::PaymentCard { card } => {
            if !luhn_valid(&card.card_data) {
                return Err("Invalid card number");
            }
            Ok(SimCard {
                number: card.card_data.clone(),
                expiration_month: card.expiration_month.clone(),
                expiration_year: card.expiration_year.clone(),
            })
        }
        SourceIn::PaymentToken {
            token_data,
            token_source,
        } => {
            if token_source != "TRANSARMOR" {
                return Err("Invalid tokenSource");
            }
            state.tokens.get(token_data).cloned().ok_or("Invalid token")
        }
        SourceIn::PaymentSession { session_id } => {
            let now = now_ms();
            let session = state
                .sessions
                .get_mut(session_id)
                .filter(|s| !s.used && s.expires_at_ms > now)
                .ok_or("Invalid or expired sessionId")?;
            let card = session
                .card
                .clone()
                .ok_or("No card data for this session")?;
            session.used = true;
            state.dirty.push(Dirty::Session(session_id.clone()));
            Ok(card)
        }
    }
}

fn reference_of(reference: Option<&ReferenceIn>) -> Option<Reference> {
    let reference = reference?;
    match (
        &reference.reference_transaction_id,
        &reference.reference_merchant_transaction_id,
    ) {
        (Some(id), None) if !id.is_empty() && id.len() <= 40 => {
            Some(Reference::TransactionId(id.clone()))
        }
        (None, Some(id)) if !id.is_empty() && id.len() <= 128 => {
            Some(Reference::MerchantTransactionId(id.clone()))
        }
        _ => None,
    }
}

/// The charge a refund or cancel names, and the amount (minor units) and currency it asks for, if
/// any; or the error answer.
fn reference_and_amount(
    sandbox: &CommerceHubSandbox,
    admitted: &Admitted,
    request: &TransactionIn,
) -> Result<(Reference, Option<(i64, String)>), Answer> {
    let Some(reference) = reference_of(request.reference_transaction_details.as_ref()) else {
        return Err(gateway_error(
            sandbox,
            admitted,
            Some("131"),
            Some("referenceTransactionDetails"),
            "Missing Referenced Transaction",
        ));
    };
    let amount = match &request.amount {
        Some(amount) => match minor_units(&amount.total) {
            Some(total) => Some((total, amount.currency.clone())),
            None => {
                return Err(gateway_error(
                    sandbox,
                    admitted,
                    Some("105"),
                    Some("amount.total"),
                    "Invalid amount or currency",
                ))
            }
        },
        None => None,
    };
    Ok((reference, amount))
}

/// The currency a request names, or its charge's when it names no amount.
fn currency_of(
    state: &CommerceHubState,
    reference: &Reference,
    amount: Option<&(i64, String)>,
) -> String {
    match amount {
        Some((_, currency)) => currency.clone(),
        None => state
            .charge_by(reference)
            .map(|c| c.currency.clone())
            .unwrap_or_default(),
    }
}

/// A decided refund or cancel's answer (`kind`), kept for inquiries.
fn book(
    sandbox: &CommerceHubSandbox,
    admitted: &Admitted,
    kind: &str,
    decision: &RefundDecision,
    currency: &str,
    merchant_transaction_id: Option<String>,
) -> Value {
    let id = transaction_id();
    let booking = Booking {
        kind,
        transaction_id: &id,
        amount: decision.amount,
        currency,
        card: &decision.card,
        code: &decision.code,
        authorize_only: false,
    };
    let mut response = transaction_json(&booking, &admitted.trace, &admitted.client_request_id);
    vary_transaction(&mut response, &sandbox.config.variants);
    record(sandbox, &id, admitted, merchant_transaction_id, &response);
    response
}

/// `POST /payments/v1/refunds`: tagged (no `source`) or unmatched (with `source`).
pub async fn refunds(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sandbox = &sandbox;
    handle(
        sandbox,
        CommerceHubFaultPoint::Refund,
        &headers,
        &body.clone(),
        |admitted| async move {
            let request: TransactionIn = match read_request(sandbox, &admitted, &body) {
                Ok(request) => request,
                Err(answer) => return answer,
            };
            let (reference, amount) = match reference_and_amount(sandbox, &admitted, &request) {
                Ok(read) => read,
                Err(answer) => return answer,
            };
            let new_card = match &request.source {
                Some(source) => {
                    if amount.is_none() {
                        return gateway_error(
                            sandbox,
                            &admitted,
                            Some("105"),
                            Some("amount.total"),
                            "An unmatched refund requires amount",
                        );
                    }
                    match card_of(sandbox, source) {
                        Ok(card) => Some(card),
                        Err(message) => {
                            return gateway_error(sandbox, &admitted, None, Some("source"), message)
                        }
                    }
                }
                None => None,
            };
            let decision = {
                let mut state = sandbox.lock();
                let currency = currency_of(&state, &reference, amount.as_ref());
                state
                    .refund(
                        &reference,
                        amount.as_ref().map(|a| a.0),
                        &currency,
                        new_card,
                    )
                    .map(|decision| (decision, currency))
            };
            let (decision, currency) = match decision {
                Ok(decided) => decided,
                Err(refusal) => {
                    let (code, field, message) = refusal.answer();
                    return gateway_error(sandbox, &admitted, code, field, message);
                }
            };
            let response = book(
                sandbox,
                &admitted,
                "REFUND",
                &decision,
                &currency,
                request.transaction_details.merchant_transaction_id,
            );
            (StatusCode::CREATED, response)
        },
    )
    .await
}

/// `POST /payments/v1/cancels`: releases (part of) what a charge authorized and did not capture.
pub async fn cancels(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sandbox = &sandbox;
    handle(
        sandbox,
        CommerceHubFaultPoint::Cancel,
        &headers,
        &body.clone(),
        |admitted| async move {
            let request: TransactionIn = match read_request(sandbox, &admitted, &body) {
                Ok(request) => request,
                Err(answer) => return answer,
            };
            let (reference, amount) = match reference_and_amount(sandbox, &admitted, &request) {
                Ok(read) => read,
                Err(answer) => return answer,
            };
            let decided = {
                let mut state = sandbox.lock();
                let currency = currency_of(&state, &reference, amount.as_ref());
                state
                    .cancel(&reference, amount.as_ref().map(|a| a.0), &currency)
                    .map(|decision| (decision, currency))
            };
            let (decision, currency) = match decided {
                Ok(decided) => decided,
                Err(refusal) => {
                    let (code, field, message) = refusal.answer();
                    return gateway_error(sandbox, &admitted, code, field, message);
                }
            };
            let response = book(
                sandbox,
                &admitted,
                "CANCEL",
                &decision,
                &currency,
                request.transaction_details.merchant_transaction_id,
            );
            (StatusCode::OK, response)
        },
    )
    .await
}

fn record(
    sandbox: &CommerceHubSandbox,
    id: &str,
    admitted: &Admitted,
    merchant_transaction_id: Option<String>,
    response: &Value,
) {
    let mut state = sandbox.lock();
    state.processed.insert(
        id.to_string(),
        Processed {
            transaction_id: id.to_string(),
            client_request_id: admitted.client_request_id.clone(),
            merchant_transaction_id,
            response: response.clone(),
        },
    );
    state.dirty.push(Dirty::Processed(id.to_string()));
}

/// `POST /payments/v1/charges`: a sale (captured at once) with a plain sandbox card, a session or a
/// token.
pub async fn charges(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sandbox = &sandbox;
    handle(
        sandbox,
        CommerceHubFaultPoint::Charge,
        &headers,
        &body.clone(),
        |admitted| async move {
            let request: TransactionIn = match read_request(sandbox, &admitted, &body) {
                Ok(request) => request,
                Err(answer) => return answer,
            };
            let Some((amount, currency)) = request
                .amount
                .as_ref()
                .and_then(|a| Some((minor_units(&a.total)?, a.currency.clone())))
                .filter(|(a, c)| *a > 0 && c.len() == 3)
            else {
                return gateway_error(
                    sandbox,
                    &admitted,
                    Some("105"),
                    Some("amount.total"),
                    "Invalid amount or currency",
                );
            };
            let Some(source) = &request.source else {
                return gateway_error(
                    sandbox,
                    &admitted,
                    Some("138"),
                    Some("source"),
                    "Missing Body or Header in Request",
                );
            };
            let card = match card_of(sandbox, source) {
                Ok(card) => card,
                Err(message) => {
                    return gateway_error(sandbox, &admitted, None, Some("source"), message)
                }
            };
            (
                StatusCode::CREATED,
                book_charge(
                    sandbox,
                    &admitted,
                    amount,
                    &currency,
                    card,
                    request.transaction_details.merchant_transaction_id,
                    request.transaction_details.capture_flag.unwrap_or(true),
                ),
            )
        },
    )
    .await
}

fn book_charge(
    sandbox: &CommerceHubSandbox,
    admitted: &Admitted,
    amount: i64,
    currency: &str,
    card: SimCard,
    merchant_transaction_id: Option<String>,
    capture: bool,
) -> Value {
    let id = transaction_id();
    let code = response_code(amount, &card.number, false);
    let booking = Booking {
        kind: "CHARGE",
        transaction_id: &id,
        amount,
        currency,
        card: &card,
        code: &code,
        authorize_only: !capture,
    };
    let mut response = transaction_json(&booking, &admitted.trace, &admitted.client_request_id);
    vary_transaction(&mut response, &sandbox.config.variants);
    if code == "000" {
        let mut state = sandbox.lock();
        state.charges.insert(
            id.clone(),
            Charge {
                transaction_id: id.clone(),
                merchant_transaction_id: merchant_transaction_id.clone(),
                order_id: format!("CHOrdID-{id}"),
                currency: currency.to_string(),
                captured: if capture { amount } else { 0 },
                refunded: 0,
                authorized: if capture { 0 } else { amount },
                canceled: 0,
                card,
                qualifying_decline: false,
            },
        );
        state.dirty.push(Dirty::Charge(id.clone()));
    }
    record(sandbox, &id, admitted, merchant_transaction_id, &response);
    response
}

/// `POST /payments/v1/transaction-inquiry`: what was processed for a transaction id, a merchant
/// transaction id or a `Client-Request-Id` (an array, empty when nothing was).
pub async fn inquiry(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sandbox = &sandbox;
    handle(
        sandbox,
        CommerceHubFaultPoint::Inquiry,
        &headers,
        &body.clone(),
        |admitted| async move {
            let request: InquiryIn = match read_request(sandbox, &admitted, &body) {
                Ok(request) => request,
                Err(answer) => return answer,
            };
            let wanted = &request.reference_transaction_details;
            let by_request_id = wanted.reference_client_request_id.is_some();
            match sandbox.request_id_inquiry() {
                RequestIdInquiry::Refused if by_request_id => {
                    return gateway_error(
                        sandbox,
                        &admitted,
                        None,
                        Some("referenceTransactionDetails.referenceClientRequestId"),
                        "Invalid reference transaction details",
                    )
                }
                RequestIdInquiry::Ignored if by_request_id => {
                    return (StatusCode::CREATED, Value::Array(vec![]))
                }
                _ => {}
            }
            let state = sandbox.lock();
            let mut found: Vec<&Processed> = state
                .processed
                .values()
                .filter(|p| {
                    wanted
                        .reference_transaction_id
                        .as_ref()
                        .is_some_and(|id| *id == p.transaction_id)
                        || wanted
                            .reference_client_request_id
                            .as_ref()
                            .is_some_and(|id| *id == p.client_request_id)
                        || wanted
                            .reference_merchant_transaction_id
                            .as_ref()
                            .is_some_and(|id| Some(id) == p.merchant_transaction_id.as_ref())
                })
                .collect();
            found.sort_by(|a, b| a.transaction_id.cmp(&b.transaction_id));
            // 201, as the spec answers a transaction inquiry (CH:1371).
            let variants = &sandbox.config.variants;
            let answers = found.into_iter().map(|p| {
                let mut answer = p.response.clone();
                vary_inquiry(&mut answer, variants);
                answer
            });
            (StatusCode::CREATED, Value::Array(answers.collect()))
        },
    )
    .await
}

/// `POST /payments-vas/v1/security/credentials`: a Hosted Fields session (single use, 30 minutes).
pub async fn credentials(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sandbox = &sandbox;
    handle(sandbox, CommerceHubFaultPoint::Credentials, &headers, &body.clone(), |admitted| async move {
        if let Err(answer) = read_request::<CredentialsIn>(sandbox, &admitted, &body) {
            return answer;
        }
        let session = super::ledger::FieldsSession {
            session_id: uuid::Uuid::new_v4().to_string(),
            access_token: hex::encode(rand::random::<[u8; 24]>()),
            expires_at_ms: now_ms() + sandbox.config.session_ttl.as_millis() as i64,
            card: None,
            used: false,
        };
        let answer = json!({
            "gatewayResponse": {
                "transactionType": "SECURITY_CREDENTIALS",
                "transactionState": "AUTHORIZED",
                "transactionProcessingDetails": processing_details(&admitted.trace, &admitted.client_request_id, &admitted.trace),
            },
            "accessToken": session.access_token,
            "sessionId": session.session_id,
            "publicKey": super::hosted_fields::PUBLIC_KEY,
            "keyId": super::hosted_fields::KEY_ID,
            "symmetricEncryptionAlgorithm": "AES-GCM",
            "asymmetricEncryptionAlgorithm": "RSA",
        });
        let mut state = sandbox.lock();
        state.dirty.push(Dirty::Session(session.session_id.clone()));
        state.sessions.insert(session.session_id.clone(), session);
        (StatusCode::CREATED, answer)
    })
    .await
}

/// `POST /payments-vas/v1/tokens`: a TransArmor token for the card a session captured.
pub async fn tokens(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sandbox = &sandbox;
    handle(sandbox, CommerceHubFaultPoint::Token, &headers, &body.clone(), |admitted| async move {
        let request: TokenIn = match read_request(sandbox, &admitted, &body) {
            Ok(request) => request,
            Err(answer) => return answer,
        };
        let card = match card_of(sandbox, &request.source) {
            Ok(card) => card,
            Err(message) => return gateway_error(sandbox, &admitted, None, Some("source"), message),
        };
        // TransArmor-like: random digits ending with the card's last four.
        let token = format!("{:012}{}", rand::random::<u64>() % 1_000_000_000_000, card.last4());
        let answer = json!({
            "gatewayResponse": {
                "transactionType": "TOKENIZE",
                "transactionState": "AUTHORIZED",
                "transactionProcessingDetails": processing_details(&admitted.trace, &admitted.client_request_id, &admitted.trace),
            },
            "source": { "sourceType": "PaymentCard", "card": card_json(&card) },
            "paymentTokens": payment_tokens(&token, &sandbox.config.variants),
        });
        let mut state = sandbox.lock();
        state.tokens.insert(token.clone(), card);
        state.dirty.push(Dirty::Token(token));
        // 200, as the spec answers a tokenization (CH:572), unlike the other operations' 201.
        (StatusCode::OK, answer)
    })
    .await
}

/// The sandbox's own controls take the simulator's `Api-Key` (no signature).
fn control_refused(sandbox: &CommerceHubSandbox, headers: &HeaderMap) -> Option<Response> {
    let key = headers.get("api-key").and_then(|v| v.to_str().ok());
    (key != Some(sandbox.config.api_key.as_str())).then(|| {
        sandbox.error(
            StatusCode::UNAUTHORIZED,
            &new_trace(),
            None,
            "APIM",
            None,
            "ApiKey and/or Authentication supplied are invalid.",
        )
    })
}

/// `POST /sandbox/faults`: the next calls of an operation fail.
pub async fn queue_fault(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    Json(request): Json<FaultRequest<CommerceHubFaultPoint>>,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    let kind = request.fault.unwrap_or(FaultKind::Timeout);
    if !request.operation.accepts(kind) {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({ "error": format!("{:?} does not apply to {:?}", kind, request.operation) }),
            ),
        )
            .into_response();
    }
    let fault = FaultRequest {
        fault: Some(kind),
        ..request
    }
    .into_fault();
    sandbox.faults().push(fault.clone());
    (StatusCode::CREATED, Json(fault)).into_response()
}

/// `DELETE /sandbox/faults`.
/// `GET /sandbox/faults`: what is queued.
pub async fn list_faults(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    let faults = sandbox.faults().queued().to_vec();
    Json(json!({ "faults": faults })).into_response()
}

pub async fn clear_faults(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    let cleared = sandbox.faults().clear();
    Json(json!({ "cleared": cleared })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorShape {
    /// `top-level` (default), `wrapped` or `in-gateway-response`.
    shape: String,
}

/// `PUT /sandbox/error-shape`: answer errors in one documented shape (top-level, wrapped, or inside
/// `gatewayResponse`) instead of the canonical one or a variant.
pub async fn error_shape(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    Json(request): Json<ErrorShape>,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    match super::answer_variants::ErrorShape::parse(&request.shape) {
        Some(shape) => {
            sandbox.set_error_shape(shape);
            Json(json!({ "shape": request.shape })).into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "shape must be top-level, wrapped or in-gateway-response" })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestIdInquiryControl {
    /// `supported` (default), `refused` (400) or `ignored` (201 `[]`).
    answer: String,
}

/// `PUT /sandbox/inquiry-by-request-id`: how a transaction inquiry by `referenceClientRequestId`
/// is answered — as the spec says, refused, or overlooked (a live account following Fiserv's
/// guides, which do not name the field).
pub async fn request_id_inquiry(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    Json(request): Json<RequestIdInquiryControl>,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    match RequestIdInquiry::parse(&request.answer) {
        Some(answer) => {
            sandbox.set_request_id_inquiry(answer);
            Json(json!({ "answer": request.answer })).into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "answer must be supported, refused or ignored" })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SandboxCharge {
    /// Minor units.
    amount: i64,
    #[serde(default)]
    currency: Option<String>,
    /// A test card number; the approval Visa by default. `closed` is the closed-account card.
    #[serde(default)]
    card: Option<String>,
    #[serde(default)]
    merchant_transaction_id: Option<String>,
    /// `false`: authorized only (a pre-auth, to cancel rather than refund); a sale by default.
    #[serde(default)]
    capture_flag: Option<bool>,
}

/// `POST /sandbox/charges` (the simulator's shortcut, no signature): a charge to refund later.
pub async fn sandbox_charge(
    State(sandbox): State<CommerceHubSandbox>,
    headers: HeaderMap,
    Json(request): Json<SandboxCharge>,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    let number = match request.card.as_deref() {
        None => APPROVAL_CARDS[0].to_string(),
        Some("closed") => super::ledger::CLOSED_ACCOUNT_CARD.to_string(),
        Some(number) => number.to_string(),
    };
    if !luhn_valid(&number) || !(1..=99_999_999_999).contains(&request.amount) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "a Luhn-valid card and an amount in minor units are needed" })),
        )
            .into_response();
    }
    let admitted = Admitted {
        client_request_id: uuid::Uuid::new_v4().to_string(),
        trace: new_trace(),
        body_hash: String::new(),
    };
    let card = SimCard {
        number,
        expiration_month: "12".into(),
        expiration_year: "2030".into(),
    };
    let currency = request.currency.unwrap_or_else(|| "USD".into());
    let response = book_charge(
        &sandbox,
        &admitted,
        request.amount,
        &currency,
        card,
        request.merchant_transaction_id,
        request.capture_flag.unwrap_or(true),
    );
    sandbox.persist().await;
    (StatusCode::CREATED, Json(response)).into_response()
}

/// `GET /sandbox/charges/{transactionId}` (the simulator's shortcut): what a charge captured and
/// what was refunded from it, to the original card or another — the gateway's side of the money.
pub async fn sandbox_charge_state(
    State(sandbox): State<CommerceHubSandbox>,
    Path(transaction_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = control_refused(&sandbox, &headers) {
        return refused;
    }
    let state = sandbox.lock();
    match state.charges.get(&transaction_id) {
        Some(charge) => Json(json!({
            "transactionId": charge.transaction_id,
            "merchantTransactionId": charge.merchant_transaction_id,
            "currency": charge.currency,
            "captured": charge.captured,
            "refunded": charge.refunded,
            "authorized": charge.authorized,
            "canceled": charge.canceled,
            "qualifyingDecline": charge.qualifying_decline,
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no charge has this transactionId" })),
        )
            .into_response(),
    }
}
