//! The customer's page of a refund waiting for a new card (`/refund/rfd_…?sig=…`): what it shows,
//! the Hosted Fields credentials it gets only when the customer submits, and the unmatched refund
//! to the card Commerce Hub captured.
//!
//! The card goes from the field frames to Commerce Hub; paydesk turns the session into a TransArmor
//! token (Tokens API) and refunds to the token, not to the session: a session is single use, a token
//! is not, so an answer lost on the way can be resent (same `Client-Request-Id`, same bytes) or
//! inquired after without asking the customer for the card again.

use crate::gateways::commercehub::amount::Total;
use crate::gateways::commercehub::wire::{
    four_digit_year, Amount, RefundRequest, RefundSource, RefundTransactionDetails, TokenCard,
    TransactionInteraction,
};
use crate::gateways::commercehub::CommerceHub;
use crate::i18n::{texts, Locale};
use crate::model::{
    CardFieldsForm, CardSubmission, CheckoutPage, CheckoutSummary, GatewayRefundStatus, LinkKind,
    LinkRef, Money, PaymentState, Receipt, RefundAttemptKind, RefundAttemptState, SupportReference,
};
use crate::payments::commercehub_refunds::card_testing::{locked_by_card_testing, locked_page};
use crate::payments::commercehub_refunds::refunds::{
    body_text, commercehub, current, new_attempt, next_look, reference, send,
    settle_gateway_refund, Sending,
};
use crate::payments::error::PaymentsError;
use crate::payments::ids::new_id;
use crate::payments::intent::Intent;
use crate::payments::rules::messages::{
    card_not_read_message, decline_message, refund_ended_message,
};
use crate::store::{now_ms, Flag, GatewayRefundRecord, RefundSessionRecord, StoreError};
use crate::AppState;

/// Prefix of paydesk's ids for Hosted Fields sessions (what the page names when it submits).
const SUBMISSION_PREFIX: &str = "rfs";
/// Commerce Hub keeps a Hosted Fields session at most 30 minutes (when it does not say how long).
const SESSION_MAX_SECS: i64 = 30 * 60;

/// How long paydesk uses a Hosted Fields session: what Commerce Hub said it lives
/// (`accessTokenTimeToLive`, at most 30 minutes), less a minute — or half of it, if that is less
/// than two minutes — so no card is sent into a session that has just ended.
fn session_lifetime_ms(time_to_live_secs: Option<i64>) -> i64 {
    let lives = time_to_live_secs
        .filter(|secs| *secs > 0)
        .map_or(SESSION_MAX_SECS, |secs| secs.min(SESSION_MAX_SECS))
        * 1000;
    (lives - 60_000).max(lives / 2)
}

/// The refund's page data after settling what is due (an unknown answer, the link's expiry).
pub(in crate::payments) async fn gateway_refund_page(
    state: &AppState,
    link: &LinkRef,
    intent: Intent,
    locale: Locale,
) -> Result<CheckoutPage, PaymentsError> {
    verify(state, link)?;
    let record = settle_gateway_refund(state, &link.id).await?;
    Ok(CheckoutPage {
        summary: summary(state, &record)?,
        state: page_state(state, &record, intent, locale).await?,
        embed_origins: state.config.frame_ancestors.clone(),
    })
}

/// What the page shows after a hint (the form submitted, a poll while processing).
pub(in crate::payments) async fn gateway_refund_outcome(
    state: &AppState,
    link: &LinkRef,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    verify(state, link)?;
    let record = settle_gateway_refund(state, &link.id).await?;
    page_state(state, &record, Intent::Confirm, locale).await
}

/// A forged or altered link gets the same answer as an unknown one.
pub(in crate::payments) fn verify(state: &AppState, link: &LinkRef) -> Result<(), PaymentsError> {
    if link.kind == LinkKind::Refund && state.link_signer.verify(&link.id, &link.sig) {
        Ok(())
    } else {
        Err(PaymentsError::InvalidLink)
    }
}

fn summary(
    state: &AppState,
    record: &GatewayRefundRecord,
) -> Result<CheckoutSummary, PaymentsError> {
    Ok(CheckoutSummary {
        id: record.id.clone(),
        kind: LinkKind::Refund,
        amount: money(record)?,
        merchant_name: state.config.merchant_name.clone(),
        order_number: record.order_number.clone(),
        invoice_number: None,
        description: record.reason.clone(),
        return_url: record.return_url.clone(),
        cancel_url: None,
        support_reference: SupportReference::of_id(&record.id).to_string(),
        logo: state.branding.logo.as_ref().map(|logo| logo.path.clone()),
    })
}

fn money(record: &GatewayRefundRecord) -> Result<Money, PaymentsError> {
    Money::from_stored(record.amount, &record.currency).ok_or_else(|| {
        PaymentsError::Store(StoreError::Corrupt(format!(
            "gateway_refunds row {}: amount or currency",
            record.id
        )))
    })
}

