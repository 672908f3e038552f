//! The simulated Payroc Cloud API: identity, devices, refund instructions (submit with idempotency,
//! long poll, cancel) and refunds, answering with the documented shapes (reference §1–§7), and its
//! fault controls.

use std::future::Future;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::problems;
use super::simulator::{PayrocFaultPoint, PayrocSandbox};
use super::state::{
    instruction_id, Dirty, Instruction, PayrocState, Phase, RefundRecord, Replay, DEVICES,
};
use crate::sandbox::clock::iso_now;
use crate::sandbox::faults::{bad_gateway, FaultKind, FaultRequest};
use crate::sandbox::variants::Variants;

fn now_ms() -> i64 {
    paydesk_core::clock::now_ms()
}

/// Runs `work` under the fault queued for `point`, if any.
async fn under_fault<F: Future<Output = Response>>(
    sandbox: &PayrocSandbox,
    point: PayrocFaultPoint,
    work: impl FnOnce() -> F,
) -> Response {
    let Some(fault) = sandbox.take_fault(point) else {
        return work().await;
    };
    match fault.fault {
        FaultKind::Slow => {
            tokio::time::sleep(fault.delay()).await;
            work().await
        }
        kind => {
            if fault.applied {
                drop(work().await);
            }
            if kind == FaultKind::Timeout {
                tokio::time::sleep(fault.delay()).await;
            }
            match kind {
                FaultKind::ServerError => bad_gateway(),
                FaultKind::Unauthorized => problems::not_authorized(),
                _ => problems::api_error(),
            }
        }
    }
}

/// The 401 to answer unless the request carries `Authorization: Bearer <a live token>`.
fn unauthenticated(sandbox: &PayrocSandbox, headers: &HeaderMap) -> Option<Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(token) if sandbox.token_is_valid(token.trim(), now_ms()) => None,
        _ => Some(problems::not_authorized()),
    }
}

/// `POST /authorize` (identity): `x-api-key`, no body → a Bearer token.
pub async fn authorize(State(sandbox): State<PayrocSandbox>, headers: HeaderMap) -> Response {
    under_fault(&sandbox, PayrocFaultPoint::Authorize, || async {
        let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
        if key != Some(sandbox.config.api_key.as_str()) {
            return problems::not_authorized();
        }
        Json(json!({
            "access_token": sandbox.issue_token(now_ms()),
            "token_type": "Bearer",
            "expires_in": sandbox.config.token_ttl.as_secs(),
            "scope": "payroc-cloud",
        }))
        .into_response()
    })
    .await
}

/// `GET /v1/devices`' query: Payroc's page size (10 by default, at most 100) and cursor.
#[derive(Deserialize)]
pub struct DevicesQuery {
    limit: Option<usize>,
    after: Option<String>,
}

/// A device's id, the cursor of the device list's pages.
fn device_id(serial_number: &str) -> String {
    format!(
        "29{}",
        &serial_number[serial_number.len().saturating_sub(6)..]
    )
}

/// `GET /v1/devices`: one page of the devices, with a `next` link while more follow.
pub async fn devices(
    State(sandbox): State<PayrocSandbox>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<DevicesQuery>,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    under_fault(&sandbox, PayrocFaultPoint::Devices, || async {
        // A server may answer fewer than asked: with variants on, pages are sometimes short.
        let asked = query.limit.unwrap_or(10).clamp(1, 100);
        let limit = sandbox.config.variants.pick(&[asked, 1, 2]).min(asked);
        let start = match &query.after {
            Some(after) => DEVICES
                .iter()
                .position(|d| device_id(d.serial_number) == *after)
                .map_or(DEVICES.len(), |i| i + 1),
            None => 0,
        };
        let page: Vec<_> = DEVICES.iter().skip(start).take(limit).collect();
        let has_more = start + page.len() < DEVICES.len();
        let data: Vec<Value> = page
            .iter()
            .map(|d| {
                json!({
                    "deviceId": device_id(d.serial_number),
                    "serialNumber": d.serial_number,
                    "deviceType": { "model": d.model, "manufacturer": d.manufacturer },
                })
            })
            .collect();
        let links: Vec<Value> = match (has_more, page.last()) {
            (true, Some(last)) => vec![json!({ "rel": "next", "method": "get",
                "href": format!("{}/v1/devices?limit={asked}&after={}", sandbox.origin, device_id(last.serial_number)) })],
            _ => Vec::new(),
        };
        Json(json!({ "limit": limit, "count": data.len(), "hasMore": has_more, "data": data, "links": links }))
            .into_response()
    })
    .await
}

fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(part, len)| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubmitOrder {
    order_id: String,
    description: Option<String>,
    amount: i64,
    currency: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubmitBody {
    processing_terminal_id: String,
    #[serde(default)]
    operator: Option<String>,
    order: SubmitOrder,
    #[serde(default)]
    customization_options: Option<SubmitCustomization>,
}

/// `customizationOptions` (PR:20641): how the device captures the card.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubmitCustomization {
    #[serde(default)]
    entry_method: Option<String>,
}

/// The entry methods Payroc documents; `deviceRead` is the default.
const ENTRY_METHODS: [&str; 3] = ["deviceRead", "manualEntry", "deviceReadOrManualEntry"];

fn instruction_json(sandbox: &PayrocSandbox, instruction: &Instruction) -> Value {
    let mut body = json!({
        "refundInstructionId": instruction.id,
        "status": instruction.phase.api_status(),
    });
    match &instruction.phase {
        Phase::WaitingForCard | Phase::Processing { .. } => {
            body["link"] = json!({ "rel": "self", "method": "GET",
                "href": format!("{}/v1/refund-instructions/{}", sandbox.origin, instruction.id) });
        }
        Phase::Completed { refund_id } => {
            body["link"] = json!({ "rel": "refund", "method": "GET",
                "href": format!("{}/v1/refunds/{refund_id}", sandbox.origin) });
        }
        Phase::Failure { message } => body["errorMessage"] = json!(message),
        Phase::Canceled => {}
    }
    body
}

/// The request, or the parameter it gets wrong and why.
fn validate(sandbox: &PayrocSandbox, body: &[u8]) -> Result<SubmitBody, (&'static str, String)> {
    let parsed: SubmitBody = serde_json::from_slice(body)
        .map_err(|e| ("body", format!("The request body is invalid: {e}")))?;
    let order = &parsed.order;
    let entry_method = parsed
        .customization_options
        .as_ref()
        .and_then(|c| c.entry_method.as_deref());
    let checks = [
        (
            entry_method.is_none_or(|m| ENTRY_METHODS.contains(&m)),
            "customizationOptions.entryMethod",
            "must be deviceRead, manualEntry or deviceReadOrManualEntry",
        ),
        (
            (4..=50).contains(&parsed.processing_terminal_id.len()),
            "processingTerminalId",
            "must be 4 to 50 characters",
        ),
        (
            parsed.processing_terminal_id == sandbox.config.terminal_id,
            "processingTerminalId",
            "is not a terminal of this merchant",
        ),
        (
            parsed.operator.as_ref().is_none_or(|o| o.len() <= 50),
            "operator",
            "must be at most 50 characters",
        ),
        (
            (1..=24).contains(&order.order_id.chars().count()),
            "order.orderId",
            "must be 1 to 24 characters",
        ),
        (
            order
                .description
                .as_ref()
                .is_some_and(|d| d.chars().count() <= 1024),
            "order.description",
            "is required on refund orders (at most 1024 characters)",
        ),
        (
            order.amount > 0,
            "order.amount",
            "must be a positive number of minor units",
        ),
        (
            order.currency.len() == 3 && order.currency.bytes().all(|b| b.is_ascii_uppercase()),
            "order.currency",
            "must be an ISO 4217 code",
        ),
    ];
    match checks.iter().find(|(ok, _, _)| !ok) {
        Some((_, parameter, message)) => Err((parameter, (*message).to_string())),
        None => Ok(parsed),
    }
}

