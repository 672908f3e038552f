//! The sandbox's own copy of the gateway's JSON, written from the seeds independently of paydesk's
//! client types, so each side checks the other.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub currency: String,
    pub description: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    pub id: String,
    pub status: &'static str,
    pub iframe_url: Option<String>,
    pub session_id: String,
    pub order_number: Option<String>,
    pub reference_id: String,
    pub invoice_number: Option<String>,
    pub payment_method: FormMethod,
    pub requested_amount: u64,
    pub expiration_timestamp: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub currency: String,
    pub card_type: String,
    pub masked_card_number: String,
    pub card_exp_date: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseJson {
    pub response_code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    pub amount_approved: u64,
    pub card_type: String,
    pub avs_result: String,
    pub cvv_result: String,
    pub account_type: String,
    pub host_response_text: String,
    pub payment_method: CardMethod,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionJson {
    pub id: String,
    pub timestamp: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub result_code: i64,
    pub result_text: String,
    pub reference_id: String,
    pub order_number: Option<String>,
    pub invoice_number: Option<String>,
    pub requested_amount: u64,
    pub approved_amount: u64,
    pub payment_method: FormMethod,
    pub transaction_responses: Vec<ResponseJson>,
    pub receipt: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct ErrorDetailJson {
    pub code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorJson {
    pub code: i64,
    pub status: &'static str,
    pub message: String,
    pub trace_id: String,
    pub timestamp: String,
    pub error_details: Vec<ErrorDetailJson>,
}

/// The hosted-session request, read leniently so that each bad field gets the gateway's own
/// message.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRequestJson {
    pub amount: Option<Value>,
    pub amount_breakdown: Option<Value>,
    pub payment_method_id: Option<String>,
    pub invoice_number: Option<String>,
    pub order_number: Option<String>,
    pub reference_id: Option<String>,
    pub return_url: Option<String>,
    #[serde(rename = "useJavaScriptCallback")]
    pub use_javascript_callback: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferencedRequestJson {
    pub original_transaction_id: Option<String>,
    pub original_reference_id: Option<String>,
    pub reference_id: Option<String>,
    pub amount: Option<Value>,
    pub invoice_number: Option<String>,
    pub order_number: Option<String>,
}
