//! Pure rules, no I/O: the ledger (the one reservation), statuses, transactions, schedules,
//! messages, validation, the limits on unbound payouts.

pub mod ledger;
pub mod messages;
pub mod metadata;
pub mod payout_limits;
pub mod schedule;
pub mod status;
pub mod transactions;
pub mod validate;
