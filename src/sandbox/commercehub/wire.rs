//! The simulated Commerce Hub's own reading of requests and writing of answers (reference §6–§9, §13):
//! kept apart from paydesk's client types so each checks the other. Amounts are read from the exact
//! decimal text of the JSON number.

use super::answer_variants::ErrorShape;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ledger::SimCard;

/// A JSON number in major units, read from its text (`12.04` → 1204). At most two decimals.
pub fn minor_units(number: &serde_json::value::RawValue) -> Option<i64> {
    let text = number.get();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{fraction:0<2}");
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse::<i64>().ok()?)
}

/// Minor units as Commerce Hub's decimal `total`.
pub fn major_units(minor: i64) -> Value {
    let text = format!("{}.{:02}", minor / 100, minor % 100);
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[derive(Debug, Deserialize)]
pub struct AmountIn {
    pub total: Box<serde_json::value::RawValue>,
    pub currency: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceIn {
    pub reference_transaction_id: Option<String>,
    pub reference_merchant_transaction_id: Option<String>,
    pub reference_client_request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantIn {
    pub merchant_id: String,
    #[serde(default)]
    pub terminal_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainCardIn {
    pub card_data: String,
    pub expiration_month: String,
    pub expiration_year: String,
}

/// The `source` union (only the forms the simulator takes).
#[derive(Debug, Deserialize)]
#[serde(tag = "sourceType")]
#[allow(clippy::enum_variant_names)] // the wire's `sourceType` values
pub enum SourceIn {
    /// Plain card: sandbox only, as at Fiserv.
    PaymentCard { card: PlainCardIn },
    PaymentSession {
        #[serde(rename = "sessionId")]
        session_id: String,
    },
    PaymentToken {
        #[serde(rename = "tokenData")]
        token_data: String,
        #[serde(rename = "tokenSource")]
        token_source: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionDetailsIn {
    #[serde(default)]
    pub merchant_transaction_id: Option<String>,
    /// `false`: authorize only (a pre-auth); absent or `true`: a sale.
    #[serde(default)]
    pub capture_flag: Option<bool>,
}

/// `POST /payments/v1/refunds` and `/charges`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionIn {
    #[serde(default)]
    pub amount: Option<AmountIn>,
    #[serde(default)]
    pub reference_transaction_details: Option<ReferenceIn>,
    #[serde(default)]
    pub source: Option<SourceIn>,
    pub merchant_details: MerchantIn,
    #[serde(default)]
    pub transaction_details: TransactionDetailsIn,
}

/// `POST /payments/v1/transaction-inquiry`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryIn {
    pub reference_transaction_details: ReferenceIn,
    pub merchant_details: MerchantIn,
}

/// `POST /payments-vas/v1/security/credentials`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsIn {
    pub merchant_details: MerchantIn,
}

/// `POST /payments-vas/v1/tokens`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenIn {
    pub source: SourceIn,
    pub merchant_details: MerchantIn,
}

/// A request body that names the merchant (every signed call's does).
pub trait NamesMerchant {
    fn merchant(&self) -> &MerchantIn;
}

macro_rules! names_merchant {
    ($($request:ty),+) => {$(
        impl NamesMerchant for $request {
            fn merchant(&self) -> &MerchantIn {
                &self.merchant_details
            }
        }
    )+};
}

names_merchant!(TransactionIn, InquiryIn, CredentialsIn, TokenIn);

/// `gatewayResponse.transactionProcessingDetails`.
pub fn processing_details(trace: &str, client_request_id: &str, transaction_id: &str) -> Value {
    json!({
        "transactionTimestamp": crate::sandbox::clock::iso_now(),
        "orderId": format!("CHOrdID-{transaction_id}"),
        "apiTraceId": trace,
        "clientRequestId": client_request_id,
        "transactionId": transaction_id,
    })
}

pub fn card_json(card: &SimCard) -> Value {
    json!({
        "bin": card.bin(),
        "last4": card.last4(),
        "scheme": card.scheme(),
        "expirationMonth": card.expiration_month,
        "expirationYear": card.expiration_year,
    })
}

/// A transaction the processor decided.
pub struct Booking<'a> {
    /// `CHARGE`, `REFUND` or `CANCEL`.
    pub kind: &'a str,
    /// A charge authorized and not captured (`captureFlag: false`).
    pub authorize_only: bool,
    pub transaction_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub card: &'a SimCard,
    pub code: &'a str,
}

/// A processed transaction's 201 (approved or declined: declines are 2xx too).
pub fn transaction_json(booking: &Booking<'_>, trace: &str, client_request_id: &str) -> Value {
    let Booking {
        kind,
        transaction_id,
        amount,
        currency,
        card,
        code,
        authorize_only,
    } = *booking;
    let approved = code == "000";
    let captured = kind == "CHARGE" && !authorize_only;
    json!({
        "gatewayResponse": {
            "transactionType": kind,
            "transactionState": if approved { if captured { "CAPTURED" } else { "AUTHORIZED" } } else { "DECLINED" },
            "transactionOrigin": "ECOM",
            "transactionProcessingDetails": processing_details(trace, client_request_id, transaction_id),
        },
        "source": { "sourceType": "PaymentCard", "card": card_json(card) },
        "paymentReceipt": {
            "approvedAmount": { "total": major_units(if approved { amount } else { 0 }), "currency": currency },
            "merchantName": "paydesk sandbox",
            "processorResponseDetails": {
                "approvalStatus": if approved { "APPROVED" } else { "DECLINED" },
                "approvalCode": if approved { format!("OK{}", &transaction_id[transaction_id.len().saturating_sub(4)..]) } else { String::new() },
                "processor": "FISERV",
                "host": "NASHVILLE",
                "responseCode": code,
                "responseMessage": super::ledger::response_message(code),
                "hostResponseCode": if approved { "00" } else { &code[code.len().saturating_sub(2)..] },
                "hostResponseMessage": super::ledger::response_message(code),
                "localTimestamp": crate::sandbox::clock::iso_now(),
            },
        },
        "transactionDetails": { "captureFlag": kind != "CHARGE" || captured },
    })
}

/// Attaches the `ApiTraceId` header every answer carries.
pub fn traced(status: StatusCode, trace: &str, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(trace) {
        response.headers_mut().insert("apitraceid", value);
    }
    response
}

/// An error answer in one of the documented shapes.
pub fn error_json(
    shape: ErrorShape,
    trace: &str,
    client_request_id: Option<&str>,
    kind: &str,
    code: Option<&str>,
    field: Option<&str>,
    message: &str,
) -> Value {
    let mut item = json!({ "type": kind, "message": message });
    if let Some(code) = code {
        item["code"] = json!(code);
    }
    if let Some(field) = field {
        item["field"] = json!(field);
    }
    let details = json!({
        "apiTraceId": trace,
        "clientRequestId": client_request_id,
        "transactionTimestamp": crate::sandbox::clock::iso_now(),
    });
    let body =
        json!({ "gatewayResponse": { "transactionProcessingDetails": details }, "error": [item] });
    match shape {
        ErrorShape::TopLevel => body,
        ErrorShape::Wrapped => json!({ "errorResponse": body }),
        ErrorShape::InGatewayResponse => json!({
            "gatewayResponse": { "transactionProcessingDetails": details, "error": [item] },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<serde_json::value::RawValue> {
        serde_json::value::RawValue::from_string(text.into()).unwrap()
    }

    #[test]
    fn totals_are_read_from_their_text() {
        assert_eq!(minor_units(&raw("12.04")), Some(1204));
        assert_eq!(minor_units(&raw("12.4")), Some(1240));
        assert_eq!(minor_units(&raw("12")), Some(1200));
        assert_eq!(minor_units(&raw("0.01")), Some(1));
        assert_eq!(minor_units(&raw("12.045")), None);
        assert_eq!(minor_units(&raw("-1.00")), None);
        assert_eq!(minor_units(&raw("1e3")), None);
        assert_eq!(major_units(1204).to_string(), "12.04");
        assert_eq!(major_units(5).to_string(), "0.05");
    }
}
