//! Commerce Hub's JSON for refunds (seed 003, reference §6–§9), as paydesk reads and writes it.
//! Enums are `#[non_exhaustive]` with an `Unknown` fallback; optional fields are lenient; amounts are
//! exact decimal text ([`Total`]).

use serde::{Deserialize, Serialize};

use super::amount::Total;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Amount {
    pub total: Total,
    pub currency: String,
}

/// Which earlier transaction a refund refers to: exactly one identifier.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceTransactionDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_merchant_transaction_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MerchantDetails {
    pub merchant_id: String,
    pub terminal_id: String,
}

/// Where an unmatched refund goes: the new card, as Hosted Fields captured it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "sourceType")]
pub enum RefundSource {
    /// A Hosted Fields session (`sessionId` never leaves the server).
    PaymentSession {
        #[serde(rename = "sessionId")]
        session_id: String,
    },
    /// A TransArmor token made from the session.
    PaymentToken {
        #[serde(rename = "tokenData")]
        token_data: String,
        #[serde(rename = "tokenSource")]
        token_source: String,
        card: TokenCard,
    },
}

/// The expiry sent with a token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TokenCard {
    pub expiration_month: String,
    pub expiration_year: String,
}

/// Body of `POST /payments-vas/v1/security/credentials`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsRequest {
    pub merchant_details: MerchantDetails,
}

/// Hosted Fields credentials. `session_id` stays on the server; `Debug` shows neither secret.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityCredentials {
    pub access_token: String,
    pub session_id: String,
    pub public_key: String,
    pub key_id: String,
    /// How long the session and its access token live, in seconds (1800 at most; 1799 in the
    /// spec's example, CH:9665).
    #[serde(default)]
    pub access_token_time_to_live: Option<i64>,
}

impl std::fmt::Debug for SecurityCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityCredentials")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Body of `POST /payments-vas/v1/tokens` for a Hosted Fields session.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    pub source: RefundSource,
    pub merchant_details: MerchantDetails,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTokenOut {
    pub token_data: String,
    #[serde(default)]
    pub token_source: Option<String>,
    /// `000` when the token was made (one per token: an answer may carry several, CH:8375–8410).
    #[serde(default)]
    pub token_response_code: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenizedCard {
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub scheme: Option<String>,
    #[serde(default)]
    pub expiration_month: Option<String>,
    #[serde(default)]
    pub expiration_year: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenizedSource {
    #[serde(default)]
    pub card: TokenizedCard,
}

/// The 201 of a tokenization.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    #[serde(default)]
    pub source: TokenizedSource,
    #[serde(default)]
    pub payment_tokens: Vec<PaymentTokenOut>,
}

impl TokenResponse {
    /// The TransArmor token Commerce Hub made (an answer may also carry tokens of other sources,
    /// e.g. CHASE, and a token whose `tokenResponseCode` says it was not made).
    pub fn transarmor_token(&self) -> Option<&PaymentTokenOut> {
        self.payment_tokens.iter().find(|token| {
            token
                .token_source
                .as_deref()
                .is_some_and(|source| source.eq_ignore_ascii_case("TRANSARMOR"))
                && token
                    .token_response_code
                    .as_deref()
                    .is_none_or(|code| code == "000")
        })
    }
}

/// A card's expiry year as four digits: Commerce Hub's examples write `2030`, and once `25`.
pub fn four_digit_year(year: &str) -> String {
    match year.trim() {
        short if short.len() == 2 && short.bytes().all(|b| b.is_ascii_digit()) => {
            format!("20{short}")
        }
        other => other.to_string(),
    }
}

/// Which transaction an inquiry asks about.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_client_request_id: Option<String>,
    /// The `merchantTransactionId` a transaction was sent with (paydesk sends each refund's own id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_merchant_transaction_id: Option<String>,
}

/// Body of `POST /payments/v1/transaction-inquiry`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryRequest {
    pub reference_transaction_details: InquiryReference,
    pub merchant_details: MerchantDetails,
}

/// A plain card: Commerce Hub takes it only in its sandbox (paydesk sends one only for sandbox
/// demo charges).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainCard {
    pub card_data: String,
    pub expiration_month: String,
    pub expiration_year: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "sourceType")]
pub enum ChargeSource {
    PaymentCard { card: PlainCard },
}

