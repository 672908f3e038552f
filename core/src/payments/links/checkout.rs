//! Creating checkouts (idempotent by the merchant's `referenceId`) and describing them to the
//! merchant API.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::gateways::omni::wire::AmountBreakdown;
use crate::model::{CheckoutStatus, Currency, LinkKind, SupportReference};
use crate::payments::error::{FieldError, PaymentsError};
use crate::payments::ids::new_id;
use crate::payments::links::link_expiry::link_expired;
use crate::payments::links::session::settled_link;
use crate::payments::resources::{card_label, shown_transaction, TransactionSummary};
use crate::payments::rules::ledger::{self, Ledger};
use crate::payments::rules::metadata::{
    check_metadata, metadata_of, metadata_text, with_metadata, Metadata,
};
use crate::payments::rules::validate::{
    check_amount, check_currency, check_text, check_ttl, check_url, MAX_AMOUNT,
    MAX_DESCRIPTION_LEN, MAX_REFERENCE_LEN,
};
use crate::payments::steps::operate::OperationResource;
use crate::payments::steps::position::load_position;
use crate::store::{iso8601, now_ms, LinkInsert, LinkRecord, Page, PageQuery};
use crate::AppState;

/// A merchant's request for a payment link (already JSON-decoded; not yet validated).
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCheckout {
    /// Minor units (cents), 1..=999999999.
    #[schemars(range(min = 1, max = 999_999_999))]
    pub amount: i64,
    /// "USD" or "CAD".
    #[schemars(schema_with = "crate::model::currency_schema")]
    pub currency: String,
    #[serde(default)]
    /// The parts of the amount (goods, tax, tip, cash back), sent to the gateway; optional.
    pub amount_breakdown: Option<AmountBreakdown>,
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    /// Your order number, shown to the customer and sent to the gateway.
    pub order_number: Option<String>,
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    /// Your invoice number, sent to the gateway.
    pub invoice_number: Option<String>,
    /// The merchant's own id for this payment; unique. Replaying a request with it returns the same
    /// checkout.
    #[serde(default)]
    #[schemars(length(min = 1, max = 100))]
    pub reference_id: Option<String>,
    #[serde(default)]
    #[schemars(length(min = 1, max = 500))]
    /// What the customer pays for, shown on the page.
    pub description: Option<String>,
    /// Storefront page the customer goes back to after paying.
    #[serde(default)]
    #[schemars(length(max = 2000))]
    pub return_url: Option<String>,
    /// Storefront page the customer goes back to if they give up.
    #[serde(default)]
    #[schemars(length(max = 2000))]
    pub cancel_url: Option<String>,
    /// Link lifetime; defaults to the configured one.
    #[serde(default)]
    #[schemars(range(min = 60, max = 2_592_000))]
    pub expires_in_seconds: Option<i64>,
    /// Your own key/values (at most 20; keys up to 40 characters, values up to 500), returned on
    /// the object and its events.
    #[serde(default)]
    #[schemars(schema_with = "crate::payments::rules::metadata::metadata_schema")]
    pub metadata: Metadata,
}

impl NewCheckout {
    /// Checks every field, naming the first bad one as the API spells it.
    pub fn validate(&self) -> Result<Currency, FieldError> {
        check_amount(self.amount)?;
        let currency = check_currency(&self.currency)?;
        if let Some(breakdown) = &self.amount_breakdown {
            let parts = [
                (
                    "amountBreakdown.amountGoodsAndServices",
                    breakdown.amount_goods_and_services,
                ),
                ("amountBreakdown.tax", breakdown.tax),
                ("amountBreakdown.cashback", breakdown.cashback),
                ("amountBreakdown.tip", breakdown.tip),
            ];
            for (field, value) in parts {
                if value.is_some_and(|v| i64::from(v) > MAX_AMOUNT) {
                    return Err(FieldError::new(
                        field,
                        format!("{field} must be at most 999999999."),
                    ));
                }
            }
        }
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
        check_text(
            "description",
            self.description.as_deref(),
            MAX_DESCRIPTION_LEN,
        )?;
        check_url("returnUrl", self.return_url.as_deref())?;
        check_url("cancelUrl", self.cancel_url.as_deref())?;
        check_ttl(self.expires_in_seconds)?;
        check_metadata(&self.metadata)?;
        Ok(currency)
    }

