//! Reusable pieces of the customer pages.

pub mod card_fields;
pub mod checkout;
pub mod checkout_flow;
pub mod checkout_states;
pub mod embedder;
pub mod hosted_frame;
pub mod language_switch;
pub mod order_summary;
pub mod status_panels;
pub mod wording;
