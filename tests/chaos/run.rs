//! One run, in phases. First: the flows run concurrently while faults are injected and paydesk is
//! killed and restarted at planned flow numbers. Second: once nothing is in flight and every approval
//! is kept or voided, the gateway's batch closes and closed-account payments are refunded to new
//! cards (faults and a kill again). Last: faults cleared, the oracle waits for the reconciler to
//! settle everything and lists what disagrees.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::cluster::Cluster;
use crate::database::SharedDatabase;
use crate::faults;
use crate::flows::{self, Ctx, FlowKind};
use crate::options::Options;
use crate::oracle;
use crate::receiver::Receiver;

/// How long the oracle waits for everything to settle.
const SETTLE_WITHIN: Duration = Duration::from_secs(300);

pub struct Summary {
    pub seed: u64,
    pub instances: usize,
    pub flows: usize,
    pub faults: usize,
    pub restarts: usize,
    pub discrepancies: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "instances {}, flows {}, faults {}, restarts {}, discrepancies {} (seed {})",
            self.instances, self.flows, self.faults, self.restarts, self.discrepancies, self.seed
        )
    }
}

/// Flow numbers at which paydesk is killed: spread over the run, each moved a little at random.
fn kill_points(flows: usize, kills: usize, rng: &mut StdRng) -> BTreeSet<usize> {
    let step = flows / (kills + 1);
    (1..=kills)
        .map(|k| (k * step + rng.gen_range(0..step.max(1) / 2 + 1)).min(flows - 1))
        .collect()
}

/// Flows that wait out a session or a link's life run beside the others, not in their slots.
fn is_long(kind: FlowKind) -> bool {
    matches!(
        kind,
        FlowKind::ExpiringCheckout | FlowKind::ExpiringRefundLink | FlowKind::LateTab
    )
}

