//! Signs refund-link ids so a link cannot be forged or altered: the customer URL carries
//! `sig = base64url(HMAC-SHA256(key, "refund-link:" + id))[..22]`, checked in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signing key. `Debug` is redacted.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(<redacted>)")
    }
}

/// 16 bytes of MAC: 128 bits, beyond guessing.
const SIG_BYTES: usize = 16;

impl LinkSigner {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        LinkSigner { key: key.into() }
    }

    /// A fresh random key, hex-encoded, for first start.
    pub fn generate_key() -> String {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    pub fn sign(&self, id: &str) -> String {
        self.mac(id)
            .map(|mac| URL_SAFE_NO_PAD.encode(mac))
            .unwrap_or_default()
    }

    /// True only for the exact signature of `id` (compared in constant time).
    pub fn verify(&self, id: &str, sig: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(sig.trim()) else {
            return false;
        };
        given.len() == SIG_BYTES
            && self
                .hmac(id)
                .is_some_and(|mac| mac.verify_truncated_left(&given).is_ok())
    }

    fn hmac(&self, id: &str) -> Option<Hmac<Sha256>> {
        if self.key.is_empty() {
            return None;
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(b"refund-link:");
        mac.update(id.as_bytes());
        Some(mac)
    }

    /// The first [`SIG_BYTES`] of the MAC (only fails on an empty key).
    fn mac(&self, id: &str) -> Option<Vec<u8>> {
        Some(self.hmac(id)?.finalize().into_bytes()[..SIG_BYTES].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_id_and_key() {
        let signer = LinkSigner::new(b"k1".to_vec());
        let sig = signer.sign("rfl_01");
        assert_eq!(sig.len(), 22);
        assert!(signer.verify("rfl_01", &sig));
        assert!(!signer.verify("rfl_02", &sig));
        assert!(!LinkSigner::new(b"k2".to_vec()).verify("rfl_01", &sig));
        let mut tampered = sig.clone();
        tampered.replace_range(0..1, if sig.starts_with('A') { "B" } else { "A" });
        assert!(!signer.verify("rfl_01", &tampered));
        assert!(!signer.verify("rfl_01", ""));
        assert!(!signer.verify("rfl_01", "not base64!"));
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", LinkSigner::new(b"secret".to_vec())),
            "LinkSigner(<redacted>)"
        );
    }
}
