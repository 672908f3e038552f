//! When the background reconciler next looks at an unsettled attempt or operation: soon after
//! something happened, then less and less often (so one stuck row never crowds out the others), and —
//! for a hosted-form session — once more when its expiry can be proven unused. Pure.

/// A session is only *replaced* (a new one opened for the same link) once it is this far past the
/// gateway's expiry (clock skew), so two sessions of one link are never usable at the same time.
pub const EXPIRY_GRACE_MS: i64 = 3_000;
/// A session counts as possibly used until this long past its expiry: a card submitted at the last
/// second has finished processing by then. Only a lookup after it that finds the session unused
/// proves it unused — and only that releases what the link holds or lets it expire.
pub const RELEASE_GRACE_MS: i64 = 30_000;
/// An attempt still `creating` this long after it was written belongs to a call that died: nobody
/// has its form's URL, so it can be retired.
pub const CREATING_TIMEOUT_MS: i64 = 2 * 60 * 1000;
/// A `pending` operation older than this belongs to a call that died with its process.
pub const STALE_PENDING_MS: i64 = 2 * 60 * 1000;
/// A background job's claim on a due row: no instance picks it again for this long unless the job
/// writes the row's next time first (it always does when it finishes; a crash leaves the claim).
pub const CLAIM_MS: i64 = 60_000;
/// A device refund's claim covers its longest step (a long poll of the device).
pub const DEVICE_REFUND_CLAIM_MS: i64 = 5 * 60_000;
/// A `lost` operation (the gateway had no record of it long after it was sent) is looked up again
/// for this long after it was written, its money held meanwhile: a gateway's records can lag.
pub const LOST_LOOKUPS_FOR_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest wait between two lookups of a `lost` operation.
const MAX_LOST_INTERVAL_MS: i64 = 60 * 60 * 1000;
/// The longest wait between two lookups of one unsettled row.
const MAX_INTERVAL_MS: i64 = 5 * 60 * 1000;
/// The longest wait between two tries of an automatic void.
const MAX_VOID_RETRY_MS: i64 = 60 * 60 * 1000;

/// `first` doubled `checks` times, at most `cap`.
fn backoff(first: i64, checks: i64, cap: i64) -> i64 {
    first.saturating_mul(1_i64 << checks.clamp(0, 30)).min(cap)
}

/// When a session's expiry can be proven: its expiry plus [`RELEASE_GRACE_MS`].
pub fn proof_time(expires_at: Option<i64>) -> Option<i64> {
    expires_at.map(|at| at + RELEASE_GRACE_MS)
}

/// An open session: looked at a minute after it opened and less often after, and at its proof time.
pub fn open_session_check(now: i64, expires_at: Option<i64>, checks: i64) -> i64 {
    let regular = now + backoff(60_000, checks, MAX_INTERVAL_MS);
    match proof_time(expires_at) {
        Some(proof) if proof > now => regular.min(proof),
        _ => regular,
    }
}

/// A submitted attempt, or one whose outcome the gateway could not tell: the answer should be close.
pub fn submitted_check(now: i64, checks: i64) -> i64 {
    now + backoff(5_000, checks, MAX_INTERVAL_MS)
}

/// An attempt written before its session was asked for.
pub fn creating_check(now: i64) -> i64 {
    now + CREATING_TIMEOUT_MS
}

/// An operation whose outcome is unknown.
pub fn unknown_operation_check(now: i64, checks: i64) -> i64 {
    now + backoff(2_000, checks, MAX_INTERVAL_MS)
}

/// A `lost` operation after `checks` lookups that still found nothing: a minute, doubling, at
/// most an hour.
pub fn lost_operation_check(now: i64, checks: i64) -> i64 {
    now + backoff(60_000, checks, MAX_LOST_INTERVAL_MS)
}

/// An operation in flight: looked at only if its call never returns.
pub fn pending_operation_check(now: i64) -> i64 {
    now + STALE_PENDING_MS
}

/// The next try of an automatic void after `tries` that did not happen.
pub fn void_retry(now: i64, tries: i64) -> i64 {
    now + backoff(30_000, tries, MAX_VOID_RETRY_MS)
}

/// When a row whose lookup failed is looked at again.
pub fn after_failed_lookup(now: i64, checks: i64) -> i64 {
    now + backoff(5_000, checks, MAX_INTERVAL_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_back_off_and_are_capped() {
        assert_eq!(submitted_check(0, 0), 5_000);
        assert_eq!(submitted_check(0, 3), 40_000);
        assert_eq!(submitted_check(0, 50), MAX_INTERVAL_MS);
        assert_eq!(void_retry(0, 0), 30_000);
        assert_eq!(void_retry(0, 40), MAX_VOID_RETRY_MS);
    }

    #[test]
    fn an_open_session_is_looked_at_when_its_expiry_can_be_proven() {
        let expires = 100_000;
        // Well before: the regular look comes first.
        assert_eq!(open_session_check(0, Some(expires), 0), 60_000);
        // Close to expiry: the proof time comes first.
        assert_eq!(
            open_session_check(90_000, Some(expires), 0),
            expires + RELEASE_GRACE_MS
        );
        // Past the proof time (lookups failed): keep looking, with backoff.
        assert_eq!(
            open_session_check(200_000, Some(expires), 1),
            200_000 + 120_000
        );
    }
}
