//! How paydesk's rows are shown to the merchant: gateway transactions, the transaction a link
//! shows, a refund link's status word and a card's label.

use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde::{Deserialize, Serialize};

use crate::payments::error::PaymentsError;
use crate::store::{LinkRecord, TransactionRecord};
use crate::AppState;

/// A gateway transaction as the merchant API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionSummary {
    /// The gateway's transaction id.
    pub id: String,
    #[serde(rename = "type")]
    /// The gateway's kind of transaction, e.g. `Auth`, `Capture`, `Refund`.
    pub kind: String,
    /// The gateway's status of the transaction, e.g. `Completed`.
    pub status: String,
    /// The gateway's result code (0 success).
    pub result_code: Option<i64>,
    /// The gateway's response code (1 approved; see the gateway's documentation).
    pub response_code: Option<i64>,
    /// The amount asked for, in minor units.
    pub requested_amount: Option<i64>,
    /// The amount the gateway approved, in minor units.
    pub approved_amount: Option<i64>,
    /// The card's brand, e.g. `VISA`.
    pub card_type: Option<String>,
    /// The card number as the gateway masks it (last four digits).
    pub masked_card_number: Option<String>,
    /// The issuer's authorization code, on authorizations.
    pub auth_code: Option<String>,
}

impl From<&TransactionRecord> for TransactionSummary {
    fn from(t: &TransactionRecord) -> Self {
        TransactionSummary {
            id: t.id.clone(),
            kind: t.kind.clone(),
            status: t.status.clone(),
            result_code: t.result_code,
            response_code: t.response_code,
            requested_amount: t.requested_amount,
            approved_amount: t.approved_amount,
            card_type: t.card_type.clone(),
            masked_card_number: t.masked_card.clone(),
            auth_code: t.auth_code.clone(),
        }
    }
}

/// The transaction a link's resource shows: the approved one, else the latest attempt's.
pub async fn shown_transaction(
    state: &AppState,
    link: &LinkRecord,
    transactions: &[TransactionRecord],
) -> Result<Option<TransactionSummary>, PaymentsError> {
    let wanted = match &link.authorized_transaction_id {
        Some(approved) => Some(approved.clone()),
        None => state
            .store
            .attempts_for(&link.id)
            .await?
            .into_iter()
            .next()
            .and_then(|a| a.transaction_id),
    };
    Ok(transactions
        .iter()
        .find(|t| Some(&t.id) == wanted.as_ref())
        .map(TransactionSummary::from))
}

/// A string enum of `values`, kept once in the document's schemas as `name` and referenced there,
/// so a generated client has one type for it.
pub fn named_string_enum(
    generator: &mut SchemaGenerator,
    name: &str,
    description: &str,
    values: &[&str],
) -> Schema {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        enum_values: Some(values.iter().map(|v| serde_json::json!(v)).collect()),
        ..Default::default()
    };
    schema.metadata().description = Some(description.to_string());
    generator
        .definitions_mut()
        .insert(name.to_string(), schema.into());
    Schema::new_ref(format!("{}{name}", generator.settings().definitions_path))
}

/// The schema of a refund link's `status`: `RefundLinkStatus`.
pub fn refund_link_status_schema(generator: &mut SchemaGenerator) -> Schema {
    named_string_enum(
        generator,
        "RefundLinkStatus",
        "Where a refund link stands: `completed` once it paid out.",
        &crate::model::CheckoutStatus::refund_link_statuses(),
    )
}

/// "VISA •••• 1111" from a card type and a masked number.
pub fn card_label(card_type: Option<&str>, masked: Option<&str>) -> Option<String> {
    let last4: String = masked?
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if last4.len() != 4 {
        return None;
    }
    Some(match card_type {
        Some(kind) if !kind.is_empty() && kind != "UNKNOWN" => format!("{kind} •••• {last4}"),
        _ => format!("Card •••• {last4}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_labels() {
        assert_eq!(
            card_label(Some("VISA"), Some("************1111")).as_deref(),
            Some("VISA •••• 1111")
        );
        assert_eq!(
            card_label(None, Some("4*0011")).as_deref(),
            Some("Card •••• 0011")
        );
        assert_eq!(card_label(Some("VISA"), Some("**1")), None);
        assert_eq!(card_label(Some("VISA"), None), None);
    }
}
