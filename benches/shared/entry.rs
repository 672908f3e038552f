//! How a bench binary runs under `cargo bench`: left out when a filter names another bench, its
//! measurement on a multi-threaded runtime, a failure printed under its name.

use std::future::Future;
use std::process::ExitCode;

/// Runs `measure` unless `cargo bench`'s filter names another bench. `Ok(false)`: a goal missed.
pub fn run<F>(name: &str, measure: impl FnOnce() -> F) -> ExitCode
where
    F: Future<Output = Result<bool, String>>,
{
    // `cargo bench` passes `--bench`; a filter naming another bench leaves this one out.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{name}: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(measure()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}
