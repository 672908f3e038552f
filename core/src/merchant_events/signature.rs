//! The signature paydesk puts on its merchant webhooks, and how a receiver checks it:
//! `Paydesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! The receiver recomputes the HMAC over the raw body, compares in constant time, and refuses a
//! timestamp outside its tolerance window (replays).

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "Paydesk-Signature";
/// How old (or how far in the future) a signature may be; receivers should use the same.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// The webhook signing secrets (`secrecy`: `Debug` is redacted): the current one, and while it is
/// being rolled the one before it — each signs, so a receiver that knows either accepts.
#[derive(Clone, Debug)]
pub struct WebhookSigner {
    secret: SecretSlice<u8>,
    previous: Option<SecretSlice<u8>>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing or malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance window")]
    Expired,
    #[error("no v1 signature matches")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

impl WebhookSigner {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        WebhookSigner {
            secret: SecretSlice::from(secret.into()),
            previous: None,
        }
    }

    /// Signs with `secret` and, until the merchant's receiver knows it, with `previous` too.
    pub fn rolling(secret: impl Into<Vec<u8>>, previous: Option<Vec<u8>>) -> Self {
        WebhookSigner {
            previous: previous.map(SecretSlice::from),
            ..WebhookSigner::new(secret)
        }
    }

    /// The header value for `body` signed at `timestamp` (Unix seconds): one `v1` per secret, the
    /// current one first.
    pub fn header(&self, timestamp: i64, body: &[u8]) -> String {
        let mut header = format!("t={timestamp}");
        for secret in std::iter::once(&self.secret).chain(self.previous.as_ref()) {
            let hex = mac(secret.expose_secret(), timestamp, body)
                .map(|m| hex::encode(m.finalize().into_bytes()))
                .unwrap_or_default();
            header.push_str(",v1=");
            header.push_str(&hex);
        }
        header
    }
}

/// Verifies a `Paydesk-Signature` header as a receiver must: any `v1` may match (secret rotation
/// sends several), compared in constant time, and `t` within `tolerance_secs` of `now`.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Expired);
    }
    let matches = signatures
        .iter()
        .any(|sig| mac(secret, timestamp, body).is_some_and(|m| m.verify_slice(sig).is_ok()));
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_a_secret_is_rolled_either_one_verifies() {
        let body = br#"{"id":"evt_1"}"#;
        let signer = WebhookSigner::rolling(
            b"new_secret_0123456789abcdef".to_vec(),
            Some(b"old_secret_0123456789abcdef".to_vec()),
        );
        let header = signer.header(1000, body);
        assert_eq!(header.matches("v1=").count(), 2, "{header}");
        assert!(verify(b"new_secret_0123456789abcdef", &header, body, 1000, 300).is_ok());
        assert!(verify(b"old_secret_0123456789abcdef", &header, body, 1000, 300).is_ok());
        assert_eq!(
            verify(b"another_secret_0123456789ab", &header, body, 1000, 300),
            Err(SignatureError::Mismatch)
        );
        // Not rolling: one signature.
        let single = WebhookSigner::new(b"new_secret_0123456789abcdef".to_vec()).header(1000, body);
        assert_eq!(single.matches("v1=").count(), 1);
    }

    /// The test vector documented in the book (docs/integrating/events.md).
    #[test]
    fn documented_test_vector() {
        let body = br#"{"id":"evt_01JTESTVECTOR0000000000000","type":"payment.captured"}"#;
        let header =
            WebhookSigner::new(b"whsec_test_0123456789abcdef".to_vec()).header(1767225600, body);
        assert_eq!(
            header,
            "t=1767225600,v1=e6ec8c8abb580f7d7d2d922cd2fc24f1c7e0517e1f638072e3057486b1bf7106"
        );
        assert_eq!(
            verify(
                b"whsec_test_0123456789abcdef",
                &header,
                body,
                1767225600 + 299,
                300
            ),
            Ok(())
        );
    }

    #[test]
    fn tampering_replay_and_garbage_are_refused() {
        let secret = b"s3cret";
        let body = b"{\"a\":1}";
        let header = WebhookSigner::new(secret.to_vec()).header(1000, body);
        assert_eq!(
            verify(secret, &header, b"{\"a\":2}", 1000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &header, body, 1000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(secret, &header, body, 1301, 300),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify(secret, "v1=00", body, 1000, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(secret, "t=1000", body, 1000, 300),
            Err(SignatureError::Malformed)
        );
        let rotated = format!("{},v1={}", header, "00".repeat(32));
        assert_eq!(verify(secret, &rotated, body, 1000, 300), Ok(()));
        assert!(!format!("{:?}", WebhookSigner::new(secret.to_vec())).contains("s3cret"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any header a receiver gets: no panic; only our signature of these bytes, within the
        /// tolerance, is accepted.
        #[test]
        fn only_our_fresh_signature_is_accepted(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            header in ".{0,120}",
            timestamp in 0i64..4_000_000_000,
        ) {
            let secret = b"whsec_property_0123456789abcdef";
            let signed = WebhookSigner::new(secret.to_vec()).header(timestamp, &body);
            prop_assert!(verify(secret, &signed, &body, timestamp, DEFAULT_TOLERANCE_SECS).is_ok());
            prop_assert!(verify(secret, &signed, &body, timestamp + DEFAULT_TOLERANCE_SECS + 1, DEFAULT_TOLERANCE_SECS).is_err());
            if header != signed {
                let accepted = verify(secret, &header, &body, timestamp, DEFAULT_TOLERANCE_SECS).is_ok();
                // Only a header carrying our exact MAC for `t` can pass.
                prop_assert!(!accepted || header.contains(signed.split("v1=").nth(1).unwrap_or("-")));
            }
        }
    }
}
