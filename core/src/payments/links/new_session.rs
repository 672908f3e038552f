//! Opening a hosted-form session for a link: the attempt is written first, then the gateway asked
//! (the attempt's reference id lets anyone look the session up whatever happens in between), and only
//! an iframe on the configured hosted-form origin is ever shown.

use crate::fault_injection;
use crate::gateways::omni::wire::HostedSessionRequest;
use crate::i18n::{texts, Locale};
use crate::model::{AttemptState, HostedForm, LinkKind, LinkRef, Money, PaymentState};
use crate::origin::origin_of;
use crate::payments::error::PaymentsError;
use crate::payments::ids::new_id;
use crate::payments::rules::schedule::{creating_check, open_session_check};
use crate::store::{
    now_ms, parse_iso8601, AttemptRecord, LinkRecord, OpenedSession, StoreError, WorkLock,
};
use crate::AppState;

/// Used when the gateway omits `expirationTimestamp`.
pub const DEFAULT_SESSION_MS: i64 = 15 * 60 * 1000;

/// The link's amount, or an error naming the row when it cannot be read.
pub fn money_of(link: &LinkRecord) -> Result<Money, PaymentsError> {
    link.money().ok_or_else(|| {
        PaymentsError::Store(StoreError::Corrupt(format!(
            "checkouts row {}: amount or currency",
            link.id
        )))
    })
}

/// Opens a new session for `link` (whose lock `guard` is held: the attempt is written under its
/// fence) and returns the page state showing it. Creating a session moves no money, so one that
/// could not be created is retired and the customer may simply try again.
pub async fn open_new_attempt(
    state: &AppState,
    guard: &WorkLock,
    link: &LinkRecord,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    let now = now_ms();
    let attempt_id = new_id("att");
    let attempt = state
        .store
        .insert_attempt(
            &attempt_id,
            &link.id,
            &attempt_id,
            now,
            creating_check(now),
            guard.fence(),
        )
        .await?;
    let session = request_session(state, link, &attempt).await;
    fault_injection::crash_point(fault_injection::points::SESSION_OPENED);
    match session {
        Ok(opened) => {
            let now = now_ms();
            let first_check = open_session_check(now, Some(opened.expires_at), 0);
            let Some(attempt) = state
                .store
                .open_attempt(&attempt.id, &opened, now, first_check)
                .await?
            else {
                // Retired meanwhile (or lost with the database): this session is never offered.
                tracing::warn!(link = %link.id, attempt = %attempt.id, "a new session's attempt was no longer waiting for it; not offered");
                return Ok(unavailable(link.kind, locale));
            };
            tracing::info!(link = %link.id, attempt = %attempt.id, "hosted form session opened");
            Ok(PaymentState::Ready(hosted_form(&attempt, now)))
        }
        Err(error) => {
            tracing::error!(link = %link.id, attempt = %attempt.id, %error, "could not open a hosted form session");
            state
                .store
                .set_attempt_state(&attempt.id, AttemptState::Abandoned, now_ms(), None)
                .await?;
            Ok(unavailable(link.kind, locale))
        }
    }
}

async fn request_session(
    state: &AppState,
    link: &LinkRecord,
    attempt: &AttemptRecord,
) -> Result<OpenedSession, PaymentsError> {
    let money = money_of(link)?;
    let form_id = state
        .hosted_forms
        .form_for(&state.omni, money.currency)
        .await?;
    let page = match link.kind {
        LinkKind::Payment => LinkRef::payment(&link.id),
        // The gateway gets a signature that shows the outcome, never one that pays out.
        LinkKind::Refund => LinkRef::refund(&link.id, state.link_signer.sign_return(&link.id)),
    };
    let request = HostedSessionRequest {
        amount: money.minor,
        amount_breakdown: link
            .amount_breakdown
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()),
        payment_method_id: Some(form_id),
        invoice_number: link.invoice_number.clone(),
        order_number: link.order_number.clone(),
        reference_id: Some(attempt.gateway_reference_id.clone()),
        return_url: Some(format!("{}{}", state.config.public_url, page.return_url())),
        use_javascript_callback: state.config.use_javascript_callback,
    };
    let session = match link.kind {
        LinkKind::Payment => state.omni.create_virtual_auth(&request).await?,
        LinkKind::Refund => {
            state
                .omni
                .create_unreferenced_virtual_refund(&request)
                .await?
        }
    };
    let iframe_url = session.iframe_url.clone().unwrap_or_default();
    if origin_of(&iframe_url).as_deref() != Some(state.config.hosted_form_origin.as_str()) {
        return Err(PaymentsError::UntrustedIframeOrigin(
            origin_of(&iframe_url).unwrap_or_else(|| "unparseable URL".into()),
        ));
    }
    Ok(OpenedSession {
        gateway_session_id: session.session_id.clone(),
        gateway_iframe_id: session.id.clone(),
        iframe_url,
        expires_at: session
            .expiration_timestamp
            .as_deref()
            .and_then(parse_iso8601)
            .unwrap_or(now_ms() + DEFAULT_SESSION_MS),
    })
}

/// The page's view of a live session.
pub fn hosted_form(attempt: &AttemptRecord, now: i64) -> HostedForm {
    let iframe_url = attempt.iframe_url.clone().unwrap_or_default();
    let expires_at = attempt.expires_at.unwrap_or(now);
    let lifetime_secs = (expires_at - attempt.created_at) / 1000;
    HostedForm {
        attempt_id: attempt.id.clone(),
        iframe_origin: origin_of(&iframe_url).unwrap_or_default(),
        iframe_url,
        expires_in_secs: ((expires_at - now) / 1000).max(0),
        warn_before_secs: (lifetime_secs / 4).clamp(5, 60),
    }
}

/// The page when no secure form can be started right now.
pub fn unavailable(kind: LinkKind, locale: Locale) -> PaymentState {
    let texts = texts(locale);
    PaymentState::Unavailable {
        message: match kind {
            LinkKind::Payment => texts.unavailable_payment,
            LinkKind::Refund => texts.unavailable_refund,
        }
        .into(),
    }
}
