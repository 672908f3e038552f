//! Refund links: single-use customer links that pay a refund out to a card typed into the gateway's
//! hosted form (unreferenced refund), optionally bound to the checkout whose money they return —
//! which is how a refund reaches a different card when the original one can no longer receive it.
//!
//! Single use comes from the session machinery shared with checkouts (one live session at a time,
//! an approval is final, an unknown outcome never opens a second session); the amount and currency
//! live only on the server, and the URL is signed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::PayoutKind;
use crate::model::{CheckoutStatus, Currency, LinkKind, LinkRef, SupportReference};
use crate::payments::actor::Actor;
use crate::payments::error::{FieldError, PaymentsError};
use crate::payments::ids::new_id;
use crate::payments::links::checkout::accepting_new_sessions;
use crate::payments::links::session::settled_link;
use crate::payments::resources::{shown_transaction, TransactionSummary};
use crate::payments::rules::ledger;
use crate::payments::rules::metadata::{
    check_metadata, metadata_of, metadata_text, with_metadata, Metadata,
};
use crate::payments::rules::validate::{
    check_amount, check_currency, check_text, check_ttl, check_url, MAX_DESCRIPTION_LEN,
    MAX_REFERENCE_LEN,
};
use crate::payments::steps::position::load_position;
use crate::payments::steps::unbound_payouts::{
    ask_approval, check_unbound_payout, Approval, ApprovalRequest, Check, Payout,
};
use crate::store::{iso8601, now_ms, Fence, LinkInsert, LinkRecord, Page, PageQuery};
use crate::AppState;

/// A merchant's request for a refund link.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRefundLink {
    /// Minor units (cents), 1..=999999999.
    #[schemars(range(min = 1, max = 999_999_999))]
    pub amount: i64,
    /// "USD" or "CAD".
    #[schemars(schema_with = "crate::model::currency_schema")]
    pub currency: String,
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    /// Your order number, shown to the customer and sent to the gateway.
    pub order_number: Option<String>,
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    /// Your invoice number, sent to the gateway.
    pub invoice_number: Option<String>,
    /// Shown to the customer: why they are being refunded.
    #[serde(default)]
    #[schemars(length(min = 1, max = 500))]
    pub reason: Option<String>,
    /// The merchant's own id; replaying the same request with it returns the same link.
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    pub reference_id: Option<String>,
    /// Link lifetime; default `PAYDESK_REFUND_LINK_TTL_SECS` (7 days).
    #[serde(default)]
    #[schemars(range(min = 60, max = 2_592_000))]
    pub expires_in_seconds: Option<i64>,
    /// The checkout whose money this returns: the amount is then held against its ledger.
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    pub checkout_id: Option<String>,
    /// Storefront page the customer goes back to afterwards.
    #[serde(default)]
    #[schemars(length(max = 2000))]
    pub return_url: Option<String>,
    /// Your own key/values (at most 20; keys up to 40 characters, values up to 500), returned on
    /// the object and its events.
    #[serde(default)]
    #[schemars(schema_with = "crate::payments::rules::metadata::metadata_schema")]
    pub metadata: Metadata,
}

impl NewRefundLink {
    pub fn validate(&self) -> Result<Currency, FieldError> {
        check_amount(self.amount)?;
        let currency = check_currency(&self.currency)?;
        check_text(
            "orderNumber",
            self.order_number.as_deref(),
            MAX_REFERENCE_LEN,
        )?;
        check_text(
            "invoiceNumber",
            self.invoice_number.as_deref(),
            MAX_REFERENCE_LEN,
        )?;
        check_text(
            "referenceId",
            self.reference_id.as_deref(),
            MAX_REFERENCE_LEN,
        )?;
        check_text("reason", self.reason.as_deref(), MAX_DESCRIPTION_LEN)?;
        check_text("checkoutId", self.checkout_id.as_deref(), MAX_REFERENCE_LEN)?;
        check_url("returnUrl", self.return_url.as_deref())?;
        check_ttl(self.expires_in_seconds)?;
        check_metadata(&self.metadata)?;
        Ok(currency)
    }

