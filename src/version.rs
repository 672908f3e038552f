//! Which paydesk this is: its version and the commit it was built from.

/// The release (Cargo's package version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit it was built from (`unknown` outside a git checkout).
pub const COMMIT: &str = env!("BUILD_GIT_COMMIT");

/// `0.1.0 (commit 1a2b3c4d5e6f)`: what `--version` prints after the program's name.
pub const VERSION_AND_COMMIT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BUILD_GIT_COMMIT"),
    ")"
);

/// `paydesk 0.1.0 (commit 1a2b3c4d5e6f)`.
pub fn describe() -> String {
    format!("paydesk {VERSION_AND_COMMIT}")
}
