//! The gateway's JSON, as paydesk reads and writes it. Enums are `#[non_exhaustive]` with an
//! `Unknown` fallback so a new value from the gateway never breaks a payment; every optional field
//! is lenient.

use serde::{Deserialize, Serialize};

/// Reporting-only split of `amount` (not added to it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AmountBreakdown {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Minor units for the goods and services themselves.
    pub amount_goods_and_services: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Minor units of tax.
    pub tax: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Minor units of cash back, if any.
    pub cashback: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Minor units of tip, if any.
    pub tip: Option<u32>,
}

/// Body of `POST /transactions/virtual-auth` and `POST /transactions/unreferenced-virtual-refund`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostedSessionRequest {
    pub amount: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_breakdown: Option<AmountBreakdown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(rename = "useJavaScriptCallback")]
    pub use_javascript_callback: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub enum SessionStatus {
    Pending,
    Completed,
    Expired,
    Error,
    #[serde(other)]
    Unknown,
}

/// The gateway's answer to a hosted-session request.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostedSession {
    pub id: String,
    pub status: SessionStatus,
    /// `null` when the iframe could not be created (invalid credentials, …).
    #[serde(default)]
    pub iframe_url: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub reference_id: Option<String>,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default)]
    pub requested_amount: Option<u64>,
    /// ISO-8601 UTC.
    #[serde(default)]
    pub expiration_timestamp: Option<String>,
}

/// Body of `/transactions/capture`, `/void` and `/refund`: exactly one of the two originals.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferencedRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_reference_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// Omitted = the full amount (capture, refund); ignored by void.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TransactionType {
    Sale,
    Auth,
    Capture,
    Refund,
    Void,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TransactionStatus {
    /// Made but not processed: includes hosted sessions nobody finished.
    Created,
    Pending,
    Processing,
    /// Final, approved **or declined**: read `resultCode` and the responses.
    Completed,
    Declined,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PaymentMethodType {
    Physical,
    Virtual,
    Token,
    VirtualAch,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: PaymentMethodType,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub card_type: Option<String>,
    #[serde(default)]
    pub masked_card_number: Option<String>,
    #[serde(default)]
    pub card_exp_date: Option<String>,
    #[serde(default)]
    pub date_deleted: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionResponse {
    #[serde(default)]
    pub response_code: Option<i64>,
    #[serde(default)]
    pub auth_code: Option<String>,
    #[serde(default)]
    pub amount_approved: Option<u64>,
    #[serde(default)]
    pub card_type: Option<String>,
    #[serde(default)]
    pub avs_result: Option<String>,
    #[serde(default)]
    pub cvv_result: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub host_response_text: Option<String>,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
}

/// A gateway transaction (§5 of the reference), from a response, a lookup or a webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: TransactionType,
    pub status: TransactionStatus,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub result_code: Option<i64>,
    #[serde(default)]
    pub result_text: Option<String>,
    #[serde(default)]
    pub reference_id: Option<String>,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub requested_amount: Option<u64>,
    #[serde(default)]
    pub approved_amount: Option<u64>,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default)]
    pub transaction_responses: Vec<TransactionResponse>,
}

/// `transactionResponses[].responseCode` values the product acts on (seed 001).
pub mod response_code {
    pub const APPROVED: i64 = 1;
    pub const PARTIAL_APPROVED: i64 = 2;
    pub const DECLINED: i64 = 10;
    pub const INSUFFICIENT_FUNDS: i64 = 11;
    pub const CARD_EXPIRED: i64 = 12;
}

/// A page of a list endpoint. Only `items` is documented; other envelope fields are ignored.
#[derive(Clone, Debug, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
}

/// The webhook envelope: `{event: {id, type, timestamp}, originalResponse: <transaction>}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEnvelope {
    pub event: WebhookEventHeader,
    #[serde(default)]
    pub original_response: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WebhookEventHeader {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub timestamp: Option<String>,
}

/// A transaction for tests: `requestedAmount` 1000, one response with `response` when given, and
/// `approvedAmount` 1000 when that response is an approval.
#[cfg(test)]
pub fn sample_transaction(
    status: TransactionStatus,
    result: Option<i64>,
    response: Option<i64>,
) -> Transaction {
    Transaction {
        id: "trx_1".into(),
        kind: TransactionType::Auth,
        status,
        timestamp: None,
        result_code: result,
        result_text: Some("TEXT".into()),
        reference_id: Some("pd_1".into()),
        order_number: None,
        invoice_number: None,
        requested_amount: Some(1000),
        approved_amount: response
            .filter(|c| *c == response_code::APPROVED)
            .map(|_| 1000),
        payment_method: None,
        transaction_responses: response
            .map(|code| {
                vec![TransactionResponse {
                    response_code: Some(code),
                    auth_code: None,
                    amount_approved: None,
                    card_type: None,
                    avs_result: None,
                    cvv_result: None,
                    account_type: None,
                    host_response_text: None,
                    payment_method: None,
                }]
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_enum_values_do_not_break_parsing() {
        let tx: Transaction = serde_json::from_str(
            r#"{"id":"trx_1","type":"Preauth","status":"Settling","resultCode":0,"futureField":1}"#,
        )
        .unwrap();
        assert_eq!(tx.kind, TransactionType::Unknown);
        assert_eq!(tx.status, TransactionStatus::Unknown);
        assert!(tx.transaction_responses.is_empty());
    }

    #[test]
    fn seed_session_example_parses_and_null_iframe_is_kept() {
        let s: HostedSession = serde_json::from_str(
            r#"{"id":"ifr_01J2F0EKHC7HY2R93C8ENBD1FG","status":"Pending","iframeUrl":null,"sessionId":"ses_01","orderNumber":"o","referenceId":"r","invoiceNumber":"i","paymentMethod":{"id":"pmt_vrt_1","type":"Virtual","currency":"USD","description":"Online Checkout Iframe"},"requestedAmount":1000,"expirationTimestamp":"2025-04-17T14:19:03Z"}"#,
        )
        .unwrap();
        assert_eq!(s.iframe_url, None);
        assert_eq!(s.status, SessionStatus::Pending);
        assert_eq!(s.payment_method.unwrap().kind, PaymentMethodType::Virtual);
    }

    #[test]
    fn use_javascript_callback_has_the_gateways_spelling() {
        let body = serde_json::to_value(HostedSessionRequest {
            amount: 1,
            amount_breakdown: None,
            payment_method_id: None,
            invoice_number: None,
            order_number: None,
            reference_id: Some("r".into()),
            return_url: None,
            use_javascript_callback: true,
        })
        .unwrap();
        assert_eq!(body["useJavaScriptCallback"], true);
        assert_eq!(body["referenceId"], "r");
        assert!(body.get("orderNumber").is_none());
    }
}
