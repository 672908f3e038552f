//! What the console's handlers share: the application, and how its cookies and POSTs are checked.

use std::sync::Arc;

use paydesk_core::AppState;

use super::login_guard::LoginGuard;
use crate::rate_limits::RateLimits;

/// What the console handlers share.
#[derive(Clone)]
pub struct ConsoleState {
    pub app: AppState,
    /// `Secure` cookies when paydesk is served over https.
    pub secure_cookie: bool,
    /// The only Origin a console POST may come from.
    pub public_origin: String,
    /// Sign-in attempts per client address.
    pub limits: RateLimits,
    /// Account lock-outs and the bound on password hashing.
    pub login_guard: Arc<LoginGuard>,
    /// When an unused session ends (`PAYDESK_CONSOLE_IDLE_SECS`).
    pub session_idle: paydesk_core::store::SessionIdle,
}
