//! What the simulated Omni gateway remembers: hosted sessions, transactions, reference ids, the
//! open settlement batch and queued faults.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use serde_json::json;
use time::OffsetDateTime;

use super::fault_points::FaultPoint;
use super::wire::{FormMethod, ResponseJson, TransactionJson};
use crate::sandbox::clock::iso;
use crate::sandbox::faults::FaultQueue;
use crate::sandbox::storage::StoredRecord;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionKind {
    Auth,
    UnreferencedRefund,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionStatus {
    Pending,
    Completed,
    Expired,
    Error,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Txn {
    pub id: String,
    pub timestamp: OffsetDateTime,
    pub kind: String,
    pub status: String,
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
            kind: self.kind.clone(),
            status: self.status.clone(),
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

/// The whole simulated gateway's state, behind one lock. Every change goes through a method that
/// also notes it, so the simulator can write what changed to its storage.
#[derive(Debug, Default)]
pub struct GatewayState {
    sessions: HashMap<String, Session>,
    transactions: Vec<Txn>,
    /// Indexes into `transactions`, by id and by reference id (unique per merchant).
    by_id: HashMap<String, usize>,
    by_reference: HashMap<String, usize>,
    /// The settlement batch new transactions join; closing it starts the next one.
    pub open_batch: u64,
    pub faults: FaultQueue<FaultPoint>,
    /// How many times each point was reached since the sandbox started (`GET /sandbox/calls`): what
    /// a merchant's usage of the real gateway would be.
    pub calls: HashMap<FaultPoint, u64>,
    changed: Changes,
}

/// What changed since the last time the storage was written.
#[derive(Debug, Default)]
struct Changes {
    transactions: BTreeSet<usize>,
    sessions: BTreeSet<String>,
    batch: bool,
}

/// Kinds of records the simulator keeps.
pub const TRANSACTION_RECORD: &str = "omni.transaction";
pub const SESSION_RECORD: &str = "omni.session";
pub const BATCH_RECORD: &str = "omni.batch";

impl GatewayState {
    /// The state kept in storage: transactions (in order), sessions and the open batch.
    pub fn restored(
        transactions: Vec<Txn>,
        sessions: Vec<(String, Session)>,
        open_batch: u64,
    ) -> GatewayState {
        let mut state = GatewayState {
            open_batch,
            ..Default::default()
        };
        for txn in transactions {
            state.index(txn);
        }
        state.sessions = sessions.into_iter().collect();
        state
    }

    fn index(&mut self, txn: Txn) -> usize {
        let at = self.transactions.len();
        self.by_id.insert(txn.id.clone(), at);
        self.by_reference.insert(txn.reference_id.clone(), at);
        self.transactions.push(txn);
        at
    }

    /// Whether a reference id is taken (they are unique per merchant).
    pub fn reference_used(&self, reference_id: &str) -> bool {
        self.by_reference.contains_key(reference_id)
    }

    pub fn push_transaction(&mut self, txn: Txn) {
        let at = self.index(txn);
        self.changed.transactions.insert(at);
    }

    pub fn transactions(&self) -> &[Txn] {
        &self.transactions
    }

    pub fn transaction(&self, id: &str) -> Option<&Txn> {
        self.by_id.get(id).map(|at| &self.transactions[*at])
    }

    pub fn transaction_by_reference(&self, reference_id: &str) -> Option<&Txn> {
        self.by_reference
            .get(reference_id)
            .map(|at| &self.transactions[*at])
    }

    pub fn transaction_mut(&mut self, id: &str) -> Option<&mut Txn> {
        let at = *self.by_id.get(id)?;
        self.changed.transactions.insert(at);
        self.transactions.get_mut(at)
    }

    pub fn insert_session(&mut self, token: String, session: Session) {
        self.changed.sessions.insert(token.clone());
        self.sessions.insert(token, session);
    }

    pub fn session_mut(&mut self, token: &str) -> Option<&mut Session> {
        let session = self.sessions.get_mut(token)?;
        self.changed.sessions.insert(token.to_string());
        Some(session)
    }

    /// Closes the open batch (settlement). Returns the closed batch's number and transaction count.
    pub fn close_batch(&mut self) -> (u64, usize) {
        let closed = self.open_batch;
        let count = self
            .transactions
            .iter()
            .filter(|t| t.batch == closed && t.status == "Completed")
            .count();
        self.open_batch += 1;
        self.changed.batch = true;
        (closed, count)
    }

    pub fn find_original(
        &self,
        transaction_id: Option<&str>,
        reference_id: Option<&str>,
    ) -> Option<&Txn> {
        match (transaction_id, reference_id) {
            (Some(id), _) => self.transaction(id),
            (None, Some(reference)) => self.transaction_by_reference(reference),
            (None, None) => None,
        }
    }

    /// Notes records again whose write failed, so the next write includes them.
    pub fn note_unsaved(&mut self, records: &[StoredRecord]) {
        for record in records {
            match record.kind {
                TRANSACTION_RECORD => {
                    if let Some(at) = self.by_id.get(&record.key) {
                        self.changed.transactions.insert(*at);
                    }
                }
                SESSION_RECORD => {
                    self.changed.sessions.insert(record.key.clone());
                }
                _ => self.changed.batch = true,
            }
        }
    }

    /// What changed since the last call, as records to store.
    pub fn take_changes(&mut self) -> Vec<StoredRecord> {
        let changes = std::mem::take(&mut self.changed);
        let mut records = Vec::new();
        for at in changes.transactions {
            if let (Some(txn), Ok(body)) = (
                self.transactions.get(at),
                serde_json::to_string(&self.transactions[at]),
            ) {
                records.push(StoredRecord {
                    kind: TRANSACTION_RECORD,
                    key: txn.id.clone(),
                    seq: at as i64,
                    body,
                });
            }
        }
        for token in changes.sessions {
            if let Some(Ok(body)) = self.sessions.get(&token).map(serde_json::to_string) {
                records.push(StoredRecord {
                    kind: SESSION_RECORD,
                    key: token,
                    seq: 0,
                    body,
                });
            }
        }
        if changes.batch {
            records.push(StoredRecord {
                kind: BATCH_RECORD,
                key: "open".into(),
                seq: 0,
                body: self.open_batch.to_string(),
            });
        }
        records
    }
}
