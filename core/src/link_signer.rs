//! Signs refund-link ids so a link cannot be forged or altered: the customer URL carries
//! `sig = base64url(HMAC-SHA256(key, "refund-link:" + id))[..22]`, checked in constant time. The
//! return URL given to the gateway carries another signature (`"refund-link-return:" + id`) that
//! shows the outcome but never opens a card form: the gateway never holds the payout link.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// The signing key (`secrecy`: `Debug` is redacted), and while it is rolled the key before it:
/// links signed with either verify (so outstanding links live out their time); new ones are signed
/// with the current key.
#[derive(Clone, Debug)]
pub struct LinkSigner {
    key: SecretSlice<u8>,
    previous: Option<SecretSlice<u8>>,
}

/// What a signature is for: the customer's link, or the gateway's return URL.
const PAGE: &[u8] = b"refund-link:";
const RETURN: &[u8] = b"refund-link-return:";

/// 16 bytes of MAC: 128 bits, beyond guessing.
const SIG_BYTES: usize = 16;

impl LinkSigner {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        LinkSigner {
            key: SecretSlice::from(key.into()),
            previous: None,
        }
    }

    /// The same signer, accepting what `previous` signed too (never signing with it).
    pub fn with_previous(self, previous: impl Into<Vec<u8>>) -> Self {
        LinkSigner {
            previous: Some(SecretSlice::from(previous.into())),
            ..self
        }
    }

    /// A fresh random key, hex-encoded, for first start.
    pub fn generate_key() -> String {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    /// The signature of the customer's link: it opens card forms (pays out).
    pub fn sign(&self, id: &str) -> String {
        self.encoded(PAGE, id)
    }

    /// True only for the exact signature of `id`'s customer link (compared in constant time).
    pub fn verify(&self, id: &str, sig: &str) -> bool {
        self.verifies(PAGE, id, sig)
    }

    /// The signature of the return URL given to the gateway: it shows the outcome only.
    pub fn sign_return(&self, id: &str) -> String {
        self.encoded(RETURN, id)
    }

    /// True for the return URL's signature of `id`.
    pub fn verify_return(&self, id: &str, sig: &str) -> bool {
        self.verifies(RETURN, id, sig)
    }

    fn encoded(&self, purpose: &[u8], id: &str) -> String {
        hmac(self.key.expose_secret(), purpose, id)
            .map(|mac| URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..SIG_BYTES]))
            .unwrap_or_default()
    }

    fn verifies(&self, purpose: &[u8], id: &str, sig: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(sig.trim()) else {
            return false;
        };
        given.len() == SIG_BYTES
            && std::iter::once(&self.key)
                .chain(self.previous.as_ref())
                .any(|key| {
                    hmac(key.expose_secret(), purpose, id)
                        .is_some_and(|mac| mac.verify_truncated_left(&given).is_ok())
                })
    }
}

/// The MAC of `purpose` and `id` under `key` (none for an empty key).
fn hmac(key: &[u8], purpose: &[u8], id: &str) -> Option<Hmac<Sha256>> {
    if key.is_empty() {
        return None;
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(purpose);
    mac.update(id.as_bytes());
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_the_key_is_rolled_links_signed_with_either_verify() {
        let old = LinkSigner::new(b"old-key".to_vec());
        let rolled = LinkSigner::new(b"new-key".to_vec()).with_previous(b"old-key".to_vec());
        let outstanding = old.sign("rfl_01");
        assert!(
            rolled.verify("rfl_01", &outstanding),
            "an outstanding link lives on"
        );
        assert!(rolled.verify("rfl_01", &rolled.sign("rfl_01")));
        assert_ne!(
            rolled.sign("rfl_01"),
            outstanding,
            "new links use the new key"
        );
        assert!(rolled.verify_return("rfl_01", &old.sign_return("rfl_01")));
        assert!(!LinkSigner::new(b"new-key".to_vec()).verify("rfl_01", &outstanding));
        assert!(!rolled.verify("rfl_02", &outstanding));
    }

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
    fn the_return_signature_never_opens_the_link() {
        let signer = LinkSigner::new(b"k1".to_vec());
        let back = signer.sign_return("rfl_01");
        assert!(signer.verify_return("rfl_01", &back));
        assert!(
            !signer.verify("rfl_01", &back),
            "it shows the outcome, never a card form"
        );
        assert!(!signer.verify_return("rfl_01", &signer.sign("rfl_01")));
        assert!(!signer.verify_return("rfl_02", &back));
    }

    #[test]
    fn debug_is_redacted() {
        let shown = format!("{:?}", LinkSigner::new(b"hunter2".to_vec()));
        assert!(shown.contains("REDACTED"), "{shown}");
        // Neither the text nor its bytes (`[104, 117, …]`).
        assert!(
            !shown.contains("hunter2") && !shown.contains("104"),
            "{shown}"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A refund link's URL opens only with its exact signature: no other text does, and the
        /// return signature never does.
        #[test]
        fn only_the_exact_signature_opens_a_link(id in "[a-z_0-9A-Z]{1,40}", sig in ".{0,40}") {
            let signer = LinkSigner::new(b"property-key-0123456789abcdef0123".to_vec());
            let real = signer.sign(&id);
            prop_assert!(signer.verify(&id, &real));
            prop_assert!(!signer.verify(&id, &signer.sign_return(&id)));
            if sig.trim() != real {
                prop_assert!(!signer.verify(&id, &sig));
            }
        }
    }
}
