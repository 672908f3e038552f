//! Hosted-form sessions and what the payment page shows: reuse a live session, settle a used one with a
//! gateway lookup, replace an expired one, and never show "paid" without the gateway's word.

use super::error::PaymentsError;
use super::reconcile::apply_locked;
use super::status::{self, decline_message, failure_message};
use super::new_id;
use crate::frame_protocol::origin_of;
use crate::i18n::{texts, Locale};
use crate::model::{CheckoutPage, CheckoutStatus, CheckoutSummary, HostedForm, LinkKind, LinkRef, PaymentState, Receipt};
use crate::server::gateway::wire::HostedSessionRequest;
use crate::server::store::{now_ms, parse_iso8601, AttemptRecord, AttemptState, CheckoutRecord, OpenedSession};
use crate::server::AppState;

/// A session with less than this left is not handed out again: the customer could not finish in time.
const REUSE_MARGIN_MS: i64 = 5_000;
/// A session is only replaced once it is this far past the gateway's expiry (clock skew), so two
/// sessions of one link are never usable at the same time.
pub(super) const EXPIRY_GRACE_MS: i64 = 3_000;
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

/// The payment page's data (see [`link_page`]).
pub async fn checkout_page(state: &AppState, id: &str, intent: Intent) -> Result<CheckoutPage, PaymentsError> {
    link_page(state, &LinkRef::payment(id), intent).await
}

/// A customer page's data (see [`link_page_in`]), with messages in English.
pub async fn link_page(state: &AppState, link: &LinkRef, intent: Intent) -> Result<CheckoutPage, PaymentsError> {
    link_page_in(state, link, intent, Locale::En).await
}

/// A customer page's data: the summary, and a live session when one is needed (created or reused).
/// Messages for the customer are in `locale`.
pub async fn link_page_in(state: &AppState, link: &LinkRef, intent: Intent, locale: Locale) -> Result<CheckoutPage, PaymentsError> {
    let _guard = state.locks.lock(&link.id).await;
    let checkout = load_link(state, link).await?;
    let payment_state = page_state(state, checkout.clone(), intent, locale).await?;
    Ok(CheckoutPage {
        summary: summary(state, &checkout)?,
        state: payment_state,
        embed_origins: state.config.frame_ancestors.clone(),
    })
}

/// As [`confirm_link_in`], with messages in English.
pub async fn confirm_link(state: &AppState, link: &LinkRef) -> Result<PaymentState, PaymentsError> {
    confirm_link_in(state, link, Locale::En).await
}

/// What really happened after the hosted form's hint: a gateway lookup, applied durably.
pub async fn confirm_link_in(state: &AppState, link: &LinkRef, locale: Locale) -> Result<PaymentState, PaymentsError> {
    let _guard = state.locks.lock(&link.id).await;
    let checkout = load_link(state, link).await?;
    page_state(state, checkout, Intent::Confirm, locale).await
}

/// The link's record, if it is of the kind the page expects and (for refund links) its signature is
/// exact. A forged or altered refund link gets the same answer as an unknown one.
async fn load_link(state: &AppState, link: &LinkRef) -> Result<CheckoutRecord, PaymentsError> {
    let not_found = match link.kind {
        LinkKind::Payment => PaymentsError::NotFound,
        LinkKind::Refund => PaymentsError::InvalidLink,
    };
    if link.kind == LinkKind::Refund && !state.link_signer.verify(&link.id, &link.sig) {
        return Err(not_found);
    }
    match state.store.checkout(&link.id).await? {
        Some(checkout) if checkout.link_kind() == link.kind => Ok(checkout),
        _ => Err(not_found),
    }
}

/// The checkout after settling its latest attempt and link expiry (for the merchant API).
pub(super) async fn settled_checkout(state: &AppState, id: &str) -> Result<CheckoutRecord, PaymentsError> {
    let _guard = state.locks.lock(id).await;
    let checkout = load(state, id).await?;
    if checkout.authorized_transaction_id.is_none() {
        if let Some(latest) = state.store.attempts_for(id).await?.into_iter().next() {
            if matches!(latest.attempt_state(), AttemptState::Open | AttemptState::Submitted) {
                settle(state, &latest).await?;
            }
        }
        expire_link_if_due(state, &load(state, id).await?).await?;
    }
    load(state, id).await
}

async fn load(state: &AppState, id: &str) -> Result<CheckoutRecord, PaymentsError> {
    state.store.checkout(id).await?.ok_or(PaymentsError::NotFound)
}

