//! The load balancer in front of the paydesk instances, as a deployment has one: a round-robin TCP
//! proxy on the public address. Each new connection goes to the next instance that accepts it, so a
//! killed instance is skipped, and the connections it held break as they would behind a real one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running balancer; it stops when dropped.
pub struct Balancer {
    pub url: String,
    task: JoinHandle<()>,
}

impl Balancer {
    /// Listens on a free loopback port and spreads connections over the instances' `ports`.
    pub async fn start(ports: Vec<u16>) -> Result<Balancer, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("the balancer cannot listen: {e}"))?;
        let url = format!(
            "http://{}",
            listener
                .local_addr()
                .map_err(|e| format!("the balancer has no address: {e}"))?
        );
        let ports: Arc<[u16]> = ports.into();
        let turn = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (ports, first) = (ports.clone(), turn.fetch_add(1, Ordering::Relaxed));
                tokio::spawn(forward(client, ports, first));
            }
        });
        Ok(Balancer { url, task })
    }
}

/// Joins `client` to the first instance, from turn `first` on, that accepts a connection; drops it
/// when none does (every instance down), as a balancer without a healthy backend would.
async fn forward(mut client: TcpStream, ports: Arc<[u16]>, first: usize) {
    for offset in 0..ports.len() {
        let port = ports[(first + offset) % ports.len()];
        if let Ok(mut instance) = TcpStream::connect(("127.0.0.1", port)).await {
            let _ = client.set_nodelay(true);
            let _ = instance.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut instance).await;
            return;
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
