//! Refunds of charges held at a gateway (Commerce Hub), by reference. paydesk sends the tagged
//! refund; approved, it is done; declined because the card's account is closed (the configured
//! codes), it becomes a signed, single-use link where the customer gives a new card, and the money
//! goes there as an unmatched refund still linked to the charge.
//!
//! Every call is an attempt stored (its `Client-Request-Id` and exact body) before it is sent. An
//! answer that never came is resent with the same id inside Commerce Hub's 5-minute window; after
//! it, paydesk asks (transaction inquiry) and sends a new attempt only if nothing was recorded. One
//! refund at a time per original charge (a unique index): the hold.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fault_injection;
use crate::gateways::commercehub::amount::Total;
use crate::gateways::commercehub::interpret::{
    cancel_outcome, is_cancel, is_refund, outcome, permits_unmatched_refund,
};
use crate::gateways::commercehub::wire::{
    Amount, CancelRequest, CancelTransactionDetails, ReferenceTransactionDetails, RefundRequest,
    RefundResponse, RefundTransactionDetails,
};
use crate::gateways::commercehub::{
    new_client_request_id, CommerceHub, CommerceHubError, REPLAY_WINDOW,
};
use crate::gateways::{Effect, Outcome};
use crate::merchant_events;
use crate::model::{GatewayRefundStatus, RefundAttemptKind, RefundAttemptState, SupportReference};
use crate::payments::actor::Actor;
use crate::payments::error::{FieldError, PaymentsError};
use crate::payments::ids::new_id;
use crate::payments::rules::metadata::{
    check_metadata, metadata_of, metadata_text, with_metadata, Metadata,
};
use crate::payments::rules::validate::{
    check_amount, check_currency, check_text, check_ttl, check_url, MAX_DESCRIPTION_LEN,
    MAX_REFERENCE_LEN,
};
use crate::store::{
    iso8601, now_ms, GatewayRefundInsert, GatewayRefundRecord, Page, PageQuery, RefundAttemptRecord,
};
use crate::AppState;

use crate::payments::commercehub_refunds::lookup::{recorded_under_refund, RecordedUnderRefund};

/// Id prefix of these refunds (their links are `/refund/{id}?sig=…`, like refund links).
pub const GATEWAY_REFUND_PREFIX: &str = "rfd";

/// Resend with the same `Client-Request-Id` only this long after the first send: Commerce Hub
/// forgets the id after 5 minutes, so later a new id goes, once an inquiry found nothing.
const RESEND_WITHIN_MS: i64 = REPLAY_WINDOW.as_millis() as i64 - 60_000;
/// Whether an earlier send of an attempt may have reached Commerce Hub: then no error of this send
/// proves that nothing happened — only Commerce Hub's own answer about the request does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::payments) enum Sending {
    /// Never sent before (its send mark was never written).
    First,
    /// Sent before; this is the same request again (same id, same bytes).
    Again,
}

/// How long after a send the same request may not go again: paydesk's timeout, then the time it
/// may still be open at Commerce Hub after paydesk stopped waiting (`PAYDESK_GATEWAY_STILL_OPEN_SECS`;
/// Fiserv documents no bound).
fn quiet_after_send_ms(state: &AppState) -> i64 {
    state.config.resend_quiet.as_millis() as i64
}

/// A merchant's request for a refund of a Commerce Hub charge.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGatewayRefund {
    /// `commercehub`.
    pub gateway: String,
    /// The charge's Commerce Hub `transactionId` (or give `originalMerchantTransactionId`).
    #[serde(default)]
    pub original_transaction_id: Option<String>,
    /// The `merchantTransactionId` the charge was made with.
    #[serde(default)]
    pub original_merchant_transaction_id: Option<String>,
    /// Minor units (cents), 1..=999999999.
    pub amount: i64,
    /// "USD" or "CAD".
    pub currency: String,
    #[serde(default)]
    /// Your order number, shown to the customer if a new card is needed.
    pub order_number: Option<String>,
    /// Shown to the customer if a new card is needed.
    #[serde(default)]
    pub reason: Option<String>,
    /// The merchant's own id; replaying the same request with it returns the same refund.
    #[serde(default)]
    pub reference_id: Option<String>,
    /// Lifetime of the new-card link, if one is needed; default `PAYDESK_REFUND_LINK_TTL_SECS`.
    #[serde(default)]
    pub expires_in_seconds: Option<i64>,
    /// Storefront page the customer goes back to afterwards.
    #[serde(default)]
    pub return_url: Option<String>,
    /// Your own key/values (at most 20; keys up to 40 characters, values up to 500), returned on
    /// the object and its events.
    #[serde(default)]
    #[schemars(schema_with = "crate::payments::rules::metadata::metadata_schema")]
    pub metadata: Metadata,
}

