//! `paydesk migrate [--status | --dry-run]`, `paydesk backup <file>` and `paydesk move-to
//! <postgres-url>`: the database's schema, its copies and its move, without a server.

use std::path::Path;

use paydesk_core::store::{self, redacted_url, SchemaStatus};

use super::args::database_url;
use crate::config::Config;

/// Shows the schema's migrations, or applies the pending ones.
pub async fn migrate(config: &Config, status: bool, dry_run: bool) -> Result<(), String> {
    let url = database_url(config);
    crate::startup::ensure_sqlite_dir(&url).map_err(|e| e.to_string())?;
    if status || dry_run {
        let schema = store::schema_status(&url)
            .await
            .map_err(|e| format!("cannot read {}: {e}", redacted_url(&url)))?;
        print_status(&url, &schema, status);
        if let Some(refusal) = schema.refusal() {
            return Err(refusal.to_string());
        }
        return Ok(());
    }
    let applied = store::apply_migrations(&url)
        .await
        .map_err(|e| format!("{}: {e}", redacted_url(&url)))?;
    if applied.is_empty() {
        println!(
            "{}: up to date (paydesk {}).",
            redacted_url(&url),
            store::BUILD_VERSION
        );
    }
    for migration in applied {
        println!("applied {:>4} {}", migration.version, migration.description);
    }
    Ok(())
}

/// `--status`: every migration; `--dry-run`: those that would be applied.
fn print_status(url: &str, schema: &SchemaStatus, all: bool) {
    println!(
        "{} against paydesk {} (migrations up to {}):",
        redacted_url(url),
        store::BUILD_VERSION,
        schema.latest_known()
    );
    for migration in &schema.known {
        if all || !migration.applied {
            let state = if migration.applied {
                "applied"
            } else {
                "pending"
            };
            println!(
                "  {state:<8} {:>4} {}",
                migration.version, migration.description
            );
        }
    }
    for migration in &schema.newer {
        let by = migration.applied_by.as_deref().unwrap_or("a newer paydesk");
        let compatible = if migration.is_compatible() {
            "compatible: this paydesk keeps working"
        } else {
            "NOT compatible with this paydesk"
        };
        println!(
            "  newer    {:>4} {}   (applied by paydesk {by}; {compatible})",
            migration.version, migration.description
        );
    }
    let pending = schema.pending().count();
    match (pending, all) {
        (0, _) => println!("Nothing to apply."),
        (n, true) => println!("{n} pending: `paydesk migrate` applies them."),
        (n, false) => println!("{n} would be applied (nothing was changed)."),
    }
}

/// Copies the SQLite database into `file`, online.
pub async fn backup(config: &Config, file: &Path) -> Result<(), String> {
    let url = database_url(config);
    store::backup_sqlite(&url, file)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Copied {} to {} (consistent as of one instant). It holds the link-signing key unless \
         PAYDESK_LINK_SIGNING_KEY is set: keep it as secret as the keys themselves.",
        redacted_url(&url),
        file.display()
    );
    Ok(())
}

/// Copies the SQLite database into an empty PostgreSQL one and verifies every row.
pub async fn move_to(config: &Config, postgres_url: &str) -> Result<(), String> {
    let url = database_url(config);
    let moved = store::move_sqlite_to_postgres(&url, postgres_url)
        .await
        .map_err(|e| e.to_string())?;
    let rows: usize = moved.iter().map(|t| t.rows).sum();
    for table in &moved {
        println!("  {:<28} {:>9} rows", table.name, table.rows);
    }
    println!(
        "Moved {rows} rows in {} tables from {} to {}, and compared every row on both sides: \
         they are the same.\n\
         Next: set DATABASE_URL to the PostgreSQL database on every instance and start them. Keep \
         the SQLite file as a backup, as secret as the database (it holds the link-signing key \
         unless PAYDESK_LINK_SIGNING_KEY is set); paydesk no longer writes to it.",
        moved.len(),
        redacted_url(&url),
        redacted_url(postgres_url)
    );
    Ok(())
}
