//! What staff read: the dashboard, and the reconciliation of paydesk against each gateway.

pub mod dashboard;
pub mod discrepancy;
pub mod reconciliation;
pub mod reconciliation_commercehub;
pub mod reconciliation_payroc;
