//! Faults a test build injects into paydesk itself, for the chaos suite: a clock offset for this
//! process (`PAYDESK_TEST_CLOCK_OFFSET_MS`), and crash points between "the gateway answered" and
//! "paydesk wrote it" (`PAYDESK_TEST_CRASH_AT=<point>[:<nth>]`: the process aborts, as a `kill -9`
//! would, the nth time it reaches that point). Only builds with the `fault-injection` feature read
//! them — `cargo test` builds, through the paydesk package's dev-dependency; a release build ignores
//! both variables and every crash point is a no-op.

/// The places a crash can be asked for.
pub mod points {
    /// Omni answered a capture, void or refund; the answer is not applied yet.
    pub const OPERATION_ANSWERED: &str = "operation.answered";
    /// Commerce Hub answered a refund request; the answer is not recorded yet.
    pub const COMMERCEHUB_ANSWERED: &str = "commercehub.answered";
    /// Payroc answered a refund instruction; the answer is not saved yet.
    pub const PAYROC_ANSWERED: &str = "payroc.answered";
    /// Omni opened a hosted-form session; its URL is not stored yet.
    pub const SESSION_OPENED: &str = "session.opened";
    /// Every point, for the chaos suite to choose from.
    pub const ALL: [&str; 4] = [
        OPERATION_ANSWERED,
        COMMERCEHUB_ANSWERED,
        PAYROC_ANSWERED,
        SESSION_OPENED,
    ];
}

#[cfg(feature = "fault-injection")]
mod enabled {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    /// The point to crash at, and on which of its hits.
    static CRASH_AT: OnceLock<(String, u64)> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);

    /// Reads the process's environment (once, at startup). Returns what it set, to be logged.
    pub fn configure_from_env() -> Vec<String> {
        let mut set = Vec::new();
        if let Some(offset) = std::env::var("PAYDESK_TEST_CLOCK_OFFSET_MS")
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            crate::clock::set_clock_offset_ms(offset);
            set.push(format!("clock offset {offset} ms"));
        }
        if let Ok(spec) = std::env::var("PAYDESK_TEST_CRASH_AT") {
            let (point, nth) = match spec.split_once(':') {
                Some((point, nth)) => (point.trim(), nth.trim().parse().unwrap_or(1)),
                None => (spec.trim(), 1),
            };
            if super::points::ALL.contains(&point) {
                let _ = CRASH_AT.set((point.to_string(), nth.max(1)));
                set.push(format!("crash at {point} (hit {nth})"));
            }
        }
        set
    }

    pub fn crash_point(name: &str) {
        let Some((point, nth)) = CRASH_AT.get() else {
            return;
        };
        if point == name && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *nth {
            tracing::error!(point = name, "test build: crashing here, as asked");
            std::process::abort();
        }
    }
}

/// Applies the test faults the environment asks for (test builds only); what was set, to be logged.
pub fn configure_from_env() -> Vec<String> {
    #[cfg(feature = "fault-injection")]
    {
        enabled::configure_from_env()
    }
    #[cfg(not(feature = "fault-injection"))]
    {
        Vec::new()
    }
}

/// A crash point: in a test build asked to crash here, the process aborts; otherwise nothing.
pub fn crash_point(name: &str) {
    #[cfg(feature = "fault-injection")]
    enabled::crash_point(name);
    #[cfg(not(feature = "fault-injection"))]
    let _ = name;
}
