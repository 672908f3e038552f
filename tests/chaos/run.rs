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
/// From this many flows, every fault kind must have been injected.
const FLOWS_FOR_EVERY_KIND: usize = 100;
/// Refunds of closed-card charges left waiting for the customer's new card, made before the flows.
const WAITING_CROWD: usize = 205;
/// How long one instance is paused (SIGSTOP): past its leases, which another instance takes over.
const PAUSE: Duration = Duration::from_secs(20);

/// What the run did to paydesk besides the gateways' faults.
#[derive(Default)]
struct Disruptions {
    /// The points instances were restarted to crash at.
    crash_points: Vec<&'static str>,
    /// Instances that crashed there (and were started again).
    revived: usize,
    paused: bool,
    database_outage: bool,
}

impl fmt::Display for Disruptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "crash points {:?} ({} reached), an instance paused {:?}: {}, the database unreachable for 3 s: {}",
            self.crash_points,
            self.revived,
            PAUSE,
            if self.paused { "yes" } else { "no" },
            if self.database_outage { "yes" } else { "no (SQLite)" }
        )
    }
}

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
        FlowKind::ExpiringCheckout
            | FlowKind::ExpiringRefundLink
            | FlowKind::LateTab
            | FlowKind::LateRefundTab
    )
}

/// Waits for `wait`, meanwhile starting again (every half second) any instance that reached its
/// crash point: flows must not wait for a dead instance longer than a kill would leave it down.
async fn reviving<T>(
    cluster: &mut Cluster,
    revived: &mut usize,
    wait: impl std::future::Future<Output = T>,
) -> Result<T, String> {
    tokio::pin!(wait);
    loop {
        tokio::select! {
            done = &mut wait => return Ok(done),
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                *revived += cluster.revive().await?;
            }
        }
    }
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
    // The Payroc and Commerce Hub simulators answer in each documented variant, drawn from the
    // run's seed: a replay sees the same answers.
    let mut cluster = Cluster::start_tuned(
        dir.path().to_path_buf(),
        &receiver.url,
        options.instances,
        database.as_ref().map(|d| d.url.clone()),
        vec![("PAYDESK_SANDBOX_VARIANTS_SEED", seed.to_string())],
    )
    .await?;
    let ctx = Arc::new(Ctx::new(&cluster, seed));
    let mut rng = StdRng::seed_from_u64(seed);
    let mut restarts = 0;
    let mut problems = Vec::new();

    // More Commerce Hub refunds wait for customers' cards than a background pass once read: a
    // refund whose answer is lost must still be settled behind them (made beside the flows).
    let crowd = tokio::spawn({
        let ctx = ctx.clone();
        async move { crate::commercehub::crowd_waiting_for_cards(&ctx, WAITING_CROWD).await }
    });

    // Phase one: the flows, faults, kills, crashes at chosen points, a paused instance and (on
    // PostgreSQL) a database that cannot be reached for a while.
    let (stop_faults, faults_stopped) = watch::channel(false);
    let injector = tokio::spawn(faults::inject_until(
        ctx.gateway.clone(),
        StdRng::seed_from_u64(rng.gen()),
        faults_stopped.clone(),
    ));
    let refund_injector = tokio::spawn(faults::inject_refund_gateway_faults(
        faults::RefundGateways {
            omni: ctx.gateway.controls().clone(),
            payroc: ctx.terminals.controls().clone(),
            commercehub: ctx.hub.controls().clone(),
        },
        StdRng::seed_from_u64(rng.gen()),
        faults_stopped,
    ));
    let plan = flows::plan(options.flows, &mut rng);
    let first_phase_kills = options
        .restarts
        .saturating_sub(1)
        .max(options.restarts.min(1));
    let kills = kill_points(plan.len(), first_phase_kills, &mut rng);
    let pause_at = rng.gen_range(plan.len() / 4..plan.len() / 2);
    let database_outage_at = rng.gen_range(plan.len() / 2..plan.len() * 3 / 4);
    let mut disruptions = Disruptions::default();
    let slots = Arc::new(Semaphore::new(options.concurrency));
    let mut running = JoinSet::new();
    for (n, kind) in plan.iter().copied().enumerate() {
        let slot = if is_long(kind) {
            None
        } else {
            reviving(
                &mut cluster,
                &mut disruptions.revived,
                slots.clone().acquire_owned(),
            )
            .await?
            .ok()
        };
        if kills.contains(&n) {
            let which = rng.gen_range(0..cluster.instance_count());
            if restarts % 2 == 0 {
                // A crash at a chosen point, with the restarted instance's clock ahead.
                let points = paydesk_core::fault_injection::points::ALL;
                let point = points[rng.gen_range(0..points.len())];
                cluster
                    // Ahead by less than the 30 s paydesk allows between its database's clock and
                    // the gateway's (on SQLite the instance's clock is the database's).
                    .restart_to_crash_at(which, point, rng.gen_range(1_000..20_000))
                    .await?;
                disruptions.crash_points.push(point);
            } else {
                let down = Duration::from_millis(rng.gen_range(100..1_500));
                cluster.kill_and_restart_paydesk(which, down).await?;
            }
            restarts += 1;
        }
        if n == pause_at {
            let which = rng.gen_range(0..cluster.instance_count());
            cluster.pause(which, PAUSE).await?;
            disruptions.paused = true;
        }
        if n == database_outage_at {
            if let Some(database) = &database {
                database.outage(Duration::from_secs(3)).await?;
                disruptions.database_outage = true;
            }
        }
        let flow_rng = StdRng::seed_from_u64(rng.gen());
        let ctx = ctx.clone();
        running.spawn(async move {
            let result = flows::run(ctx, n, kind, flow_rng).await;
            drop(slot);
            (n, kind, result)
        });
    }
    while let Some(done) =
        reviving(&mut cluster, &mut disruptions.revived, running.join_next()).await?
    {
        match done {
            Ok((n, kind, Err(error))) => problems.push(format!("flow {n} ({kind:?}): {error}")),
            Err(error) => problems.push(format!("a flow panicked: {error}")),
            Ok(_) => {}
        }
    }
    match crowd.await {
        Ok(Err(error)) => problems.push(format!("refunds waiting for cards: {error}")),
        Err(error) => problems.push(format!("refunds waiting for cards: {error}")),
        Ok(Ok(())) => {}
    }
    let _ = stop_faults.send(true);
    let injected = injector.await.unwrap_or_default();
    let refund_injected = refund_injector.await.unwrap_or_default();
    let missing: Vec<&str> = faults::KINDS
        .iter()
        .filter(|kind| !injected.kinds.contains(**kind))
        .copied()
        .collect();
    if !missing.is_empty() {
        problems.push(format!("fault kinds never injected: {missing:?}"));
    }
    let missing: Vec<&str> = faults::REFUND_GATEWAY_KINDS
        .iter()
        .filter(|kind| !refund_injected.kinds.contains(**kind))
        .copied()
        .collect();
    if !missing.is_empty() {
        // A bounded run has too few refunds for every refund gateway fault chain to meet one; the
        // default size must inject every kind.
        if options.flows >= FLOWS_FOR_EVERY_KIND {
            problems.push(format!("fault kinds never injected: {missing:?}"));
        } else {
            println!("chaos: fault kinds this short run never reached: {missing:?}");
        }
    }
    disruptions.revived += cluster.revive().await?;
    println!("chaos: {disruptions}");
    let mut faults = injected.count + refund_injected.count;
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
    let mut revived_later = 0;
    while let Some(done) = reviving(&mut cluster, &mut revived_later, second.join_next()).await? {
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
        cluster.revive().await?;
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
    found.extend(off_schema(&receiver));
    found.extend(problems);
    let moved = match options.move_to_postgres && found.is_empty() {
        true => Some(moved_to_postgres(&mut cluster, &ctx, &receiver, seed, &mut found).await?),
        false => None,
    };
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
    for database in moved.into_iter().chain(database) {
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

/// Moves the settled SQLite database to PostgreSQL, starts paydesk on it, and runs the oracle again
/// on the moved data: every payment, link, refund and device refund must still agree with the
/// gateways and the merchant's events. Its discrepancies join `found`.
async fn moved_to_postgres(
    cluster: &mut Cluster,
    ctx: &Ctx,
    receiver: &Receiver,
    seed: u64,
    found: &mut Vec<String>,
) -> Result<SharedDatabase, String> {
    let target = SharedDatabase::create_named(format!("paydesk_chaos_moved_{seed}")).await?;
    let said = cluster.move_to_postgres(target.url.clone()).await?;
    let tables = said.lines().filter(|line| line.ends_with(" rows")).count();
    println!("chaos: moved to PostgreSQL ({tables} tables, every row compared); the oracle again:");
    let evidence = oracle::gather(ctx, receiver).await?;
    let mut again = oracle::discrepancies(&evidence);
    if again.is_empty() {
        again = oracle::reconcile_report(cluster)?;
    }
    println!("chaos: on the moved data, {}", oracle::tally(&evidence));
    found.extend(again.into_iter().map(|d| format!("after the move: {d}")));
    Ok(target)
}

/// Every event the merchant received that does not match the schema the OpenAPI document
/// publishes for its type (there must be none).
fn off_schema(receiver: &Receiver) -> Vec<String> {
    let schemas = crate::schema::SpecSchemas::new(
        paydesk::api::openapi::document(&paydesk::api::endpoints::endpoints(), "http://127.0.0.1"),
        crate::schema::Dialect::OpenApi31,
    );
    receiver
        .events()
        .iter()
        .filter_map(|event| {
            let schema = serde_json::json!({ "$ref": format!(
                "#/components/schemas/{}",
                paydesk::api::openapi::event_schema_name(&event.kind)
            ) });
            let errors = schemas.errors(&schema, &event.body, &event.kind);
            (!errors.is_empty())
                .then(|| format!("merchant event off its published schema: {errors:?}"))
        })
        .collect()
}
