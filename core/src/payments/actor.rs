//! Who asked for a change — a staff member, an API token, the command line, the sandbox's demo or
//! the customer —
//! and the audit entry that records it, written in the same transaction as the change itself.

use crate::store::{now_ms, AuditRecord};

/// Who asked: `ops@example.com`, `token:tok_…`, `cli`, `demo`, `customer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    /// A staff member signed in to the console.
    pub fn staff(email: &str) -> Actor {
        Actor(email.to_string())
    }

    /// A merchant API token (by id: never the token itself).
    pub fn token(token_id: &str) -> Actor {
        Actor(format!("token:{token_id}"))
    }

    /// The customer on a payment or refund page (what they did there, e.g. leave it).
    pub fn customer() -> Actor {
        Actor("customer".into())
    }

    /// The sandbox's demo buttons and example storefront.
    pub fn demo() -> Actor {
        Actor("demo".into())
    }

    /// Whoever a stored record names (`requested_by`): it acts again as itself.
    pub(in crate::payments) fn recorded(actor: &str) -> Actor {
        Actor(actor.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The audit entry for `action` on `subject` by this actor.
    pub fn audit(&self, action: &str, subject: &str, detail: serde_json::Value) -> AuditRecord {
        AuditRecord {
            id: format!("aud_{}", ulid::Ulid::new()),
            at: now_ms(),
            actor: self.0.clone(),
            action: action.to_string(),
            subject: Some(subject.to_string()),
            detail: Some(detail.to_string()),
        }
    }
}
