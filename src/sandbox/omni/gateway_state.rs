//! What the simulated Omni gateway remembers: hosted sessions, transactions, reference ids, the
//! open settlement batch and queued faults.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use time::OffsetDateTime;

use super::fault_points::FaultPoint;
use super::wire::{FormMethod, ResponseJson, TransactionJson};
use crate::sandbox::clock::iso;
use crate::sandbox::faults::FaultQueue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Auth,
    UnreferencedRefund,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    Pending,
    Completed,
    Expired,
    Error,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub kind: SessionKind,
    pub iframe_id: String,
    pub session_id: String,
    pub amount: u64,
    pub form: FormMethod,
    pub return_url: Option<String>,
    pub use_javascript_callback: bool,
    pub expires_at: OffsetDateTime,
    pub status: SessionStatus,
    pub transaction_id: String,
}

#[derive(Clone, Debug)]
pub struct Txn {
    pub id: String,
    pub timestamp: OffsetDateTime,
    pub kind: &'static str,
    pub status: &'static str,
    pub result_code: i64,
    pub result_text: String,
    pub reference_id: String,
    pub order_number: Option<String>,
    pub invoice_number: Option<String>,
    pub requested: u64,
    pub approved: u64,
    pub form: FormMethod,
    pub response: Option<ResponseJson>,
    pub captured: u64,
    pub refunded: u64,
    pub voided: bool,
    /// The settlement batch it belongs to; only the open batch can still be voided.
    pub batch: u64,
    /// The card behind it can no longer receive money (closed account test card).
    pub refunds_declined: bool,
    /// `receipt.lines`, e.g. `VOID CAPTURE`.
    pub receipt_lines: Vec<String>,
}

impl Txn {
    pub fn is_approved(&self) -> bool {
        self.status == "Completed"
            && self.result_code == 0
            && self.response.as_ref().is_some_and(|r| r.response_code == 1)
    }

    pub fn to_json(&self) -> TransactionJson {
        TransactionJson {
            id: self.id.clone(),
            timestamp: iso(self.timestamp),
            kind: self.kind,
            status: self.status,
            result_code: self.result_code,
            result_text: self.result_text.clone(),
            reference_id: self.reference_id.clone(),
            order_number: self.order_number.clone(),
            invoice_number: self.invoice_number.clone(),
            requested_amount: self.requested,
            approved_amount: self.approved,
            payment_method: self.form.clone(),
            transaction_responses: self.response.clone().into_iter().collect(),
            receipt: json!({ "lines": self.receipt_lines }),
        }
    }

    /// The field a list filter names, as text.
    pub fn field(&self, name: &str) -> Option<String> {
        Some(match name {
            "id" => self.id.clone(),
            "referenceId" => self.reference_id.clone(),
            "orderNumber" => self.order_number.clone()?,
            "invoiceNumber" => self.invoice_number.clone()?,
            "type" => self.kind.to_string(),
            "status" => self.status.to_string(),
            "amount" => self.requested.to_string(),
            "timestamp" => iso(self.timestamp),
            _ => return None,
        })
    }
}

/// The referenced operations a fault can be injected into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Capture,
    Void,
    Refund,
}

/// The whole simulated gateway's state, behind one lock.
#[derive(Debug, Default)]
pub struct GatewayState {
    pub sessions: HashMap<String, Session>,
    pub transactions: Vec<Txn>,
    pub references: HashSet<String>,
    /// The settlement batch new transactions join; closing it starts the next one.
    pub open_batch: u64,
    pub faults: FaultQueue<FaultPoint>,
}

impl GatewayState {
    /// Closes the open batch (settlement). Returns the closed batch's number and transaction count.
    pub fn close_batch(&mut self) -> (u64, usize) {
        let closed = self.open_batch;
        let count = self
            .transactions
            .iter()
            .filter(|t| t.batch == closed && t.status == "Completed")
            .count();
        self.open_batch += 1;
        (closed, count)
    }

    pub fn transaction_mut(&mut self, id: &str) -> Option<&mut Txn> {
        self.transactions.iter_mut().find(|t| t.id == id)
    }

    pub fn find_original(
        &self,
        transaction_id: Option<&str>,
        reference_id: Option<&str>,
    ) -> Option<&Txn> {
        self.transactions
            .iter()
            .find(|t| match (transaction_id, reference_id) {
                (Some(id), _) => t.id == id,
                (None, Some(reference)) => t.reference_id == reference,
                (None, None) => false,
            })
    }
}