    /// A stable hash of what the request asks for, to tell a replay from a conflicting reuse of
    /// `referenceId`.
    fn fingerprint(&self, currency: Currency) -> String {
        let canonical = serde_json::json!({
            "amount": self.amount,
            "currency": currency.code(),
            "amountBreakdown": self.amount_breakdown,
            "orderNumber": self.order_number,
            "invoiceNumber": self.invoice_number,
            "description": self.description,
            "returnUrl": self.return_url,
            "cancelUrl": self.cancel_url,
        });
        let canonical = with_metadata(canonical, &self.metadata);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// A checkout as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutResource {
    /// `chk_…`.
    pub id: String,
    /// Always `checkout`.
    pub object: String,
    /// `false` in sandbox mode (test data, simulated gateways), `true` with real payments.
    pub livemode: bool,
    /// The customer-facing payment page.
    pub url: String,
    /// Where the payment stands.
    pub status: CheckoutStatus,
    /// The amount to pay, in minor units (cents).
    pub amount: i64,
    /// `USD` or `CAD`.
    pub currency: String,
    /// The parts of the amount, if you gave them.
    pub amount_breakdown: Option<AmountBreakdown>,
    /// Your order number, if you gave one (shown to the customer and sent to the gateway).
    pub order_number: Option<String>,
    /// Your invoice number, if you gave one.
    pub invoice_number: Option<String>,
    /// Your own id for it: a second create with the same referenceId answers this checkout.
    pub reference_id: Option<String>,
    /// Your own key/values, as given when it was created (empty when none were).
    pub metadata: Metadata,
    /// The support reference the customer's page shows (e.g. `PD-7K4M-2Q`): the customer quotes it
    /// to your support; the console finds it.
    pub support_reference: String,
    /// What the customer pays for, shown on the page.
    pub description: Option<String>,
    /// Where the page sends the customer after paying, if you gave it.
    pub return_url: Option<String>,
    /// Where the page sends a customer who gives up, if you gave it.
    pub cancel_url: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When the link stops opening new payment forms (RFC 3339).
    pub expires_at: String,
    /// Whether the link still opens new payment forms: `false` once `expiresAt` has passed (a form
    /// opened before may still be completed; the status turns `expired` once none can be).
    pub accepting_new_sessions: bool,
    /// Locked after too many declined cards (card testing): no new card form opens until you unlock
    /// it (`POST /api/v1/checkouts/{id}/unlock`).
    #[serde(default)]
    pub locked: bool,
    /// The authorization once the gateway confirmed one; otherwise the latest attempt's
    /// transaction, if any.
    pub transaction: Option<TransactionSummary>,
    /// Once authorized: what was captured, voided and refunded, and what remains.
    pub ledger: Option<Ledger>,
    /// Captures, voids and refunds, oldest first.
    pub operations: Vec<OperationResource>,
    /// Refund links bound to this payment (e.g. a refund to a different card).
    pub refund_links: Vec<LinkedRefundSummary>,
    /// Every gateway transaction paydesk knows for this checkout, oldest first.
    pub transactions: Vec<TransactionSummary>,
}

/// A refund link as listed on the checkout it refunds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkedRefundSummary {
    /// The refund link's id (`rfl_…`).
    pub id: String,
    #[schemars(schema_with = "crate::payments::resources::refund_link_status_schema")]
    /// The refund link's status.
    pub status: String,
    /// The link's amount, in minor units.
    pub amount: i64,
    /// The card it was paid out to, once completed (e.g. "VISA •••• 4444").
    pub card: Option<String>,
}

