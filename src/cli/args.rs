//! What every command needs: its options, and paydesk's database (`DATABASE_URL`).

use app::server::store::Store;

use crate::settings::DEFAULT_DATABASE_URL;

/// Opens the database named by `DATABASE_URL` (as the server does).
pub async fn open_store() -> Result<Store, String> {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
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
