//! The optional second factor for staff: TOTP (RFC 6238 — 6 digits, 30-second steps, SHA-1, one
//! step of clock skew either way; `totp-rs`), each code accepted once.

use paydesk_core::store::{now_ms, Store, StoreError};
use rand::RngCore;
use totp_rs::{Builder, Secret, Totp};

/// A new secret (20 random bytes, as RFC 4226 recommends), in base32 as authenticator apps read it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// The `otpauth://` URL an authenticator app scans (or is given) to add `email`'s account.
pub fn enrollment_url(email: &str, secret: &str) -> String {
    let label: String = url::form_urlencoded::byte_serialize(format!("paydesk:{email}").as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer=paydesk&algorithm=SHA1&digits=6&period=30"
    )
}

fn totp(secret: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new().with_secret(secret).build().ok()
}

/// The time step `code` belongs to, if it is right for `secret` at `unix_secs` (one step either way).
pub fn matching_step(secret: &str, code: &str, unix_secs: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret)?.check(&code, unix_secs)
}

/// The code for `secret` at `unix_secs` (what an authenticator app shows; for tests and scripts).
pub fn code_at(secret: &str, unix_secs: u64) -> Option<String> {
    Some(totp(secret)?.generate(unix_secs).to_string())
}

/// Whether `email`'s sign-in passes its second factor: no TOTP set up, or `code` right now and
/// not used before.
pub async fn second_factor_ok(store: &Store, email: &str, code: &str) -> Result<bool, StoreError> {
    let Some(secret) = store.staff_totp_secret(email).await? else {
        return Ok(true);
    };
    let now_secs = u64::try_from(now_ms() / 1000).unwrap_or_default();
    match matching_step(&secret, code, now_secs) {
        Some(step) => store.use_totp_step(email, step as i64).await,
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_right_for_its_step_and_the_ones_beside_it_only() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&secret, &code, now), Some(now / 30));
        assert!(matching_step(&secret, &code, now + 30).is_some());
        assert!(matching_step(&secret, &code, now + 90).is_none());
        assert!(matching_step(&secret, "000000x", now).is_none());
        assert!(matching_step("not base32!", &code, now).is_none());
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(matching_step(&secret, &spaced, now).is_some());
    }

    #[test]
    fn codes_match_rfc_6238s_sha1_test_vectors() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8-digit codes 94287082 and
        // 07081804; an authenticator app shows their last six digits.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(code_at(secret, 59).as_deref(), Some("287082"));
        assert_eq!(code_at(secret, 1_111_111_109).as_deref(), Some("081804"));
    }

    #[test]
    fn the_enrollment_url_names_the_account_and_the_secret() {
        let url = enrollment_url("ops@example.com", "JBSWY3DPEHPK3PXP");
        assert_eq!(
            url,
            "otpauth://totp/paydesk%3Aops%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=paydesk&algorithm=SHA1&digits=6&period=30"
        );
    }
}