pub async fn run(options: Options) -> Result<Summary, String> {
    let seed = options.seed;
    let database = match options.instances {
        1 => None,
        _ => Some(SharedDatabase::create(seed).await?),
    };
    println!(
        "chaos: seed {seed} (replay with CHAOS_SEED={seed}), {} flows, {} restarts, {} on {}",
        options.flows,
        options.restarts,
        match options.instances {
            1 => "one paydesk instance".to_string(),
            n => format!("{n} paydesk instances behind a balancer"),
        },
        if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("paydesk-chaos-")
        .tempdir()
        .map_err(|e| format!("no temporary directory: {e}"))?;
    let receiver = Receiver::start(13).await?;
    let mut cluster = Cluster::start(
        dir.path().to_path_buf(),
        &receiver.url,
        options.instances,
        database.as_ref().map(|d| d.url.clone()),
    )
    .await?;
    let ctx = Arc::new(Ctx::new(&cluster, seed));
    let mut rng = StdRng::seed_from_u64(seed);
    let mut restarts = 0;
    let mut problems = Vec::new();

    // Phase one: the flows, faults and kills.
    let (stop_faults, faults_stopped) = watch::channel(false);
    let injector = tokio::spawn(faults::inject_until(
        ctx.gateway.clone(),
        StdRng::seed_from_u64(rng.gen()),
        faults_stopped,
    ));
    let plan = flows::plan(options.flows, &mut rng);
    let first_phase_kills = options
        .restarts
        .saturating_sub(1)
        .max(options.restarts.min(1));
    let kills = kill_points(plan.len(), first_phase_kills, &mut rng);
    let slots = Arc::new(Semaphore::new(options.concurrency));
    let mut running = JoinSet::new();
    for (n, kind) in plan.iter().copied().enumerate() {
        let slot = if is_long(kind) {
            None
        } else {
            slots.clone().acquire_owned().await.ok()
        };
        if kills.contains(&n) {
            let down = Duration::from_millis(rng.gen_range(100..1_500));
            let which = rng.gen_range(0..cluster.instance_count());
            cluster.kill_and_restart_paydesk(which, down).await?;
            restarts += 1;
        }
        let flow_rng = StdRng::seed_from_u64(rng.gen());
        let ctx = ctx.clone();
        running.spawn(async move {
            let result = flows::run(ctx, n, kind, flow_rng).await;
            drop(slot);
            (n, kind, result)
        });
    }
    while let Some(done) = running.join_next().await {
        match done {
            Ok((n, kind, Err(error))) => problems.push(format!("flow {n} ({kind:?}): {error}")),
            Err(error) => problems.push(format!("a flow panicked: {error}")),
            Ok(_) => {}
        }
    }
    let _ = stop_faults.send(true);
    let injected = injector.await.unwrap_or_default();
    let missing: Vec<&str> = faults::KINDS
        .iter()
        .filter(|kind| !injected.kinds.contains(**kind))
        .copied()
        .collect();
    if !missing.is_empty() {
        problems.push(format!("fault kinds never injected: {missing:?}"));
    }
    let mut faults = injected.count;
    println!(
        "chaos: first phase done after {:?}: {} flows, {faults} faults, {restarts} restarts",
        started.elapsed(),
        plan.len()
    );

    // Phase two: the batch closes once nothing could be stranded by it; refunds to new cards.
    ctx.gateway.clear_faults().await?;
    ctx.terminals.clear_faults().await?;
    ctx.hub.clear_faults().await?;
    let quiet_by = Instant::now() + SETTLE_WITHIN;
    loop {
        let evidence = oracle::gather(&ctx, &receiver).await?;
        if oracle::approvals_settled(&evidence) || Instant::now() > quiet_by {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    ctx.gateway.close_batch().await?;
    let closed: Vec<String> = ctx
        .created
        .lock()
        .map(|c| c.closed_card.clone())
        .unwrap_or_default();
    let mut second = JoinSet::new();
    for id in closed.iter().cloned() {
        second.spawn(flows::refund_to_new_card(
            ctx.clone(),
            id,
            StdRng::seed_from_u64(rng.gen()),
        ));
        let busy = ctx.gateway.faulty_operations().await.unwrap_or_default();
        let kinds = ["interrupted", "timeout", "drop", "slow", "server-error"];
        if let Some(fault) = faults::one_of(&kinds, &busy, &mut rng) {
            if ctx.gateway.queue_fault(&fault).await.is_ok() {
                faults += 1;
            }
        }
    }
    if restarts < options.restarts {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(200..2_000))).await;
        let which = rng.gen_range(0..cluster.instance_count());
        cluster
            .kill_and_restart_paydesk(which, Duration::from_millis(500))
            .await?;
        restarts += 1;
    }
    while let Some(done) = second.join_next().await {
        match done {
            Ok(Err(error)) => problems.push(format!("refund to a new card: {error}")),
            Err(error) => problems.push(format!("a flow panicked: {error}")),
            Ok(Ok(())) => {}
        }
    }
    ctx.gateway.clear_faults().await?;
    ctx.terminals.clear_faults().await?;
    ctx.hub.clear_faults().await?;
    let flows = plan.len() + closed.len();

    // The oracle: wait for the reconciler, then everything must agree.
    let settle_by = Instant::now() + SETTLE_WITHIN;
    let mut found = loop {
        let evidence = oracle::gather(&ctx, &receiver).await?;
        let mut found = oracle::discrepancies(&evidence);
        if found.is_empty() {
            found = oracle::reconcile_report(&cluster)?;
        }
        if found.is_empty() || Instant::now() > settle_by {
            println!("chaos: {}", oracle::tally(&evidence));
            break found;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    if receiver.refused_signatures() > 0 {
        found.push(format!(
            "{} merchant events had a bad signature",
            receiver.refused_signatures()
        ));
    }
    found.extend(problems);
    for line in &found {
        println!("chaos: DISCREPANCY {line}");
    }
    if !found.is_empty() {
        println!("{}", cluster.log_tails());
    }
    println!("chaos: finished in {:?}", started.elapsed());
    if !found.is_empty() || options.keep {
        let kept: PathBuf = dir.keep();
        println!(
            "chaos: the run's databases and logs are kept in {}",
            kept.display()
        );
    }
    drop(cluster);
    if let Some(database) = database {
        if found.is_empty() && !options.keep {
            database.drop_now().await;
        } else {
            println!("chaos: the shared database is kept: {}", database.url);
        }
    }
    Ok(Summary {
        seed,
        instances: options.instances,
        flows,
        faults,
        restarts,
        discrepancies: found.len(),
    })
}
