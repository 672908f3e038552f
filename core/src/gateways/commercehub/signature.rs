//! Commerce Hub's HMAC authentication: `Authorization = Base64(HMAC-SHA256(secret, ApiKey +
//! Client-Request-Id + Timestamp + body))` — plain concatenation, over the exact bytes sent, standard
//! Base64 of the raw 32-byte digest (44 characters). (The docs' printed example is Base64 of the hex
//! string; their code, and real traffic, use the raw digest.)

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The `Authorization` header for one request.
pub fn authorization(
    api_key: &str,
    secret: &[u8],
    client_request_id: &str,
    timestamp_ms: &str,
    body: &[u8],
) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(api_key.as_bytes());
    mac.update(client_request_id.as_bytes());
    mac.update(timestamp_ms.as_bytes());
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's test vector (derived from the documented formula).
    #[test]
    fn the_reference_test_vector() {
        let body = r#"{"amount":{"total":12.04,"currency":"USD"},"referenceTransactionDetails":{"referenceTransactionId":"84356531348"},"merchantDetails":{"merchantId":"100008000003683","terminalId":"10000001"}}"#;
        let header = authorization(
            "API_KEY",
            b"SECRET",
            "7c1c6f2e-3d2a-4b8e-9f51-2a0d5e1b9c44",
            "1767225600000",
            body.as_bytes(),
        );
        assert_eq!(header, "PSrVuiyQsfSsZJpFq/F+Tc43kus5+AggUP9jBMXP6Ww=");
        assert_eq!(header.len(), 44);
        assert_ne!(
            header,
            "M2QyYWQ1YmEyYzkwYjFmNGFjNjQ5YTQ1YWJmMTdlNGRjZTM3OTJlYjM5ZjgwODIwNTBmZjYzMDRjNWNmZTk2Yw==",
            "never Base64 of the hex string (the docs' printed example)"
        );
        // One byte of the body changed: another signature.
        assert_ne!(
            authorization(
                "API_KEY",
                b"SECRET",
                "7c1c6f2e-3d2a-4b8e-9f51-2a0d5e1b9c44",
                "1767225600000",
                body.replace("12.04", "12.05").as_bytes()
            ),
            header
        );
    }
}
