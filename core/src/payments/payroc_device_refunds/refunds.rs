//! Refunds on a payment device (Payroc Cloud): each is written — with the idempotency key every send
//! of its instruction reuses — before the device is asked; the instruction is then watched in the
//! background (never by a browser), one long poll at a time, until it ends in a refund (approved or
//! declined), a failure or a cancel, and the merchant hears of the end once. A restart resumes every
//! refund still under way.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fault_injection;
/// A payment device, as `GET /api/v1/devices` lists it.
pub use crate::gateways::payroc::wire::Device;
use crate::gateways::payroc::wire::{
    CustomizationOptions, EntryMethod, InstructionOrder, InstructionStatus,
    RefundInstructionRequest,
};
use crate::gateways::payroc::{interpret, CancelOutcome, PayrocClient, PayrocError};
use crate::gateways::{Effect, Outcome};
use crate::merchant_events;
use crate::model::PayoutKind;
use crate::model::{DeviceEntryMethod, DeviceRefundReversal, DeviceRefundStatus, LinkKind};
use crate::payments::actor::Actor;
use crate::payments::error::{FieldError, PaymentsError};
use crate::payments::ids::new_id;
use crate::payments::rules::ledger::{self, Refusal};
use crate::payments::rules::metadata::{
    check_metadata, metadata_of, metadata_text, with_metadata, Metadata,
};
use crate::payments::rules::validate::{check_amount, check_currency, check_text};
use crate::payments::steps::position::load_position;
use crate::payments::steps::unbound_payouts::{
    ask_approval, check_unbound_payout, Approval, ApprovalRequest, Check, Payout,
};
use crate::store::{
    iso8601, now_ms, DeviceRefundInsert, DeviceRefundRecord, Fence, Page, PageQuery,
};
use crate::AppState;

/// Sends before a refund whose instruction never reached the device is reported `unknown`.
const SENDS_BEFORE_UNKNOWN: i64 = 5;
/// The pause before polling an instruction again after a poll said "still in progress" (Payroc
/// holds each poll; this only spaces out one that returned at once).
const REPOLL_MS: i64 = 250;
/// The longest wait between two looks at a refund under way.
const MAX_BACKOFF_MS: i64 = 60_000;

/// Body of `POST /api/v1/device-refunds`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDeviceRefund {
    /// The device's serial number (`GET /api/v1/devices`).
    pub device: String,
    /// Minor units.
    pub amount: i64,
    /// The currency (ISO 4217), e.g. `USD`: the device's account must take it.
    pub currency: String,
    /// Your order id (1–24 characters), shown on the device and in Payroc.
    pub order_id: String,
    /// What the refund is for (required by Payroc, up to 1024 characters).
    pub description: String,
    /// Who is at the till (up to 50 characters).
    #[serde(default)]
    pub operator: Option<String>,
    /// The online payment this refunds (e.g. its card was closed): the amount is held on its ledger
    /// while the device works, and shows as `refundedOnDevices` once paid.
    #[serde(default)]
    pub checkout_id: Option<String>,
    /// How the device reads the card: `device_read` (tap, swipe or insert; the default),
    /// `manual_entry` (keyed in on the device, e.g. when the chip cannot be read) or
    /// `device_read_or_manual_entry`.
    #[serde(default)]
    pub entry_method: Option<DeviceEntryMethod>,
    /// Your own key/values (at most 20; keys up to 40 characters, values up to 500), returned on
    /// the object and its events.
    #[serde(default)]
    #[schemars(schema_with = "crate::payments::rules::metadata::metadata_schema")]
    pub metadata: Metadata,
}

impl NewDeviceRefund {
    fn validate(&self) -> Result<(), FieldError> {
        // Payroc's serial numbers are any 1–64 characters (sent percent-encoded).
        let device_ok = (1..=64).contains(&self.device.chars().count())
            && !self.device.chars().any(char::is_control)
            && self.device.trim() == self.device;
        if !device_ok {
            return Err(FieldError::new(
                "device",
                "device must be a device's serial number (GET /api/v1/devices).",
            ));
        }
        check_amount(self.amount)?;
        check_currency(&self.currency)?;
        check_text("orderId", Some(&self.order_id), 24)?;
        check_text("description", Some(&self.description), 1024)?;
        check_text("operator", self.operator.as_deref(), 50)?;
        check_metadata(&self.metadata)?;
        Ok(())
    }

