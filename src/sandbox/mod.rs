//! The built-in sandbox: an offline simulator of each payment gateway paydesk talks to, each on its
//! own origin, so paydesk runs and is tested with no gateway account. One folder per simulated
//! gateway; what they share (ids and timestamps, fault injection) sits beside them.

pub mod clock;
pub mod commercehub;
pub mod faults;
pub mod host;
pub mod omni;
pub mod outage;
pub mod payroc;
pub mod standalone;
pub mod storage;
pub mod variants;

/// The Commerce Hub simulator's API secret when its key is `api_key` (`PAYDESK_SANDBOX_API_KEY`):
/// derived, so `paydesk reconcile` and the controls reach the simulator of a running sandbox
/// knowing only that one key.
pub fn commercehub_secret_for(api_key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!(
        "paydesk-commercehub-secret:{api_key}"
    )))
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox's address: {0}")]
    Listen(#[from] std::io::Error),
    #[error("the sandbox's database: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("the sandbox's database holds an unreadable {kind} record {key}: {source}")]
    Unreadable {
        kind: &'static str,
        key: String,
        source: serde_json::Error,
    },
}