async fn page_state(
    state: &AppState,
    record: &GatewayRefundRecord,
    intent: Intent,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    Ok(match record.status {
        GatewayRefundStatus::Refunded => PaymentState::Paid(Receipt {
            amount: money(record)?,
            card: record.card.clone(),
            auth_code: None,
            transaction_id: record
                .gateway_transaction_id
                .clone()
                .unwrap_or_else(|| record.id.clone()),
        }),
        GatewayRefundStatus::Processing => PaymentState::Processing,
        GatewayRefundStatus::Expired => PaymentState::LinkExpired,
        GatewayRefundStatus::Canceled => PaymentState::Ended {
            message: texts(locale).canceled_refund.into(),
        },
        GatewayRefundStatus::Declined | GatewayRefundStatus::Failed => PaymentState::Ended {
            message: refund_ended_message(&state.config.merchant_name, locale),
        },
        GatewayRefundStatus::AwaitingCard => {
            if locked_by_card_testing(state, record).await? {
                locked_page(locale)
            } else if intent != Intent::Retry && last_new_card_declined(state, record).await? {
                PaymentState::Declined {
                    message: decline_message(LinkKind::Refund, None, locale),
                }
            } else if intent == Intent::ConfirmOnly {
                PaymentState::Processing
            } else {
                PaymentState::CardFields(card_fields(state, record)?)
            }
        }
    })
}

/// The latest attempt is a new card Commerce Hub declined (the customer sees it until they try
/// another).
async fn last_new_card_declined(
    state: &AppState,
    record: &GatewayRefundRecord,
) -> Result<bool, PaymentsError> {
    let attempts = state.store.refund_attempts(&record.id).await?;
    Ok(attempts.last().is_some_and(|a| {
        a.kind == RefundAttemptKind::Unmatched && a.state == RefundAttemptState::Answered
    }))
}

fn card_fields(
    state: &AppState,
    record: &GatewayRefundRecord,
) -> Result<CardFieldsForm, PaymentsError> {
    let hub = commercehub(state)?;
    let sdk_origin = hub.sdk_origin().ok_or(PaymentsError::GatewayRefundsOff)?;
    Ok(CardFieldsForm {
        sdk_url: hub.sdk_url.clone(),
        sdk_origin,
        sdk_integrity: hub.sdk_integrity.clone(),
        environment: hub.environment.clone(),
        frame_ancestors: state.config.frame_ancestors.clone(),
        card_declines: record.card_declines,
    })
}

/// The refund still waits for a card this page can give.
fn awaiting_card(record: &GatewayRefundRecord, now: i64) -> bool {
    record.status == GatewayRefundStatus::AwaitingCard && now < record.link_expires_at
}

/// Opens a Hosted Fields session for the customer's submit: kept on the server (its `sessionId`
/// never leaves it); the page gets what Fiserv's SDK needs to send the card, and paydesk's name for
/// the session. `None`: the refund no longer waits for a card (the page asks what it shows).
pub async fn card_submission(
    state: &AppState,
    link: &LinkRef,
) -> Result<Option<CardSubmission>, PaymentsError> {
    verify(state, link)?;
    let hub = commercehub(state)?;
    let now = now_ms();
    match state.store.gateway_refund(&link.id).await? {
        // Locked (card testing): no session, so no card reaches Commerce Hub; the page shows why.
        Some(record) if awaiting_card(&record, now) => {
            if locked_by_card_testing(state, &record).await? {
                return Ok(None);
            }
        }
        Some(_) => return Ok(None),
        None => return Err(PaymentsError::InvalidLink),
    }
    let credentials = hub.client.security_credentials().await?;
    let session = RefundSessionRecord {
        id: new_id(SUBMISSION_PREFIX),
        refund_id: link.id.clone(),
        session_id: credentials.session_id,
        access_token: credentials.access_token.clone(),
        public_key: credentials.public_key.clone(),
        key_id: credentials.key_id.clone(),
        expires_at: now + session_lifetime_ms(credentials.access_token_time_to_live),
        used: Flag(false),
        created_at: now,
    };
    state.store.insert_refund_session(&session).await?;
    let merchant = hub.client.merchant();
    Ok(Some(CardSubmission {
        submission_id: session.id,
        api_key: hub.client.api_key().to_string(),
        access_token: credentials.access_token,
        public_key: credentials.public_key,
        key_id: credentials.key_id,
        merchant_id: merchant.merchant_id,
        terminal_id: merchant.terminal_id,
    }))
}

