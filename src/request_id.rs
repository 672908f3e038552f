//! Every answer's `Request-Id` (`req_` and a ULID): the id of the request's log span, so a merchant
//! or a customer who quotes it lets an operator find every log line of that request. Always made
//! here, never taken from the request (a client cannot forge or inject one).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header the id travels in.
pub const HEADER: &str = "request-id";

/// The request's id, in its extensions for the log span and the API's error bodies.
#[derive(Clone, Debug)]
pub struct RequestId(pub Arc<str>);

impl RequestId {
    fn new() -> RequestId {
        RequestId(format!("req_{}", ulid::Ulid::new()).into())
    }
}

/// Gives the request its id, and its answer the `Request-Id` header.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = RequestId::new();
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
