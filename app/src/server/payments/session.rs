//! Hosted-form sessions and what the payment page shows: reuse a live session, settle a used one
//! with a gateway lookup, replace an expired one, and never show "paid" without the gateway's word.

use super::error::PaymentsError;
use super::ids::new_id;
use super::messages::{decline_message, failure_message};
use super::position::EXPIRY_GRACE_MS;
use super::reconcile::apply_to_attempt;
use super::resources::card_label;
use super::status;
use super::transactions::attempt_state_for;
use crate::i18n::{texts, Locale};
use crate::model::{
    AttemptState, CheckoutPage, CheckoutStatus, CheckoutSummary, HostedForm, LinkKind, LinkRef,
    PaymentState, Receipt,
};
use crate::origin::origin_of;
use crate::server::gateways::omni::wire::HostedSessionRequest;
use crate::server::store::{
    now_ms, parse_iso8601, AttemptRecord, LinkRecord, OpenedSession, StoreError,
};
use crate::server::AppState;

/// A session with less than this left is not handed out again: the customer could not finish in
/// time.
const REUSE_MARGIN_MS: i64 = 5_000;
/// Used when the gateway omits `expirationTimestamp`.
const DEFAULT_SESSION_MS: i64 = 15 * 60 * 1000;

/// Why the page is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Opening or reloading the page, or replacing an expired session.
    View,
    /// The customer pressed "try again" after a decline or an error.
    Retry,
    /// The hosted form said it finished (a hint): find out what really happened.
    Confirm,
}

/// A customer page's data: the summary, and a live session when one is needed (created or reused).
/// Messages for the customer are in `locale`.
#[tracing::instrument(skip(state, link), fields(link = %link.id, ?intent))]
pub async fn link_page(
    state: &AppState,
    link: &LinkRef,
    intent: Intent,
    locale: Locale,
) -> Result<CheckoutPage, PaymentsError> {
    let _guard = state.locks.lock(&link.id).await;
    let record = load_link(state, link).await?;
    let payment_state = page_state(state, record.clone(), intent, locale).await?;
    Ok(CheckoutPage {
        summary: summary(state, &record)?,
        state: payment_state,
        embed_origins: state.config.frame_ancestors.clone(),
    })
}

/// What really happened after the hosted form's hint: a gateway lookup, applied durably.
#[tracing::instrument(skip(state, link), fields(link = %link.id))]
pub async fn confirm_outcome(
    state: &AppState,
    link: &LinkRef,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    let _guard = state.locks.lock(&link.id).await;
    let record = load_link(state, link).await?;
    page_state(state, record, Intent::Confirm, locale).await
}

/// The link's record, if it is of the kind the page expects and (for refund links) its signature is
/// exact. A forged or altered refund link gets the same answer as an unknown one.
async fn load_link(state: &AppState, link: &LinkRef) -> Result<LinkRecord, PaymentsError> {
    let not_found = match link.kind {
        LinkKind::Payment => PaymentsError::NotFound,
        LinkKind::Refund => PaymentsError::InvalidLink,
    };
    if link.kind == LinkKind::Refund && !state.link_signer.verify(&link.id, &link.sig) {
        return Err(not_found);
    }
    match state.store.link(&link.id).await? {
        Some(record) if record.kind == link.kind => Ok(record),
        _ => Err(not_found),
    }
}

/// The link after settling its latest attempt and its expiry (for the merchant API).
pub(super) async fn settled_link(state: &AppState, id: &str) -> Result<LinkRecord, PaymentsError> {
    let _guard = state.locks.lock(id).await;
    let record = load(state, id).await?;
    if record.authorized_transaction_id.is_none() {
        if let Some(latest) = state.store.attempts_for(id).await?.into_iter().next() {
            if matches!(latest.state, AttemptState::Open | AttemptState::Submitted) {
                settle(state, &latest).await?;
            }
        }
        expire_link_if_due(state, &load(state, id).await?).await?;
    }
    load(state, id).await
}

async fn load(state: &AppState, id: &str) -> Result<LinkRecord, PaymentsError> {
    state.store.link(id).await?.ok_or(PaymentsError::NotFound)
}

fn corrupt_amount(link: &LinkRecord) -> PaymentsError {
    PaymentsError::Store(StoreError::Corrupt(format!(
        "checkouts row {}: amount or currency",
        link.id
    )))
}

fn summary(state: &AppState, record: &LinkRecord) -> Result<CheckoutSummary, PaymentsError> {
    let amount = record.money().ok_or_else(|| corrupt_amount(record))?;
    Ok(CheckoutSummary {
        id: record.id.clone(),
        kind: record.kind,
        amount,
        merchant_name: state.config.merchant_name.clone(),
        order_number: record.order_number.clone(),
        invoice_number: record.invoice_number.clone(),
        description: record.description.clone(),
        return_url: record.return_url.clone(),
        cancel_url: record.cancel_url.clone(),
    })
}