fn resource(
    state: &AppState,
    checkout: &LinkRecord,
    transaction: Option<TransactionSummary>,
) -> CheckoutResource {
    CheckoutResource {
        id: checkout.id.clone(),
        object: "checkout".into(),
        livemode: !state.config.sandbox_mode,
        url: format!("{}/pay/{}", state.config.public_url, checkout.id),
        status: checkout.status,
        amount: checkout.amount,
        currency: checkout.currency.clone(),
        amount_breakdown: checkout
            .amount_breakdown
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()),
        order_number: checkout.order_number.clone(),
        invoice_number: checkout.invoice_number.clone(),
        reference_id: checkout.merchant_reference_id.clone(),
        metadata: metadata_of(checkout.metadata.as_deref()),
        support_reference: SupportReference::of_id(&checkout.id).to_string(),
        description: checkout.description.clone(),
        return_url: checkout.return_url.clone(),
        cancel_url: checkout.cancel_url.clone(),
        created_at: iso8601(checkout.created_at),
        expires_at: iso8601(checkout.expires_at),
        accepting_new_sessions: accepting_new_sessions(checkout),
        locked: false,
        transaction,
        ledger: None,
        operations: Vec::new(),
        refund_links: Vec::new(),
        transactions: Vec::new(),
    }
}

/// Whether a link still opens new sessions: unpaid, not canceled, and its time not up.
pub(in crate::payments) fn accepting_new_sessions(link: &LinkRecord) -> bool {
    link.authorized_transaction_id.is_none()
        && link.canceled_at.is_none()
        && !link_expired(link, now_ms())
}

/// Creates a checkout. Returns it and whether it is new (`false` = an identical earlier request).
#[tracing::instrument(skip_all, fields(checkout))]
pub async fn create_checkout(
    state: &AppState,
    request: NewCheckout,
) -> Result<(CheckoutResource, bool), PaymentsError> {
    let currency = request.validate().map_err(PaymentsError::Invalid)?;
    // Fail now, not in front of the customer, when no hosted form takes this currency.
    state.hosted_forms.form_for(&state.omni, currency).await?;
    let now = now_ms();
    let ttl_secs = request
        .expires_in_seconds
        .unwrap_or(state.config.checkout_ttl.as_secs() as i64);
    let record = LinkRecord {
        id: new_id("chk"),
        merchant_reference_id: request.reference_id.clone(),
        request_fingerprint: request.fingerprint(currency),
        amount: request.amount,
        currency: currency.code().to_string(),
        amount_breakdown: request
            .amount_breakdown
            .as_ref()
            .and_then(|b| serde_json::to_string(b).ok()),
        order_number: request.order_number.clone(),
        invoice_number: request.invoice_number.clone(),
        description: request.description.clone(),
        return_url: request.return_url.clone(),
        cancel_url: request.cancel_url.clone(),
        status: CheckoutStatus::Open,
        authorized_transaction_id: None,
        expires_at: now + ttl_secs * 1000,
        created_at: now,
        updated_at: now,
        kind: LinkKind::Payment,
        refund_of_checkout_id: None,
        canceled_at: None,
        requested_by: None,
        metadata: metadata_text(Some(&request.metadata)),
    };
    tracing::Span::current().record("checkout", record.id.as_str());
    match state.store.insert_link(&record).await? {
        LinkInsert::Created => {
            tracing::info!(checkout = %record.id, amount = record.amount, currency = %record.currency, "checkout created");
            Ok((resource(state, &record, None), true))
        }
        LinkInsert::ReferenceExists(existing)
            if existing.request_fingerprint == record.request_fingerprint =>
        {
            Ok((get_checkout(state, &existing.id).await?, false))
        }
        LinkInsert::ReferenceExists(existing) => Err(PaymentsError::ReferenceConflict {
            reference_id: existing.merchant_reference_id.unwrap_or_default(),
            existing_id: existing.id,
        }),
    }
}

/// The checkout as it stands, after settling anything the gateway may have finished meanwhile.
pub async fn get_checkout(state: &AppState, id: &str) -> Result<CheckoutResource, PaymentsError> {
    if state
        .store
        .link(id)
        .await?
        .is_some_and(|c| c.kind != LinkKind::Payment)
    {
        return Err(PaymentsError::NotFound);
    }
    let checkout = settled_link(state, id).await?;
    // Bound refund links first: one whose time is up may have become provably unused (or paid), and
    // what it holds on this payment's ledger follows.
    for link in state.store.refund_links_of(&checkout.id).await? {
        if link_expired(&link, now_ms()) && link.authorized_transaction_id.is_none() {
            settled_link(state, &link.id).await?;
        }
    }
    describe_checkout(state, &checkout).await
}

