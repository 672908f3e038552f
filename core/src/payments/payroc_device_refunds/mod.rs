//! Payroc Cloud: refunds on a payment device (long-polled), and their reversal.

pub mod refunds;
pub mod reversal;
