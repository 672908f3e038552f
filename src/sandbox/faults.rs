//! Faults a simulated gateway can be told to inject into its next calls, shared by every simulator:
//! what can go wrong (an interrupted or slow answer, a timeout, a server error, a rate limit, a body
//! that does not parse, a lost or reordered webhook…), whether the gateway did the work before failing,
//! and for how many calls. Each simulator decides which of its operations accept which faults.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The gateway's own "Interrupted" error: the final state is unknown to the caller.
    Interrupted,
    /// No answer before the caller gives up (the answer comes `delayMs` later).
    Timeout,
    /// A proxy's 502 with an HTML body.
    ServerError,
    /// 429: too many requests. Nothing happens.
    RateLimited,
    /// 401: the credentials were refused (e.g. a key rotated mid-flight). Nothing happens.
    Unauthorized,
    /// 200 with a body that is not the gateway's JSON.
    Malformed,
    /// A hosted-form session whose `iframeUrl` is null.
    NullIframe,
    /// The answer (or, for a card submitted in a hosted form, the processing) takes `delayMs`.
    Slow,
    /// A webhook is never sent.
    Drop,
    /// A webhook is sent twice (same event id).
    Duplicate,
    /// A webhook is sent `delayMs` late.
    Delay,
    /// A webhook is held back and sent after the next one.
    Reorder,
}

impl FaultKind {
    /// How long the fault lasts when the request does not say.
    pub fn default_delay(self) -> Duration {
        match self {
            FaultKind::Timeout => Duration::from_secs(40),
            FaultKind::Slow | FaultKind::Delay => Duration::from_secs(2),
            _ => Duration::ZERO,
        }
    }
}

/// One queued fault: the next `remaining` calls of `operation` fail with `fault`, after doing the work
/// (`applied`) or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault<Operation> {
    pub operation: Operation,
    pub fault: FaultKind,
    pub applied: bool,
    pub remaining: u32,
    pub delay_ms: u64,
}

impl<Operation> Fault<Operation> {
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }
}

/// Faults waiting for their calls, first queued first used.
#[derive(Debug)]
pub struct FaultQueue<Operation> {
    queued: Vec<Fault<Operation>>,
}

impl<Operation> Default for FaultQueue<Operation> {
    fn default() -> Self {
        FaultQueue { queued: Vec::new() }
    }
}

impl<Operation: Copy + PartialEq> FaultQueue<Operation> {
    pub fn push(&mut self, fault: Fault<Operation>) {
        if fault.remaining > 0 {
            self.queued.push(fault);
        }
    }

    /// The first fault queued for `operation`, used once (it stays queued while calls remain).
    pub fn take(&mut self, operation: Operation) -> Option<Fault<Operation>>
    where
        Operation: Clone,
    {
        let index = self.queued.iter().position(|f| f.operation == operation)?;
        let fault = &mut self.queued[index];
        fault.remaining -= 1;
        let used = Fault {
            remaining: 1,
            ..fault.clone()
        };
        if fault.remaining == 0 {
            self.queued.remove(index);
        }
        Some(used)
    }

    pub fn queued(&self) -> &[Fault<Operation>] {
        &self.queued
    }

    /// Forgets every queued fault; returns how many there were.
    pub fn clear(&mut self) -> usize {
        std::mem::take(&mut self.queued).len()
    }
}

/// Body of a simulator's `POST /sandbox/faults`: `{"operation", "fault"?, "applied"?, "count"?,
/// "delayMs"?}`. Without `fault` it is `interrupted`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultRequest<Operation> {
    pub operation: Operation,
    #[serde(default)]
    pub fault: Option<FaultKind>,
    /// `true`: the gateway does the work, then fails; `false`: it fails without doing it.
    #[serde(default)]
    pub applied: bool,
    /// How many calls it hits (default 1).
    #[serde(default)]
    pub count: Option<u32>,
    /// For `timeout`, `slow` and `delay`: how long, in milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

impl<Operation> FaultRequest<Operation> {
    /// The fault it asks for (`interrupted` by default).
    pub fn kind(&self) -> FaultKind {
        self.fault.unwrap_or(FaultKind::Interrupted)
    }

    /// The fault to queue: at least one call and at most 10 000, the kind's delay by default.
    pub fn into_fault(self) -> Fault<Operation> {
        let kind = self.kind();
        Fault {
            operation: self.operation,
            fault: kind,
            applied: self.applied,
            remaining: self.count.unwrap_or(1).clamp(1, 10_000),
            delay_ms: self
                .delay_ms
                .unwrap_or(kind.default_delay().as_millis() as u64),
        }
    }
}

/// A gateway finishes what it started whether or not its caller is still there: a caller that gave
/// up (its timeout) or hung up does not cancel the work behind the request, which is exactly what
/// makes an unanswered call's outcome unknown. Every simulator runs each request to completion in a
/// task of its own, however early the connection closes.
pub async fn run_to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A proxy's answer when the gateway behind it failed: 502 with an HTML page.
pub fn bad_gateway() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    )
        .into_response()
}

/// A 200 whose body is cut off: not JSON anyone can read.
pub fn malformed() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"id\":\"trx_",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(operation: char, remaining: u32) -> Fault<char> {
        Fault {
            operation,
            fault: FaultKind::Interrupted,
            applied: false,
            remaining,
            delay_ms: 0,
        }
    }

    #[test]
    fn faults_are_used_in_order_per_operation_for_their_count() {
        let mut queue = FaultQueue::default();
        queue.push(fault('a', 2));
        queue.push(fault('b', 1));
        queue.push(Fault {
            applied: true,
            ..fault('a', 1)
        });
        assert_eq!(queue.take('a').map(|f| f.applied), Some(false));
        assert_eq!(queue.take('a').map(|f| f.applied), Some(false));
        assert_eq!(queue.take('a').map(|f| f.applied), Some(true));
        assert_eq!(queue.take('a'), None);
        assert_eq!(queue.queued().len(), 1);
        assert_eq!(queue.clear(), 1);
        assert_eq!(queue.take('b'), None);
        queue.push(fault('c', 0));
        assert!(
            queue.queued().is_empty(),
            "a fault for no call is not queued"
        );
    }

    #[test]
    fn kinds_have_the_documented_spelling() {
        let kinds: Vec<FaultKind> = serde_json::from_str(
            r#"["interrupted","server-error","rate-limited","null-iframe","reorder","unauthorized"]"#,
        )
        .unwrap();
        assert_eq!(kinds[1], FaultKind::ServerError);
        assert_eq!(kinds[5], FaultKind::Unauthorized);
        assert_eq!(FaultKind::Timeout.default_delay(), Duration::from_secs(40));
    }
}