    fn fingerprint(&self, currency: Currency) -> String {
        let canonical = serde_json::json!({
            "kind": "refund",
            "amount": self.amount,
            "currency": currency.code(),
            "orderNumber": self.order_number,
            "invoiceNumber": self.invoice_number,
            "reason": self.reason,
            "checkoutId": self.checkout_id,
            "returnUrl": self.return_url,
        });
        let canonical = with_metadata(canonical, &self.metadata);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// A refund link as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundLinkResource {
    /// `rfl_…`.
    pub id: String,
    /// Always `refund_link`.
    pub object: String,
    /// `false` in sandbox mode (test data, simulated gateways), `true` with real payments.
    pub livemode: bool,
    /// The customer's page (signed): whoever opens it receives the refund. Shown only to tokens with
    /// the `refunds` scope; send it to the customer only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `open`, `processing`, `completed`, `declined`, `failed`, `expired` or `canceled`.
    #[schemars(schema_with = "crate::payments::resources::refund_link_status_schema")]
    pub status: String,
    /// The amount to pay out, in minor units.
    pub amount: i64,
    /// `USD` or `CAD`.
    pub currency: String,
    /// Your order number, if you gave one.
    pub order_number: Option<String>,
    /// Your invoice number, if you gave one.
    pub invoice_number: Option<String>,
    /// Why you refund, shown to the customer.
    pub reason: Option<String>,
    /// Your own id for it: a second create with the same referenceId answers this link.
    pub reference_id: Option<String>,
    /// Your own key/values, as given when it was created (empty when none were).
    pub metadata: Metadata,
    /// The support reference the customer's page shows (e.g. `PD-7K4M-2Q`): the customer quotes it
    /// to your support; the console finds it.
    pub support_reference: String,
    /// The payment it refunds, when bound to one (its ledger counts it).
    pub checkout_id: Option<String>,
    /// Where the page sends the customer afterwards, if you gave it.
    pub return_url: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When the link stops opening new forms (RFC 3339).
    pub expires_at: String,
    /// Whether the link still opens new card forms: `false` once `expiresAt` has passed or the link
    /// was canceled (a form opened before may still be completed; the status turns `expired` or
    /// `canceled` once none can be).
    pub accepting_new_sessions: bool,
    /// When you canceled the link (`POST /api/v1/refund-links/{id}/cancel`), if you did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_at: Option<String>,
    /// Locked after too many declined cards (card testing): no new card form opens until you unlock
    /// it (`POST /api/v1/refund-links/{id}/unlock`).
    #[serde(default)]
    pub locked: bool,
    /// How many times it paid out: 1 once completed; more means it was paid out again (reported as
    /// `refund_link.overpaid`), which must never happen and needs the merchant's attention.
    pub payouts: usize,
    /// The completed refund transaction, or the latest attempt's.
    pub transaction: Option<TransactionSummary>,
}

fn resource(
    state: &AppState,
    link: &LinkRecord,
    transaction: Option<TransactionSummary>,
    payouts: usize,
) -> RefundLinkResource {
    let signed = LinkRef::refund(&link.id, state.link_signer.sign(&link.id));
    RefundLinkResource {
        id: link.id.clone(),
        object: "refund_link".into(),
        livemode: !state.config.sandbox_mode,
        url: Some(format!("{}{}", state.config.public_url, signed.page_url())),
        status: link.status.for_refund_link().into(),
        amount: link.amount,
        currency: link.currency.clone(),
        order_number: link.order_number.clone(),
        invoice_number: link.invoice_number.clone(),
        reason: link.description.clone(),
        reference_id: link.merchant_reference_id.clone(),
        metadata: metadata_of(link.metadata.as_deref()),
        support_reference: SupportReference::of_id(&link.id).to_string(),
        checkout_id: link.refund_of_checkout_id.clone(),
        return_url: link.return_url.clone(),
        created_at: iso8601(link.created_at),
        expires_at: iso8601(link.expires_at),
        accepting_new_sessions: accepting_new_sessions(link),
        canceled_at: link.canceled_at.map(iso8601),
        locked: false,
        payouts,
        transaction,
    }
}

impl RefundLinkResource {
    /// The resource without its payout URL, for whoever may read but not refund.
    pub fn without_payout_url(self) -> Self {
        RefundLinkResource { url: None, ..self }
    }
}

/// Creates a refund link — or, when it is not bound to a payment and above the approval threshold,
/// asks a second staff member to approve it first.
pub async fn create_refund_link(
    state: &AppState,
    request: NewRefundLink,
    actor: &Actor,
) -> Result<Payout<RefundLinkResource>, PaymentsError> {
    create_refund_link_with(state, request, actor, Approval::NotYet).await
}

/// As [`create_refund_link`]; `approval`: whether a second staff member approved it already.
#[tracing::instrument(skip_all, fields(refund_link))]
pub(in crate::payments) async fn create_refund_link_with(
    state: &AppState,
    request: NewRefundLink,
    actor: &Actor,
    approval: Approval,
) -> Result<Payout<RefundLinkResource>, PaymentsError> {
    let currency = request.validate().map_err(PaymentsError::Invalid)?;
    state.hosted_forms.form_for(&state.omni, currency).await?;
    match request.checkout_id.clone() {
        None => {
            if let Some(existing) = replay(state, &request, currency).await? {
                return Ok(Payout::Created(existing, false));
            }
            // Whoever holds it is paid, and it returns no payment: the payout limits apply.
            let check =
                check_unbound_payout(state, actor, request.amount, currency.code(), approval)
                    .await?;
            match check {
                Check::Go(guard) => created(
                    insert(
                        state,
                        &request,
                        currency,
                        actor,
                        "refund_link.create",
                        guard.fence(),
                    )
                    .await,
                ),
                Check::AskApproval => {
                    let asked = ApprovalRequest {
                        kind: PayoutKind::RefundLink,
                        request: request_json(&request)?,
                        request_key: request.reference_id.clone(),
                        amount: request.amount,
                        currency: currency.code(),
                        requester: actor,
                    };
                    Ok(Payout::AwaitingApproval(Box::new(
                        ask_approval(state, asked).await?,
                    )))
                }
            }
        }
        Some(checkout_id) => {
            // Held against the checkout's ledger, under its lock (and written under its lease's
            // fence), so two links can never both take it.
            let guard = state.store.lock(&checkout_id).await?;
            let checkout = original_checkout(state, &checkout_id).await?;
            if checkout.currency != currency.code() {
                return Err(PaymentsError::Invalid(FieldError::new(
                    "currency",
                    format!(
                        "currency must match the checkout's ({}).",
                        checkout.currency
                    ),
                )));
            }
            if let Some(existing) = replay(state, &request, currency).await? {
                return Ok(Payout::Created(existing, false));
            }
            let position = load_position(state, &checkout).await?;
            ledger::plan_bound_refund(&position, request.amount).map_err(PaymentsError::Refused)?;
            let fence = guard.fence();
            created(
                insert(
                    state,
                    &request,
                    currency,
                    actor,
                    "refund_link.create",
                    fence,
                )
                .await,
            )
        }
    }
}

/// Turns what remains of a payment whose refund was declined into a refund link bound to it: the
/// customer enters a new card; the checkout's ledger shows where the money went.
pub async fn refund_to_new_card(
    state: &AppState,
    checkout_id: &str,
    amount: Option<i64>,
    expires_in_seconds: Option<i64>,
    actor: &Actor,
) -> Result<(RefundLinkResource, bool), PaymentsError> {
    let guard = state.store.lock(checkout_id).await?;
    let checkout = original_checkout(state, checkout_id).await?;
    let position = load_position(state, &checkout).await?;
    let amount =
        ledger::plan_refund_to_new_card(&position, amount).map_err(PaymentsError::Refused)?;
    let request = NewRefundLink {
        amount,
        currency: checkout.currency.clone(),
        order_number: checkout.order_number.clone(),
        invoice_number: checkout.invoice_number.clone(),
        reason: Some(match &checkout.order_number {
            Some(order) => format!("Refund for order {order}. Your original card could not receive it, so please enter the card it should go to."),
            None => "Your original card could not receive this refund, so please enter the card it should go to.".into(),
        }),
        reference_id: None,
        expires_in_seconds,
        checkout_id: Some(checkout.id.clone()),
        return_url: checkout.return_url.clone(),
        // The payment's own key/values follow its money.
        metadata: metadata_of(checkout.metadata.as_deref()),
    };
    let currency = request.validate().map_err(PaymentsError::Invalid)?;
    let fence = guard.fence();
    insert(
        state,
        &request,
        currency,
        actor,
        "refund_link.to_new_card",
        fence,
    )
    .await
}

fn created<T>(inserted: Result<(T, bool), PaymentsError>) -> Result<Payout<T>, PaymentsError> {
    inserted.map(|(payout, new)| Payout::Created(payout, new))
}

/// The request as an approval keeps it, to be replayed once approved.
fn request_json(request: &NewRefundLink) -> Result<String, PaymentsError> {
    serde_json::to_string(request)
        .map_err(|e| PaymentsError::Invalid(FieldError::new("body", e.to_string())))
}

async fn original_checkout(state: &AppState, id: &str) -> Result<LinkRecord, PaymentsError> {
    match state.store.link(id).await? {
        Some(checkout) if checkout.kind == LinkKind::Payment => Ok(checkout),
        _ => Err(PaymentsError::Invalid(FieldError::new(
            "checkoutId",
            format!("No checkout has the id {id}."),
        ))),
    }
}

/// The link an identical earlier request (same `referenceId`) created, if any.
async fn replay(
    state: &AppState,
    request: &NewRefundLink,
    currency: Currency,
) -> Result<Option<RefundLinkResource>, PaymentsError> {
    let Some(reference) = &request.reference_id else {
        return Ok(None);
    };
    match state.store.link_by_reference(reference).await? {
        Some(existing)
            if existing.kind == LinkKind::Refund
                && existing.request_fingerprint == request.fingerprint(currency) =>
        {
            Ok(Some(get_refund_link(state, &existing.id).await?))
        }
        Some(existing) => Err(PaymentsError::ReferenceConflict {
            reference_id: reference.clone(),
            existing_id: existing.id,
        }),
        None => Ok(None),
    }
}

/// Writes the link; one bound to a payment under the payment's lease (`fence`).
async fn insert(
    state: &AppState,
    request: &NewRefundLink,
    currency: Currency,
    actor: &Actor,
    action: &str,
    fence: Option<&Fence>,
) -> Result<(RefundLinkResource, bool), PaymentsError> {
    let now = now_ms();
    let ttl = request
        .expires_in_seconds
        .unwrap_or(state.config.refund_link_ttl.as_secs() as i64);
    let record = LinkRecord {
        id: new_id("rfl"),
        merchant_reference_id: request.reference_id.clone(),
        request_fingerprint: request.fingerprint(currency),
        amount: request.amount,
        currency: currency.code().into(),
        amount_breakdown: None,
        order_number: request.order_number.clone(),
        invoice_number: request.invoice_number.clone(),
        description: request.reason.clone(),
        return_url: request.return_url.clone(),
        cancel_url: None,
        status: CheckoutStatus::Open,
        authorized_transaction_id: None,
        expires_at: now + ttl * 1000,
        created_at: now,
        updated_at: now,
        kind: LinkKind::Refund,
        refund_of_checkout_id: request.checkout_id.clone(),
        canceled_at: None,
        requested_by: Some(actor.as_str().to_string()),
        metadata: metadata_text(Some(&request.metadata)),
    };
    tracing::Span::current().record("refund_link", record.id.as_str());
    let audit = actor.audit(
        action,
        &record.id,
        serde_json::json!({ "amount": record.amount, "currency": record.currency, "checkoutId": record.refund_of_checkout_id }),
    );
    match state
        .store
        .insert_link_audited(&record, Some(&audit), fence)
        .await?
    {
        LinkInsert::Created => {
            tracing::info!(refund_link = %record.id, amount = record.amount, currency = %record.currency,
                checkout = ?record.refund_of_checkout_id, "refund link created");
            Ok((resource(state, &record, None, 0), true))
        }
        LinkInsert::ReferenceExists(existing)
            if existing.kind == LinkKind::Refund
                && existing.request_fingerprint == record.request_fingerprint =>
        {
            Ok((get_refund_link(state, &existing.id).await?, false))
        }
        LinkInsert::ReferenceExists(existing) => Err(PaymentsError::ReferenceConflict {
            reference_id: existing.merchant_reference_id.unwrap_or_default(),
            existing_id: existing.id,
        }),
    }
}

/// The refund link as it stands, after settling anything the gateway finished meanwhile.
pub async fn get_refund_link(
    state: &AppState,
    id: &str,
) -> Result<RefundLinkResource, PaymentsError> {
    if !state
        .store
        .link(id)
        .await?
        .is_some_and(|c| c.kind == LinkKind::Refund)
    {
        return Err(PaymentsError::NotFound);
    }
    let link = settled_link(state, id).await?;
    describe_refund_link(state, &link).await
}

/// A page of refund links, newest first, each as paydesk last recorded it (no gateway is asked:
/// read one with [`get_refund_link`] to settle what the gateway may have finished meanwhile).
pub async fn list_refund_links(
    state: &AppState,
    query: &PageQuery,
) -> Result<Page<RefundLinkResource>, PaymentsError> {
    let found = state.store.page_of_links(LinkKind::Refund, query).await?;
    let mut rows = Vec::new();
    for record in &found.rows {
        rows.push(describe_refund_link(state, record).await?);
    }
    Ok(Page {
        rows,
        next: found.next,
    })
}

/// The refund link as recorded, with its payouts and transaction.
async fn describe_refund_link(
    state: &AppState,
    link: &LinkRecord,
) -> Result<RefundLinkResource, PaymentsError> {
    let transactions = state.store.transactions_for(&link.id).await?;
    let shown = shown_transaction(state, link, &transactions).await?;
    let payouts = transactions
        .iter()
        .filter(|t| t.status == "Completed" && t.approved_amount.unwrap_or(0) > 0)
        .count();
    let mut resource = resource(state, link, shown, payouts);
    resource.locked = state
        .store
        .decline_count(&link.id)
        .await?
        .locked_at
        .is_some();
    Ok(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewRefundLink {
        NewRefundLink {
            amount: 1500,
            currency: "CAD".into(),
            reason: Some("Damaged item".into()),
            ..Default::default()
        }
    }

    #[test]
    fn validation_names_the_field() {
        assert_eq!(valid().validate(), Ok(Currency::Cad));
        assert_eq!(
            NewRefundLink {
                amount: 0,
                ..valid()
            }
            .validate()
            .unwrap_err()
            .field,
            "amount"
        );
        assert_eq!(
            NewRefundLink {
                currency: "GBP".into(),
                ..valid()
            }
            .validate()
            .unwrap_err()
            .field,
            "currency"
        );
        assert_eq!(
            NewRefundLink {
                reason: Some("x".repeat(501)),
                ..valid()
            }
            .validate()
            .unwrap_err()
            .field,
            "reason"
        );
        assert_eq!(
            NewRefundLink {
                expires_in_seconds: Some(1),
                ..valid()
            }
            .validate()
            .unwrap_err()
            .field,
            "expiresInSeconds"
        );
    }

    #[test]
    fn a_link_request_never_collides_with_a_checkout_fingerprint() {
        assert_ne!(
            valid().fingerprint(Currency::Cad),
            NewRefundLink {
                amount: 1501,
                ..valid()
            }
            .fingerprint(Currency::Cad)
        );
    }
}