/// What a gateway lookup said about an attempt.
enum Settled {
    /// The session was not used (transaction still `Created`, or none yet).
    Untouched,
    /// The gateway has a result (or says it is in progress).
    Outcome(AttemptState),
    /// The gateway could not be asked: we do not know.
    Unknown,
}

/// Asks the gateway about an attempt by its reference id and applies what it says. Caller holds the
/// lock.
async fn settle(state: &AppState, attempt: &AttemptRecord) -> Result<Settled, PaymentsError> {
    match state
        .omni
        .find_by_reference(&attempt.gateway_reference_id)
        .await
    {
        Ok(Some(transaction)) => {
            apply_to_attempt(state, attempt, &transaction).await?;
            Ok(match attempt_state_for(&transaction) {
                AttemptState::Open => Settled::Untouched,
                outcome => Settled::Outcome(outcome),
            })
        }
        Ok(None) => Ok(Settled::Untouched),
        Err(error) => {
            tracing::warn!(attempt = %attempt.id, %error, "gateway lookup failed; outcome unknown for now");
            Ok(Settled::Unknown)
        }
    }
}

async fn page_state(
    state: &AppState,
    record: LinkRecord,
    intent: Intent,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    let now = now_ms();
    if let Some(receipt) = receipt(state, &record).await? {
        return Ok(PaymentState::Paid(receipt));
    }

    let latest = state
        .store
        .attempts_for(&record.id)
        .await?
        .into_iter()
        .next();
    if let Some(attempt) = &latest {
        match attempt.state {
            AttemptState::Open | AttemptState::Submitted => match settle(state, attempt).await? {
                Settled::Outcome(AttemptState::Approved) => {
                    let record = load(state, &record.id).await?;
                    if let Some(receipt) = receipt(state, &record).await? {
                        return Ok(PaymentState::Paid(receipt));
                    }
                }
                Settled::Outcome(AttemptState::Submitted) => return Ok(PaymentState::Processing),
                Settled::Outcome(_) => {}
                Settled::Untouched if is_live(attempt, now) && !link_expired(&record, now) => {
                    return Ok(PaymentState::Ready(hosted_form(attempt, now)));
                }
                Settled::Untouched if !past_expiry(attempt, now) && !link_expired(&record, now) => {
                    // Still usable at the gateway for a few seconds: never open a second session
                    // beside it. Wait it out, then look again.
                    if let Some(wait) = attempt.expires_at.map(|at| at + EXPIRY_GRACE_MS - now) {
                        tokio::time::sleep(std::time::Duration::from_millis(
                            wait.clamp(0, REUSE_MARGIN_MS + EXPIRY_GRACE_MS) as u64,
                        ))
                        .await;
                    }
                    return Box::pin(page_state(
                        state,
                        load(state, &record.id).await?,
                        intent,
                        locale,
                    ))
                    .await;
                }
                Settled::Untouched => {
                    state
                        .store
                        .set_attempt_state(&attempt.id, AttemptState::Expired, now)
                        .await?;
                }
                Settled::Unknown
                    if intent == Intent::Confirm || attempt.state == AttemptState::Submitted =>
                {
                    return Ok(PaymentState::Processing);
                }
                Settled::Unknown if is_live(attempt, now) && !link_expired(&record, now) => {
                    // The gateway itself refuses a session that was already used.
                    return Ok(PaymentState::Ready(hosted_form(attempt, now)));
                }
                Settled::Unknown => {
                    // It may have been used before it expired: never open a second one blindly.
                    return Ok(unavailable(record.kind, locale));
                }
            },
            AttemptState::Creating => {
                // A previous process stopped between writing the attempt and storing the gateway's
                // answer. Without the iframe URL nobody can use that session; retire it.
                tracing::warn!(attempt = %attempt.id, "retiring an attempt left in 'creating'");
                state
                    .store
                    .set_attempt_state(&attempt.id, AttemptState::Abandoned, now)
                    .await?;
            }
            _ => {}
        }
    }

    if expire_link_if_due(state, &record).await? {
        return Ok(PaymentState::LinkExpired);
    }

    let latest = state
        .store
        .attempts_for(&record.id)
        .await?
        .into_iter()
        .next();
    if let Some(attempt) = &latest {
        if intent != Intent::Retry {
            match attempt.state {
                AttemptState::Declined => {
                    return Ok(PaymentState::Declined {
                        message: decline_message(record.kind, attempt.response_code, locale),
                    })
                }
                AttemptState::Failed => {
                    return Ok(PaymentState::Failed {
                        message: failure_message(record.kind, attempt.result_code, locale),
                    })
                }
                _ => {}
            }
        }
    }
    open_new_attempt(state, &record, locale).await
}

fn link_expired(record: &LinkRecord, now: i64) -> bool {
    now >= record.expires_at
}

