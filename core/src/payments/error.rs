//! Errors of the payment flows, and how each is shown to a customer (never with internals).

use crate::error::{ClientError, ErrorCode};
use crate::gateways::commercehub::CommerceHubError;
use crate::gateways::omni::hosted_forms::HostedFormError;
use crate::gateways::omni::OmniError;
use crate::gateways::payroc::PayrocError;
use crate::i18n::{texts, Locale};
use crate::payments::rules::ledger::Refusal;
use crate::store::StoreError;

/// A request field that failed validation, named as the merchant API spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentsError {
    #[error("not found")]
    NotFound,
    #[error("invalid {}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    #[error("referenceId {reference_id} is already used by checkout {existing_id} with different details")]
    ReferenceConflict {
        reference_id: String,
        existing_id: String,
    },
    #[error(transparent)]
    Form(#[from] HostedFormError),
    #[error(transparent)]
    Gateway(#[from] OmniError),
    #[error("the gateway returned an iframe URL outside the configured hosted-form origin ({0})")]
    UntrustedIframeOrigin(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A refund link whose id is unknown or whose signature does not match (forged or altered).
    #[error("invalid or altered refund link")]
    InvalidLink,
    /// The ledger forbids the operation; nothing was sent to the gateway.
    #[error("{}: {}", .0.code, .0.message)]
    Refused(Refusal),
    /// The gateway refused the operation (nothing happened); its message.
    #[error("the gateway rejected the operation: {0}")]
    GatewayRejected(String),
    /// The idempotency key was already used for a different request.
    #[error("this Idempotency-Key was already used for a different request on this checkout")]
    IdempotencyConflict,
    /// No Payroc account (and not in sandbox mode): refunds on devices are off.
    #[error("refunds on payment devices are not configured (set PAYDESK_PAYROC_API_KEY and PAYDESK_PAYROC_TERMINAL_ID)")]
    DeviceRefundsOff,
    /// Payroc could not be reached or answered unexpectedly.
    #[error(transparent)]
    Device(#[from] PayrocError),
    /// No Commerce Hub account (and not in sandbox mode): refunds of its charges are off.
    #[error("Commerce Hub refunds are not configured (set PAYDESK_COMMERCEHUB_API_KEY, PAYDESK_COMMERCEHUB_API_SECRET, PAYDESK_COMMERCEHUB_MERCHANT_ID and PAYDESK_COMMERCEHUB_TERMINAL_ID)")]
    GatewayRefundsOff,
    /// Another refund of the same charge has not ended yet.
    #[error("refund {existing_id} of this charge has not ended yet; wait for it (or let it expire) before refunding the charge again")]
    OriginalBusy { existing_id: String },
    /// Commerce Hub could not be reached or answered unexpectedly.
    #[error(transparent)]
    CommerceHub(#[from] CommerceHubError),
}

impl PaymentsError {
    /// The customer-safe version in the customer's language (links not found, the form
    /// unavailable).
    pub fn to_customer_error(&self, locale: Locale) -> ClientError {
        let texts = texts(locale);
        let mut error = self.to_client_error();
        match self {
            PaymentsError::NotFound => error.message = texts.not_found_link.into(),
            PaymentsError::InvalidLink => error.message = texts.invalid_refund_link.into(),
            PaymentsError::Form(_)
            | PaymentsError::Gateway(_)
            | PaymentsError::UntrustedIframeOrigin(_) => {
                error.message = texts.unavailable_payment.into()
            }
            // Commerce Hub serves refunds only.
            PaymentsError::CommerceHub(_) | PaymentsError::GatewayRefundsOff => {
                error.message = texts.unavailable_refund.into()
            }
            _ => {}
        }
        error
    }

    /// The customer-safe version. Internal details are logged here, once.
    pub fn to_client_error(&self) -> ClientError {
        match self {
            PaymentsError::NotFound => ClientError::not_found(),
            PaymentsError::Invalid(field) => {
                ClientError::new(ErrorCode::InvalidInput, field.message.clone())
            }
            PaymentsError::ReferenceConflict { .. } => {
                ClientError::new(ErrorCode::InvalidInput, self.to_string())
            }
            PaymentsError::Form(_)
            | PaymentsError::Gateway(_)
            | PaymentsError::UntrustedIframeOrigin(_)
            | PaymentsError::Device(_)
            | PaymentsError::CommerceHub(_) => {
                tracing::error!(error = %self, "payment gateway problem");
                ClientError::new(
                    ErrorCode::GatewayUnavailable,
                    "The secure payment service is not answering right now. Nothing was charged; please try again in a moment.",
                )
            }
            PaymentsError::Store(_) => {
                tracing::error!(error = %self, "storage problem");
                ClientError::internal()
            }
            PaymentsError::InvalidLink => {
                // Someone guessing or altering links: worth a look, not a failure of ours.
                tracing::warn!("a refund link with an unknown id or a wrong signature was refused");
                ClientError::new(
                ErrorCode::NotFound,
                "This refund link is not valid. Please open the exact link you received, or ask the merchant for a new one.",
            )
            }
            PaymentsError::Refused(refusal) => {
                ClientError::new(ErrorCode::InvalidInput, refusal.message.clone())
            }
            PaymentsError::GatewayRejected(message) => {
                ClientError::new(ErrorCode::InvalidInput, message.clone())
            }
            PaymentsError::IdempotencyConflict
            | PaymentsError::DeviceRefundsOff
            | PaymentsError::GatewayRefundsOff
            | PaymentsError::OriginalBusy { .. } => {
                ClientError::new(ErrorCode::InvalidInput, self.to_string())
            }
        }
    }
}
