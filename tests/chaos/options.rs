//! The run's size and seed, from the command line (`--flows N --restarts R --concurrency C --seed S
//! --instances I --keep --move-to-postgres`) or the environment (`CHAOS_SEED`, `CHAOS_FLOWS`, `CHAOS_RESTARTS`,
//! `CHAOS_INSTANCES`). Without either it is the bounded run `make test` does with one instance.

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    pub flows: usize,
    pub restarts: usize,
    pub concurrency: usize,
    pub seed: u64,
    /// paydesk instances behind the balancer: one on SQLite, several on one PostgreSQL database
    /// (`PAYDESK_TEST_DATABASE_URL` names the server, as `scripts/with-postgres.sh` sets it).
    pub instances: usize,
    /// Keep the run's directory (databases, logs) even when it passes.
    pub keep: bool,
    /// After the oracle passes on SQLite, move the database to PostgreSQL (`paydesk move-to`),
    /// start paydesk on it and run the oracle again on the moved data (one instance only).
    pub move_to_postgres: bool,
}

const BOUNDED_FLOWS: usize = 40;
const BOUNDED_RESTARTS: usize = 2;
const BOUNDED_CONCURRENCY: usize = 8;

impl Options {
    /// `Ok(None)` when there is nothing to run: `cargo test some_filter` passes its filter to every
    /// test program, and one that does not name this suite leaves it out (as libtest would).
    pub fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let env_number = |name: &str| -> Result<Option<u64>, String> {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("{name}={v:?} is not a number"))
                })
                .transpose()
        };
        let mut options = Options {
            flows: env_number("CHAOS_FLOWS")?.map_or(BOUNDED_FLOWS, |n| n as usize),
            restarts: env_number("CHAOS_RESTARTS")?.map_or(BOUNDED_RESTARTS, |n| n as usize),
            concurrency: BOUNDED_CONCURRENCY,
            seed: env_number("CHAOS_SEED")?.unwrap_or_else(rand::random),
            instances: env_number("CHAOS_INSTANCES")?.map_or(1, |n| n as usize),
            keep: false,
            move_to_postgres: false,
        };
        let mut filters = Vec::new();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<u64, String> {
                args.next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| format!("{name} needs a number"))
            };
            match arg.as_str() {
                "--flows" => options.flows = number("--flows")? as usize,
                "--restarts" => options.restarts = number("--restarts")? as usize,
                "--concurrency" => options.concurrency = number("--concurrency")?.max(1) as usize,
                "--seed" => options.seed = number("--seed")?,
                "--instances" => options.instances = number("--instances")? as usize,
                "--keep" => options.keep = true,
                "--move-to-postgres" => options.move_to_postgres = true,
                "--list" => return Ok(None),
                // libtest's own flags (`--nocapture`, `--test-threads=2`, `-q`…) mean nothing here.
                flag if flag.starts_with('-') => {}
                filter => filters.push(filter.to_string()),
            }
        }
        if !filters.is_empty() && !filters.iter().any(|f| "chaos".contains(f.as_str())) {
            return Ok(None);
        }
        if !(1..=8).contains(&options.instances) {
            return Err("--instances must be from 1 to 8".into());
        }
        if options.move_to_postgres && options.instances != 1 {
            return Err("--move-to-postgres moves one instance's SQLite database".into());
        }
        if options.flows < 10 {
            return Err("--flows must be at least 10 (every flow kind runs)".into());
        }
        Ok(Some(options))
    }
}