impl NewGatewayRefund {
    fn validate(&self) -> Result<(), FieldError> {
        if self.gateway != "commercehub" {
            return Err(FieldError::new(
                "gateway",
                "gateway must be \"commercehub\".",
            ));
        }
        match (&self.original_transaction_id, &self.original_merchant_transaction_id) {
            (Some(id), None) if !id.trim().is_empty() && id.len() <= 40 => {}
            (None, Some(id)) if !id.trim().is_empty() && id.len() <= 128 => {}
            (Some(_), Some(_)) => {
                return Err(FieldError::new(
                    "originalTransactionId",
                    "give originalTransactionId or originalMerchantTransactionId, not both.",
                ))
            }
            _ => {
                return Err(FieldError::new(
                    "originalTransactionId",
                    "originalTransactionId (at most 40 characters) or originalMerchantTransactionId (at most 128) is required.",
                ))
            }
        }
        check_amount(self.amount)?;
        check_currency(&self.currency)?;
        check_text(
            "orderNumber",
            self.order_number.as_deref(),
            MAX_REFERENCE_LEN,
        )?;
        check_text("reason", self.reason.as_deref(), MAX_DESCRIPTION_LEN)?;
        check_text(
            "referenceId",
            self.reference_id.as_deref(),
            MAX_REFERENCE_LEN,
        )?;
        check_url("returnUrl", self.return_url.as_deref())?;
        check_ttl(self.expires_in_seconds)?;
        check_metadata(&self.metadata)
    }

    fn fingerprint(&self) -> String {
        let canonical = serde_json::json!({
            "gateway": self.gateway,
            "originalTransactionId": self.original_transaction_id,
            "originalMerchantTransactionId": self.original_merchant_transaction_id,
            "amount": self.amount,
            "currency": self.currency,
            "orderNumber": self.order_number,
            "reason": self.reason,
            "returnUrl": self.return_url,
        });
        let canonical = with_metadata(canonical, &self.metadata);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    fn original_key(&self) -> String {
        match (
            &self.original_transaction_id,
            &self.original_merchant_transaction_id,
        ) {
            (Some(id), _) => format!("commercehub:tx:{id}"),
            (None, Some(id)) => format!("commercehub:mtx:{id}"),
            (None, None) => String::new(),
        }
    }
}

/// A refund as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRefundResource {
    /// `rfd_…`.
    pub id: String,
    /// Always `refund`.
    pub object: String,
    /// `false` in sandbox mode (test data, simulated gateways), `true` with real payments.
    pub livemode: bool,
    /// Always `commercehub`.
    pub gateway: String,
    /// `processing`, `refunded`, `declined`, `awaiting_card`, `failed`, `expired` or `canceled`.
    pub status: GatewayRefundStatus,
    /// The amount to refund, in minor units.
    pub amount: i64,
    /// The currency (ISO 4217).
    pub currency: String,
    /// Commerce Hub's id of the charge refunded, if you named the charge by it.
    pub original_transaction_id: Option<String>,
    /// The charge's merchant transaction id, if you named the charge by it.
    pub original_merchant_transaction_id: Option<String>,
    /// Your order number, if you gave one.
    pub order_number: Option<String>,
    /// Why you refund, shown to the customer.
    pub reason: Option<String>,
    /// Your own id for it: a second create with the same referenceId answers this refund.
    pub reference_id: Option<String>,
    /// Your own key/values, as given when it was created (empty when none were).
    pub metadata: Metadata,
    /// The support reference the customer's page shows (e.g. `PD-7K4M-2Q`): the customer quotes it
    /// to your support; the console finds it.
    pub support_reference: String,
    /// Where the new-card page sends the customer afterwards, if you gave it.
    pub return_url: Option<String>,
    /// The tagged refund's response code when it was declined (e.g. `030`: closed account).
    pub decline_code: Option<String>,
    /// The gateway's words about the last answer (e.g. `CLOSED ACCOUNT`), if any.
    pub message: Option<String>,
    /// The card the money went to, e.g. "MASTERCARD •••• 7385".
    pub card: Option<String>,
    /// Commerce Hub's `transactionId` of the refund that paid out.
    pub gateway_transaction_id: Option<String>,
    /// What was paid out once `refunded`: `amount`, or less when Commerce Hub approved part of it
    /// (then `message` says so); `null` before.
    pub refunded_amount: Option<i64>,
    /// Which request moved the money once `refunded`: `tagged` (a refund to the original card),
    /// `unmatched` (to the customer's new card) or `cancel` (the charge was authorized and not
    /// captured, so its authorization was released instead: the customer is never charged it);
    /// `null` before.
    pub refunded_by: Option<RefundAttemptKind>,
    /// The customer's page (signed) while the refund waits for a new card. Shown only to tokens
    /// with the `refunds` scope; send it to the customer only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When the new-card link stops accepting a card.
    pub link_expires_at: String,
    /// New cards the customer gave that were declined.
    pub card_declines: i64,
    /// Locked after too many declined new cards (card testing): the customer's page opens no card
    /// form until you unlock it (`POST /api/v1/refunds/{id}/unlock`).
    #[serde(default)]
    pub locked: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When its status last changed (RFC 3339).
    pub updated_at: String,
}