    fn fingerprint(&self) -> String {
        let canonical = serde_json::json!({
            "device": self.device, "amount": self.amount, "currency": self.currency.to_ascii_uppercase(),
            "orderId": self.order_id, "description": self.description, "operator": self.operator,
            "checkoutId": self.checkout_id,
        });
        // Named only when given, so requests made before it existed keep their fingerprint.
        let canonical = match self.entry_method {
            Some(method) => {
                let mut canonical = canonical;
                canonical["entryMethod"] = serde_json::json!(method.as_str());
                canonical
            }
            None => canonical,
        };
        let canonical = with_metadata(canonical, &self.metadata);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// A device refund as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRefundResource {
    /// `drf_…`.
    pub id: String,
    /// Always `device_refund`.
    pub object: String,
    /// `false` in sandbox mode (test data, simulated gateways), `true` with real payments.
    pub livemode: bool,
    /// `sending`, `waiting_for_card`, `completed`, `declined`, `failed`, `canceled`, `unknown` or
    /// `reversed`.
    pub status: DeviceRefundStatus,
    /// The device's serial number.
    pub device: String,
    /// The amount to refund, in minor units.
    pub amount: i64,
    /// The currency (ISO 4217).
    pub currency: String,
    /// Your order id, sent to Payroc.
    pub order_id: String,
    /// What the refund is for, shown on the device.
    pub description: String,
    /// Who at your store asked for it, if given.
    pub operator: Option<String>,
    /// Your own key/values, as given when it was created (empty when none were).
    pub metadata: Metadata,
    /// The online payment it refunds, if any.
    pub checkout_id: Option<String>,
    /// How the device reads the card.
    pub entry_method: DeviceEntryMethod,
    /// Payroc's refund instruction, once the device has it.
    pub instruction_id: Option<String>,
    /// Payroc's refund, once the device finished.
    pub refund_id: Option<String>,
    /// The card the refund went to (e.g. "Visa Credit •••• 0011").
    pub card: Option<String>,
    /// What Payroc approved, once completed.
    pub approved_amount: Option<i64>,
    /// Why it was declined or failed.
    pub message: Option<String>,
    /// Its reversal (`POST /api/v1/device-refunds/{id}/reverse`), once asked for.
    pub reversal: Option<DeviceRefundReversalView>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When its status last changed (RFC 3339).
    pub updated_at: String,
}

/// A device refund's reversal as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRefundReversalView {
    /// `reversing` (Payroc's answer awaited: the refund still counts as paid), `reversed` or
    /// `refused` (the refund stands).
    pub status: DeviceRefundReversal,
    /// Why Payroc refused, or what paydesk awaits.
    pub message: Option<String>,
}

impl DeviceRefundResource {
    /// The device refund `r` as the merchant API shows it.
    pub(in crate::payments) fn of(state: &AppState, r: &DeviceRefundRecord) -> Self {
        DeviceRefundResource {
            id: r.id.clone(),
            object: "device_refund".into(),
            livemode: !state.config.sandbox_mode,
            status: r.status,
            device: r.device.clone(),
            amount: r.amount,
            currency: r.currency.clone(),
            order_id: r.order_id.clone(),
            description: r.description.clone(),
            operator: r.operator.clone(),
            metadata: metadata_of(r.metadata.as_deref()),
            checkout_id: r.checkout_id.clone(),
            entry_method: r.entry_method,
            instruction_id: r.instruction_id.clone(),
            refund_id: r.refund_id.clone(),
            card: r.card.clone(),
            approved_amount: r.approved_amount,
            message: r.message.clone(),
            reversal: r
                .reversal
                .reversal_status
                .map(|status| DeviceRefundReversalView {
                    status,
                    message: r.reversal.reversal_message.clone(),
                }),
            created_at: iso8601(r.created_at),
            updated_at: iso8601(r.updated_at),
        }
    }
}