/// A page of checkouts, newest first, each as paydesk last recorded it (no gateway is asked: read
/// one with [`get_checkout`] to settle what the gateway may have finished meanwhile).
pub async fn list_checkouts(
    state: &AppState,
    query: &PageQuery,
) -> Result<Page<CheckoutResource>, PaymentsError> {
    let found = state.store.page_of_links(LinkKind::Payment, query).await?;
    let mut rows = Vec::new();
    for record in &found.rows {
        rows.push(describe_checkout(state, record).await?);
    }
    Ok(Page {
        rows,
        next: found.next,
    })
}

/// The checkout as recorded, with its ledger, operations, bound refund links and transactions.
async fn describe_checkout(
    state: &AppState,
    checkout: &LinkRecord,
) -> Result<CheckoutResource, PaymentsError> {
    let bound = state.store.refund_links_of(&checkout.id).await?;
    let transactions = state.store.transactions_for(&checkout.id).await?;
    let shown = shown_transaction(state, checkout, &transactions).await?;
    let mut resource = resource(state, checkout, shown);
    resource.locked = state
        .store
        .decline_count(&checkout.id)
        .await?
        .locked_at
        .is_some();
    if checkout.authorized_transaction_id.is_some() {
        let position = load_position(state, checkout).await?;
        resource.status = ledger::money_status(&position);
        resource.ledger = Some(position.ledger);
    }
    resource.operations = state
        .store
        .operations_for(&checkout.id)
        .await?
        .iter()
        .map(OperationResource::from)
        .collect();
    for link in bound {
        let card = match &link.authorized_transaction_id {
            Some(tx) => state
                .store
                .transaction(tx)
                .await?
                .and_then(|t| card_label(t.card_type.as_deref(), t.masked_card.as_deref())),
            None => None,
        };
        resource.refund_links.push(LinkedRefundSummary {
            id: link.id.clone(),
            status: link.status.for_refund_link().into(),
            amount: link.amount,
            card,
        });
    }
    resource.transactions = transactions.iter().map(TransactionSummary::from).collect();
    Ok(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewCheckout {
        NewCheckout {
            amount: 1999,
            currency: "usd".into(),
            order_number: Some("A-1001".into()),
            return_url: Some("https://shop.example/thanks".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_request_passes() {
        assert_eq!(valid().validate(), Ok(Currency::Usd));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(NewCheckout, &str)> = vec![
            (
                NewCheckout {
                    amount: 0,
                    ..valid()
                },
                "amount",
            ),
            (
                NewCheckout {
                    amount: 1_000_000_000,
                    ..valid()
                },
                "amount",
            ),
            (
                NewCheckout {
                    currency: "EUR".into(),
                    ..valid()
                },
                "currency",
            ),
            (
                NewCheckout {
                    order_number: Some("x".repeat(101)),
                    ..valid()
                },
                "orderNumber",
            ),
            (
                NewCheckout {
                    invoice_number: Some("  ".into()),
                    ..valid()
                },
                "invoiceNumber",
            ),
            (
                NewCheckout {
                    reference_id: Some("a\u{0}b".into()),
                    ..valid()
                },
                "referenceId",
            ),
            (
                NewCheckout {
                    return_url: Some("javascript:alert(1)".into()),
                    ..valid()
                },
                "returnUrl",
            ),
            (
                NewCheckout {
                    cancel_url: Some("/relative".into()),
                    ..valid()
                },
                "cancelUrl",
            ),
            (
                NewCheckout {
                    expires_in_seconds: Some(5),
                    ..valid()
                },
                "expiresInSeconds",
            ),
            (
                NewCheckout {
                    amount_breakdown: Some(AmountBreakdown {
                        tax: Some(1_000_000_000),
                        ..Default::default()
                    }),
                    ..valid()
                },
                "amountBreakdown.tax",
            ),
        ];
        for (request, field) in cases {
            assert_eq!(request.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn fingerprint_ignores_reference_and_ttl_but_not_amount() {
        let a = valid();
        let b = NewCheckout {
            reference_id: Some("r".into()),
            expires_in_seconds: Some(600),
            ..valid()
        };
        let c = NewCheckout {
            amount: 2000,
            ..valid()
        };
        assert_eq!(a.fingerprint(Currency::Usd), b.fingerprint(Currency::Usd));
        assert_ne!(a.fingerprint(Currency::Usd), c.fingerprint(Currency::Usd));
    }
}
