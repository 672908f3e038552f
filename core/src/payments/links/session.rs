//! What a customer page shows: reuse a live session, settle a used one with a gateway lookup,
//! replace an expired one while the link is valid, and never show "paid" without the gateway's word.

use crate::i18n::{texts, Locale};
use crate::model::{
    AttemptState, CheckoutPage, CheckoutStatus, CheckoutSummary, LinkKind, LinkRef, PaymentState,
    Receipt, SupportReference,
};
use crate::payments::commercehub_refunds::new_card_page::{
    gateway_refund_outcome, gateway_refund_page,
};
use crate::payments::commercehub_refunds::refunds::is_gateway_refund_id;
use crate::payments::error::PaymentsError;
use crate::payments::intent::Intent;
use crate::payments::links::card_testing::lock_if_card_testing;
use crate::payments::links::link_expiry::{expire_if_due, prove_unused, time_is_up};
use crate::payments::links::new_session::{hosted_form, money_of, open_new_attempt, unavailable};
use crate::payments::resources::card_label;
use crate::payments::rules::messages::{decline_message, failure_message};
use crate::payments::rules::schedule::{proof_time, EXPIRY_GRACE_MS};
use crate::payments::steps::apply::{look_up_attempt, Lookup};
use crate::store::{now_ms, AttemptRecord, LinkRecord, WorkLock};
use crate::AppState;

/// A session with less than this left is not handed out again: the customer could not finish in
/// time.
const REUSE_MARGIN_MS: i64 = 5_000;

/// A customer page's data: the summary, and a live session when one is needed (created or reused).
/// Messages for the customer are in `locale`.
#[tracing::instrument(skip(state, link), fields(link = %link.id, ?intent))]
pub async fn link_page(
    state: &AppState,
    link: &LinkRef,
    intent: Intent,
    locale: Locale,
) -> Result<CheckoutPage, PaymentsError> {
    if is_gateway_refund_id(&link.id) {
        return gateway_refund_page(state, link, intent, locale).await;
    }
    if intent == Intent::View {
        if let Some(page) = live_form(state, link).await? {
            return Ok(page);
        }
    }
    let guard = state.store.lock(&link.id).await?;
    let record = load_link(state, link).await?;
    let payment_state = page_state(state, &guard, record.clone(), intent, locale).await?;
    Ok(CheckoutPage {
        summary: summary(state, &record)?,
        state: payment_state,
        embed_origins: state.config.frame_ancestors.clone(),
    })
}