pub(in crate::payments) fn payroc(
    state: &AppState,
) -> Result<(&PayrocClient, &str), PaymentsError> {
    match (
        state.payroc.as_deref(),
        state.config.payroc_terminal_id.as_deref(),
    ) {
        (Some(client), Some(terminal)) => Ok((client, terminal)),
        _ => Err(PaymentsError::DeviceRefundsOff),
    }
}

/// The refund instruction for `record` on `terminal` (the processing terminal configured when the
/// refund is created).
fn instruction(record: &DeviceRefundRecord, terminal: &str) -> RefundInstructionRequest {
    RefundInstructionRequest {
        processing_terminal_id: terminal.to_string(),
        operator: record.operator.clone(),
        order: InstructionOrder {
            order_id: record.order_id.clone(),
            description: record.description.clone(),
            amount: record.amount,
            currency: record.currency.clone(),
        },
        // Payroc's default is the device reading the card: named only when it is another.
        customization_options: match record.entry_method {
            DeviceEntryMethod::DeviceRead => None,
            DeviceEntryMethod::ManualEntry => Some(EntryMethod::ManualEntry),
            DeviceEntryMethod::DeviceReadOrManualEntry => {
                Some(EntryMethod::DeviceReadOrManualEntry)
            }
        }
        .map(|entry_method| CustomizationOptions { entry_method }),
    }
}

