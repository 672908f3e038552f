//! The processes under test: `paydesk sandbox` (the gateway, Payroc and Commerce Hub simulators,
//! their ledgers in their own SQLite file) and one or more paydesk instances in live mode against
//! it, each on a fixed port behind a round-robin balancer on the public address, so an instance can
//! be killed (SIGKILL) and started again where the balancer expects it. One instance keeps its data
//! in SQLite; several share a PostgreSQL database. Their logs go to files in the run's directory.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::balancer::Balancer;

pub const API_KEY: &str = "key_test_chaos_0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_chaos_gateway_secret";
pub const MERCHANT_TOKEN: &str = "chaos_merchant_token_0123456789abcdef";
pub const MERCHANT_WEBHOOK_SECRET: &str = "whsec_chaos_merchant_secret";
/// What signs paydesk's requests to the Commerce Hub simulator.
pub const COMMERCEHUB_SECRET: &str = "chaos_commercehub_secret_0123456789";
/// The gateway's hosted-form sessions last this long (short, so flows can outlive them).
pub const SESSION_TTL_SECS: u64 = 20;

/// The processes and where they listen.
pub struct Cluster {
    pub dir: PathBuf,
    /// paydesk's public address: the balancer in front of the instances.
    pub paydesk_url: String,
    pub sandbox_url: String,
    /// The Payroc simulator (refunds on payment devices) beside it.
    pub payroc_url: String,
    /// The Commerce Hub simulator (refunds of its charges, new cards in Hosted Fields) beside it.
    pub commercehub_url: String,
    /// The instances' database: a SQLite file in `dir`, or a PostgreSQL database they share.
    database_url: String,
    receiver_url: String,
    /// Settings that replace the defaults below, for every process (a benchmark's realistic ones).
    tuning: Vec<(&'static str, String)>,
    sandbox: Child,
    instances: Vec<Instance>,
    _balancer: Balancer,
}

/// One paydesk process: its own port, and its log file.
struct Instance {
    port: u16,
    log: String,
    child: Option<Child>,
    /// How far its clock runs ahead of the others' (a test build reads it).
    clock_offset_ms: i64,
    /// A crash point it was started with (it aborts there): restarted plainly once it has.
    crash_at: Option<String>,
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn log_file(dir: &Path, name: &str) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(name))
        .map_err(|e| format!("cannot open {name}: {e}"))
}