/// A page view (no hint from the hosted form) of a link whose latest session is live and untouched
/// as far as paydesk knows: the same form again, read without the link's lock, with no gateway call
/// and no write. A lookup runs in the background (one at a time per session, at most one every two
/// seconds) and is applied as a webhook would be, so a payment whose hint was lost still shows on the
/// next view. `None`: anything else, decided under the lock.
async fn live_form(
    state: &AppState,
    link: &LinkRef,
) -> Result<Option<CheckoutPage>, PaymentsError> {
    let record = load_link(state, link).await?;
    if record.authorized_transaction_id.is_some() {
        return Ok(None);
    }
    let now = now_ms();
    let Some(attempt) = state
        .store
        .attempts_for(&record.id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    if !is_live(&attempt, now) {
        return Ok(None);
    }
    refresh_in_background(state, &attempt);
    Ok(Some(CheckoutPage {
        summary: summary(state, &record)?,
        state: PaymentState::Ready(hosted_form(&attempt, now)),
        embed_origins: state.config.frame_ancestors.clone(),
    }))
}

/// Looks `attempt` up at the gateway off the request path, under its link's lock, unless a lookup
/// of it is running or ended moments ago.
fn refresh_in_background(state: &AppState, attempt: &AttemptRecord) {
    if !state.lookups.start_refresh(&attempt.id) {
        return;
    }
    let state = state.clone();
    let (link_id, attempt_id) = (attempt.checkout_id.clone(), attempt.id.clone());
    tokio::spawn(async move {
        let looked_up = async {
            let _guard = state.store.lock(&link_id).await?;
            match state.store.attempt(&attempt_id).await? {
                Some(attempt) if attempt.state == AttemptState::Open => {
                    if look_up_attempt(&state, &attempt).await? == Lookup::Untouched {
                        state.lookups.note_untouched(&attempt.id);
                    }
                    Ok::<(), PaymentsError>(())
                }
                _ => Ok(()),
            }
        }
        .await;
        state.lookups.end_refresh(&attempt_id);
        if let Err(error) = looked_up {
            tracing::warn!(attempt = %attempt_id, %error, "background lookup of a viewed session failed; the reconciler will look again");
        }
    });
}

/// What really happened after the hosted form's hint: a gateway lookup, applied durably.
#[tracing::instrument(skip(state, link), fields(link = %link.id))]
pub async fn confirm_outcome(
    state: &AppState,
    link: &LinkRef,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    if is_gateway_refund_id(&link.id) {
        return gateway_refund_outcome(state, link, locale).await;
    }
    let guard = state.store.lock(&link.id).await?;
    // The gateway's return URL carries a signature that only confirms (see `link_signer`).
    if link.kind == LinkKind::Refund && state.link_signer.verify_return(&link.id, &link.sig) {
        let signed = LinkRef::refund(&link.id, state.link_signer.sign(&link.id));
        let record = load_link(state, &signed).await?;
        return page_state(state, &guard, record, Intent::ConfirmOnly, locale).await;
    }
    let record = load_link(state, link).await?;
    page_state(state, &guard, record, Intent::Confirm, locale).await
}

/// The link's record, if it is of the kind the page expects and (for refund links) its signature is
/// exact. A forged or altered refund link gets the same answer as an unknown one.
pub(in crate::payments) async fn load_link(
    state: &AppState,
    link: &LinkRef,
) -> Result<LinkRecord, PaymentsError> {
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
pub(in crate::payments) async fn settled_link(
    state: &AppState,
    id: &str,
) -> Result<LinkRecord, PaymentsError> {
    let _guard = state.store.lock(id).await?;
    let record = load(state, id).await?;
    if record.authorized_transaction_id.is_none() {
        if let Some(latest) = state.store.attempts_for(id).await?.into_iter().next() {
            if matches!(
                latest.state,
                AttemptState::Open | AttemptState::Replaced | AttemptState::Submitted
            ) && look_up_attempt(state, &latest).await? == Lookup::Untouched
            {
                prove_unused(state, &latest, now_ms()).await?;
            }
        }
        expire_if_due(state, &load(state, id).await?).await?;
    }
    load(state, id).await
}

async fn load(state: &AppState, id: &str) -> Result<LinkRecord, PaymentsError> {
    state.store.link(id).await?.ok_or(PaymentsError::NotFound)
}

fn summary(state: &AppState, record: &LinkRecord) -> Result<CheckoutSummary, PaymentsError> {
    let amount = money_of(record)?;
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
        support_reference: SupportReference::of_id(&record.id).to_string(),
        logo: state.branding.logo.as_ref().map(|logo| logo.path.clone()),
    })
}

/// One page request on a link whose lock is held: who asks, for what, and what is already known.
struct PageAsk<'a> {
    state: &'a AppState,
    guard: &'a WorkLock,
    record: &'a LinkRecord,
    intent: Intent,
    locale: Locale,
    now: i64,
    /// Ended (by whichever instance), or its time up by the database's clock: no new session.
    time_up: bool,
}

/// The page state of the link `record`, whose lock `guard` is held.
async fn page_state(
    state: &AppState,
    guard: &WorkLock,
    record: LinkRecord,
    intent: Intent,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    let now = now_ms();
    if let Some(receipt) = receipt(state, &record).await? {
        return Ok(PaymentState::Paid(receipt));
    }
    let time_up = matches!(
        record.status,
        CheckoutStatus::Expired | CheckoutStatus::Canceled
    ) || time_is_up(state, &record).await?;
    let ask = PageAsk {
        state,
        guard,
        record: &record,
        intent,
        locale,
        now,
        time_up,
    };
    let latest = state
        .store
        .attempts_for(&record.id)
        .await?
        .into_iter()
        .next();
    if let Some(attempt) = &latest {
        if let Some(answer) = settle_latest_attempt(&ask, attempt).await? {
            return Ok(answer);
        }
    }
    if time_up {
        expire_if_due(state, &load(state, &record.id).await?).await?;
        return Ok(ended_page(&record, locale));
    }
    after_latest_attempt(&ask, latest.is_some()).await
}

