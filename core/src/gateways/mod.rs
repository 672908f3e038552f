//! The payment gateways paydesk talks to (Omni's hosted forms, Payroc Cloud's devices), one folder each, and the few words they all share: what a
//! transaction's outcome is, and whether a failed call may have had an effect.

mod outcome;

pub mod commercehub;
pub mod omni;
pub mod payroc;

pub use outcome::{Effect, Outcome};