impl GatewayRefundResource {
    pub(in crate::payments) fn of(state: &AppState, record: &GatewayRefundRecord) -> Self {
        let url = (record.status == GatewayRefundStatus::AwaitingCard).then(|| {
            format!(
                "{}/refund/{}?sig={}",
                state.config.public_url,
                record.id,
                state.link_signer.sign(&record.id)
            )
        });
        GatewayRefundResource {
            id: record.id.clone(),
            object: "refund".into(),
            livemode: !state.config.sandbox_mode,
            gateway: record.gateway.clone(),
            status: record.status,
            amount: record.amount,
            currency: record.currency.clone(),
            original_transaction_id: record.original_transaction_id.clone(),
            original_merchant_transaction_id: record.original_merchant_transaction_id.clone(),
            order_number: record.order_number.clone(),
            reason: record.reason.clone(),
            reference_id: record.reference_id.clone(),
            metadata: metadata_of(record.metadata.as_deref()),
            support_reference: SupportReference::of_id(&record.id).to_string(),
            return_url: record.return_url.clone(),
            decline_code: record.decline_code.clone(),
            message: record.message.clone(),
            card: record.card.clone(),
            gateway_transaction_id: record.gateway_transaction_id.clone(),
            refunded_amount: record.refunded_amount,
            refunded_by: record.refunded_by,
            url,
            link_expires_at: iso8601(record.link_expires_at),
            card_declines: record.card_declines,
            locked: record.locked_at.is_some(),
            created_at: iso8601(record.created_at),
            updated_at: iso8601(record.updated_at),
        }
    }

    /// The resource without its customer URL (for callers without the `refunds` scope).
    pub fn without_url(mut self) -> Self {
        self.url = None;
        self
    }
}

pub(in crate::payments) fn commercehub(state: &AppState) -> Result<&CommerceHub, PaymentsError> {
    state
        .commercehub
        .as_deref()
        .ok_or(PaymentsError::GatewayRefundsOff)
}

/// Whether `id` names one of these refunds (their links share `/refund/{id}` with refund links).
pub fn is_gateway_refund_id(id: &str) -> bool {
    id.strip_prefix(GATEWAY_REFUND_PREFIX)
        .is_some_and(|rest| rest.starts_with('_'))
}

/// Writes the refund and its first attempt (the tagged refund), then sends it. `bool`: created now
/// (false: the same `referenceId` and request made it before).
#[tracing::instrument(skip_all, fields(gateway = %request.gateway, amount = request.amount))]
pub async fn create_gateway_refund(
    state: &AppState,
    request: NewGatewayRefund,
    actor: &Actor,
) -> Result<(GatewayRefundResource, bool), PaymentsError> {
    request.validate().map_err(PaymentsError::Invalid)?;
    let hub = commercehub(state)?;
    let now = now_ms();
    let ttl = request
        .expires_in_seconds
        .map(|s| s * 1000)
        .unwrap_or(state.config.refund_link_ttl.as_millis() as i64);
    let record = GatewayRefundRecord {
        id: new_id(GATEWAY_REFUND_PREFIX),
        gateway: request.gateway.clone(),
        original_transaction_id: request.original_transaction_id.clone(),
        original_merchant_transaction_id: request.original_merchant_transaction_id.clone(),
        original_key: request.original_key(),
        amount: request.amount,
        currency: request.currency.clone(),
        order_number: request.order_number.clone(),
        reason: request.reason.clone(),
        return_url: request.return_url.clone(),
        reference_id: request.reference_id.clone(),
        request_fingerprint: request.fingerprint(),
        status: GatewayRefundStatus::Processing,
        decline_code: None,
        message: None,
        card: None,
        gateway_transaction_id: None,
        link_expires_at: now + ttl,
        card_declines: 0,
        requested_by: actor.as_str().to_string(),
        created_at: now,
        updated_at: now,
        // If this process stops before the answer is stored, the background pass settles it.
        next_check_at: Some(now + quiet_after_send_ms(state)),
        checks: 0,
        refunded_amount: None,
        refunded_by: None,
        locked_at: None,
        declines_forgiven: 0,
        metadata: metadata_text(Some(&request.metadata)),
    };
    let body = tagged_refund(hub, &record)?;
    let attempt = new_attempt(&record.id, RefundAttemptKind::Tagged, body, now);
    let audit = actor.audit(
        "refund.create",
        &record.id,
        serde_json::json!({ "gateway": record.gateway, "amount": record.amount, "currency": record.currency, "original": record.original_key }),
    );
    match state
        .store
        .insert_gateway_refund(&record, &attempt, &audit)
        .await?
    {
        GatewayRefundInsert::Created => {
            tracing::info!(refund = %record.id, "refund created; sending the tagged refund");
            let _guard = state.store.lock(&record.id).await?;
            let sent = send(state, hub, record, &attempt, Sending::First).await?;
            Ok((GatewayRefundResource::of(state, &sent), true))
        }
        GatewayRefundInsert::ReferenceExists(existing) => {
            if existing.request_fingerprint != record.request_fingerprint {
                return Err(PaymentsError::ReferenceConflict {
                    reference_id: record.reference_id.unwrap_or_default(),
                    existing_id: existing.id,
                });
            }
            Ok((GatewayRefundResource::of(state, &existing), false))
        }
        GatewayRefundInsert::OriginalBusy(open) => Err(PaymentsError::OriginalBusy {
            existing_id: open.id,
        }),
    }
}

