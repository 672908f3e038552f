//! Fiserv Commerce Hub: tagged and unmatched tagged refunds. Its HMAC authentication, exact decimal
//! amounts, wire format (both error envelope shapes), and what a refund answer means in the shared
//! vocabulary (`interpret`).

pub mod amount;
pub mod error;
pub mod interpret;
pub mod signature;
pub mod wire;

pub use error::CommerceHubError;
