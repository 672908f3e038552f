//! Staff authentication: argon2id password hashes, a session cookie (HttpOnly, SameSite=Strict,
//! Secure over https; only its hash is stored), a per-session CSRF token on every form, an Origin
//! check on every POST, and the audit log.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::{header, HeaderMap};
use paydesk_core::permissions::Role;
use paydesk_core::store::{
    now_ms, AuditRecord, SessionIdle, StaffSessionRecord, StaffUserRecord, Store, StoreError,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const COOKIE: &str = "paydesk_staff";
const SESSION_MS: i64 = 8 * 3600 * 1000;

/// An argon2id hash (PHC string) of a new password.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("could not hash the password: {e}"))
}

/// Checks a password; always spends the same work, even for an unknown user.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    // A valid hash of a random password, used when the user does not exist.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7G8S8HfMOqB5JtK2B0m4ZrYkq0jcTLZMaUH5P2Wm6fA";
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(DUMMY)) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && stored.is_some()
}

pub fn new_user(email: &str, password: &str, role: Role) -> Result<StaffUserRecord, String> {
    let email = email.trim().to_ascii_lowercase();
    if !email.contains('@') || email.len() > 200 {
        return Err("give a valid email address".into());
    }
    if password.chars().count() < 12 {
        return Err("the password must be at least 12 characters".into());
    }
    Ok(StaffUserRecord {
        id: format!("usr_{}", ulid::Ulid::new()),
        email,
        password_hash: hash_password(password)?,
        created_at: now_ms(),
        disabled_at: None,
        role,
    })
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    hex::encode(buffer)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session; returns the `Set-Cookie` value.
pub async fn start_session(
    store: &Store,
    user: &StaffUserRecord,
    secure: bool,
) -> Result<String, StoreError> {
    let token = random_hex(32);
    let now = now_ms();
    store
        .insert_staff_session(
            &token_hash(&token),
            &user.id,
            &random_hex(32),
            now,
            now + SESSION_MS,
        )
        .await?;
    Ok(cookie(&token, SESSION_MS / 1000, secure))
}

fn cookie(value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64)
}

/// The signed-in staff member, if the cookie names a live session.
pub async fn current(
    store: &Store,
    headers: &HeaderMap,
    idle: SessionIdle,
) -> Result<Option<StaffSessionRecord>, StoreError> {
    match session_token(headers) {
        Some(token) => {
            store
                .staff_session(&token_hash(&token), now_ms(), idle)
                .await
        }
        None => Ok(None),
    }
}

pub async fn end_session(store: &Store, headers: &HeaderMap) -> Result<(), StoreError> {
    if let Some(token) = session_token(headers) {
        store
            .revoke_staff_session(&token_hash(&token), now_ms())
            .await?;
    }
    Ok(())
}

/// A POST is genuine only with the session's CSRF token and, when the browser sends one, our
/// Origin.
pub fn genuine_post(
    headers: &HeaderMap,
    public_origin: &str,
    session: &StaffSessionRecord,
    csrf: &str,
) -> bool {
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin == public_origin,
        None => true,
    };
    origin_ok && bool::from(csrf.as_bytes().ct_eq(session.csrf_token.as_bytes()))
}

/// An audit entry: who (`actor`: a staff member's email, `cli`, or `token:<id>`) did what.
pub fn audit_record(
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> AuditRecord {
    AuditRecord {
        id: format!("aud_{}", ulid::Ulid::new()),
        at: now_ms(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.map(str::to_string),
        detail: Some(detail.to_string()),
    }
}

/// Records what a staff member (or the CLI) did.
pub async fn audit(
    store: &Store,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    store
        .insert_audit(&audit_record(actor, action, subject, detail))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert!(new_user("staff@example.com", "short", Role::Viewer).is_err());
        assert!(new_user("not-an-email", "long enough password", Role::Viewer).is_err());
    }

    #[test]
    fn the_session_cookie_is_locked_down() {
        let set = cookie("abc", 60, true);
        assert!(
            set.contains("HttpOnly")
                && set.contains("SameSite=Strict")
                && set.contains("Secure")
                && set.contains("Path=/admin")
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("a=b; {COOKIE}={}", "f".repeat(64)).parse().unwrap(),
        );
        assert_eq!(session_token(&headers), Some("f".repeat(64)));
    }
}
