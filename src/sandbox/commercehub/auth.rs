//! The simulated Commerce Hub's front door (reference §3–§5): the HMAC `Authorization` over the exact
//! bytes received (Base64 of the raw digest only), the 5-minute `Timestamp` window, and
//! `Client-Request-Id` replays (same body: the original answer; another body: refused).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::simulator::CommerceHubSandbox;
use super::wire::{error_json, traced};

/// A request that passed the front door.
#[derive(Debug)]
pub struct Admitted {
    pub client_request_id: String,
    pub trace: String,
    pub body_hash: String,
}

/// A new `ApiTraceId`: 32 lowercase hex characters.
pub fn new_trace() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether `authorization` is Base64(HMAC-SHA256(secret, key + id + timestamp + body)), compared in
/// constant time.
pub fn signature_matches(
    secret: &str,
    api_key: &str,
    client_request_id: &str,
    timestamp: &str,
    body: &[u8],
    authorization: &str,
) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(authorization.trim()) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(api_key.as_bytes());
    mac.update(client_request_id.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

impl CommerceHubSandbox {
    /// An error answer, in the shape currently chosen.
    pub fn error(
        &self,
        status: StatusCode,
        trace: &str,
        client_request_id: Option<&str>,
        kind: &str,
        code: Option<&str>,
        message: &str,
    ) -> Response {
        traced(
            status,
            trace,
            error_json(
                self.error_shape(status),
                trace,
                client_request_id,
                kind,
                code,
                None,
                message,
            ),
        )
    }

    fn unauthorized(&self, trace: &str) -> Response {
        self.error(
            StatusCode::UNAUTHORIZED,
            trace,
            None,
            "APIM",
            None,
            "ApiKey and/or Authentication supplied are invalid.",
        )
    }

    /// Checks the headers and the signature; answers a replay from memory. `Err` is the answer to
    /// give at once.
    pub fn admit(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_ms: i64,
    ) -> Result<Admitted, Box<Response>> {
        let trace = new_trace();
        let content_type = header(headers, "content-type").unwrap_or_default();
        if !content_type.starts_with("application/json") {
            return Err(Box::new(self.error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &trace,
                None,
                "GATEWAY",
                None,
                "Unsupported Media Type",
            )));
        }
        let (Some(api_key), Some(authorization)) =
            (header(headers, "api-key"), header(headers, "authorization"))
        else {
            return Err(Box::new(self.unauthorized(&trace)));
        };
        let (Some(client_request_id), Some(timestamp)) = (
            header(headers, "client-request-id"),
            header(headers, "timestamp"),
        ) else {
            return Err(Box::new(self.error(
                StatusCode::BAD_REQUEST,
                &trace,
                None,
                "GATEWAY",
                Some("138"),
                "Missing Body or Header in Request",
            )));
        };
        let window = self.config.window.as_millis() as i64;
        let fresh = timestamp
            .parse::<i64>()
            .is_ok_and(|at| (now_ms - at).abs() <= window);
        if api_key != self.config.api_key
            || header(headers, "auth-token-type") != Some("HMAC")
            || !fresh
            || !signature_matches(
                &self.config.api_secret,
                api_key,
                client_request_id,
                timestamp,
                body,
                authorization,
            )
        {
            return Err(Box::new(self.unauthorized(&trace)));
        }
        let body_hash = hex::encode(Sha256::digest(body));
        let mut state = self.lock();
        state
            .replays
            .retain(|_, replay| now_ms - replay.at_ms <= window);
        if let Some(replay) = state.replays.get(client_request_id) {
            if replay.body_hash == body_hash {
                let status = StatusCode::from_u16(replay.status).unwrap_or(StatusCode::OK);
                return Err(Box::new(traced(status, &trace, replay.response.clone())));
            }
            // Sandbox choice (reference §5: undocumented): the same id with another body is refused.
            drop(state);
            return Err(Box::new(self.error(
                StatusCode::BAD_REQUEST,
                &trace,
                Some(client_request_id),
                "GATEWAY",
                None,
                "Client-Request-Id was already used with a different request",
            )));
        }
        Ok(Admitted {
            client_request_id: client_request_id.to_string(),
            trace,
            body_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"amount":{"total":12.04,"currency":"USD"},"referenceTransactionDetails":{"referenceTransactionId":"84356531348"},"merchantDetails":{"merchantId":"100008000003683","terminalId":"10000001"}}"#;

    #[test]
    fn the_reference_vector_is_accepted_and_the_hex_form_refused() {
        let id = "7c1c6f2e-3d2a-4b8e-9f51-2a0d5e1b9c44";
        assert!(signature_matches(
            "SECRET",
            "API_KEY",
            id,
            "1767225600000",
            BODY.as_bytes(),
            "PSrVuiyQsfSsZJpFq/F+Tc43kus5+AggUP9jBMXP6Ww="
        ));
        assert!(!signature_matches(
            "SECRET",
            "API_KEY",
            id,
            "1767225600000",
            BODY.as_bytes(),
            "M2QyYWQ1YmEyYzkwYjFmNGFjNjQ5YTQ1YWJmMTdlNGRjZTM3OTJlYjM5ZjgwODIwNTBmZjYzMDRjNWNmZTk2Yw=="
        ));
        assert!(!signature_matches(
            "SECRET",
            "API_KEY",
            id,
            "1767225600000",
            BODY.replace("12.04", "12.040").as_bytes(),
            "PSrVuiyQsfSsZJpFq/F+Tc43kus5+AggUP9jBMXP6Ww="
        ));
    }
}