/// A page of Commerce Hub refunds, newest first, as paydesk last recorded them.
pub async fn list_gateway_refunds(
    state: &AppState,
    query: &PageQuery,
) -> Result<Page<GatewayRefundResource>, PaymentsError> {
    let found = state.store.page_of_gateway_refunds(query).await?;
    Ok(Page {
        rows: found
            .rows
            .iter()
            .map(|record| GatewayRefundResource::of(state, record))
            .collect(),
        next: found.next,
    })
}

/// The refund as it stands, after resolving an unknown answer or expiry that is due.
pub async fn get_gateway_refund(
    state: &AppState,
    id: &str,
) -> Result<GatewayRefundResource, PaymentsError> {
    let record = settle_gateway_refund(state, id).await?;
    Ok(GatewayRefundResource::of(state, &record))
}

pub(in crate::payments) fn new_attempt(
    refund_id: &str,
    kind: RefundAttemptKind,
    body: String,
    now: i64,
) -> RefundAttemptRecord {
    RefundAttemptRecord {
        client_request_id: new_client_request_id(),
        refund_id: refund_id.to_string(),
        kind,
        body,
        first_sent_at: now,
        state: RefundAttemptState::Sending,
        api_trace_id: None,
        created_at: now,
        last_sent_at: None,
        sends: 0,
    }
}

pub(in crate::payments) fn reference(record: &GatewayRefundRecord) -> ReferenceTransactionDetails {
    ReferenceTransactionDetails {
        reference_transaction_id: record.original_transaction_id.clone(),
        reference_merchant_transaction_id: record.original_merchant_transaction_id.clone(),
    }
}

/// The tagged refund's body (to the original card), serialised once.
fn tagged_refund(hub: &CommerceHub, record: &GatewayRefundRecord) -> Result<String, PaymentsError> {
    let request = RefundRequest {
        amount: Amount {
            total: Total(record.amount),
            currency: record.currency.clone(),
        },
        reference_transaction_details: reference(record),
        source: None,
        transaction_interaction: None,
        merchant_details: hub.client.merchant(),
        transaction_details: RefundTransactionDetails {
            capture_flag: true,
            merchant_transaction_id: Some(record.id.clone()),
            merchant_order_id: record.order_number.clone(),
        },
    };
    body_text(&request)
}

/// The cancel a refund becomes when its charge was authorized and not captured, serialised once.
fn cancel_of(hub: &CommerceHub, record: &GatewayRefundRecord) -> Result<String, PaymentsError> {
    let request = CancelRequest {
        amount: Amount {
            total: Total(record.amount),
            currency: record.currency.clone(),
        },
        reference_transaction_details: reference(record),
        merchant_details: hub.client.merchant(),
        transaction_details: CancelTransactionDetails {
            merchant_transaction_id: Some(record.id.clone()),
            merchant_order_id: record.order_number.clone(),
        },
    };
    utf8(crate::gateways::commercehub::CommerceHubClient::cancel_body(&request)?)
}

/// Commerce Hub's code for a refund of a charge that is not captured (reference §10).
const NOT_CAPTURED: &str = "837";

/// Whether Commerce Hub refused a refund's first send because its charge was authorized and not
/// captured: nothing was refunded, and a cancel releases the authorization instead.
fn refused_as_not_captured(
    attempt: &RefundAttemptRecord,
    answer: &Result<RefundResponse, CommerceHubError>,
    sending: Sending,
) -> bool {
    matches!(answer, Err(error) if attempt.kind == RefundAttemptKind::Tagged
        && sending == Sending::First
        && error.effect() == Effect::None
        && error.code() == Some(NOT_CAPTURED))
}

