//! A proxy between a gateway client and a simulator that keeps every exchange (method, path,
//! request body, status, answer body) so each can be checked against the vendor's schema.

use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value;

/// One request and its answer, bodies parsed as JSON (`None` when empty).
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub request: Option<Value>,
    pub status: u16,
    pub answer: Option<Value>,
}

#[derive(Clone)]
struct Upstream {
    origin: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Vec<Exchange>>>,
}

/// A running proxy: point the client at `url` (plus the upstream's path prefix).
pub struct RecordingProxy {
    pub url: String,
    seen: Arc<Mutex<Vec<Exchange>>>,
}

impl RecordingProxy {
    /// Forwards everything to `origin` (scheme, host and port only).
    pub async fn start(origin: &str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let upstream = Upstream {
            origin: origin.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            seen: seen.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(upstream);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        RecordingProxy { url, seen }
    }

    /// Every exchange so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.seen.lock().unwrap().clone()
    }
}

fn json_of(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    Some(serde_json::from_slice(bytes).unwrap_or_else(|e| {
        Value::String(format!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(bytes)
        ))
    }))
}

async fn forward(State(upstream): State<Upstream>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut outgoing = upstream
        .http
        .request(
            parts.method.clone(),
            format!("{}{path_and_query}", upstream.origin),
        )
        .body(body.clone());
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.send().await.unwrap();
    let status = answer.status();
    let headers = answer.headers().clone();
    let answer_body = answer.bytes().await.unwrap();
    upstream.seen.lock().unwrap().push(Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        request: json_of(&body),
        status: status.as_u16(),
        answer: json_of(&answer_body),
    });
    let mut response = Response::builder().status(status);
    for (name, value) in &headers {
        if name != "content-length" && name != "transfer-encoding" {
            response = response.header(name, value);
        }
    }
    response.body(Body::from(answer_body)).unwrap()
}

/// Panics unless each `(method, template, status)` of `wanted` is among `exchanges` (paths
/// without the server's `prefix`): the flow really reached every answer it claims to check.
pub fn assert_exchanged(
    spec: &crate::schema::SpecSchemas,
    exchanges: &[Exchange],
    prefix: &str,
    wanted: &[(&str, &str, u16)],
) {
    let seen: Vec<(String, String, u16)> = exchanges
        .iter()
        .map(|e| {
            let path = e.path.strip_prefix(prefix).unwrap_or(&e.path);
            (
                e.method.clone(),
                spec.template(path).unwrap_or_default(),
                e.status,
            )
        })
        .collect();
    for &(method, template, status) in wanted {
        assert!(
            seen.iter()
                .any(|(m, t, s)| (m.as_str(), t.as_str(), *s) == (method, template, status)),
            "{method} {template} {status} was never exchanged: {seen:?}"
        );
    }
}