/// Marks an unpaid link that has expired. Returns whether it is expired.
async fn expire_link_if_due(state: &AppState, record: &LinkRecord) -> Result<bool, PaymentsError> {
    let now = now_ms();
    if !link_expired(record, now) {
        return Ok(false);
    }
    let attempts: Vec<AttemptState> = state
        .store
        .attempts_for(&record.id)
        .await?
        .iter()
        .map(|a| a.state)
        .collect();
    let status = status::checkout_status(&attempts, true);
    state.store.set_link_status(&record.id, status, now).await?;
    Ok(status == CheckoutStatus::Expired)
}

/// True once the gateway can no longer accept the session (its expiry plus a margin for clock
/// skew).
fn past_expiry(attempt: &AttemptRecord, now: i64) -> bool {
    attempt
        .expires_at
        .is_some_and(|at| now >= at + EXPIRY_GRACE_MS)
}

fn is_live(attempt: &AttemptRecord, now: i64) -> bool {
    attempt.state == AttemptState::Open
        && attempt.iframe_url.is_some()
        && attempt
            .expires_at
            .is_some_and(|at| at > now + REUSE_MARGIN_MS)
}

fn hosted_form(attempt: &AttemptRecord, now: i64) -> HostedForm {
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

fn unavailable(kind: LinkKind, locale: Locale) -> PaymentState {
    let texts = texts(locale);
    PaymentState::Unavailable {
        message: match kind {
            LinkKind::Payment => texts.unavailable_payment,
            LinkKind::Refund => texts.unavailable_refund,
        }
        .into(),
    }
}

async fn receipt(state: &AppState, record: &LinkRecord) -> Result<Option<Receipt>, PaymentsError> {
    let Some(transaction_id) = &record.authorized_transaction_id else {
        return Ok(None);
    };
    let Some(amount) = record.money() else {
        return Ok(None);
    };
    let transaction = state.store.transaction(transaction_id).await?;
    Ok(Some(Receipt {
        amount,
        card: transaction
            .as_ref()
            .and_then(|t| card_label(t.card_type.as_deref(), t.masked_card.as_deref())),
        auth_code: transaction.as_ref().and_then(|t| t.auth_code.clone()),
        transaction_id: transaction_id.clone(),
    }))
}

/// Writes the attempt first, then asks the gateway for a session; the reference id lets us look the
/// session up whatever happens in between. Creating a session moves no money, so a failed attempt
/// is retired and the customer may simply try again.
async fn open_new_attempt(
    state: &AppState,
    record: &LinkRecord,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    let now = now_ms();
    let attempt_id = new_id("att");
    let attempt = state
        .store
        .insert_attempt(&attempt_id, &record.id, &attempt_id, now)
        .await?;
    match request_session(state, record, &attempt).await {
        Ok(opened) => {
            state
                .store
                .open_attempt(&attempt.id, &opened, now_ms())
                .await?;
            let attempt = state.store.attempt(&attempt.id).await?.unwrap_or(attempt);
            tracing::info!(link = %record.id, attempt = %attempt.id, "hosted form session opened");
            Ok(PaymentState::Ready(hosted_form(&attempt, now_ms())))
        }
        Err(error) => {
            tracing::error!(link = %record.id, attempt = %attempt.id, %error, "could not open a hosted form session");
            state
                .store
                .set_attempt_state(&attempt.id, AttemptState::Abandoned, now_ms())
                .await?;
            Ok(unavailable(record.kind, locale))
        }
    }
}

async fn request_session(
    state: &AppState,
    record: &LinkRecord,
    attempt: &AttemptRecord,
) -> Result<OpenedSession, PaymentsError> {
    let money = record.money().ok_or_else(|| corrupt_amount(record))?;
    let form_id = state
        .hosted_forms
        .form_for(&state.omni, money.currency)
        .await?;
    let kind = record.kind;
    let link = match kind {
        LinkKind::Payment => LinkRef::payment(&record.id),
        LinkKind::Refund => LinkRef::refund(&record.id, state.link_signer.sign(&record.id)),
    };
    let request = HostedSessionRequest {
        amount: money.minor,
        amount_breakdown: record
            .amount_breakdown
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()),
        payment_method_id: Some(form_id),
        invoice_number: record.invoice_number.clone(),
        order_number: record.order_number.clone(),
        reference_id: Some(attempt.gateway_reference_id.clone()),
        return_url: Some(format!("{}{}", state.config.public_url, link.return_url())),
        use_javascript_callback: state.config.use_javascript_callback,
    };
    let session = match kind {
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
    let now = now_ms();
    Ok(OpenedSession {
        gateway_session_id: session.session_id.clone(),
        gateway_iframe_id: session.id.clone(),
        iframe_url,
        expires_at: session
            .expiration_timestamp
            .as_deref()
            .and_then(parse_iso8601)
            .unwrap_or(now + DEFAULT_SESSION_MS),
    })
}