/// Carries the refund out as a cancel: the refused refund request is answered and the cancel
/// written (its `Client-Request-Id` and bytes) in one transaction, then sent. The caller holds the
/// refund's lock.
async fn cancel_instead(
    state: &AppState,
    hub: &CommerceHub,
    record: GatewayRefundRecord,
    refused: &RefundAttemptRecord,
    trace: Option<&str>,
) -> Result<GatewayRefundRecord, PaymentsError> {
    let now = now_ms();
    let cancel = new_attempt(
        &record.id,
        RefundAttemptKind::Cancel,
        cancel_of(hub, &record)?,
        now,
    );
    let mut next = record.clone();
    next.updated_at = now;
    next.message = Some(
        "The charge was authorized and not captured, so Commerce Hub cannot refund it (837): \
         paydesk cancels the authorization instead."
            .into(),
    );
    next.next_check_at = next_look(state, &next, now);
    let written = state
        .store
        .advance_gateway_refund(
            &next,
            record.status,
            Some((
                &refused.client_request_id,
                RefundAttemptState::Answered,
                trace,
            )),
            Some(&cancel),
            None,
        )
        .await?;
    if !written {
        return current(state, next, false).await;
    }
    tracing::info!(refund = %record.id, cancel = %cancel.client_request_id, "charge not captured; cancelling its authorization instead of refunding");
    send(state, hub, next, &cancel, Sending::First).await
}

pub(in crate::payments) fn body_text(request: &RefundRequest) -> Result<String, PaymentsError> {
    utf8(crate::gateways::commercehub::CommerceHubClient::refund_body(request)?)
}

/// A request's bytes as the text stored with its `Client-Request-Id` (JSON is UTF-8).
fn utf8(bytes: Vec<u8>) -> Result<String, PaymentsError> {
    String::from_utf8(bytes)
        .map_err(|e| PaymentsError::CommerceHub(CommerceHubError::Transport(e.to_string())))
}

/// Sends (or resends, same id and bytes) an attempt and records what it did. The send is marked
/// first (durably, by the database's clock); an attempt sent less than [`quiet_after_send_ms`] ago
/// is not sent again — by this instance or any other — and the refund is returned as it stands. The
/// caller holds the refund's lock; the refund is `processing`.
pub(in crate::payments) async fn send(
    state: &AppState,
    hub: &CommerceHub,
    record: GatewayRefundRecord,
    attempt: &RefundAttemptRecord,
    sending: Sending,
) -> Result<GatewayRefundRecord, PaymentsError> {
    if !state
        .store
        .mark_refund_attempt_sending(&attempt.client_request_id, quiet_after_send_ms(state))
        .await?
    {
        tracing::info!(refund = %record.id, client_request_id = %attempt.client_request_id, "an earlier send may still be open at Commerce Hub; not sending it again yet");
        return current(state, record, false).await;
    }
    let answer = match attempt.kind {
        RefundAttemptKind::Cancel => {
            hub.client
                .cancel(&attempt.client_request_id, attempt.body.as_bytes())
                .await
        }
        RefundAttemptKind::Tagged | RefundAttemptKind::Unmatched => {
            hub.client
                .refund(&attempt.client_request_id, attempt.body.as_bytes())
                .await
        }
    };
    fault_injection::crash_point(fault_injection::points::COMMERCEHUB_ANSWERED);
    if let Err(error) = &answer {
        tracing::warn!(refund = %record.id, %error, client_request_id = %attempt.client_request_id, ?sending, "Commerce Hub refund call failed");
    }
    record_answer(state, hub, record, attempt, answer, sending).await
}

fn card_text(response: &RefundResponse) -> Option<String> {
    let card = response.source.as_ref()?.card.as_ref()?;
    Some(format!(
        "{} •••• {}",
        card.scheme.as_deref().unwrap_or("CARD"),
        card.last4.as_deref()?
    ))
}

/// What an answer means for the refund, written with its event (only if the refund is still
/// `processing`: a second writer changes nothing).
async fn record_answer(
    state: &AppState,
    hub: &CommerceHub,
    record: GatewayRefundRecord,
    attempt: &RefundAttemptRecord,
    answer: Result<RefundResponse, CommerceHubError>,
    sending: Sending,
) -> Result<GatewayRefundRecord, PaymentsError> {
    if refused_as_not_captured(attempt, &answer, sending) {
        let trace = answer
            .as_ref()
            .err()
            .and_then(|e| e.api_trace_id().map(str::to_string));
        return Box::pin(cancel_instead(
            state,
            hub,
            record,
            attempt,
            trace.as_deref(),
        ))
        .await;
    }
    let now = now_ms();
    let mut next = record.clone();
    next.updated_at = now;
    let (attempt_state, trace) = match &answer {
        Ok(response) => (
            settle_by_response(&mut next, attempt, response, &hub.closed_account_codes),
            response
                .gateway_response
                .transaction_processing_details
                .api_trace_id
                .clone(),
        ),
        Err(error) => (
            settle_by_error(&mut next, error, sending),
            error.api_trace_id().map(str::to_string),
        ),
    };
    write_answer(state, &record, next, attempt, attempt_state, trace, now).await
}

