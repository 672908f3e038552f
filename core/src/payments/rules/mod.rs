//! Pure rules, no I/O: the ledger (the one reservation), statuses, transactions, schedules,
//! messages, validation.

pub mod ledger;
pub mod messages;
pub mod schedule;
pub mod status;
pub mod transactions;
pub mod validate;