/// `POST /v1/devices/{serialNumber}/refund-instructions` (202).
pub async fn submit(
    State(sandbox): State<PayrocSandbox>,
    Path(serial): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    let sandbox = &sandbox;
    under_fault(
        sandbox,
        PayrocFaultPoint::RefundInstruction,
        || async move {
            let key = match idempotency_key(&headers) {
                Ok(key) => key,
                Err(refused) => return *refused,
            };
            let hash = hex::encode(Sha256::digest(
                [
                    format!("POST /devices/{serial}/refund-instructions ").as_bytes(),
                    &body,
                ]
                .concat(),
            ));
            let answer = {
                let mut state = sandbox.lock();
                if let Some(answer) = replay_of(&state, key, &hash) {
                    return answer;
                }
                if !DEVICES.iter().any(|d| d.serial_number == serial) {
                    return problems::not_found("device");
                }
                let parsed = match validate(sandbox, &body) {
                    Ok(parsed) => parsed,
                    Err((parameter, message)) => return problems::bad_request(parameter, &message),
                };
                if state.busy(&serial).is_some() {
                    return problems::resource_already_exists();
                }
                let instruction = Instruction {
                    id: instruction_id(),
                    serial_number: serial.clone(),
                    processing_terminal_id: parsed.processing_terminal_id,
                    operator: parsed.operator,
                    order_id: parsed.order.order_id,
                    description: parsed.order.description.unwrap_or_default(),
                    amount: parsed.order.amount,
                    currency: parsed.order.currency,
                    created_at: iso_now(),
                    phase: Phase::WaitingForCard,
                    card_deadline_ms: now_ms() + sandbox.config.card_wait.as_millis() as i64,
                    entry_method: parsed
                        .customization_options
                        .and_then(|c| c.entry_method)
                        .unwrap_or_else(|| "deviceRead".into()),
                };
                let body = instruction_json(sandbox, &instruction).to_string();
                state.insert(instruction);
                let replay = Replay {
                    request_hash: hash,
                    status: 202,
                    body,
                };
                state.replays.insert(key.to_string(), replay.clone());
                state.dirty.push(Dirty::Replay(key.to_string()));
                replayed(&replay)
            };
            sandbox.notify();
            sandbox.persist().await;
            answer
        },
    )
    .await
}

/// The `Idempotency-Key` of a POST: required, a UUID.
fn idempotency_key(headers: &HeaderMap) -> Result<&str, Box<Response>> {
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) else {
        return Err(Box::new(problems::idempotency_key_missing()));
    };
    if !is_uuid(key) {
        return Err(Box::new(problems::bad_request(
            "Idempotency-Key",
            "must be a UUID",
        )));
    }
    Ok(key)
}

/// The stored answer for `key` when it was used before: replayed for the same request (`hash`),
/// refused for another.
fn replay_of(state: &PayrocState, key: &str, hash: &str) -> Option<Response> {
    let replay = state.replays.get(key)?;
    Some(if replay.request_hash == hash {
        replayed(replay)
    } else {
        problems::idempotency_key_in_use()
    })
}

fn replayed(replay: &Replay) -> Response {
    (
        StatusCode::from_u16(replay.status).unwrap_or(StatusCode::ACCEPTED),
        [("content-type", "application/json")],
        replay.body.clone(),
    )
        .into_response()
}