/// What Commerce Hub's answer to a refund or cancel makes of `next` (the refund as it was): its
/// status, amount, card and message; whether the attempt is settled (`Answered`) or still to be
/// looked up (`Unknown`).
fn settle_by_response(
    next: &mut GatewayRefundRecord,
    attempt: &RefundAttemptRecord,
    response: &RefundResponse,
    closed_account_codes: &[String],
) -> RefundAttemptState {
    let amount = next.amount;
    let (result, code) = match attempt.kind {
        RefundAttemptKind::Cancel => cancel_outcome(response, amount),
        _ => outcome(response, amount),
    };
    let settled = !matches!(
        result,
        Outcome::InProgress | Outcome::Unknown | Outcome::NotStarted
    );
    let tagged = attempt.kind == RefundAttemptKind::Tagged;
    match result {
        Outcome::Approved { approved, .. } => {
            book_refunded(next, attempt, response, Some(approved.unwrap_or(amount)));
            next.message = approved
                .filter(|a| *a < amount)
                .map(|a| format!("Commerce Hub approved {a} of {amount} minor units."));
        }
        Outcome::PartiallyApproved { approved, text } => {
            book_refunded(next, attempt, response, approved);
            next.message = Some(format!(
                "Partially approved ({} of {amount} minor units): {}",
                approved.unwrap_or_default(),
                text.unwrap_or_default()
            ));
        }
        Outcome::Declined { text, .. } if tagged => {
            next.decline_code = code.clone();
            next.message = text;
            next.status = if permits_unmatched_refund(code.as_deref(), closed_account_codes) {
                GatewayRefundStatus::AwaitingCard
            } else {
                GatewayRefundStatus::Declined
            };
        }
        Outcome::Declined { text, .. } if attempt.kind == RefundAttemptKind::Cancel => {
            next.status = GatewayRefundStatus::Declined;
            next.decline_code = code.clone();
            next.message = text;
        }
        Outcome::Declined { text, .. } => {
            // The customer's new card was declined: they may give another one.
            next.status = GatewayRefundStatus::AwaitingCard;
            next.card_declines += 1;
            next.message = text;
        }
        Outcome::Failed { text, .. } => {
            next.status = GatewayRefundStatus::Failed;
            next.message = text;
        }
        Outcome::InProgress | Outcome::Unknown | Outcome::NotStarted => {
            next.status = GatewayRefundStatus::Processing;
            tracing::warn!(refund = %next.id, ?result, "Commerce Hub's answer does not settle the refund yet; it will be looked up");
        }
    }
    if settled {
        RefundAttemptState::Answered
    } else {
        RefundAttemptState::Unknown
    }
}

/// The refund is done: by which attempt, for how much, to which card, under which transaction.
fn book_refunded(
    next: &mut GatewayRefundRecord,
    attempt: &RefundAttemptRecord,
    response: &RefundResponse,
    refunded_amount: Option<i64>,
) {
    next.status = GatewayRefundStatus::Refunded;
    next.refunded_by = Some(attempt.kind);
    next.refunded_amount = refunded_amount;
    next.card = card_text(response);
    next.gateway_transaction_id = response
        .gateway_response
        .transaction_processing_details
        .transaction_id
        .clone();
}

/// What a failed call makes of `next`: only a first send that certainly did nothing ends the
/// refund; a failed resend proves nothing (an earlier send may have refunded), and an unknown
/// effect is looked up. The charge stays held meanwhile.
fn settle_by_error(
    next: &mut GatewayRefundRecord,
    error: &CommerceHubError,
    sending: Sending,
) -> RefundAttemptState {
    match (error.effect(), sending) {
        (Effect::None, Sending::Again) => {
            // This send did nothing, but an earlier one may have refunded: only Commerce Hub's
            // answer about the request (a replay, an inquiry) settles it. The charge stays held.
            next.status = GatewayRefundStatus::Processing;
            next.message = Some(format!(
                "The refund's outcome is being confirmed with Commerce Hub (a resend failed: {}). \
                 Do not create it again: the money stays held until Commerce Hub's answer is known.",
                merchant_message(error)
            ));
            RefundAttemptState::Unknown
        }
        (Effect::None, Sending::First) => {
            next.status = GatewayRefundStatus::Failed;
            next.decline_code = error.code().map(str::to_string);
            next.message = Some(merchant_message(error));
            RefundAttemptState::Answered
        }
        (Effect::Unknown, _) => {
            next.status = GatewayRefundStatus::Processing;
            RefundAttemptState::Unknown
        }
    }
}

