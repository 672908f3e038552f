//! Why a customer page asks the server for its state (view, retry, a hint to confirm).

/// Why the page is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Opening or reloading the page, or replacing an expired session.
    View,
    /// The customer pressed "try again" after a decline or an error.
    Retry,
    /// The hosted form said it finished (a hint): find out what really happened.
    Confirm,
    /// Like `Confirm`, for whoever holds only the gateway's return URL: sees the outcome, and never
    /// has a card form opened.
    ConfirmOnly,
}
