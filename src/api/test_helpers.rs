//! Sandbox-only helpers for a merchant's own tests (404 in live mode): pay a checkout or a refund
//! link headlessly with a test card — paydesk opens the page's session and types the card into the
//! simulator's hosted form as a browser would, then waits for the simulator's signed webhook — so
//! a merchant's CI receives `payment.authorized` without a browser; move a link past its expiry;
//! send a test event.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paydesk_core::i18n::Locale;
use paydesk_core::model::{LinkKind, LinkRef, PaymentState};
use paydesk_core::payments::{
    get_checkout, get_refund_link, link_page, move_link_past_expiry, send_test_event, Actor,
    Intent, PaymentsError,
};
use paydesk_core::AppState;

use super::body::decode_optional;
use super::error::ApiError;
use super::scopes::Caller;
use super::webhook_events::EventResource;

/// How long the helper waits for the simulator's webhook to settle the payment.
const SETTLE_WITHIN: Duration = Duration::from_secs(10);

/// Body of `POST /api/v1/test-helpers/checkouts/{id}/pay`.
#[derive(Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestPayment {
    /// A test card number (docs/evaluating/test-cards.md); default `4111111111111111`, approved.
    #[serde(default)]
    #[schemars(length(min = 12, max = 19))]
    pub card: Option<String>,
}

fn sandbox_only(state: &AppState) -> Result<(), ApiError> {
    if state.config.sandbox_mode {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Test helpers exist only in sandbox mode.",
        ))
    }
}

/// The test card of a request (default: approved), checked.
fn test_card(headers: &HeaderMap, body: &Bytes) -> Result<String, ApiError> {
    let request: TestPayment = decode_optional(headers, body)?;
    let card = request.card.unwrap_or_else(|| "4111111111111111".into());
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field(
            "card",
            "card must be 12 to 19 digits, e.g. 4111111111111111.",
        ));
    }
    Ok(card)
}

/// Pays the checkout `id` with a test card and answers it once the payment is settled (or still
/// processing after 10 s).
pub async fn pay_checkout(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    sandbox_only(&state)?;
    let card = test_card(&headers, &body)?;
    pay(&state, &LinkRef::payment(&id), &card, "checkout").await?;
    Ok((StatusCode::OK, Json(get_checkout(&state, &id).await?)).into_response())
}

/// Pays the refund link `id` out to a test card (as its customer would) and answers it once the
/// payout is settled (or still processing after 10 s).
pub async fn pay_refund_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    sandbox_only(&state)?;
    let card = test_card(&headers, &body)?;
    let link = LinkRef::refund(&id, state.link_signer.sign(&id));
    pay(&state, &link, &card, "refund link").await?;
    Ok((StatusCode::OK, Json(refund_link(&state, &id).await?)).into_response())
}

async fn refund_link(
    state: &AppState,
    id: &str,
) -> Result<paydesk_core::payments::RefundLinkResource, ApiError> {
    get_refund_link(state, id).await.map_err(refund_link_error)
}

/// Opens `link`'s form as its page would and types `card` into it, then waits for the gateway's
/// answer about it to be stored.
async fn pay(state: &AppState, link: &LinkRef, card: &str, what: &str) -> Result<(), ApiError> {
    let mut page = link_page(state, link, Intent::View, Locale::En).await?;
    if matches!(
        page.state,
        PaymentState::Declined { .. } | PaymentState::Failed { .. }
    ) {
        // After a declined card the customer's "try again" opens a new form.
        page = link_page(state, link, Intent::Retry, Locale::En).await?;
    }
    let form = match page.state {
        PaymentState::Ready(form) => form,
        PaymentState::Paid(_) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "already_paid",
                format!("This {what} has already been paid."),
            ))
        }
        other => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "cannot_pay",
                format!("This {what} takes no card now ({}).", state_name(&other)),
            ))
        }
    };
    submit(&form.iframe_url, card).await?;
    let deadline = Instant::now() + SETTLE_WITHIN;
    while !settled(state, &form.attempt_id).await? && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(())
}

/// `POST /api/v1/test-helpers/checkouts/{id}/expire`: the checkout as its time being up leaves it.
pub async fn expire_checkout(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    sandbox_only(&state)?;
    move_link_past_expiry(&state, &id, LinkKind::Payment).await?;
    Ok(Json(get_checkout(&state, &id).await?).into_response())
}

/// `POST /api/v1/test-helpers/refund-links/{id}/expire`: the refund link as its time being up
/// leaves it.
pub async fn expire_refund_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    sandbox_only(&state)?;
    move_link_past_expiry(&state, &id, LinkKind::Refund)
        .await
        .map_err(refund_link_error)?;
    Ok(Json(refund_link(&state, &id).await?).into_response())
}

/// `POST /api/v1/test-helpers/events`: a `webhook.test` event, queued for the merchant's endpoint.
pub async fn send_event(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    sandbox_only(&state)?;
    let event = send_test_event(&state, &Actor::token(&caller.token_id)).await?;
    Ok((StatusCode::ACCEPTED, Json(EventResource::from(event))).into_response())
}

/// Whether the gateway's answer about the attempt (approved, declined, failed) is stored.
async fn settled(state: &AppState, attempt_id: &str) -> Result<bool, ApiError> {
    let attempt = state
        .store
        .attempt(attempt_id)
        .await
        .map_err(ApiError::internal)?;
    Ok(attempt.is_some_and(|a| a.state.is_final()))
}

/// Types `card` into the simulator's hosted form, as the customer's browser posts it.
async fn submit(iframe_url: &str, card: &str) -> Result<(), ApiError> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(ApiError::internal)?;
    let answer = client
        .post(iframe_url)
        .form(&[
            ("cardNumber", card),
            ("expiry", "12/39"),
            ("cvv", "123"),
            ("postalCode", "12345"),
        ])
        .send()
        .await
        .map_err(ApiError::internal)?;
    if !answer.status().is_success() {
        return Err(ApiError::internal(format!(
            "the simulator's form answered {}",
            answer.status()
        )));
    }
    Ok(())
}

fn state_name(state: &PaymentState) -> &'static str {
    match state {
        PaymentState::LinkExpired => "expired",
        PaymentState::Ended { .. } => "canceled or ended",
        PaymentState::Processing => "a card is being processed",
        _ => "not payable",
    }
}

/// An error about a refund link, its absence named as such.
fn refund_link_error(error: PaymentsError) -> ApiError {
    match error {
        PaymentsError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No refund link has this id.",
        ),
        other => other.into(),
    }
}
