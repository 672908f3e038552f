//! What every command needs: paydesk's database (`DATABASE_URL`), opened as the server would.

use paydesk_core::store::{Store, StoreOptions};

use crate::config::Config;
use crate::settings::database_url_from;

/// Opens the database the server would: `DATABASE_URL`, or the default of the mode the
/// configuration selects (live with `PAYDESK_GATEWAY_API_KEY`, the sandbox's otherwise). It applies
/// pending migrations unless `PAYDESK_MIGRATE_ON_START` is false (then it refuses a database that is
/// behind, as the server does).
pub async fn open_store(config: &Config) -> Result<Store, String> {
    let url = database_url(config);
    crate::startup::ensure_sqlite_dir(&url).map_err(|e| e.to_string())?;
    let migrate = !matches!(
        config.get("PAYDESK_MIGRATE_ON_START").as_deref(),
        Some("false" | "0")
    );
    let options = StoreOptions {
        migrate,
        ..StoreOptions::default()
    };
    Store::connect_with(&url, options)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

/// The database's URL.
pub fn database_url(config: &Config) -> String {
    database_url_from(|name| config.get(name))
}
