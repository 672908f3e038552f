//! Random gateway faults, queued on the sandbox while the flows run: every kind once first (so each
//! run has them all), then a random one at a random pace. Each hits whichever call comes next.

use std::collections::BTreeSet;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::gateway::Gateway;

const API_FAULTS: &[&str] = &[
    "interrupted",
    "timeout",
    "server-error",
    "rate-limited",
    "malformed",
    "slow",
];
const SESSION_FAULTS: &[&str] = &[
    "interrupted",
    "timeout",
    "server-error",
    "rate-limited",
    "malformed",
    "null-iframe",
    "slow",
];

/// Where the sandbox takes which faults.
const POINTS: &[(&str, &[&str])] = &[
    ("virtual-auth", SESSION_FAULTS),
    ("unreferenced-virtual-refund", SESSION_FAULTS),
    ("transactions", API_FAULTS),
    ("capture", API_FAULTS),
    ("void", API_FAULTS),
    ("refund", API_FAULTS),
    ("submit", &["slow", "interrupted", "server-error"]),
    ("webhook", &["drop", "duplicate", "delay", "reorder"]),
];

/// Every fault kind the sandbox knows.
pub const KINDS: [&str; 11] = [
    "interrupted",
    "timeout",
    "server-error",
    "rate-limited",
    "malformed",
    "null-iframe",
    "slow",
    "drop",
    "duplicate",
    "delay",
    "reorder",
];

/// A random fault of `kind` at a point that takes it and has none waiting (`busy`): a point that is
/// rarely called would otherwise pile faults up and fail every call for a long while.
fn fault_of(kind: &str, busy: &[String], rng: &mut StdRng) -> Option<Value> {
    let points: Vec<&str> = POINTS
        .iter()
        .filter(|(point, kinds)| kinds.contains(&kind) && !busy.iter().any(|b| b == point))
        .map(|(point, _)| *point)
        .collect();
    let point = points.choose(rng).copied()?;
    let delay_ms: u64 = match (point, kind) {
        // Longer than paydesk's gateway timeout (2 s): the answer comes too late.
        (_, "timeout") => 3_000,
        ("submit", "slow") => rng.gen_range(1_000..5_000),
        // Mostly within the timeout, sometimes beyond it.
        (_, "slow") => rng.gen_range(200..2_600),
        (_, "delay") => rng.gen_range(500..5_000),
        _ => 0,
    };
    Some(json!({
        "operation": point,
        "fault": kind,
        "applied": kind != "rate-limited" && rng.gen_bool(0.5),
        "count": if rng.gen_bool(0.8) { 1 } else { 2 },
        "delayMs": delay_ms,
    }))
}

/// What was injected.
#[derive(Default)]
pub struct Injected {
    pub count: usize,
    /// The kinds the sandbox took at least once.
    pub kinds: BTreeSet<String>,
}

/// Queues faults until `stop`, at random every 0.3–1.2 s: each kind once first (shuffled; a kind
/// that cannot be placed yet waits while the others go), then any kind.
pub async fn inject_until(
    gateway: Gateway,
    mut rng: StdRng,
    mut stop: watch::Receiver<bool>,
) -> Injected {
    let mut first_each: Vec<&str> = KINDS.to_vec();
    first_each.shuffle(&mut rng);
    let mut injected = Injected::default();
    loop {
        let busy = gateway.faulty_operations().await.unwrap_or_default();
        // Each kind once first: the first of them that has a free point now (a kind whose points all
        // have faults waiting never holds the others back), else any kind.
        let first = first_each
            .iter()
            .enumerate()
            .find_map(|(at, kind)| fault_of(kind, &busy, &mut rng).map(|fault| (at, fault)));
        let fault = match first {
            Some((at, fault)) => {
                first_each.remove(at);
                Some(fault)
            }
            None => {
                let mut kinds = KINDS.to_vec();
                kinds.shuffle(&mut rng);
                kinds
                    .iter()
                    .find_map(|kind| fault_of(kind, &busy, &mut rng))
            }
        };
        if let Some(fault) = fault {
            match gateway.queue_fault(&fault).await {
                Ok(()) => {
                    injected.count += 1;
                    injected
                        .kinds
                        .insert(fault["fault"].as_str().unwrap_or_default().to_string());
                }
                Err(error) => eprintln!("chaos: fault {fault} not queued: {error}"),
            }
        }
        let pause = Duration::from_millis(rng.gen_range(300..1_200));
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.wait_for(|stop| *stop) => return injected,
        }
    }
}

/// One random fault of one of `kinds`, where none is waiting (for a phase only some make sense in).
pub fn one_of(kinds: &[&str], busy: &[String], rng: &mut StdRng) -> Option<Value> {
    let mut kinds = kinds.to_vec();
    kinds.shuffle(rng);
    kinds.iter().find_map(|kind| fault_of(kind, busy, rng))
}