/// Body of `POST /payments/v1/charges` (sandbox demo charges only).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargeRequest {
    pub amount: Amount,
    pub source: ChargeSource,
    pub merchant_details: MerchantDetails,
    pub transaction_details: RefundTransactionDetails,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RefundTransactionDetails {
    /// Always true: an online refund not captured at once would need a second call.
    pub capture_flag: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_order_id: Option<String>,
}

/// `transactionDetails` of a cancel: the ids that find it again.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CancelTransactionDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_order_id: Option<String>,
}

/// Body of `POST /payments/v1/cancels` (`CancelRequest`): releases (part of) a charge that was
/// authorized and not captured — what a refund of it becomes, since Commerce Hub refuses to refund
/// it (`837`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    pub amount: Amount,
    pub reference_transaction_details: ReferenceTransactionDetails,
    pub merchant_details: MerchantDetails,
    pub transaction_details: CancelTransactionDetails,
}

/// Body of `POST /payments/v1/refunds`: a tagged refund (no `source`) or an unmatched one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    pub amount: Amount,
    pub reference_transaction_details: ReferenceTransactionDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<RefundSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_interaction: Option<TransactionInteraction>,
    pub merchant_details: MerchantDetails,
    pub transaction_details: RefundTransactionDetails,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TransactionInteraction {
    pub origin: String,
    pub eci_indicator: String,
    pub pos_condition_code: String,
}

