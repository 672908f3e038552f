//! What every command needs: its options, and paydesk's database (`DATABASE_URL`).

use paydesk_core::store::Store;

use crate::settings::database_url_from;

/// Opens the database the server would: `DATABASE_URL`, or the default of the mode the environment
/// selects (live with `PAYDESK_GATEWAY_API_KEY`, the sandbox's otherwise).
pub async fn open_store() -> Result<Store, String> {
    let url = database_url_from(|name| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    });
    crate::startup::ensure_sqlite_dir(&url).map_err(|e| e.to_string())?;
    Store::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

/// The value following `name` in `args`.
pub fn option<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.windows(2)
        .find(|pair| pair[0] == name)
        .map(|pair| pair[1])
}
