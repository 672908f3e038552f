//! The simulated Commerce Hub Checkout Hosted Fields (reference §13): the `checkout.js` SDK, one page
//! per field (framed only by the page that asked for it and the ancestors it names, like the
//! vendor's domain whitelist), and the card submission from the field frames to the gateway, which
//! attaches the card to the security-credentials session.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::auth::new_trace;
use super::ledger::{luhn_valid, Dirty, SimCard};
use super::simulator::{CommerceHubFaultPoint, CommerceHubSandbox};
use super::wire::{processing_details, traced};
use crate::html::escape;
use crate::sandbox::faults::{bad_gateway, malformed, FaultKind};

/// The public key and key id handed out with credentials (the simulator does not encrypt: the field
/// frames send the card to it directly over its own origin).
pub const PUBLIC_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsandboxsimulatedkey";
pub const KEY_ID: &str = "88000000022";

const SDK: &str = include_str!("checkout.js");
const FIELD_SCRIPT: &str = include_str!("field.js");
const FIELD_STYLE: &str = include_str!("field.css");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

/// `GET /{version}/checkout.js`: readable cross-origin, as a script loaded with an integrity check
/// must be (as Fiserv's CDN serves it).
pub async fn sdk(Path(_version): Path<String>) -> Response {
    let mut response = asset("text/javascript; charset=utf-8", SDK);
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        axum::http::HeaderValue::from_static("*"),
    );
    response
}

/// The SDK's Subresource Integrity digest (`sha384-…`), as a page pins it.
pub fn sdk_integrity() -> String {
    use base64::Engine;
    use sha2::{Digest, Sha384};
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(SDK.as_bytes()))
    )
}

/// `GET /fields/field.js`.
pub async fn field_script() -> Response {
    asset("text/javascript; charset=utf-8", FIELD_SCRIPT)
}

/// `GET /fields/field.css`.
pub async fn field_style() -> Response {
    asset("text/css; charset=utf-8", FIELD_STYLE)
}

#[derive(Deserialize)]
pub struct FieldQuery {
    parent: String,
    #[serde(default)]
    placeholder: String,
    #[serde(default)]
    ancestors: String,
}

/// An origin the simulator lets frame its fields: one it was told about (its "whitelist"), or any
/// loopback address (exempt, as localhost is at Fiserv).
fn frameable(sandbox: &CommerceHubSandbox, origin: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let exact = url.origin().ascii_serialization() == origin;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    exact
        && matches!(url.scheme(), "http" | "https")
        && (loopback || sandbox.config.frame_origins.iter().any(|o| o == origin))
}

/// `GET /fields/{field}?parent=…`: one input in its own frame.
pub async fn field_page(
    State(sandbox): State<CommerceHubSandbox>,
    Path(field): Path<String>,
    Query(query): Query<FieldQuery>,
) -> Response {
    let autocomplete = match field.as_str() {
        "cardNumber" => "cc-number",
        "nameOnCard" => "cc-name",
        "expiration" => "cc-exp",
        "securityCode" => "cc-csc",
        _ => return (StatusCode::NOT_FOUND, "no such field").into_response(),
    };
    let ancestors: Vec<&str> = query.ancestors.split_whitespace().collect();
    if !frameable(&sandbox, &query.parent) || !ancestors.iter().all(|a| frameable(&sandbox, a)) {
        return (
            StatusCode::FORBIDDEN,
            "This domain is not whitelisted for Hosted Fields.",
        )
            .into_response();
    }
    let numeric = if field == "nameOnCard" {
        "text"
    } else {
        "numeric"
    };
    let page = format!(
        // As Fiserv documents its fields: the input's id and name are the field identifier; its
        // text comes from the configured placeholder; no label of its own.
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><link rel="stylesheet" href="/fields/field.css"></head><body data-field="{field}"><input id="{field}" name="{field}" autocomplete="{autocomplete}" inputmode="{numeric}" placeholder="{placeholder}" spellcheck="false"><script src="/fields/field.js"></script></body></html>"#,
        title = escape(if query.placeholder.is_empty() {
            &field
        } else {
            &query.placeholder
        }),
        field = escape(&field),
        placeholder = escape(&query.placeholder),
    );
    let frame_ancestors = std::iter::once(query.parent.as_str())
        .chain(ancestors)
        .collect::<Vec<_>>()
        .join(" ");
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                format!("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors {frame_ancestors}"),
            ),
        ],
        page,
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmittedCard {
    card_data: String,
    #[serde(default)]
    expiration_month: String,
    #[serde(default)]
    expiration_year: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldsSubmit {
    api_key: String,
    access_token: String,
    merchant_id: String,
    terminal_id: String,
    card: SubmittedCard,
}

/// `POST /fields/submit` (from the card number's frame): attaches the card to the session whose
/// `accessToken` it carries, and answers as the SDK does (last four and expiry).
pub async fn submit(
    State(sandbox): State<CommerceHubSandbox>,
    Json(request): Json<FieldsSubmit>,
) -> Response {
    let trace = new_trace();
    if let Some(fault) = sandbox.take_fault(CommerceHubFaultPoint::FieldsSubmit) {
        match fault.fault {
            FaultKind::Slow | FaultKind::Timeout => tokio::time::sleep(fault.delay()).await,
            FaultKind::Malformed => return malformed(),
            FaultKind::RateLimited => {
                return sandbox.error(
                    StatusCode::TOO_MANY_REQUESTS,
                    &trace,
                    None,
                    "APIM",
                    None,
                    "Request volume is too high.",
                )
            }
            _ => return bad_gateway(),
        }
    }
    let unauthorized = || {
        sandbox.error(
            StatusCode::UNAUTHORIZED,
            &trace,
            None,
            "APIM",
            None,
            "ApiKey and/or Authentication supplied are invalid.",
        )
    };
    if request.api_key != sandbox.config.api_key
        || request.merchant_id != sandbox.config.merchant_id
        || request.terminal_id != sandbox.config.terminal_id
    {
        return unauthorized();
    }
    let card = SimCard {
        number: request.card.card_data,
        expiration_month: request.card.expiration_month,
        expiration_year: request.card.expiration_year,
    };
    if !luhn_valid(&card.number) || card.expiration_year.len() != 4 {
        return sandbox.error(
            StatusCode::BAD_REQUEST,
            &trace,
            None,
            "GATEWAY",
            None,
            "Invalid card number or expiration",
        );
    }
    let now = paydesk_core::clock::now_ms();
    let session_id = {
        let mut state = sandbox.lock();
        let Some(session) = state
            .sessions
            .values_mut()
            .find(|s| s.access_token == request.access_token)
            .filter(|s| !s.used && s.card.is_none() && s.expires_at_ms > now)
        else {
            drop(state);
            return unauthorized();
        };
        session.card = Some(card.clone());
        let id = session.session_id.clone();
        state.dirty.push(Dirty::Session(id.clone()));
        id
    };
    sandbox.persist().await;
    traced(
        StatusCode::OK,
        &trace,
        json!({
            "gatewayResponse": {
                "transactionType": "TOKENIZE",
                "transactionState": "AUTHORIZED",
                "transactionProcessingDetails": processing_details(&trace, &session_id[..8], &trace),
            },
            "source": { "sourceType": "PaymentCard", "card": {
                "last4": card.last4(),
                "expirationMonth": card.expiration_month,
                "expirationYear": card.expiration_year,
            } },
        }),
    )
}
