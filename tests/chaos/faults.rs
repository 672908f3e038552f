//! Random gateway faults, queued on the sandbox while the flows run: every kind once first (so each
//! run has them all), then a random one at a random pace. Each hits whichever call comes next.

use std::collections::BTreeSet;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::controls::Controls;
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

/// The refund gateways' faults (Commerce Hub, Payroc) and the simulators' outages: each a chain of
/// faults queued together, so the refusal meets a *resend* — the call after an answer was lost —
/// where no refusal may end a refund, or an outage where every gateway's calls are refused.
/// Each is taken by a flow at least once (counted once its simulator has used it), then any, at
/// random.
pub const REFUND_GATEWAY_KINDS: [&str; 8] = [
    "commercehub-resend-rate-limited",
    "commercehub-resend-unauthorized",
    "commercehub-inquiry",
    "payroc-resend-unauthorized",
    "payroc-identity",
    "outage-omni",
    "outage-payroc",
    "outage-commercehub",
];

/// The simulator a kind is queued on.
fn simulator_of(kind: &str) -> &'static str {
    match kind {
        "outage-omni" => "omni",
        k if k.starts_with("payroc") || k == "outage-payroc" => "payroc",
        _ => "commercehub",
    }
}

/// A kind's chain of faults (none for an outage).
fn chain(kind: &str, rng: &mut StdRng) -> Vec<Value> {
    let applied = rng.gen_bool(0.5);
    let lost = |operation: &str| json!({ "operation": operation, "fault": "timeout", "applied": applied, "delayMs": 3000 });
    match kind {
        "commercehub-resend-rate-limited" => {
            vec![
                lost("refund"),
                json!({ "operation": "refund", "fault": "rate-limited" }),
            ]
        }
        "commercehub-resend-unauthorized" => {
            vec![
                lost("refund"),
                json!({ "operation": "refund", "fault": "unauthorized" }),
            ]
        }
        "commercehub-inquiry" => {
            let fault = if rng.gen_bool(0.5) {
                "server-error"
            } else {
                "timeout"
            };
            vec![
                lost("refund"),
                json!({ "operation": "inquiry", "fault": fault, "delayMs": 3000 }),
            ]
        }
        "payroc-resend-unauthorized" => vec![
            lost("refund-instruction"),
            json!({ "operation": "refund-instruction", "fault": "unauthorized", "count": 2 }),
        ],
        "payroc-identity" => vec![
            lost("refund-instruction"),
            json!({ "operation": "refund-instruction", "fault": "unauthorized" }),
            json!({ "operation": "authorize", "fault": "server-error" }),
        ],
        _ => Vec::new(),
    }
}

/// The refund gateways' controls, and the gateway's (for its outages).
pub struct RefundGateways {
    pub omni: Controls,
    pub payroc: Controls,
    pub commercehub: Controls,
}

impl RefundGateways {
    fn of(&self, simulator: &str) -> &Controls {
        match simulator {
            "omni" => &self.omni,
            "payroc" => &self.payroc,
            _ => &self.commercehub,
        }
    }
}

/// Queues the refund gateways' fault chains and outages until `stop`, every 2–6 s: each kind once
/// first (the next only once the simulator used the last chain), then any kind. A kind counts once
/// its simulator has used every fault of its chain (an outage: once it began).
pub async fn inject_refund_gateway_faults(
    gateways: RefundGateways,
    mut rng: StdRng,
    mut stop: watch::Receiver<bool>,
) -> Injected {
    let mut first_each: Vec<&str> = REFUND_GATEWAY_KINDS.to_vec();
    first_each.shuffle(&mut rng);
    let mut injected = Injected::default();
    // A chain queued and not used up yet: its kind and simulator.
    let mut waiting: Vec<(&str, &str)> = Vec::new();
    loop {
        let mut still = Vec::new();
        for (kind, simulator) in waiting.drain(..) {
            match gateways.of(simulator).faulty_operations().await {
                Ok(busy) if busy.is_empty() => {
                    injected.kinds.insert(kind.to_string());
                }
                _ => still.push((kind, simulator)),
            }
        }
        waiting = still;
        // Each kind once first — the first whose simulator has no chain waiting — then any.
        let is_free = |kind: &&str, waiting: &[(&str, &str)]| {
            kind.starts_with("outage") || !waiting.iter().any(|(_, s)| *s == simulator_of(kind))
        };
        let kind = if first_each.is_empty() {
            REFUND_GATEWAY_KINDS.choose(&mut rng).copied()
        } else {
            first_each.iter().find(|k| is_free(k, &waiting)).copied()
        };
        if let Some(kind) = kind.filter(|k| is_free(k, &waiting)) {
            let simulator = simulator_of(kind);
            let faults = chain(kind, &mut rng);
            let controls = gateways.of(simulator);
            {
                let queued = if faults.is_empty() {
                    controls.outage(rng.gen_range(1_000..3_000)).await
                } else {
                    let mut all = Ok(());
                    for fault in &faults {
                        all = all.and(controls.queue_fault(fault).await);
                    }
                    all
                };
                match queued {
                    Ok(()) => {
                        injected.count += faults.len().max(1);
                        if faults.is_empty() {
                            injected.kinds.insert(kind.to_string());
                        } else {
                            waiting.push((kind, simulator));
                        }
                        first_each.retain(|k| *k != kind);
                    }
                    Err(error) => eprintln!("chaos: {kind} not queued: {error}"),
                }
            }
        }
        // Each kind once, soon; then one now and then.
        let pause = if first_each.is_empty() {
            Duration::from_millis(rng.gen_range(8_000..16_000))
        } else {
            Duration::from_millis(rng.gen_range(2_000..4_000))
        };
        let stopped = tokio::select! {
            _ = tokio::time::sleep(pause) => false,
            _ = stop.wait_for(|stop| *stop) => true,
        };
        if stopped {
            // A chain used up since the last look still counts.
            for (kind, simulator) in waiting {
                let busy = gateways.of(simulator).faulty_operations().await;
                if busy.is_ok_and(|b| b.is_empty()) {
                    injected.kinds.insert(kind.to_string());
                }
            }
            return injected;
        }
    }
}
