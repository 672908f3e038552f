//! Customer links: what a link does (pay or refund) and which link a page is about.

use serde::{Deserialize, Serialize};

spelled! {
    /// What a customer link does: take a payment (a checkout) or pay a refund out (a refund link).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LinkKind {
        Payment = "payment",
        Refund = "refund",
    }
}

impl LinkKind {
    /// The customer page's path, e.g. `/pay/chk_…` or `/refund/rfl_…`.
    pub fn page_path(self, id: &str) -> String {
        match self {
            LinkKind::Payment => format!("/pay/{id}"),
            LinkKind::Refund => format!("/refund/{id}"),
        }
    }
}

/// Which link a page is about. `sig` is the refund link's signature (empty for checkouts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRef {
    pub kind: LinkKind,
    pub id: String,
    pub sig: String,
}

impl LinkRef {
    pub fn payment(id: impl Into<String>) -> Self {
        LinkRef {
            kind: LinkKind::Payment,
            id: id.into(),
            sig: String::new(),
        }
    }

    pub fn refund(id: impl Into<String>, sig: impl Into<String>) -> Self {
        LinkRef {
            kind: LinkKind::Refund,
            id: id.into(),
            sig: sig.into(),
        }
    }

    /// The customer page's URL path, with the signature when there is one.
    pub fn page_url(&self) -> String {
        let path = self.kind.page_path(&self.id);
        if self.sig.is_empty() {
            path
        } else {
            format!("{path}?sig={}", self.sig)
        }
    }

    /// The return page's URL path (where the hosted form sends the customer).
    pub fn return_url(&self) -> String {
        let path = format!("{}/return", self.kind.page_path(&self.id));
        if self.sig.is_empty() {
            path
        } else {
            format!("{path}?sig={}", self.sig)
        }
    }
}
