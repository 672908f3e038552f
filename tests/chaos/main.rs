//! The chaos suite. paydesk (one instance on SQLite, or `--instances N` on one PostgreSQL database
//! behind a round-robin balancer) and the sandbox gateway run as separate processes; many flows run
//! at once over HTTP as browsers and merchants drive them (payments, declines and retries, two tabs,
//! captures, partial refunds, voids, refund links, refunds to a new card, refunds on devices and of
//! Commerce Hub charges); the sandbox and the simulators fail on
//! request at random; a paydesk instance is killed with SIGKILL at random moments and restarted. Then the
//! oracle waits for the reconciler and checks that no money was lost or doubled.
//!
//! `make chaos` runs the full size; `cargo test` (so `make test`) a bounded run. Every choice comes
//! from one seed, printed first: `CHAOS_SEED=<seed> make chaos` replays a run's choices (the
//! timing of concurrent flows, faults and kills still varies).

mod balancer;
mod cluster;
mod commercehub;
mod controls;
mod customer;
mod database;
mod faults;
mod flows;
mod gateway;
mod merchant;
mod options;
mod oracle;
mod receiver;
mod run;
// The OpenAPI schemas as validators (the merchant events' published schemas), shared with the
// contract tests.
// Their unit tests do not run here (no test harness): their imports go unused.
#[allow(dead_code, unused_imports)]
#[path = "../contract/schema.rs"]
mod schema;
#[allow(dead_code, unused_imports)]
#[path = "../contract/specs.rs"]
mod specs;
mod terminals;

use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match options::Options::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("chaos: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("chaos: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run::run(options)) {
        Ok(summary) if summary.discrepancies == 0 => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Ok(summary) => {
            println!("{summary}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("chaos: {error}");
            ExitCode::FAILURE
        }
    }
}