/// A UUID v4, the form Payroc requires of an `Idempotency-Key`.
pub(in crate::payments) fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Starts a refund on a device: written first, then sent once here (the background worker sends it
/// again, with the same key, if this send's answer is lost). Returns it and whether it is new
/// (`false`: the merchant's `request_key` was used before for this same request) — or, when it is
/// not bound to a payment and above the approval threshold, the request a second staff member
/// approves first.
pub async fn create_device_refund(
    state: &AppState,
    request: NewDeviceRefund,
    request_key: Option<String>,
    actor: &Actor,
) -> Result<Payout<DeviceRefundResource>, PaymentsError> {
    create_device_refund_with(state, request, request_key, actor, Approval::NotYet).await
}

/// As [`create_device_refund`]; `approval`: whether a second staff member approved it already.
pub(in crate::payments) async fn create_device_refund_with(
    state: &AppState,
    request: NewDeviceRefund,
    request_key: Option<String>,
    actor: &Actor,
    approval: Approval,
) -> Result<Payout<DeviceRefundResource>, PaymentsError> {
    request.validate().map_err(PaymentsError::Invalid)?;
    payroc(state)?;
    let created = |sent: Result<(DeviceRefundResource, bool), PaymentsError>| {
        sent.map(|(refund, new)| Payout::Created(refund, new))
    };
    match request.checkout_id.clone() {
        None => {
            if let Some(existing) = replay(state, &request, request_key.as_deref()).await? {
                return Ok(Payout::Created(existing, false));
            }
            // Whoever presents a card is paid, and it returns no payment: the payout limits apply.
            let currency = request.currency.to_ascii_uppercase();
            match check_unbound_payout(state, actor, request.amount, &currency, approval).await? {
                Check::Go(guard) => created(
                    insert_and_send(state, request, request_key, actor, guard.fence()).await,
                ),
                Check::AskApproval => {
                    let asked = ApprovalRequest {
                        kind: PayoutKind::DeviceRefund,
                        request: serde_json::to_string(&request).map_err(|e| {
                            PaymentsError::Invalid(FieldError::new("body", e.to_string()))
                        })?,
                        request_key,
                        amount: request.amount,
                        currency: &currency,
                        requester: actor,
                    };
                    Ok(Payout::AwaitingApproval(Box::new(
                        ask_approval(state, asked).await?,
                    )))
                }
            }
        }
        Some(checkout_id) => {
            // Held against the payment's ledger, under its lock (and written under its lease's
            // fence): two refunds can never both take it.
            let guard = state.store.lock(&checkout_id).await?;
            let checkout = match state.store.link(&checkout_id).await? {
                Some(checkout) if checkout.kind == LinkKind::Payment => checkout,
                _ => {
                    return Err(PaymentsError::Invalid(FieldError::new(
                        "checkoutId",
                        format!("No checkout has the id {checkout_id}."),
                    )))
                }
            };
            if !checkout.currency.eq_ignore_ascii_case(&request.currency) {
                return Err(PaymentsError::Invalid(FieldError::new(
                    "currency",
                    format!(
                        "currency must match the checkout's ({}).",
                        checkout.currency
                    ),
                )));
            }
            if let Some(existing) = replay(state, &request, request_key.as_deref()).await? {
                return Ok(Payout::Created(existing, false));
            }
            let position = load_position(state, &checkout).await?;
            ledger::plan_bound_refund(&position, request.amount).map_err(PaymentsError::Refused)?;
            created(insert_and_send(state, request, request_key, actor, guard.fence()).await)
        }
    }
}

/// The device refund an identical earlier request (same `Idempotency-Key`) created, if any.
async fn replay(
    state: &AppState,
    request: &NewDeviceRefund,
    request_key: Option<&str>,
) -> Result<Option<DeviceRefundResource>, PaymentsError> {
    let Some(key) = request_key else {
        return Ok(None);
    };
    match state.store.device_refund_by_request_key(key).await? {
        Some(existing) if existing.request_fingerprint == request.fingerprint() => {
            Ok(Some(DeviceRefundResource::of(state, &existing)))
        }
        Some(_) => Err(PaymentsError::IdempotencyConflict),
        None => Ok(None),
    }
}

/// Writes the device refund (and its audit entry; one bound to a payment under the payment's lease,
/// `fence`), then sends it once.
async fn insert_and_send(
    state: &AppState,
    request: NewDeviceRefund,
    request_key: Option<String>,
    actor: &Actor,
    fence: Option<&Fence>,
) -> Result<(DeviceRefundResource, bool), PaymentsError> {
    let now = now_ms();
    let record = DeviceRefundRecord {
        id: new_id("drf"),
        device: request.device.clone(),
        amount: request.amount,
        currency: request.currency.to_ascii_uppercase(),
        order_id: request.order_id.clone(),
        description: request.description.clone(),
        operator: request.operator.clone(),
        checkout_id: request.checkout_id.clone(),
        idempotency_key: uuid_v4(),
        request_key,
        request_fingerprint: request.fingerprint(),
        status: DeviceRefundStatus::Sending,
        instruction_id: None,
        refund_id: None,
        card: None,
        approved_amount: None,
        message: None,
        sends: 0,
        checks: 0,
        // If this process dies before the send's answer is stored, the worker sends it again.
        next_check_at: Some(now + 30_000),
        requested_by: actor.as_str().to_string(),
        created_at: now,
        updated_at: now,
        last_sent_at: None,
        instruction_body: None,
        entry_method: request.entry_method.unwrap_or_default(),
        metadata: metadata_text(Some(&request.metadata)),
        reversal: Default::default(),
    };
    let (_, terminal) = payroc(state)?;
    let body = PayrocClient::instruction_body(&instruction(&record, terminal))
        .map_err(PaymentsError::Device)?;
    let record = DeviceRefundRecord {
        instruction_body: Some(body),
        ..record
    };
    let audit = actor.audit(
        "device_refund.create",
        &record.id,
        serde_json::json!({ "device": record.device, "amount": record.amount, "currency": record.currency, "orderId": record.order_id }),
    );
    match state
        .store
        .insert_device_refund(&record, &audit, fence)
        .await?
    {
        DeviceRefundInsert::Created => {
            tracing::info!(device_refund = %record.id, device = %record.device, amount = record.amount, "device refund created");
            let sent = send(state, record).await?;
            Ok((DeviceRefundResource::of(state, &sent), true))
        }
        DeviceRefundInsert::RequestKeyExists(existing)
            if existing.request_fingerprint == record.request_fingerprint =>
        {
            Ok((DeviceRefundResource::of(state, existing.as_ref()), false))
        }
        DeviceRefundInsert::RequestKeyExists(_) => Err(PaymentsError::IdempotencyConflict),
    }
}

/// The payment devices refunds can be sent to.
pub async fn list_devices(state: &AppState) -> Result<Vec<Device>, PaymentsError> {
    let (client, _) = payroc(state)?;
    Ok(client.devices().await?)
}

/// A page of device refunds, newest first.
pub async fn list_device_refunds(
    state: &AppState,
    query: &PageQuery,
) -> Result<Page<DeviceRefundResource>, PaymentsError> {
    let found = state.store.page_of_device_refunds(query).await?;
    Ok(Page {
        rows: found
            .rows
            .iter()
            .map(|r| DeviceRefundResource::of(state, r))
            .collect(),
        next: found.next,
    })
}

/// The device refund as it stands.
pub async fn get_device_refund(
    state: &AppState,
    id: &str,
) -> Result<DeviceRefundResource, PaymentsError> {
    state
        .store
        .device_refund(id)
        .await?
        .map(|r| DeviceRefundResource::of(state, &r))
        .ok_or(PaymentsError::NotFound)
}

/// The device refund once its status differs from `seen` (by default, the status it has now), or
/// once `wait` has passed: a long poll of its own, so a till can wait for the outcome as it would
/// with Payroc.
pub async fn wait_for_device_refund(
    state: &AppState,
    id: &str,
    wait: Duration,
    seen: Option<DeviceRefundStatus>,
) -> Result<DeviceRefundResource, PaymentsError> {
    let mut changes = state.device_refunds.subscribe();
    let deadline = tokio::time::Instant::now() + wait;
    let first = get_device_refund(state, id).await?;
    let seen = seen.unwrap_or(first.status);
    let mut now = first;
    while now.status == seen && !now.status.is_final() {
        if tokio::time::timeout_at(deadline, changes.changed())
            .await
            .is_err()
        {
            return get_device_refund(state, id).await;
        }
        now = get_device_refund(state, id).await?;
    }
    Ok(now)
}

/// Asks the device to stop waiting for the card. A refund already processed is not canceled (the
/// answer says what happened instead).
pub async fn cancel_device_refund(
    state: &AppState,
    id: &str,
    actor: &Actor,
) -> Result<DeviceRefundResource, PaymentsError> {
    let (client, _) = payroc(state)?;
    let record = state
        .store
        .device_refund(id)
        .await?
        .ok_or(PaymentsError::NotFound)?;
    if record.status == DeviceRefundStatus::Canceled {
        return Ok(DeviceRefundResource::of(state, &record));
    }
    if record.status.is_final() {
        return Err(refused(format!(
            "This refund has already ended ({}).",
            record.status
        )));
    }
    let Some(instruction_id) = record.instruction_id.clone() else {
        return Err(refused(
            "The refund is still being sent to the device; cancel again in a moment.".into(),
        ));
    };
    state
        .store
        .insert_audit(&actor.audit(
            "device_refund.cancel",
            id,
            serde_json::json!({ "instructionId": instruction_id }),
        ))
        .await?;
    match client.cancel_refund_instruction(&instruction_id).await? {
        CancelOutcome::Canceled => {
            let ended = ended(
                &record,
                DeviceRefundStatus::Canceled,
                Some("Canceled before a card was presented.".into()),
            );
            let saved = save(state, ended).await?;
            Ok(DeviceRefundResource::of(state, &saved))
        }
        CancelOutcome::AlreadyCompleted { refund_id } => {
            let settled = settle_refund(state, client, record, &refund_id).await?;
            Err(refused(format!(
                "The device had already finished the refund ({}): it cannot be canceled.",
                settled.status
            )))
        }
        CancelOutcome::TooLate { reason } => Err(refused(format!(
            "The refund can no longer be canceled ({reason}); its outcome will follow."
        ))),
    }
}

fn refused(message: String) -> PaymentsError {
    PaymentsError::Refused(Refusal {
        code: "cannot_cancel",
        message,
    })
}

/// Looks at one refund under way (the background worker's step): sends it (again, same key) if the
/// device does not have it yet, otherwise long-polls its instruction once.
pub async fn advance_device_refund(
    state: &AppState,
    record: DeviceRefundRecord,
) -> Result<(), PaymentsError> {
    match (&record.instruction_id, record.status) {
        (_, status) if status.is_final() => Ok(()),
        (None, _) => send(state, record).await.map(drop),
        (Some(instruction_id), _) => {
            let instruction_id = instruction_id.clone();
            watch(state, record, &instruction_id).await
        }
    }
}

/// Sends the refund instruction (again, with the same key, if it was sent before). The send is
/// marked first; an instruction sent less than [`quiet_after_send_ms`] ago is not sent again (that
/// send may still be open at Payroc) and the refund is looked at again once it can be. Once an
/// earlier send may have reached Payroc, no error of a later one ends the refund: the device may
/// hold the instruction, so it stays held and is sent again until Payroc answers for the key.
async fn send(
    state: &AppState,
    record: DeviceRefundRecord,
) -> Result<DeviceRefundRecord, PaymentsError> {
    let (client, terminal) = payroc(state)?;
    let quiet = quiet_after_send_ms(state);
    let Some(sends) = state
        .store
        .mark_device_refund_sending(&record.id, quiet)
        .await?
    else {
        tracing::info!(device_refund = %record.id, "the instruction was sent moments ago or is settled; not sending it now");
        return later(state, record, now_ms() + quiet).await;
    };
    // The very bytes written with the key; refunds created before they were kept are rebuilt.
    let body = match &record.instruction_body {
        Some(body) => body.clone(),
        None => PayrocClient::instruction_body(&instruction(&record, terminal))
            .map_err(PaymentsError::Device)?,
    };
    let sent_before = sends > 1;
    let answer = client
        .send_instruction_body(&record.device, &body, &record.idempotency_key)
        .await;
    fault_injection::crash_point(fault_injection::points::PAYROC_ANSWERED);
    let now = now_ms();
    let mut next = DeviceRefundRecord {
        sends,
        updated_at: now,
        ..record.clone()
    };
    match answer {
        Ok(instruction) => {
            next.instruction_id = Some(instruction.refund_instruction_id.clone());
            next.status = DeviceRefundStatus::WaitingForCard;
            next.message = None;
            next.next_check_at = Some(now);
            tracing::info!(device_refund = %record.id, instruction = %instruction.refund_instruction_id, "refund instruction on the device");
        }
        Err(error) if sent_before || error.may_resend() || error.effect() == Effect::Unknown => {
            // The device may have it: the same key is sent again later, never a second instruction.
            tracing::warn!(device_refund = %record.id, %error, sends, sent_before, "refund instruction not confirmed; will send it again");
            next.status = if sends >= SENDS_BEFORE_UNKNOWN {
                DeviceRefundStatus::Unknown
            } else {
                DeviceRefundStatus::Sending
            };
            next.message = Some(if sent_before {
                format!("Payroc has not confirmed the instruction yet ({error}); paydesk sends it again with the same key. The refund stays held meanwhile.")
            } else {
                error.to_string()
            });
            next.next_check_at = Some(now + backoff(sends).max(quiet));
        }
        Err(error) => {
            // Refused the first time it was ever sent: nothing reached the device.
            tracing::warn!(device_refund = %record.id, %error, "refund instruction refused");
            next = ended(
                &next,
                DeviceRefundStatus::Failed,
                Some(refusal_text(&error)),
            );
        }
    }
    save(state, next).await
}

/// How long after a send the same instruction may not go again: paydesk's timeout for the call,
/// then the time Payroc may still be working on it after paydesk stopped waiting
/// (`PAYDESK_GATEWAY_STILL_OPEN_SECS`).
pub(in crate::payments) fn quiet_after_send_ms(state: &AppState) -> i64 {
    state.config.resend_quiet.as_millis() as i64
}

/// Looks at the refund again at `at` (unless it ended meanwhile), changing nothing else.
async fn later(
    state: &AppState,
    record: DeviceRefundRecord,
    at: i64,
) -> Result<DeviceRefundRecord, PaymentsError> {
    state.store.reschedule_device_refund(&record.id, at).await?;
    Ok(state
        .store
        .device_refund(&record.id)
        .await?
        .unwrap_or(record))
}

async fn watch(
    state: &AppState,
    record: DeviceRefundRecord,
    instruction_id: &str,
) -> Result<(), PaymentsError> {
    let (client, _) = payroc(state)?;
    let now = now_ms();
    let polled = client.poll_refund_instruction(instruction_id).await;
    let checks = record.checks + 1;
    let next = match polled {
        // Our own timeout ended the poll, or Payroc's hold did: still in progress, look again.
        Ok(None) => DeviceRefundRecord {
            checks,
            next_check_at: Some(now_ms() + REPOLL_MS),
            ..record
        },
        Ok(Some(instruction)) => match instruction.status {
            InstructionStatus::InProgress => DeviceRefundRecord {
                checks,
                status: DeviceRefundStatus::WaitingForCard,
                next_check_at: Some(now_ms() + REPOLL_MS),
                updated_at: now,
                ..record
            },
            InstructionStatus::Completed => {
                match instruction.link.as_ref().and_then(|l| l.refund_id()) {
                    Some(refund_id) => {
                        settle_refund(state, client, record, &refund_id).await?;
                        return Ok(());
                    }
                    None => unknown(record, checks, "completed without a refund link"),
                }
            }
            InstructionStatus::Failure => ended(
                &record,
                DeviceRefundStatus::Failed,
                Some(
                    instruction
                        .error_message
                        .unwrap_or_else(|| "The device could not do the refund.".into()),
                ),
            ),
            InstructionStatus::Canceled => ended(
                &record,
                DeviceRefundStatus::Canceled,
                Some("Canceled on the device before a card was presented.".into()),
            ),
            _ => unknown(
                record,
                checks,
                "an instruction status paydesk does not know",
            ),
        },
        Err(error) => {
            tracing::warn!(device_refund = %record.id, %error, "refund instruction poll failed; will look again");
            DeviceRefundRecord {
                checks,
                message: Some(error.to_string()),
                next_check_at: Some(now + backoff(checks)),
                ..record
            }
        }
    };
    save(state, next).await.map(drop)
}

/// Reads the refund the device produced and ends the device refund with it.
async fn settle_refund(
    state: &AppState,
    client: &PayrocClient,
    record: DeviceRefundRecord,
    refund_id: &str,
) -> Result<DeviceRefundRecord, PaymentsError> {
    let checks = record.checks + 1;
    let refund = match client.refund(refund_id).await {
        Ok(refund) => refund,
        Err(error) => {
            tracing::warn!(device_refund = %record.id, %error, "refund lookup failed; will look again");
            let next = DeviceRefundRecord {
                refund_id: Some(refund_id.to_string()),
                checks,
                message: Some(error.to_string()),
                next_check_at: Some(now_ms() + backoff(checks)),
                ..record
            };
            return save(state, next).await;
        }
    };
    let card = match (
        refund.card.kind.as_deref(),
        refund.card.card_number.as_deref(),
    ) {
        (Some(kind), Some(number)) if number.len() >= 4 => {
            Some(format!("{kind} •••• {}", &number[number.len() - 4..]))
        }
        _ => None,
    };
    let with_refund = DeviceRefundRecord {
        refund_id: Some(refund.refund_id.clone()),
        card,
        ..record
    };
    let next = match interpret::outcome(&refund) {
        Outcome::Approved { approved, .. } | Outcome::PartiallyApproved { approved, .. } => {
            DeviceRefundRecord {
                approved_amount: Some(approved.unwrap_or(with_refund.amount)),
                ..ended(&with_refund, DeviceRefundStatus::Completed, None)
            }
        }
        Outcome::Declined { text, .. } => ended(
            &with_refund,
            DeviceRefundStatus::Declined,
            Some(text.unwrap_or_else(|| "The card refused the refund.".into())),
        ),
        Outcome::Failed { text, .. } => ended(
            &with_refund,
            DeviceRefundStatus::Failed,
            Some(text.unwrap_or_else(|| "The refund was not processed.".into())),
        ),
        Outcome::NotStarted | Outcome::InProgress | Outcome::Unknown => {
            unknown(with_refund, checks, "the refund's result is not final yet")
        }
    };
    save(state, next).await
}

/// `record` ended with `status`.
fn ended(
    record: &DeviceRefundRecord,
    status: DeviceRefundStatus,
    message: Option<String>,
) -> DeviceRefundRecord {
    DeviceRefundRecord {
        status,
        message,
        next_check_at: None,
        updated_at: now_ms(),
        ..record.clone()
    }
}

fn unknown(record: DeviceRefundRecord, checks: i64, why: &str) -> DeviceRefundRecord {
    DeviceRefundRecord {
        status: DeviceRefundStatus::Unknown,
        message: Some(format!(
            "Payroc's answer is not final yet ({why}); paydesk keeps asking."
        )),
        checks,
        next_check_at: Some(now_ms() + backoff(checks)),
        updated_at: now_ms(),
        ..record
    }
}

/// 1 s, doubling, at most a minute.
pub(in crate::payments) fn backoff(tries: i64) -> i64 {
    (1_000i64 << tries.clamp(0, 6)).min(MAX_BACKOFF_MS)
}

pub(in crate::payments) fn refusal_text(error: &PayrocError) -> String {
    match error {
        PayrocError::Problem { problem, .. } => problem
            .errors
            .iter()
            .find_map(|e| e.message.clone().or_else(|| e.detail.clone()))
            .or_else(|| problem.detail.clone())
            .unwrap_or_else(|| error.to_string()),
        other => other.to_string(),
    }
}

/// Writes `next`, with the merchant event when it ended; tells waiting long polls.
async fn save(
    state: &AppState,
    next: DeviceRefundRecord,
) -> Result<DeviceRefundRecord, PaymentsError> {
    let event = merchant_events::for_device_refund(&next, now_ms());
    if state
        .store
        .update_device_refund(&next, event.as_ref())
        .await?
    {
        if next.status.is_final() {
            tracing::info!(device_refund = %next.id, status = %next.status, "device refund ended");
        }
        state.device_refunds.changed();
        Ok(next)
    } else {
        // It had already ended (another path got there first): what is stored stands.
        Ok(state.store.device_refund(&next.id).await?.unwrap_or(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uuid_v4_and_waits_grow_to_a_minute() {
        let key = uuid_v4();
        assert_eq!(key.len(), 36);
        assert_eq!(&key[14..15], "4");
        assert!(matches!(&key[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(backoff(0), 1_000);
        assert_eq!(backoff(3), 8_000);
        assert_eq!(backoff(20), MAX_BACKOFF_MS);
    }

    #[test]
    fn requests_are_checked_field_by_field() {
        let good = NewDeviceRefund {
            device: "1850010868".into(),
            amount: 4999,
            currency: "USD".into(),
            order_id: "OrderRef6543".into(),
            description: "Refund for order OrderRef6543".into(),
            operator: None,
            checkout_id: None,
            entry_method: None,
            metadata: Metadata::new(),
        };
        assert!(good.validate().is_ok());
        // Naming the entry method changes the fingerprint; leaving it out keeps the one a request
        // made before it existed had.
        let keyed = NewDeviceRefund {
            entry_method: Some(DeviceEntryMethod::ManualEntry),
            ..good.clone()
        };
        assert_ne!(keyed.fingerprint(), good.fingerprint());
        assert_eq!(
            good.fingerprint(),
            hex::encode(Sha256::digest(
                serde_json::json!({
                    "device": "1850010868", "amount": 4999, "currency": "USD",
                    "orderId": "OrderRef6543", "description": "Refund for order OrderRef6543",
                    "operator": null, "checkoutId": null,
                })
                .to_string()
                .as_bytes()
            ))
        );
        let long_order = NewDeviceRefund {
            order_id: "x".repeat(25),
            ..good.clone()
        };
        assert_eq!(long_order.validate().unwrap_err().field, "orderId");
        let no_description = NewDeviceRefund {
            description: " ".into(),
            ..good.clone()
        };
        assert_eq!(no_description.validate().unwrap_err().field, "description");
        for odd in ["", "a\nb", " padded ", &"x".repeat(65)] {
            let odd_device = NewDeviceRefund {
                device: odd.into(),
                ..good.clone()
            };
            assert_eq!(
                odd_device.validate().unwrap_err().field,
                "device",
                "{odd:?}"
            );
        }
        // Any 1–64 characters, as Payroc's spec allows (sent percent-encoded).
        let spaced = NewDeviceRefund {
            device: "WPC 2028/33#004".into(),
            ..good
        };
        assert!(spaced.validate().is_ok());
    }
}