fn summary(state: &AppState, checkout: &CheckoutRecord) -> Result<CheckoutSummary, PaymentsError> {
    let amount = checkout
        .money()
        .ok_or_else(|| PaymentsError::Store(crate::server::store::StoreError::Corrupt(format!("checkout {} amount", checkout.id))))?;
    Ok(CheckoutSummary {
        id: checkout.id.clone(),
        kind: checkout.link_kind(),
        amount,
        merchant_name: state.config.merchant_name.clone(),
        order_number: checkout.order_number.clone(),
        invoice_number: checkout.invoice_number.clone(),
        description: checkout.description.clone(),
        return_url: checkout.return_url.clone(),
        cancel_url: checkout.cancel_url.clone(),
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

/// Asks the gateway about an attempt by its reference id and applies what it says. Caller holds the lock.
async fn settle(state: &AppState, attempt: &AttemptRecord) -> Result<Settled, PaymentsError> {
    match state.gateway.find_by_reference(&attempt.gateway_reference_id).await {
        Ok(Some(transaction)) => {
            apply_locked(state, attempt, &transaction).await?;
            Ok(match status::attempt_state_for(&transaction) {
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

async fn page_state(state: &AppState, checkout: CheckoutRecord, intent: Intent, locale: Locale) -> Result<PaymentState, PaymentsError> {
    let now = now_ms();
    if let Some(receipt) = receipt(state, &checkout).await? {
        return Ok(PaymentState::Paid(receipt));
    }

    let latest = state.store.attempts_for(&checkout.id).await?.into_iter().next();
    if let Some(attempt) = &latest {
        match attempt.attempt_state() {
            AttemptState::Open | AttemptState::Submitted => match settle(state, attempt).await? {
                Settled::Outcome(AttemptState::Approved) => {
                    let checkout = load(state, &checkout.id).await?;
                    if let Some(receipt) = receipt(state, &checkout).await? {
                        return Ok(PaymentState::Paid(receipt));
                    }
                }
                Settled::Outcome(AttemptState::Submitted) => return Ok(PaymentState::Processing),
                Settled::Outcome(_) => {}
                Settled::Untouched if is_live(attempt, now) && !link_expired(&checkout, now) => {
                    return Ok(PaymentState::Ready(hosted_form(attempt, now)));
                }
                Settled::Untouched if !past_expiry(attempt, now) && !link_expired(&checkout, now) => {
                    // Still usable at the gateway for a few seconds: never open a second session
                    // beside it. Wait it out, then look again.
                    if let Some(wait) = attempt.expires_at.map(|at| at + EXPIRY_GRACE_MS - now) {
                        tokio::time::sleep(std::time::Duration::from_millis(wait.clamp(0, REUSE_MARGIN_MS + EXPIRY_GRACE_MS) as u64)).await;
                    }
                    return Box::pin(page_state(state, load(state, &checkout.id).await?, intent, locale)).await;
                }
                Settled::Untouched => {
                    state.store.set_attempt_state(&attempt.id, AttemptState::Expired, now).await?;
                }
                Settled::Unknown if intent == Intent::Confirm || attempt.attempt_state() == AttemptState::Submitted => {
                    return Ok(PaymentState::Processing);
                }
                Settled::Unknown if is_live(attempt, now) && !link_expired(&checkout, now) => {
                    // The gateway itself refuses a session that was already used.
                    return Ok(PaymentState::Ready(hosted_form(attempt, now)));
                }
                Settled::Unknown => {
                    // It may have been used before it expired: never open a second one blindly.
                    return Ok(unavailable(checkout.link_kind(), locale));
                }
            },
            AttemptState::Creating => {
                // A previous process stopped between writing the attempt and storing the gateway's
                // answer. Without the iframe URL nobody can use that session; retire it.
                tracing::warn!(attempt = %attempt.id, "retiring an attempt left in 'creating'");
                state.store.set_attempt_state(&attempt.id, AttemptState::Abandoned, now).await?;
            }
            _ => {}
        }
    }

    if expire_link_if_due(state, &checkout).await? {
        return Ok(PaymentState::LinkExpired);
    }

    let latest = state.store.attempts_for(&checkout.id).await?.into_iter().next();
    if let Some(attempt) = &latest {
        if intent != Intent::Retry {
            match attempt.attempt_state() {
                AttemptState::Declined => {
                    return Ok(PaymentState::Declined {
                        message: decline_message(checkout.link_kind(), attempt.response_code, locale),
                    })
                }
                AttemptState::Failed => {
                    return Ok(PaymentState::Failed {
                        message: failure_message(checkout.link_kind(), attempt.result_code, locale),
                    })
                }
                _ => {}
            }
        }
    }
    open_new_attempt(state, &checkout, locale).await
}

fn link_expired(checkout: &CheckoutRecord, now: i64) -> bool {
    now >= checkout.expires_at
}

/// Marks an unpaid checkout whose link has expired. Returns whether it is expired.
async fn expire_link_if_due(state: &AppState, checkout: &CheckoutRecord) -> Result<bool, PaymentsError> {
    let now = now_ms();
    if !link_expired(checkout, now) {
        return Ok(false);
    }
    let attempts: Vec<AttemptState> = state
        .store
        .attempts_for(&checkout.id)
        .await?
        .iter()
        .map(AttemptRecord::attempt_state)
        .collect();
    let status = status::checkout_status(&attempts, true);
    state.store.set_checkout_status(&checkout.id, status, now).await?;
    Ok(status == CheckoutStatus::Expired)
}

/// True once the gateway can no longer accept the session (its expiry plus a margin for clock skew).
fn past_expiry(attempt: &AttemptRecord, now: i64) -> bool {
    attempt.expires_at.is_some_and(|at| now >= at + EXPIRY_GRACE_MS)
}

fn is_live(attempt: &AttemptRecord, now: i64) -> bool {
    attempt.attempt_state() == AttemptState::Open
        && attempt.iframe_url.is_some()
        && attempt.expires_at.is_some_and(|at| at > now + REUSE_MARGIN_MS)
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

async fn receipt(state: &AppState, checkout: &CheckoutRecord) -> Result<Option<Receipt>, PaymentsError> {
    let Some(transaction_id) = &checkout.authorized_transaction_id else {
        return Ok(None);
    };
    let Some(amount) = checkout.money() else {
        return Ok(None);
    };
    let transaction = state.store.transaction(transaction_id).await?;
    Ok(Some(Receipt {
        amount,
        card: transaction
            .as_ref()
            .and_then(|t| status::card_label(t.card_type.as_deref(), t.masked_card.as_deref())),
        auth_code: transaction.as_ref().and_then(|t| t.auth_code.clone()),
        transaction_id: transaction_id.clone(),
    }))
}

/// Writes the attempt first, then asks the gateway for a session; the reference id lets us look the
/// session up whatever happens in between. Creating a session moves no money, so a failed attempt is
/// retired and the customer may simply try again.
async fn open_new_attempt(state: &AppState, checkout: &CheckoutRecord, locale: Locale) -> Result<PaymentState, PaymentsError> {
    let now = now_ms();
    let attempt_id = new_id("att");
    let attempt = state
        .store
        .insert_attempt(&attempt_id, &checkout.id, &attempt_id, now)
        .await?;
    match request_session(state, checkout, &attempt).await {
        Ok(opened) => {
            state.store.open_attempt(&attempt.id, &opened, now_ms()).await?;
            let attempt = state.store.attempt(&attempt.id).await?.unwrap_or(attempt);
            tracing::info!(checkout = %checkout.id, attempt = %attempt.id, "hosted form session opened");
            Ok(PaymentState::Ready(hosted_form(&attempt, now_ms())))
        }
        Err(error) => {
            tracing::error!(checkout = %checkout.id, attempt = %attempt.id, %error, "could not open a hosted form session");
            state
                .store
                .set_attempt_state(&attempt.id, AttemptState::Abandoned, now_ms())
                .await?;
            Ok(unavailable(checkout.link_kind(), locale))
        }
    }
}

async fn request_session(
    state: &AppState,
    checkout: &CheckoutRecord,
    attempt: &AttemptRecord,
) -> Result<OpenedSession, PaymentsError> {
    let money = checkout
        .money()
        .ok_or_else(|| PaymentsError::Store(crate::server::store::StoreError::Corrupt(format!("checkout {} amount", checkout.id))))?;
    let form_id = state.forms.form_for(&state.gateway, money.currency).await?;
    let kind = checkout.link_kind();
    let link = match kind {
        LinkKind::Payment => LinkRef::payment(&checkout.id),
        LinkKind::Refund => LinkRef::refund(&checkout.id, state.link_signer.sign(&checkout.id)),
    };
    let request = HostedSessionRequest {
        amount: money.minor,
        amount_breakdown: checkout
            .amount_breakdown
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()),
        payment_method_id: Some(form_id),
        invoice_number: checkout.invoice_number.clone(),
        order_number: checkout.order_number.clone(),
        reference_id: Some(attempt.gateway_reference_id.clone()),
        return_url: Some(format!("{}{}", state.config.public_url, link.return_url())),
        use_javascript_callback: state.config.use_javascript_callback,
    };
    let session = match kind {
        LinkKind::Payment => state.gateway.create_virtual_auth(&request).await?,
        LinkKind::Refund => state.gateway.create_unreferenced_virtual_refund(&request).await?,
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
