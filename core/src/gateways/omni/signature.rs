//! The gateway's webhook signature: `x-fsk-wh-chksm` = HMAC-SHA256 of the raw body with the shared
//! secret, sent as lowercase hex or base64 (the vendor's docs disagree), compared in constant time.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-fsk-wh-chksm";

/// How the sandbox writes a signature (the receiver accepts both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureEncoding {
    Hex,
    Base64,
}

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    mac
}

/// Signs `body` the way the gateway does.
pub fn sign(secret: &[u8], body: &[u8], encoding: SignatureEncoding) -> String {
    let digest = mac(secret, body).finalize().into_bytes();
    match encoding {
        SignatureEncoding::Hex => hex::encode(digest),
        SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(digest),
    }
}

/// True when `header` is a valid signature of `body`, in hex (any case) or base64 (with or without
/// padding).
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let header = header.trim();
    let Some(claimed) = decode(header) else {
        return false;
    };
    mac(secret, body).verify_slice(&claimed).is_ok()
}

fn decode(header: &str) -> Option<Vec<u8>> {
    if header.len() == 64 && header.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex::decode(header).ok();
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
    ];
    engines
        .iter()
        .find_map(|engine| engine.decode(header).ok())
        .filter(|bytes| bytes.len() == 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector of reference/gateway-api.md §6.
    const BODY: &[u8] = br#"{"event":{"id":"evt_01JSQ33SMQKET4DMRV46W9WY84","type":"sale.completed","timestamp":"2025-04-07T20:03:05Z"}}"#;
    const SECRET: &[u8] = b"secret_value";
    const HEX: &str = "d8a4d43ee429a615f338c8fbed33daa8b0136d050cd33bfab07bab24e51a92e7";
    const BASE64: &str = "2KTUPuQpphXzOMj77TPaqLATbQUM0zv6sHurJOUakuc=";

    #[test]
    fn reference_test_vector_in_both_encodings() {
        assert_eq!(sign(SECRET, BODY, SignatureEncoding::Hex), HEX);
        assert_eq!(sign(SECRET, BODY, SignatureEncoding::Base64), BASE64);
        assert!(verify(SECRET, BODY, HEX));
        assert!(verify(SECRET, BODY, &HEX.to_uppercase()));
        assert!(verify(SECRET, BODY, BASE64));
        assert!(verify(SECRET, BODY, BASE64.trim_end_matches('=')));
    }

    #[test]
    fn any_change_fails() {
        assert!(!verify(b"secret_valuE", BODY, HEX));
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        assert!(!verify(SECRET, &tampered, HEX));
        assert!(!verify(SECRET, BODY, &HEX[..62]));
        assert!(!verify(SECRET, BODY, ""));
        assert!(!verify(SECRET, BODY, "not a signature"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Only the gateway's own signature of these exact bytes verifies: any other header, or the
        /// signature of other bytes, never does (and nothing panics).
        #[test]
        fn only_the_exact_signature_verifies(
            secret in proptest::collection::vec(any::<u8>(), 1..64),
            body in proptest::collection::vec(any::<u8>(), 0..512),
            other in proptest::collection::vec(any::<u8>(), 0..512),
            header in ".{0,100}",
        ) {
            for encoding in [SignatureEncoding::Hex, SignatureEncoding::Base64] {
                let signature = sign(&secret, &body, encoding);
                prop_assert!(verify(&secret, &body, &signature));
                if other != body {
                    prop_assert!(!verify(&secret, &other, &signature));
                }
                if header.trim() != signature && !header.trim().eq_ignore_ascii_case(&signature) {
                    let decoded_same = decode(header.trim()) == decode(&signature);
                    prop_assert!(decoded_same || !verify(&secret, &body, &header));
                }
            }
        }
    }
}
