//! A simulator that goes down for a while, as a gateway does in an outage: nothing listens on its
//! port (new connections are refused: "could not connect"), connections already open break on their
//! next request, then it comes back on the same port. Every simulator has it, as
//! `POST /sandbox/outage {"forMs": 3000}` with its API key.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// The longest outage one request may ask for.
const MAX_OUTAGE: Duration = Duration::from_secs(120);

/// A simulator's outage switch, shared by its listener and its control route.
#[derive(Clone, Debug, Default)]
pub struct Outage {
    /// An outage asked for and not begun yet.
    pending: Arc<Mutex<Option<Duration>>>,
    asked: Arc<Notify>,
    /// Bumped when an outage begins: connections accepted before it break.
    generation: Arc<AtomicU64>,
}

impl Outage {
    /// Takes the simulator down for `length`, starting now.
    pub fn begin(&self, length: Duration) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending = Some(length.min(MAX_OUTAGE));
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.asked.notify_one();
    }

    fn take(&self) -> Option<Duration> {
        self.pending.lock().ok().and_then(|mut p| p.take())
    }
}

/// The simulator's listener: accepts as a plain one, except during an outage.
pub struct OutageListener {
    addr: SocketAddr,
    inner: Option<TcpListener>,
    outage: Outage,
}

impl OutageListener {
    pub fn new(listener: TcpListener, outage: Outage) -> io::Result<OutageListener> {
        Ok(OutageListener {
            addr: listener.local_addr()?,
            inner: Some(listener),
            outage,
        })
    }

    /// Stops listening for the outage's length, then listens on the same address again.
    async fn go_down(&mut self, length: Duration) {
        self.inner = None;
        tracing::warn!(addr = %self.addr, ?length, "simulated outage: not listening");
        tokio::time::sleep(length).await;
        while self.inner.is_none() {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => self.inner = Some(listener),
                Err(error) => {
                    tracing::warn!(%error, "simulated outage: cannot listen again yet");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

impl axum::serve::Listener for OutageListener {
    type Io = OutageStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Some(length) = self.outage.take() {
                self.go_down(length).await;
                continue;
            }
            let Some(listener) = &self.inner else {
                // Never left without a listener: `go_down` listens again before it returns.
                self.go_down(Duration::ZERO).await;
                continue;
            };
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let generation = self.outage.generation.load(Ordering::SeqCst);
                        let outage = self.outage.clone();
                        return (OutageStream { stream, generation, outage }, peer);
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                },
                _ = self.outage.asked.notified() => {}
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// A connection that breaks once an outage began after it was accepted.
pub struct OutageStream {
    stream: TcpStream,
    generation: u64,
    outage: Outage,
}

impl OutageStream {
    fn broken(&self) -> Option<io::Error> {
        (self.outage.generation.load(Ordering::SeqCst) != self.generation)
            .then(|| io::Error::new(io::ErrorKind::ConnectionReset, "simulated outage"))
    }
}

impl AsyncRead for OutageStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(error) = self.broken() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for OutageStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(error) = self.broken() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[derive(Clone)]
struct Control {
    outage: Outage,
    api_key: Arc<str>,
    /// The header the simulator reads its key from (`x-api-key`, Commerce Hub's `Api-Key`).
    key_header: &'static str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OutageRequest {
    for_ms: u64,
}

/// `POST /sandbox/outage`, answered before the simulator goes down.
pub fn control_routes(outage: Outage, api_key: &str, key_header: &'static str) -> Router {
    Router::new()
        .route("/sandbox/outage", post(begin))
        .with_state(Control {
            outage,
            api_key: api_key.into(),
            key_header,
        })
}

async fn begin(
    State(control): State<Control>,
    headers: HeaderMap,
    Json(request): Json<OutageRequest>,
) -> Response {
    let key = headers
        .get(control.key_header)
        .and_then(|v| v.to_str().ok());
    if key != Some(&*control.api_key) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let length = Duration::from_millis(request.for_ms).min(MAX_OUTAGE);
    // Go down once this answer is on its way.
    let outage = control.outage.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        outage.begin(length);
    });
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "downForMs": length.as_millis() as u64 })),
    )
        .into_response()
}
