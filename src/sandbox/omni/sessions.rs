//! The simulated Omni API's hosted-form sessions: `POST /v1/transactions/virtual-auth` and
//! `/unreferenced-virtual-refund`, with the seeds' validation rules and error bodies.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use time::OffsetDateTime;

use super::failure::{
    amount_field, authorize, check_breakdown, parse_json, text_field, GatewayFailure,
};
use super::fault_answers::answer_under_fault;
use super::fault_points::FaultPoint;
use super::gateway_state::{Session, SessionKind, SessionStatus, Txn};
use super::simulator::OmniSandbox;
use super::wire::{FormMethod, SessionRequestJson, SessionResponse};
use crate::sandbox::clock::{iso, new_ulid};

pub async fn virtual_auth(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    under_fault(&sandbox, &headers, &body, SessionKind::Auth).await
}

pub async fn unreferenced_virtual_refund(
    State(sandbox): State<OmniSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    under_fault(&sandbox, &headers, &body, SessionKind::UnreferencedRefund).await
}

async fn under_fault(
    sandbox: &OmniSandbox,
    headers: &HeaderMap,
    body: &Bytes,
    kind: SessionKind,
) -> Response {
    if let Err(failure) = authorize(sandbox, headers) {
        return failure.into_response();
    }
    let point = match kind {
        SessionKind::Auth => FaultPoint::VirtualAuth,
        SessionKind::UnreferencedRefund => FaultPoint::UnreferencedVirtualRefund,
    };
    answer_under_fault(sandbox, point, || {
        create_session(sandbox, body, kind).unwrap_or_else(IntoResponse::into_response)
    })
    .await
}

/// The request's fields as the gateway checks them; the amount asked for.
fn validate_session_request(request: &SessionRequestJson) -> Result<u64, GatewayFailure> {
    let amount = amount_field(request.amount.as_ref(), true)?.unwrap_or_default();
    text_field("ReferenceId", &request.reference_id)?;
    text_field("OrderNumber", &request.order_number)?;
    text_field("InvoiceNumber", &request.invoice_number)?;
    check_breakdown(request.amount_breakdown.as_ref())?;
    if let Some(url) = &request.return_url {
        if paydesk_core::origin::origin_of(url).is_none() {
            return Err(GatewayFailure::validation(
                Some("ReturnUrl"),
                "The ReturnUrl field must be an absolute URL.".into(),
            ));
        }
    }
    Ok(amount)
}

/// The hosted form a session opens: the one named, or the only one configured.
fn hosted_form_of(
    sandbox: &OmniSandbox,
    payment_method_id: Option<&str>,
) -> Result<FormMethod, GatewayFailure> {
    let forms = sandbox.forms();
    match payment_method_id {
        Some(id) => forms.iter().find(|f| f.id == id).cloned().ok_or_else(|| {
            GatewayFailure::validation(
                Some("PaymentMethodId"),
                format!("Payment method {id} was not found or is not a hosted payment form."),
            )
        }),
        None if forms.len() == 1 => Ok(forms[0].clone()),
        None => Err(GatewayFailure::validation(
            Some("PaymentMethodId"),
            "PaymentMethodId is required when more than one hosted payment form is configured."
                .into(),
        )),
    }
}

fn create_session(
    sandbox: &OmniSandbox,
    body: &Bytes,
    kind: SessionKind,
) -> Result<Response, GatewayFailure> {
    let request: SessionRequestJson = parse_json(body)?;
    let amount = validate_session_request(&request)?;
    let form = hosted_form_of(sandbox, request.payment_method_id.as_deref())?;
    let token = new_ulid();
    let now = OffsetDateTime::now_utc();
    let expires_at = now + sandbox.config.session_ttl;
    let reference_id = request
        .reference_id
        .clone()
        .unwrap_or_else(|| format!("ref_{}", new_ulid().to_lowercase()));
    let mut gateway = sandbox.lock();
    if gateway.reference_used(&reference_id) {
        return Err(GatewayFailure::validation(
            Some("ReferenceId"),
            format!("The ReferenceId '{reference_id}' has already been used. It must be unique per merchant."),
        ));
    }
    let transaction_id = format!("trx_{}", new_ulid());
    let batch = gateway.open_batch;
    gateway.push_transaction(Txn {
        id: transaction_id.clone(),
        timestamp: now,
        kind: match kind {
            SessionKind::Auth => "Auth".into(),
            SessionKind::UnreferencedRefund => "Refund".into(),
        },
        status: "Created".into(),
        result_code: 0,
        result_text: String::new(),
        reference_id: reference_id.clone(),
        order_number: request.order_number.clone(),
        invoice_number: request.invoice_number.clone(),
        requested: amount,
        approved: 0,
        form: form.clone(),
        response: None,
        captured: 0,
        refunded: 0,
        voided: false,
        batch,
        refunds_declined: false,
        receipt_lines: vec![],
    });
    let session = Session {
        kind,
        iframe_id: format!("ifr_{}", new_ulid()),
        session_id: format!("ses_{token}"),
        amount,
        form: form.clone(),
        return_url: request.return_url.clone(),
        use_javascript_callback: request.use_javascript_callback.unwrap_or(false),
        expires_at,
        status: SessionStatus::Pending,
        transaction_id,
    };
    let response = SessionResponse {
        id: session.iframe_id.clone(),
        status: "Pending",
        iframe_url: Some(format!("{}/session/{token}", sandbox.origin)),
        session_id: session.session_id.clone(),
        order_number: request.order_number,
        reference_id,
        invoice_number: request.invoice_number,
        payment_method: form,
        requested_amount: amount,
        expiration_timestamp: iso(expires_at),
    };
    gateway.insert_session(token, session);
    Ok(Json(response).into_response())
}
