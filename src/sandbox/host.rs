//! What every simulator plugs into: its address and origin, its state as its database remembers
//! it (or a fresh one), and a server that answers the outage controls every simulator shares.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

use super::outage::{self, Outage, OutageListener};
use super::storage::SimulatorStorage;
use super::SandboxError;

/// A simulator's state that its database can give back after a restart.
pub trait Remembered: Default + Sized {
    /// Reads every record the simulator wrote.
    fn restore(
        storage: &SimulatorStorage,
    ) -> impl Future<Output = Result<Self, SandboxError>> + Send;
}

/// One simulator's place: the listener it serves on and the origin it is reached at.
pub struct Host {
    pub addr: SocketAddr,
    /// `http://{addr}`.
    pub origin: String,
    listener: TcpListener,
}

impl Host {
    pub fn new(listener: TcpListener) -> Result<Host, SandboxError> {
        let addr = listener.local_addr()?;
        Ok(Host {
            addr,
            origin: format!("http://{addr}"),
            listener,
        })
    }

    /// The simulator's storage (none: it forgets on restart) and its state as stored.
    pub async fn remembered<S: Remembered>(
        database_url: Option<&str>,
    ) -> Result<(Option<SimulatorStorage>, S), SandboxError> {
        let Some(url) = database_url else {
            return Ok((None, S::default()));
        };
        let storage = SimulatorStorage::open(url).await?;
        let state = S::restore(&storage).await?;
        Ok((Some(storage), state))
    }

    /// Serves `router`, and the outage controls opened by `api_key` in the `key_header` header, in
    /// the background until the process ends.
    pub fn serve(
        self,
        name: &'static str,
        router: Router,
        api_key: &str,
        key_header: &'static str,
    ) -> Result<(), SandboxError> {
        let outage = Outage::default();
        let router = router.merge(outage::control_routes(outage.clone(), api_key, key_header));
        let listener = OutageListener::new(self.listener, outage)?;
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, simulator = name, "sandbox server stopped");
            }
        });
        Ok(())
    }
}