/// Writes what the answer made of the refund, with the attempt's state and the event a change of
/// status (or a declined new card) sends; if another writer moved the refund first, its version.
async fn write_answer(
    state: &AppState,
    record: &GatewayRefundRecord,
    mut next: GatewayRefundRecord,
    attempt: &RefundAttemptRecord,
    attempt_state: RefundAttemptState,
    trace: Option<String>,
    now: i64,
) -> Result<GatewayRefundRecord, PaymentsError> {
    next.next_check_at = next_look(state, &next, now);
    let event = if next.status != record.status || next.card_declines != record.card_declines {
        merchant_events::for_gateway_refund(&next, now)
    } else {
        None
    };
    let written = state
        .store
        .advance_gateway_refund(
            &next,
            record.status,
            Some((&attempt.client_request_id, attempt_state, trace.as_deref())),
            None,
            event.as_ref(),
        )
        .await?;
    if written && next.status != record.status {
        tracing::info!(refund = %next.id, status = %next.status, "refund moved");
    }
    current(state, next, written).await
}

pub(in crate::payments) async fn current(
    state: &AppState,
    next: GatewayRefundRecord,
    written: bool,
) -> Result<GatewayRefundRecord, PaymentsError> {
    if written {
        return Ok(next);
    }
    state
        .store
        .gateway_refund(&next.id)
        .await?
        .ok_or(PaymentsError::NotFound)
}

/// What the merchant is told of a refusal (Commerce Hub's codes and messages; never internals).
fn merchant_message(error: &CommerceHubError) -> String {
    match error {
        CommerceHubError::Api {
            status,
            items,
            api_trace_id,
        } => {
            let first = items.first();
            format!(
                "Commerce Hub refused the refund (HTTP {status}{}): {} (trace {}); nothing was sent.",
                first
                    .and_then(|e| e.code.as_deref())
                    .map(|c| format!(", code {c}"))
                    .unwrap_or_default(),
                first
                    .and_then(|e| e.message.as_deref())
                    .unwrap_or("no message"),
                api_trace_id.as_deref().unwrap_or("none"),
            )
        }
        CommerceHubError::Connect(_) => {
            "Commerce Hub could not be reached; nothing was sent. Create the refund again.".into()
        }
        other => other.to_string(),
    }
}

