//! Steps the flows share: capture, void and refund; what the gateway says, applied; where a
//! payment's money stands; stray voids; the limits every unbound payout passes.

pub mod apply;
pub mod operate;
pub mod position;
pub mod stray_voids;
pub mod unbound_payouts;