/// The last lines of a log in the run's directory.
fn log_tail(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Waits until `url` answers anything over HTTP; otherwise says why, from the process's log.
async fn wait_until_up(
    url: &str,
    process: &mut Child,
    dir: &Path,
    log: &str,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::get(url).await.is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = process.try_wait() {
            return Err(format!(
                "the process for {url} exited ({status}); {log} ends:\n{}",
                log_tail(dir, log)
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "{url} did not answer within a minute; {log} ends:\n{}",
        log_tail(dir, log)
    ))
}

impl Cluster {
    /// Starts the sandbox, then `instances` paydesk processes on `database_url` (a SQLite file in
    /// `dir` when `None`) behind the balancer; paydesk's merchant events go to `receiver_url`;
    /// `tuning` replaces settings of both paydesk and the sandbox.
    pub async fn start_tuned(
        dir: PathBuf,
        receiver_url: &str,
        instances: usize,
        database_url: Option<String>,
        tuning: Vec<(&'static str, String)>,
    ) -> Result<Cluster, String> {
        let (sandbox_port, payroc_port) = (free_port()?, free_port()?);
        let commercehub_port = free_port()?;
        let ports = (0..instances.max(1))
            .map(|_| free_port())
            .collect::<Result<Vec<u16>, String>>()?;
        let balancer = Balancer::start(ports.clone()).await?;
        let payroc_url = format!("http://127.0.0.1:{payroc_port}");
        let commercehub_url = format!("http://127.0.0.1:{commercehub_port}");
        let paydesk_url = balancer.url.clone();
        let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
        let sandbox = Command::new(env!("CARGO_BIN_EXE_paydesk"))
            .arg("sandbox")
            .env("PAYDESK_SANDBOX_ADDR", format!("127.0.0.1:{sandbox_port}"))
            .env("PAYDESK_SANDBOX_API_KEY", API_KEY)
            .env(
                "PAYDESK_PAYROC_SANDBOX_ADDR",
                format!("127.0.0.1:{payroc_port}"),
            )
            .env("PAYDESK_PAYROC_SANDBOX_HOLD_SECS", "3")
            .env(
                "PAYDESK_COMMERCEHUB_SANDBOX_ADDR",
                format!("127.0.0.1:{commercehub_port}"),
            )
            .env("PAYDESK_COMMERCEHUB_API_SECRET", COMMERCEHUB_SECRET)
            .env("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env(
                "PAYDESK_SANDBOX_WEBHOOK_URL",
                format!("{paydesk_url}/webhooks/gateway"),
            )
            .env("PAYDESK_SANDBOX_MERCHANT_ORIGINS", &paydesk_url)
            .env(
                "PAYDESK_SANDBOX_SESSION_TTL_SECS",
                SESSION_TTL_SECS.to_string(),
            )
            .env(
                "PAYDESK_SANDBOX_DATABASE_URL",
                format!("sqlite://{}/gateway.db", dir.display()),
            )
            .env("PAYDESK_LOG", "warn")
            .envs(tuning.iter().map(|(name, value)| (*name, value.as_str())))
            .stdout(log_file(&dir, "sandbox.log")?)
            .stderr(log_file(&dir, "sandbox.log")?)
            .spawn()
            .map_err(|e| format!("paydesk sandbox did not start: {e}"))?;
        let database_url =
            database_url.unwrap_or_else(|| format!("sqlite://{}/paydesk.db", dir.display()));
        let instances = ports
            .into_iter()
            .enumerate()
            .map(|(n, port)| Instance {
                port,
                log: format!("paydesk-{n}.log"),
                child: None,
                // With several instances, the second one's clock runs 30 s ahead of the first's:
                // leases and resends compare the database's clock, never an instance's.
                clock_offset_ms: if n == 1 { 30_000 } else { 0 },
                crash_at: None,
            })
            .collect();
        let mut cluster = Cluster {
            dir,
            paydesk_url,
            sandbox_url,
            payroc_url,
            commercehub_url,
            database_url,
            receiver_url: receiver_url.to_string(),
            tuning,
            sandbox,
            instances,
            _balancer: balancer,
        };
        wait_until_up(
            &format!("{}/hpf.css", cluster.sandbox_url),
            &mut cluster.sandbox,
            &cluster.dir,
            "sandbox.log",
        )
        .await?;
        for n in 0..cluster.instances.len() {
            cluster.start_instance(n).await?;
        }
        Ok(cluster)
    }

    /// How many paydesk instances run.
    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    /// Each instance's own address, past the balancer (the scaling bench loads them directly).
    #[allow(dead_code)]
    pub fn instance_urls(&self) -> Vec<String> {
        self.instances
            .iter()
            .map(|i| format!("http://127.0.0.1:{}", i.port))
            .collect()
    }

    /// The last lines of every log, for a run that found discrepancies.
    pub fn log_tails(&self) -> String {
        let mut logs: Vec<&str> = self.instances.iter().map(|i| i.log.as_str()).collect();
        logs.push("sandbox.log");
        logs.iter()
            .map(|log| format!("--- {log} ends:\n{}", log_tail(&self.dir, log)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// paydesk's settings (every instance's, and the `paydesk reconcile` command's): live mode
    /// against the sandbox process, a fast reconciler, a short gateway timeout and a short wait
    /// before an operation the gateway never saw counts as lost.
    pub fn paydesk_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LEPTOS_OUTPUT_NAME", "paydesk".into()),
            ("PAYDESK_PUBLIC_URL", self.paydesk_url.clone()),
            ("DATABASE_URL", self.database_url.clone()),
            ("PAYDESK_GATEWAY_API_KEY", API_KEY.into()),
            ("PAYDESK_GATEWAY_URL", format!("{}/v1", self.sandbox_url)),
            ("PAYDESK_GATEWAY_HPF_ORIGIN", self.sandbox_url.clone()),
            ("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("PAYDESK_PAYROC_API_KEY", API_KEY.into()),
            ("PAYDESK_PAYROC_API_URL", format!("{}/v1", self.payroc_url)),
            ("PAYDESK_PAYROC_IDENTITY_URL", self.payroc_url.clone()),
            ("PAYDESK_PAYROC_TERMINAL_ID", "1234001".into()),
            ("PAYDESK_COMMERCEHUB_API_KEY", API_KEY.into()),
            ("PAYDESK_COMMERCEHUB_API_SECRET", COMMERCEHUB_SECRET.into()),
            (
                "PAYDESK_COMMERCEHUB_API_URL",
                format!("{}/ch", self.commercehub_url),
            ),
            (
                "PAYDESK_COMMERCEHUB_SDK_URL",
                format!("{}/3.6.0/checkout.js", self.commercehub_url),
            ),
            ("PAYDESK_COMMERCEHUB_MERCHANT_ID", "100008000003683".into()),
            ("PAYDESK_COMMERCEHUB_TERMINAL_ID", "10000001".into()),
            ("PAYDESK_MERCHANT_TOKEN", MERCHANT_TOKEN.into()),
            ("PAYDESK_MERCHANT_WEBHOOK_URL", self.receiver_url.clone()),
            (
                "PAYDESK_MERCHANT_WEBHOOK_SECRET",
                MERCHANT_WEBHOOK_SECRET.into(),
            ),
            ("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS", "200".into()),
            ("PAYDESK_MERCHANT_WEBHOOK_MAX_ATTEMPTS", "30".into()),
            ("PAYDESK_RECONCILE_INTERVAL_MS", "250".into()),
            ("PAYDESK_GATEWAY_TIMEOUT_SECS", "2".into()),
            // The simulators' slowest faults end within 10 s: an unanswered refund request is not
            // sent again before it can no longer be open (2 s + 10 s).
            ("PAYDESK_GATEWAY_STILL_OPEN_SECS", "10".into()),
            ("PAYDESK_OPERATION_LOST_AFTER_SECS", "10".into()),
            ("PAYDESK_LOG", "warn".into()),
            // Every simulated customer and the merchant share 127.0.0.1: per-address and per-token
            // limits are for real clients.
            ("PAYDESK_PAGE_VIEWS_PER_MINUTE", "1000000".into()),
            ("PAYDESK_API_REQUESTS_PER_MINUTE", "1000000".into()),
            ("PAYDESK_CARD_RETRIES_PER_HOUR", "1000000".into()),
        ]
        .into_iter()
        .filter(|(name, _)| !self.tuning.iter().any(|(tuned, _)| tuned == name))
        .chain(self.tuning.iter().cloned())
        .collect()
    }

    /// The instances' process ids (a benchmark reads their memory).
    #[allow(dead_code)]
    pub fn instance_pids(&self) -> Vec<u32> {
        self.instances
            .iter()
            .filter_map(|i| i.child.as_ref().map(Child::id))
            .collect()
    }

    /// The instances' database.
    #[allow(dead_code)]
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    async fn start_instance(&mut self, n: usize) -> Result<(), String> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
        for (name, value) in self.paydesk_env() {
            command.env(name, value);
        }
        let instance = &mut self.instances[n];
        command.env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", instance.port));
        command.env(
            "PAYDESK_TEST_CLOCK_OFFSET_MS",
            instance.clock_offset_ms.to_string(),
        );
        if let Some(point) = &instance.crash_at {
            command.env("PAYDESK_TEST_CRASH_AT", point);
        }
        let child = command
            .stdout(log_file(&self.dir, &instance.log)?)
            .stderr(log_file(&self.dir, &instance.log)?)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("paydesk did not start: {e}"))?;
        let child = instance.child.insert(child);
        wait_until_up(
            &format!("http://127.0.0.1:{}/healthz", instance.port),
            child,
            &self.dir,
            &instance.log,
        )
        .await
    }

    /// Kills instance `n` (modulo their number) with SIGKILL (no chance to finish anything), waits
    /// `down` — the others, if any, serve meanwhile — and starts it again.
    pub async fn kill_and_restart_paydesk(
        &mut self,
        n: usize,
        down: Duration,
    ) -> Result<(), String> {
        let n = n % self.instances.len();
        self.kill(n)?;
        self.instances[n].crash_at = None;
        tokio::time::sleep(down).await;
        self.start_instance(n).await
    }

    fn kill(&mut self, n: usize) -> Result<(), String> {
        if let Some(mut child) = self.instances[n].child.take() {
            // `Child::kill` is SIGKILL on Unix.
            child
                .kill()
                .map_err(|e| format!("cannot kill paydesk: {e}"))?;
            let _ = child.wait();
        }
        Ok(())
    }

    /// Restarts instance `n` (modulo their number) so that it crashes — aborts, as a SIGKILL would
    /// — the first time it reaches `point` (between "the gateway answered" and "paydesk wrote it"),
    /// with its clock `clock_offset_ms` ahead. [`Cluster::revive`] starts it again plainly after.
    pub async fn restart_to_crash_at(
        &mut self,
        n: usize,
        point: &str,
        clock_offset_ms: i64,
    ) -> Result<(), String> {
        let n = n % self.instances.len();
        self.kill(n)?;
        self.instances[n].crash_at = Some(format!("{point}:1"));
        self.instances[n].clock_offset_ms = clock_offset_ms;
        if let Err(error) = self.start_instance(n).await {
            // It may reach its crash point before it answers its first health check.
            if self.revive().await? == 0 {
                return Err(error);
            }
        }
        Ok(())
    }

    /// Starts again, plainly, every instance that stopped by itself (reached its crash point).
    /// Returns how many.
    pub async fn revive(&mut self) -> Result<usize, String> {
        let mut revived = 0;
        for n in 0..self.instances.len() {
            let exited = match self.instances[n].child.as_mut() {
                Some(child) => child.try_wait().ok().flatten().is_some(),
                None => false,
            };
            if exited {
                self.instances[n].child = None;
                self.instances[n].crash_at = None;
                self.start_instance(n).await?;
                revived += 1;
            }
        }
        Ok(revived)
    }

    /// Pauses instance `n` (SIGSTOP: it holds its leases, its calls and connections, and does
    /// nothing) for `length`, then resumes it (SIGCONT) — a VM paused, a long garbage collection.
    pub async fn pause(&mut self, n: usize, length: Duration) -> Result<(), String> {
        let n = n % self.instances.len();
        let Some(pid) = self.instances[n].child.as_ref().map(Child::id) else {
            return Ok(());
        };
        let signal = |name: &str| {
            Command::new("kill")
                .args([name, &pid.to_string()])
                .status()
                .map_err(|e| format!("kill {name}: {e}"))
        };
        signal("-STOP")?;
        tokio::time::sleep(length).await;
        signal("-CONT")?;
        Ok(())
    }

    /// Stops every instance, moves their SQLite database into the empty PostgreSQL database `url`
    /// with `paydesk move-to`, and starts them on it. Returns what the command printed.
    pub async fn move_to_postgres(&mut self, url: String) -> Result<String, String> {
        for n in 0..self.instances.len() {
            self.kill(n)?;
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
        command.args(["move-to", &url]);
        for (name, value) in self.paydesk_env() {
            command.env(name, value);
        }
        let output = command
            .output()
            .map_err(|e| format!("paydesk move-to did not run: {e}"))?;
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if !output.status.success() {
            return Err(format!("paydesk move-to failed: {said}"));
        }
        self.database_url = url;
        for n in 0..self.instances.len() {
            self.start_instance(n).await?;
        }
        Ok(said)
    }

    /// Runs `paydesk reconcile --json` with paydesk's own settings.
    pub fn reconcile(&self) -> Result<Output, String> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
        command.args(["reconcile", "--since", "1d", "--json"]);
        for (name, value) in self.paydesk_env() {
            command.env(name, value);
        }
        command
            .output()
            .map_err(|e| format!("paydesk reconcile did not run: {e}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for instance in &mut self.instances {
            if let Some(mut child) = instance.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let _ = self.sandbox.kill();
        let _ = self.sandbox.wait();
    }
}
