//! Webhooks in: stored in the inbox (group commit, workers), then applied to what they name.

pub mod apply_event;
pub mod inbox;
pub mod webhooks;
