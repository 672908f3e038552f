//! What the console's handlers share: the application, and how its cookies and POSTs are checked.

use app::server::AppState;

/// What the console handlers share.
#[derive(Clone)]
pub struct ConsoleState {
    pub app: AppState,
    /// `Secure` cookies when paydesk is served over https.
    pub secure_cookie: bool,
    /// The only Origin a console POST may come from.
    pub public_origin: String,
}