impl TransactionInteraction {
    /// A card typed on the web (the unmatched refund's new card).
    pub fn ecom() -> Self {
        TransactionInteraction {
            origin: "ECOM".into(),
            eci_indicator: "CHANNEL_ENCRYPTED".into(),
            pos_condition_code: "CARD_NOT_PRESENT_ECOM".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum TransactionState {
    Authorized,
    Captured,
    Checked,
    Declined,
    Voided,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ApprovalStatus {
    Approved,
    Declined,
    ProcessingFailed,
    ValidationFailed,
    /// Queued: wait (24 h) before trying again.
    Waiting,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionProcessingDetails {
    #[serde(default)]
    pub transaction_timestamp: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub api_trace_id: Option<String>,
    #[serde(default)]
    pub client_request_id: Option<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayResponse {
    #[serde(default)]
    pub transaction_type: Option<String>,
    #[serde(default)]
    pub transaction_state: Option<TransactionState>,
    #[serde(default)]
    pub transaction_processing_details: TransactionProcessingDetails,
    /// The third error shape: the spec's 500, 503 and 504 examples put `error` inside
    /// `gatewayResponse` (CH:1883–1925).
    #[serde(default)]
    pub error: Vec<ErrorItem>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessorResponseDetails {
    #[serde(default)]
    pub approval_status: Option<ApprovalStatus>,
    #[serde(default)]
    pub approval_code: Option<String>,
    #[serde(default)]
    pub response_code: Option<String>,
    #[serde(default)]
    pub response_message: Option<String>,
    #[serde(default)]
    pub host_response_code: Option<String>,
    #[serde(default)]
    pub host_response_message: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReceipt {
    #[serde(default)]
    pub approved_amount: Option<Amount>,
    #[serde(default)]
    pub processor_response_details: Option<ProcessorResponseDetails>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceCard {
    #[serde(default)]
    pub bin: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub scheme: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseSource {
    #[serde(default)]
    pub source_type: Option<String>,
    #[serde(default)]
    pub card: Option<SourceCard>,
}

/// The 201 of a refund — approved or declined (declines arrive as 2xx) — and the 200 of a cancel
/// (`CancelResponse`: the same `gatewayResponse`, `source` and `paymentReceipt`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundResponse {
    pub gateway_response: GatewayResponse,
    #[serde(default)]
    pub source: Option<ResponseSource>,
    #[serde(default)]
    pub payment_receipt: Option<PaymentReceipt>,
}

/// One entry of an error envelope.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ErrorItem {
    /// `GATEWAY`, `HOST`, `NETWORK` or `APIM`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, rename = "additionalInfo")]
    pub additional_info: Option<String>,
}

/// The error envelope's content.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub gateway_response: Option<GatewayResponse>,
    #[serde(default)]
    pub error: Vec<ErrorItem>,
}

/// Both documented shapes: top level (`{gatewayResponse, error}`) or wrapped (`{errorResponse:
/// {…}}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ErrorEnvelope {
    Wrapped {
        #[serde(rename = "errorResponse")]
        error_response: ErrorBody,
    },
    TopLevel(ErrorBody),
}

impl ErrorEnvelope {
    /// The content, whichever of the three documented shapes carried it: its `error` items are the
    /// top-level ones, or else those inside `gatewayResponse`.
    pub fn into_body(self) -> ErrorBody {
        let mut body = match self {
            ErrorEnvelope::Wrapped { error_response } => error_response,
            ErrorEnvelope::TopLevel(body) => body,
        };
        if body.error.is_empty() {
            if let Some(gateway) = body.gateway_response.as_mut() {
                body.error = std::mem::take(&mut gateway.error);
            }
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_unmatched_request_and_response_read_and_write() {
        let request = RefundRequest {
            amount: Amount {
                total: Total(1204),
                currency: "USD".into(),
            },
            reference_transaction_details: ReferenceTransactionDetails {
                reference_transaction_id: Some("84356531348".into()),
                reference_merchant_transaction_id: None,
            },
            source: Some(RefundSource::PaymentToken {
                token_data: "8519371934460009".into(),
                token_source: "TRANSARMOR".into(),
                card: TokenCard {
                    expiration_month: "10".into(),
                    expiration_year: "2030".into(),
                },
            }),
            transaction_interaction: Some(TransactionInteraction::ecom()),
            merchant_details: MerchantDetails {
                merchant_id: "100008000003683".into(),
                terminal_id: "10000001".into(),
            },
            transaction_details: RefundTransactionDetails {
                capture_flag: true,
                ..Default::default()
            },
        };
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.starts_with(r#"{"amount":{"total":12.04,"currency":"USD"},"referenceTransactionDetails":{"referenceTransactionId":"84356531348"},"source":{"sourceType":"PaymentToken""#), "{json}");

        let response: RefundResponse = serde_json::from_str(r#"{
          "gatewayResponse":{"transactionType":"REFUND","transactionState":"AUTHORIZED","transactionOrigin":"ECOM","transactionProcessingDetails":{"transactionTimestamp":"2021-06-20T23:42:48Z","orderId":"RKOrdID-525133851837","apiTraceId":"362866ac81864d7c9d1ff8b5aa6e98db","clientRequestId":"4345791","transactionId":"84356531338"}},
          "source":{"sourceType":"PaymentCard","card":{"bin":"40055500","last4":"0019","scheme":"VISA","expirationMonth":"10","expirationYear":"2030"}},
          "paymentReceipt":{"approvedAmount":{"total":12.04,"currency":"USD"},"merchantName":"Merchant Name","processorResponseDetails":{"approvalStatus":"APPROVED","approvalCode":"OK5882","schemeTransactionId":"0225MCC625628","processor":"FISERV","host":"NASHVILLE","responseCode":"000","responseMessage":"APPROVAL","hostResponseCode":"00","hostResponseMessage":"APPROVAL","localTimestamp":"2021-06-20T23:42:48Z","bankAssociationDetails":{"associationResponseCode":"000","transactionTimestamp":"2021-06-20T23:42:48Z"}}}
        }"#).unwrap();
        assert_eq!(
            response.gateway_response.transaction_state,
            Some(TransactionState::Authorized)
        );
        assert_eq!(
            response
                .payment_receipt
                .unwrap()
                .approved_amount
                .unwrap()
                .total,
            Total(1204)
        );
    }

    #[test]
    fn both_error_shapes_are_read() {
        let top: ErrorEnvelope = serde_json::from_str(r#"{"gatewayResponse":{"transactionProcessingDetails":{"apiTraceId":"0123456789abcdef0123456789abcdef","clientRequestId":"c1"}},"error":[{"type":"GATEWAY","code":"105","field":"amount.currency","message":"Invalid amount or currency"}]}"#).unwrap();
        let wrapped: ErrorEnvelope = serde_json::from_str(r#"{"errorResponse":{"gatewayResponse":{"transactionProcessingDetails":{"apiTraceId":"0123456789abcdef0123456789abcdef"}},"error":[{"type":"GATEWAY","code":"324","message":"Account Closed or Purged"}]}}"#).unwrap();
        let apim: ErrorEnvelope = serde_json::from_str(r#"{"error":[{"type":"APIM","message":"ApiKey and/or Authentication supplied are invalid."}]}"#).unwrap();
        let top = top.into_body();
        assert_eq!(top.error[0].code.as_deref(), Some("105"));
        assert_eq!(
            top.gateway_response
                .unwrap()
                .transaction_processing_details
                .api_trace_id
                .as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(wrapped.into_body().error[0].code.as_deref(), Some("324"));
        assert_eq!(apim.into_body().error[0].kind.as_deref(), Some("APIM"));
    }
}