/// The link's latest session, brought up to date: the page's answer when it decides one (a form
/// still usable, a payment processing or made, the link expired), or `None` to go on.
async fn settle_latest_attempt(
    ask: &PageAsk<'_>,
    attempt: &AttemptRecord,
) -> Result<Option<PaymentState>, PaymentsError> {
    let (state, now) = (ask.state, ask.now);
    match attempt.state {
        AttemptState::Open | AttemptState::Replaced | AttemptState::Submitted => {
            if is_live(attempt, now) && state.lookups.untouched_recently(&attempt.id) {
                match ask.intent {
                    // A reload right after a lookup: the same form, nothing asked upstream.
                    Intent::View => {
                        return Ok(Some(PaymentState::Ready(hosted_form(attempt, now))))
                    }
                    // A hint right after a lookup that found nothing: still processing (the page
                    // asks again shortly), nothing asked upstream.
                    Intent::Confirm | Intent::ConfirmOnly => {
                        return Ok(Some(PaymentState::Processing))
                    }
                    Intent::Retry => {}
                }
            }
            let lookup = look_up_attempt(state, attempt).await?;
            answer_from_lookup(ask, attempt, lookup).await
        }
        AttemptState::Creating => {
            // A previous process stopped between writing the attempt and storing the gateway's
            // answer. Without the iframe URL nobody can use that session; retire it.
            tracing::warn!(attempt = %attempt.id, "retiring an attempt left in 'creating'");
            state
                .store
                .set_attempt_state(&attempt.id, AttemptState::Abandoned, now, None)
                .await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// What the gateway's answer about the latest session means for the page (`None`: go on).
async fn answer_from_lookup(
    ask: &PageAsk<'_>,
    attempt: &AttemptRecord,
    lookup: Lookup,
) -> Result<Option<PaymentState>, PaymentsError> {
    let (state, record, now, time_up) = (ask.state, ask.record, ask.now, ask.time_up);
    match lookup {
        Lookup::Found(AttemptState::Approved) => {
            if let Some(receipt) = receipt(state, &load(state, &record.id).await?).await? {
                return Ok(Some(PaymentState::Paid(receipt)));
            }
        }
        Lookup::Found(AttemptState::Submitted) => return Ok(Some(PaymentState::Processing)),
        Lookup::Found(_) => {}
        Lookup::Untouched if attempt.state == AttemptState::Submitted => {
            // We were told it was submitted; the gateway has no answer yet.
            return Ok(Some(PaymentState::Processing));
        }
        Lookup::Untouched if is_live(attempt, now) => {
            // Even once the link's time is up, a session opened before can be finished.
            state.lookups.note_untouched(&attempt.id);
            return Ok(Some(PaymentState::Ready(hosted_form(attempt, now))));
        }
        Lookup::Untouched if time_up => {
            // No new session; what the link holds is released only once this one is proven unused.
            if prove_unused(state, attempt, now).await? {
                expire_if_due(state, record).await?;
            }
            return Ok(Some(ended_page(record, ask.locale)));
        }
        Lookup::Untouched if !past_expiry(attempt, now) => {
            // Still usable at the gateway for a few seconds: never open a second session beside
            // it. Wait it out, then look again.
            if let Some(wait) = attempt.expires_at.map(|at| at + EXPIRY_GRACE_MS - now) {
                let wait = wait.clamp(0, REUSE_MARGIN_MS + EXPIRY_GRACE_MS) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            }
            let reloaded = load(state, &record.id).await?;
            let again = Box::pin(page_state(
                state, ask.guard, reloaded, ask.intent, ask.locale,
            ));
            return Ok(Some(again.await?));
        }
        Lookup::Untouched if record.kind == LinkKind::Refund => {
            // A refund link pays out money: a card submitted at the session's last second may
            // still be processing while the gateway shows it unused. Only a lookup after the
            // release grace proves it unused; until then no second session opens beside it (the
            // page asks again shortly).
            if !prove_unused(state, attempt, now).await? {
                return Ok(Some(PaymentState::Processing));
            }
        }
        Lookup::Untouched => {
            // Expired at the gateway and unused: replaced by a new session below (a card that
            // still goes through is voided: a payment keeps one authorization). The reconciler
            // proves it unused after its grace.
            if !prove_unused(state, attempt, now).await? {
                let proof = proof_time(attempt.expires_at);
                state
                    .store
                    .set_attempt_state(&attempt.id, AttemptState::Replaced, now, proof)
                    .await?;
            }
        }
        Lookup::Failed { .. }
            if matches!(ask.intent, Intent::Confirm | Intent::ConfirmOnly)
                || attempt.state == AttemptState::Submitted =>
        {
            return Ok(Some(PaymentState::Processing));
        }
        Lookup::Failed { .. } if is_live(attempt, now) => {
            // The gateway itself refuses a session that was already used.
            return Ok(Some(PaymentState::Ready(hosted_form(attempt, now))));
        }
        Lookup::Failed { .. } if time_up => return Ok(Some(ended_page(record, ask.locale))),
        Lookup::Failed { .. } => {
            // It may have been used before it expired: never open a second one blindly.
            return Ok(Some(unavailable(record.kind, ask.locale)));
        }
    }
    Ok(None)
}

/// With the latest session settled and the link's time not up: its decline or failure (unless the
/// customer asks to try again), a lock against card testing, or a new session.
async fn after_latest_attempt(
    ask: &PageAsk<'_>,
    had_attempts: bool,
) -> Result<PaymentState, PaymentsError> {
    let (state, record, locale) = (ask.state, ask.record, ask.locale);
    // What the block above may have changed, read again; a link without attempts still has none
    // (its lock is held).
    let latest = if had_attempts {
        state
            .store
            .attempts_for(&record.id)
            .await?
            .into_iter()
            .next()
    } else {
        None
    };
    if let Some(attempt) = &latest {
        if attempt.state == AttemptState::Declined {
            if let Some(locked) = lock_if_card_testing(state, record, locale).await? {
                return Ok(locked);
            }
        }
        if ask.intent != Intent::Retry {
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
    if let Some(locked) = lock_if_card_testing(state, record, locale).await? {
        return Ok(locked);
    }
    if ask.intent == Intent::ConfirmOnly {
        // Nothing to confirm yet, and no form is opened for this caller: the customer's own link
        // opens one.
        return Ok(PaymentState::Processing);
    }
    open_new_attempt(state, ask.guard, record, locale).await
}

/// The page of a link that takes no new session: canceled by the merchant, or expired.
fn ended_page(record: &LinkRecord, locale: Locale) -> PaymentState {
    if record.canceled_at.is_some() {
        let texts = texts(locale);
        PaymentState::Ended {
            message: match record.kind {
                LinkKind::Refund => texts.canceled_refund,
                LinkKind::Payment => texts.canceled_payment,
            }
            .into(),
        }
    } else {
        PaymentState::LinkExpired
    }
}

/// True once the gateway can no longer accept the session (its expiry plus a margin for clock skew).
fn past_expiry(attempt: &AttemptRecord, now: i64) -> bool {
    attempt
        .expires_at
        .is_some_and(|at| now >= at + EXPIRY_GRACE_MS)
}

/// A session that can still be handed to the customer.
fn is_live(attempt: &AttemptRecord, now: i64) -> bool {
    attempt.state == AttemptState::Open
        && attempt.iframe_url.is_some()
        && attempt
            .expires_at
            .is_some_and(|at| at > now + REUSE_MARGIN_MS)
}

async fn receipt(state: &AppState, record: &LinkRecord) -> Result<Option<Receipt>, PaymentsError> {
    let Some(transaction_id) = &record.authorized_transaction_id else {
        return Ok(None);
    };
    let transaction = state.store.transaction(transaction_id).await?;
    // What the gateway approved, when less than the link's amount (a refund approved in part).
    let approved = transaction
        .as_ref()
        .and_then(|t| t.approved_amount)
        .filter(|approved| (1..record.amount).contains(approved));
    let Some(amount) =
        crate::model::Money::from_stored(approved.unwrap_or(record.amount), &record.currency)
    else {
        return Ok(None);
    };
    Ok(Some(Receipt {
        amount,
        card: transaction
            .as_ref()
            .and_then(|t| card_label(t.card_type.as_deref(), t.masked_card.as_deref())),
        auth_code: transaction.as_ref().and_then(|t| t.auth_code.clone()),
        transaction_id: transaction_id.clone(),
    }))
}
