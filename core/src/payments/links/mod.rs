//! Payment and refund links: creating them, their pages' hosted-form sessions, abandonment, cancel, expiry,
//! card testing, the demo.

pub mod abandon;
pub mod card_testing;
pub mod checkout;
pub mod demo;
pub mod link_cancel;
pub mod link_expiry;
pub mod new_session;
pub mod refund_link;
pub mod session;