/// After the SDK sent the card: the session becomes a token, and the refund goes to it (stored
/// before it is sent). The page's word that it submitted is only a hint: without a card in the
/// session Commerce Hub makes no token, and nothing is sent.
#[tracing::instrument(skip(state, link), fields(refund = %link.id))]
pub async fn submit_new_card(
    state: &AppState,
    link: &LinkRef,
    submission_id: &str,
    locale: Locale,
) -> Result<PaymentState, PaymentsError> {
    verify(state, link)?;
    let hub = commercehub(state)?;
    let guard = state.store.lock(&link.id).await?;
    let now = now_ms();
    let record = match state.store.gateway_refund(&link.id).await? {
        Some(record) if awaiting_card(&record, now) => record,
        Some(_) => {
            drop(guard);
            return gateway_refund_outcome(state, link, locale).await;
        }
        None => return Err(PaymentsError::InvalidLink),
    };
    if locked_by_card_testing(state, &record).await? {
        // A form opened before the lock: its card is never tokenized nor refunded to.
        return Ok(locked_page(locale));
    }
    let session = match state.store.refund_session(submission_id).await? {
        Some(session) if session.refund_id == record.id => session,
        _ => return Err(PaymentsError::InvalidLink),
    };
    if session.expires_at <= now || !state.store.use_refund_session(&session.id).await? {
        // Expired, or already turned into a refund by another submit of the same form.
        drop(guard);
        return gateway_refund_outcome(state, link, locale).await;
    }
    let Some(source) = token_source(hub, &session).await else {
        return Ok(PaymentState::Failed {
            message: card_not_read_message(locale),
        });
    };
    let body = body_text(&unmatched_refund(hub, &record, source))?;
    let attempt = new_attempt(&record.id, RefundAttemptKind::Unmatched, body, now);
    let mut next = record.clone();
    next.status = GatewayRefundStatus::Processing;
    next.updated_at = now;
    next.next_check_at = next_look(state, &next, now);
    let written = state
        .store
        .advance_gateway_refund(&next, record.status, None, Some(&attempt), None)
        .await?;
    let next = current(state, next, written).await?;
    let sent = if written {
        tracing::info!(client_request_id = %attempt.client_request_id, "sending the refund to the new card");
        send(state, hub, next, &attempt, Sending::First).await?
    } else {
        next
    };
    if sent.status == GatewayRefundStatus::AwaitingCard {
        // Declined: at the cap the page locks now, so staff see it before the customer returns.
        locked_by_card_testing(state, &sent).await?;
    }
    page_state(state, &sent, Intent::Confirm, locale).await
}

/// The TransArmor token Commerce Hub makes from the session's card; `None` when it makes none
/// (no card was sent to the session, or the call failed: nothing moved, the customer may retry).
async fn token_source(hub: &CommerceHub, session: &RefundSessionRecord) -> Option<RefundSource> {
    let token = match hub.client.tokenize_session(&session.session_id).await {
        Ok(token) => token,
        Err(error) => {
            tracing::warn!(submission = %session.id, %error, "no token from the Hosted Fields session");
            return None;
        }
    };
    let Some(chosen) = token.transarmor_token() else {
        tracing::warn!(submission = %session.id, "Commerce Hub made no TransArmor token from the Hosted Fields session");
        return None;
    };
    let card = &token.source.card;
    Some(RefundSource::PaymentToken {
        token_data: chosen.token_data.clone(),
        token_source: "TRANSARMOR".into(),
        card: TokenCard {
            expiration_month: card.expiration_month.clone()?,
            expiration_year: four_digit_year(card.expiration_year.as_deref()?),
        },
    })
}

/// The unmatched tagged refund: still linked to the charge, paid to the new card.
fn unmatched_refund(
    hub: &CommerceHub,
    record: &GatewayRefundRecord,
    source: RefundSource,
) -> RefundRequest {
    RefundRequest {
        amount: Amount {
            total: Total(record.amount),
            currency: record.currency.clone(),
        },
        reference_transaction_details: reference(record),
        source: Some(source),
        transaction_interaction: Some(TransactionInteraction::ecom()),
        merchant_details: hub.client.merchant(),
        transaction_details: RefundTransactionDetails {
            capture_flag: true,
            merchant_transaction_id: Some(record.id.clone()),
            merchant_order_id: record.order_number.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::session_lifetime_ms;

    #[test]
    fn a_session_is_used_for_what_commerce_hub_says_it_lives_less_a_margin() {
        // The spec's example (1799 s), the documented maximum, and nothing said.
        assert_eq!(session_lifetime_ms(Some(1799)), 1_739_000);
        assert_eq!(session_lifetime_ms(None), 1_740_000);
        assert_eq!(
            session_lifetime_ms(Some(86_400)),
            1_740_000,
            "at most 30 minutes"
        );
        // A short session is never used past its end.
        assert_eq!(session_lifetime_ms(Some(300)), 240_000);
        assert_eq!(session_lifetime_ms(Some(90)), 45_000);
        assert_eq!(
            session_lifetime_ms(Some(0)),
            1_740_000,
            "a zero is not a lifetime"
        );
    }
}
