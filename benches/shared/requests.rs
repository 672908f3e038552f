//! The requests both benches send, as a client sends them: a signed gateway webhook for a session no
//! link knows, and "was it answered as expected" with the whole body read.

use paydesk_core::gateways::omni::signature::{sign, SignatureEncoding, SIGNATURE_HEADER};
use serde_json::json;

use crate::cluster::WEBHOOK_SECRET;

/// `body` posted to `base`'s gateway webhook endpoint, signed as the gateway signs it.
pub fn signed_webhook(http: &reqwest::Client, base: &str, body: &str) -> reqwest::RequestBuilder {
    let signature = sign(
        WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        SignatureEncoding::Hex,
    );
    http.post(format!("{base}/webhooks/gateway"))
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .body(body.to_string())
}

/// An approved authorization for a session no link knows, unique per `run` and `n` (stored
/// durably, deduplicated, matched to nothing, marked applied).
pub fn stray_approval(run: u32, n: u64) -> String {
    json!({
        "event": { "id": format!("evt_bench_{run:08x}_{n}"), "type": "auth.completed", "timestamp": "2026-11-22T10:00:00Z" },
        "originalResponse": {
            "id": format!("txn_bench_{run:08x}_{n}"), "type": "Auth", "status": "Completed",
            "resultCode": 0, "resultText": "APPROVAL", "referenceId": format!("ref_bench_{run:08x}_{n}"),
            "requestedAmount": 2450, "approvedAmount": 2450,
            "transactionResponses": [{ "responseCode": 1, "hostResponseText": "APPROVAL", "cardType": "VISA" }]
        }
    })
    .to_string()
}

/// Whether a request was answered with `status`, its whole body read (as a client would).
pub async fn answered(sent: Result<reqwest::Response, reqwest::Error>, status: u16) -> bool {
    match sent {
        Ok(response) if response.status().as_u16() == status => response.bytes().await.is_ok(),
        _ => false,
    }
}
