//! Fiserv Commerce Hub: tagged and unmatched tagged refunds. Its HMAC authentication, exact decimal
//! amounts, wire format (both error envelope shapes), and what a refund answer means in the shared
//! vocabulary (`interpret`).

pub mod amount;
pub mod client;
pub mod error;
pub mod interpret;
pub mod signature;
pub mod wire;

pub use client::{new_client_request_id, CommerceHubAccount, CommerceHubClient, REPLAY_WINDOW};
pub use error::CommerceHubError;
