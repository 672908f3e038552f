//! Where paydesk listens, where customers reach it, who may frame it, and where it keeps its data.

use std::net::SocketAddr;

use paydesk_core::origin::origin_of;

use super::values::{count, database_url_from, is_sqlite, parse_origins};
use crate::settings_error::{bad, SettingsError};

/// `LEPTOS_SITE_ADDR`, `PAYDESK_PUBLIC_URL`, `DATABASE_URL` and their companions.
#[derive(Clone, Debug)]
pub struct Server {
    pub site_addr: SocketAddr,
    pub public_url: Option<String>,
    pub database_url: String,
    pub database_pool_size: u32,
    pub metrics_addr: Option<SocketAddr>,
    pub frame_ancestors: Vec<String>,
}

pub fn server(get: &impl Fn(&str) -> Option<String>) -> Result<Server, SettingsError> {
    let site_addr: SocketAddr = get("LEPTOS_SITE_ADDR")
        .unwrap_or_else(|| "127.0.0.1:3000".into())
        .parse()
        .map_err(|_| {
            bad(
                "LEPTOS_SITE_ADDR",
                "expected host:port, e.g. 127.0.0.1:3000",
            )
        })?;

    let public_url = get("PAYDESK_PUBLIC_URL")
        .map(|url| {
            let trimmed = url.trim_end_matches('/').to_string();
            match origin_of(&trimmed) {
                Some(_) if !trimmed.contains(['?', '#']) => Ok(trimmed),
                _ => Err(bad(
                    "PAYDESK_PUBLIC_URL",
                    format!("expected an absolute http(s) URL such as https://pay.example.com, got {url:?}"),
                )),
            }
        })
        .transpose()?;

    let database_url = database_url_from(get);
    if !is_sqlite(&database_url)
        && !database_url.starts_with("postgres://")
        && !database_url.starts_with("postgresql://")
    {
        return Err(bad(
            "DATABASE_URL",
            "expected a sqlite: URL (one instance, e.g. sqlite://data/paydesk.db) or a postgres:// URL \
             (one or several instances, e.g. postgres://paydesk@db.internal/paydesk)",
        ));
    }
    let database_pool_size = count(get, "PAYDESK_DATABASE_POOL_SIZE", 8, 1..=500)?;
    let metrics_addr = get("PAYDESK_METRICS_ADDR")
        .map(|addr| match addr.parse::<SocketAddr>() {
            Ok(addr) if addr == site_addr && addr.port() != 0 => Err(bad(
                "PAYDESK_METRICS_ADDR",
                "must differ from LEPTOS_SITE_ADDR: metrics are served on their own listener",
            )),
            Ok(addr) => Ok(addr),
            Err(_) => Err(bad(
                "PAYDESK_METRICS_ADDR",
                "expected host:port, e.g. 127.0.0.1:9464",
            )),
        })
        .transpose()?;

    let frame_ancestors = get("PAYDESK_FRAME_ANCESTORS")
        .map(|list| parse_origins("PAYDESK_FRAME_ANCESTORS", &list))
        .transpose()?
        .unwrap_or_default();

    Ok(Server {
        site_addr,
        public_url,
        database_url,
        database_pool_size,
        metrics_addr,
        frame_ancestors,
    })
}