/// `GET /v1/refund-instructions/{id}`: held while nothing changes (up to the configured hold),
/// answered at once when the instruction has ended.
pub async fn poll(
    State(sandbox): State<PayrocSandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    let sandbox = &sandbox;
    under_fault(sandbox, PayrocFaultPoint::Poll, || async move {
        let deadline = Instant::now() + sandbox.config.hold;
        let mut changes = sandbox.subscribe();
        loop {
            let current = sandbox.lock().instructions.get(&id).cloned();
            let Some(instruction) = current else {
                return problems::not_found("refundInstruction");
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            if instruction.phase.api_status() != "inProgress" || remaining.is_zero() {
                return Json(instruction_json(sandbox, &instruction)).into_response();
            }
            // Woken by any change (or the hold's end), then look again.
            let _ = tokio::time::timeout(remaining, changes.changed()).await;
        }
    })
    .await
}

/// `DELETE /v1/refund-instructions/{id}`: only while the device waits for a card.
pub async fn cancel(
    State(sandbox): State<PayrocSandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    let sandbox = &sandbox;
    under_fault(sandbox, PayrocFaultPoint::Cancel, || async move {
        let answer = {
            let mut state = sandbox.lock();
            let Some(phase) = state.instructions.get(&id).map(|i| i.phase.clone()) else {
                return problems::not_found("refundInstruction");
            };
            match phase {
                Phase::WaitingForCard => {
                    state.end_waiting(&id, Phase::Canceled);
                    StatusCode::NO_CONTENT.into_response()
                }
                Phase::Processing { .. } => {
                    problems::cannot_be_canceled("Card already presented", None)
                }
                Phase::Completed { refund_id } => problems::cannot_be_canceled(
                    "Completed instruction cannot be canceled",
                    Some(format!("{}/v1/refunds/{refund_id}", sandbox.origin)),
                ),
                Phase::Failure { .. } => {
                    problems::cannot_be_canceled("Failed instruction cannot be canceled", None)
                }
                Phase::Canceled => {
                    problems::cannot_be_canceled("Canceled instruction cannot be canceled", None)
                }
            }
        };
        sandbox.notify();
        sandbox.persist().await;
        answer
    })
    .await
}

/// `GET /v1/refunds/{refundId}`.
pub async fn refund(
    State(sandbox): State<PayrocSandbox>,
    Path(refund_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    under_fault(&sandbox, PayrocFaultPoint::Refund, || async {
        let state = sandbox.lock();
        let variants = &sandbox.config.variants;
        let found = state.refunds.get(&refund_id).and_then(|refund| {
            state
                .instructions
                .get(&refund.instruction_id)
                .map(|instruction| refund_json(refund, instruction, variants))
        });
        match found {
            Some(mut body) => {
                // "In progress with the processor but we can't confirm the result yet" (PR:18552):
                // with variants on, an approval's first look may say so; later looks confirm it.
                if body["transactionResult"]["responseCode"] == "A"
                    && sandbox.first_look(&refund_id)
                    && variants.one_in(3)
                {
                    body["transactionResult"]["status"] = json!("accepted");
                }
                Json(body).into_response()
            }
            None => problems::not_found("refund"),
        }
    })
    .await
}

/// `POST /v1/refunds/{refundId}/reverse`: an approved refund taken out of the open batch (its
/// status becomes `reversal`; no money goes to the card). Idempotent by `Idempotency-Key`; a refund
/// that was declined or is already reversed cannot be (409). The simulator's batch never closes.
pub async fn reverse(
    State(sandbox): State<PayrocSandbox>,
    Path(refund_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    let sandbox = &sandbox;
    under_fault(sandbox, PayrocFaultPoint::Reverse, || async move {
        let key = match idempotency_key(&headers) {
            Ok(key) => key,
            Err(refused) => return *refused,
        };
        let hash = hex::encode(Sha256::digest(format!("POST /refunds/{refund_id}/reverse")));
        let answer = {
            let mut state = sandbox.lock();
            if let Some(answer) = replay_of(&state, key, &hash) {
                return answer;
            }
            let Some(refund) = state.refunds.get_mut(&refund_id) else {
                return problems::not_found("refund");
            };
            if !refund.card.approve || refund.reversed {
                return problems::cannot_be_reversed();
            }
            refund.reversed = true;
            let refund = refund.clone();
            let Some(instruction) = state.instructions.get(&refund.instruction_id) else {
                return problems::not_found("refund");
            };
            let body = refund_json(&refund, instruction, &sandbox.config.variants).to_string();
            let replay = Replay {
                request_hash: hash,
                status: 200,
                body,
            };
            state.dirty.push(Dirty::Refund(refund_id.clone()));
            state.replays.insert(key.to_string(), replay.clone());
            state.dirty.push(Dirty::Replay(key.to_string()));
            replayed(&replay)
        };
        sandbox.persist().await;
        answer
    })
    .await
}

/// A refund as Payroc shows it (`GET /refunds/{refundId}` and each item of `GET /refunds`).
/// With variants on, each answer names one of the statuses the spec gives the same result: an
/// approval `ready`, `complete` or `pending`; a decline `declined`, `referral` (code `R`) or `pickup`
/// (code `C`).
fn refund_json(refund: &RefundRecord, instruction: &Instruction, variants: &Variants) -> Value {
    let approved = refund.card.approve;
    let (status, code) = if refund.reversed {
        // As the spec's reverse example: approved, then cancelled out of the batch.
        ("reversal", "A")
    } else if approved {
        (variants.pick(&["ready", "complete", "pending"]), "A")
    } else {
        variants.pick(&[("declined", "D"), ("referral", "R"), ("pickup", "C")])
    };
    let mut body = json!({
        "refundId": refund.refund_id,
        "processingTerminalId": instruction.processing_terminal_id,
        "order": {
            "orderId": instruction.order_id,
            "dateTime": refund.date_time,
            "description": instruction.description,
            "amount": instruction.amount,
            "currency": instruction.currency,
        },
        "card": {
            "type": refund.card.kind,
            "entryMethod": refund.card.entry_method,
            "cardNumber": refund.card.masked,
            "expiryDate": "1230",
        },
        "transactionResult": {
            "type": "refund",
            "status": status,
            "authorizedAmount": if approved { -instruction.amount } else { 0 },
            "currency": instruction.currency,
            "responseCode": code,
            "responseMessage": if approved { "OK5" } else { "DECLINED" },
        },
    });
    if approved {
        body["transactionResult"]["approvalCode"] = json!("000000");
    }
    if let Some(operator) = &instruction.operator {
        body["operator"] = json!(operator);
    }
    body
}

/// `GET /refunds` (listRefunds) query: the filters paydesk uses, and the cursor.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundQuery {
    processing_terminal_id: Option<String>,
    order_id: Option<String>,
    date_from: Option<String>,
    date_to: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

/// Whether the time `at` falls between `from` and `to` (RFC 3339; either may be absent).
fn within(at: &str, from: Option<&str>, to: Option<&str>) -> bool {
    let ms = paydesk_core::clock::parse_iso8601;
    let Some(at) = ms(at) else {
        return false;
    };
    from.and_then(ms).is_none_or(|from| at >= from) && to.and_then(ms).is_none_or(|to| at <= to)
}

/// `GET /refunds`: the refunds devices made, oldest first, filtered by terminal, order and date,
/// a page at a time (`limit` up to 100, `after` a refundId), as the spec's paginated list.
pub async fn refunds(
    State(sandbox): State<PayrocSandbox>,
    axum::extract::Query(query): axum::extract::Query<RefundQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = unauthenticated(&sandbox, &headers) {
        return refused;
    }
    under_fault(&sandbox, PayrocFaultPoint::Refund, || async {
        // A server may answer fewer than asked: with variants on, pages are sometimes short.
        let asked = query.limit.unwrap_or(10).clamp(1, 100);
        let limit = sandbox.config.variants.pick(&[asked, 1, 2]).min(asked);
        let state = sandbox.lock();
        let mut matching: Vec<(&RefundRecord, &Instruction)> = state
            .refunds
            .values()
            .filter_map(|r| state.instructions.get(&r.instruction_id).map(|i| (r, i)))
            .filter(|(r, i)| {
                query
                    .processing_terminal_id
                    .as_ref()
                    .is_none_or(|t| *t == i.processing_terminal_id)
                    && query.order_id.as_ref().is_none_or(|o| *o == i.order_id)
                    && within(
                        &r.date_time,
                        query.date_from.as_deref(),
                        query.date_to.as_deref(),
                    )
            })
            .collect();
        matching.sort_by(|a, b| {
            (&a.0.date_time, &a.0.refund_id).cmp(&(&b.0.date_time, &b.0.refund_id))
        });
        let start = match &query.after {
            Some(after) => matching
                .iter()
                .position(|(r, _)| r.refund_id == *after)
                .map_or(matching.len(), |i| i + 1),
            None => 0,
        };
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(limit)
            .map(|(r, i)| refund_json(r, i, &sandbox.config.variants))
            .collect();
        let has_more = start + page.len() < matching.len();
        Json(json!({ "limit": limit, "count": page.len(), "hasMore": has_more, "data": page }))
            .into_response()
    })
    .await
}

fn control_key_ok(sandbox: &PayrocSandbox, headers: &HeaderMap) -> bool {
    headers.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(sandbox.config.api_key.as_str())
}

/// `POST /sandbox/faults`: the next calls of an operation fail.
pub async fn queue_fault(
    State(sandbox): State<PayrocSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !control_key_ok(&sandbox, &headers) {
        return problems::not_authorized();
    }
    let request: FaultRequest<PayrocFaultPoint> = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return problems::bad_request("body", &error.to_string()),
    };
    if !request.operation.accepts(request.kind()) {
        return problems::bad_request("fault", "this fault means nothing at this operation");
    }
    let fault = request.into_fault();
    sandbox.faults().push(fault.clone());
    (StatusCode::CREATED, Json(fault)).into_response()
}

/// `GET /sandbox/faults`: what is queued.
pub async fn list_faults(State(sandbox): State<PayrocSandbox>, headers: HeaderMap) -> Response {
    if !control_key_ok(&sandbox, &headers) {
        return problems::not_authorized();
    }
    let faults = sandbox.faults().queued().to_vec();
    Json(json!({ "faults": faults })).into_response()
}

/// `DELETE /sandbox/faults`.
pub async fn clear_faults(State(sandbox): State<PayrocSandbox>, headers: HeaderMap) -> Response {
    if !control_key_ok(&sandbox, &headers) {
        return problems::not_authorized();
    }
    let cleared = sandbox.faults().clear();
    Json(json!({ "cleared": cleared })).into_response()
}

/// How long the simulator waits between looks at the clock (processing ends, devices give up).
pub const TICK: Duration = Duration::from_millis(50);