/// Resolves what is due on one refund: an attempt without an answer (resent with the same id inside
/// the window, otherwise inquired, then replaced only if Commerce Hub recorded nothing), and a
/// new-card link past its expiry.
pub async fn settle_gateway_refund(
    state: &AppState,
    id: &str,
) -> Result<GatewayRefundRecord, PaymentsError> {
    let _guard = state.store.lock(id).await?;
    let record = state
        .store
        .gateway_refund(id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    let now = now_ms();
    match record.status {
        GatewayRefundStatus::AwaitingCard if now >= record.link_expires_at => {
            let mut next = record.clone();
            next.status = GatewayRefundStatus::Expired;
            next.updated_at = now;
            next.next_check_at = None;
            let event = merchant_events::for_gateway_refund(&next, now);
            let written = state
                .store
                .advance_gateway_refund(&next, record.status, None, None, event.as_ref())
                .await?;
            current(state, next, written).await
        }
        GatewayRefundStatus::Processing => {
            let Ok(hub) = commercehub(state) else {
                return Ok(record);
            };
            let attempts = state.store.refund_attempts(id).await?;
            let Some(attempt) = attempts.into_iter().rev().find(|a| {
                matches!(
                    a.state,
                    RefundAttemptState::Sending | RefundAttemptState::Unknown
                )
            }) else {
                return Ok(record);
            };
            resolve(state, hub, record, attempt, now).await
        }
        _ => Ok(record),
    }
}

/// Settles an attempt without an answer. Never sent (no send mark): it is sent now. Sent less than
/// [`quiet_after_send_ms`] ago: left alone (that send may still be open at Commerce Hub). Otherwise
/// Commerce Hub is asked first (transaction inquiry): what it recorded settles the refund; if it
/// recorded nothing, the same request goes again — with the same id inside the replay window, under
/// a new id after it.
async fn resolve(
    state: &AppState,
    hub: &CommerceHub,
    record: GatewayRefundRecord,
    attempt: RefundAttemptRecord,
    now: i64,
) -> Result<GatewayRefundRecord, PaymentsError> {
    let Some(last_sent_at) = attempt.last_sent_at else {
        return send(state, hub, record, &attempt, Sending::First).await;
    };
    if state.store.database_now().await? < last_sent_at + quiet_after_send_ms(state) {
        return Ok(record);
    }
    let recorded = match hub.client.inquire_request(&attempt.client_request_id).await {
        Ok(recorded) => recorded,
        Err(error) => {
            tracing::warn!(refund = %record.id, %error, "transaction inquiry by Client-Request-Id failed; asking by the refund's own id");
            let attempts = state.store.refund_attempts(&record.id).await?;
            return match recorded_under_refund(hub, &record.id, &attempt, &attempts).await {
                Some(RecordedUnderRefund::Answer(found)) => {
                    record_answer(state, hub, record, &attempt, Ok(*found), Sending::Again).await
                }
                _ => Ok(record),
            };
        }
    };
    let (refunds, others): (Vec<_>, Vec<_>) = recorded
        .into_iter()
        .partition(|found| answers_kind(attempt.kind, found));
    if let Some(found) = refunds.into_iter().next() {
        return record_answer(state, hub, record, &attempt, Ok(found), Sending::Again).await;
    }
    if let Some(other) = others.first() {
        // Something was recorded for this request, but not a refund: nothing proves the request
        // did nothing, so it is neither read as the refund's result nor sent again.
        tracing::error!(refund = %record.id, request = %attempt.client_request_id,
            kind = ?other.gateway_response.transaction_type,
            "Commerce Hub's inquiry answered a transaction that is not a refund; looking again later");
        return Ok(record);
    }
    if now - attempt.first_sent_at < RESEND_WITHIN_MS {
        return send(state, hub, record, &attempt, Sending::Again).await;
    }
    // Nothing under this id. Before a new id, Commerce Hub is asked by the refund's own
    // merchantTransactionId (every request of it carries it): one recorded under an id the first
    // inquiry missed is read, never sent twice.
    let attempts = state.store.refund_attempts(&record.id).await?;
    match recorded_under_refund(hub, &record.id, &attempt, &attempts).await {
        Some(RecordedUnderRefund::Nothing) => {}
        Some(RecordedUnderRefund::Answer(found)) => {
            return record_answer(state, hub, record, &attempt, Ok(*found), Sending::Again).await;
        }
        Some(RecordedUnderRefund::Unexplained(other)) => {
            tracing::error!(refund = %record.id, request = ?other,
                "Commerce Hub holds a refund under this refund's id that matches none of its requests; not sending again, looking later");
            return Ok(record);
        }
        None => return Ok(record),
    }
    // Commerce Hub recorded nothing for it: the same request again, under a new id.
    let replacement = new_attempt(&record.id, attempt.kind, attempt.body.clone(), now);
    let mut next = record.clone();
    next.updated_at = now;
    next.next_check_at = next_look(state, &next, now);
    let written = state
        .store
        .advance_gateway_refund(
            &next,
            record.status,
            Some((
                &attempt.client_request_id,
                RefundAttemptState::Replaced,
                None,
            )),
            Some(&replacement),
            None,
        )
        .await?;
    if !written {
        return current(state, next, false).await;
    }
    tracing::info!(refund = %record.id, old = %attempt.client_request_id, new = %replacement.client_request_id, "nothing recorded for the old request; sending it again under a new id");
    send(state, hub, next, &replacement, Sending::First).await
}

/// Whether an inquiry's answer is of the kind of request `kind` sent: a refund, or a cancel.
pub(in crate::payments) fn answers_kind(kind: RefundAttemptKind, found: &RefundResponse) -> bool {
    match kind {
        RefundAttemptKind::Cancel => is_cancel(found),
        RefundAttemptKind::Tagged | RefundAttemptKind::Unmatched => is_refund(found),
    }
}

/// When the background pass looks at a refund next, once it is in `record.status`: a call in
/// flight once an answer that never came can be settled, a waiting link when it expires, an ended
/// refund never.
pub(in crate::payments) fn next_look(
    state: &AppState,
    record: &GatewayRefundRecord,
    now: i64,
) -> Option<i64> {
    match record.status {
        GatewayRefundStatus::Processing => Some(now + quiet_after_send_ms(state)),
        GatewayRefundStatus::AwaitingCard => Some(record.link_expires_at),
        _ => None,
    }
}

/// The longest wait between two looks at a refund whose call has no answer yet.
const MAX_RECHECK_MS: i64 = 10 * 60 * 1000;

/// The background pass: the refunds whose next look is due (claimed, so one instance looks at
/// each), most overdue first — unanswered calls settled, waiting links expired. A refund whose look
/// fails is looked at again later; it never stops the pass.
pub async fn settle_open_gateway_refunds(state: &AppState) -> Result<usize, PaymentsError> {
    if commercehub(state).is_err() {
        return Ok(0);
    }
    let now = now_ms();
    let due = state
        .store
        .claim_due_gateway_refunds(now, 50, now + 2 * quiet_after_send_ms(state))
        .await?;
    let mut moved = 0;
    for record in due {
        let after = match settle_gateway_refund(state, &record.id).await {
            Ok(after) => after,
            Err(error) => {
                tracing::warn!(refund = %record.id, %error, "could not settle a refund; looking again later");
                record.clone()
            }
        };
        if after.status != record.status {
            moved += 1;
            continue;
        }
        let again = match after.status {
            GatewayRefundStatus::Processing => {
                let wait = quiet_after_send_ms(state) << after.checks.clamp(0, 4);
                now_ms() + wait.min(MAX_RECHECK_MS)
            }
            GatewayRefundStatus::AwaitingCard => after.link_expires_at,
            _ => continue,
        };
        state
            .store
            .reschedule_gateway_refund(&record.id, again)
            .await?;
    }
    Ok(moved)
}
