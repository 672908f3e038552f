//! Payroc's identity token exchange: `POST {identity}/authorize` with `x-api-key` and no body gives
//! a Bearer token. It is cached, refreshed two minutes before it expires, one refresh at a time.

use crate::measures;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::error::PayrocError;
use super::wire::AccessToken;

/// Refresh this long before the token expires.
const REFRESH_EARLY: Duration = Duration::from_secs(120);

/// The API key (`secrecy`: `Debug` never shows it).
#[derive(Clone, Debug)]
pub struct PayrocApiKey(SecretString);

impl PayrocApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        PayrocApiKey(SecretString::from(key.into()))
    }
}

struct Cached {
    header: HeaderValue,
    refresh_at: Instant,
}

/// The current Bearer token, fetched when missing or due.
pub struct TokenCache {
    http: reqwest::Client,
    authorize_url: String,
    api_key: PayrocApiKey,
    cached: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("authorize_url", &self.authorize_url)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    pub fn new(http: reqwest::Client, identity_url: &str, api_key: PayrocApiKey) -> Self {
        TokenCache {
            http,
            authorize_url: format!("{}/authorize", identity_url.trim_end_matches('/')),
            api_key,
            cached: Mutex::new(None),
        }
    }

    /// `Authorization: Bearer …`, refreshed first when due. Holding the lock while refreshing makes
    /// concurrent callers wait for the one refresh instead of starting their own.
    pub async fn authorization(&self) -> Result<HeaderValue, PayrocError> {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref() {
            if Instant::now() < current.refresh_at {
                return Ok(current.header.clone());
            }
        }
        let fresh = self.fetch().await?;
        let header = fresh.header.clone();
        *cached = Some(fresh);
        Ok(header)
    }

    /// Forgets the token (after a 401 on an API call): the next call fetches a new one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn fetch(&self) -> Result<Cached, PayrocError> {
        let key = HeaderValue::from_str(self.api_key.0.expose_secret()).map_err(|_| {
            PayrocError::InvalidRequest(
                "the Payroc API key has characters a header cannot carry".into(),
            )
        })?;
        let request = self.http.post(&self.authorize_url).header("x-api-key", key);
        let response = measures::send_gateway_call("payroc", request)
            .await
            .map_err(|e| PayrocError::Identity(e.without_url().to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| PayrocError::Identity(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(PayrocError::Identity(format!("HTTP {}", status.as_u16())));
        }
        let token: AccessToken = serde_json::from_slice(&bytes)
            .map_err(|e| PayrocError::Identity(format!("unreadable token answer: {e}")))?;
        if token.access_token.is_empty() {
            return Err(PayrocError::Identity(
                "the token answer has no token".into(),
            ));
        }
        // The API's security scheme is `bearerAuth` whatever `token_type` says (Payroc's own SDK
        // fixtures answer `"token_type": "token_type"`); an odd value is worth a look, not a failure.
        if !token.token_type.eq_ignore_ascii_case("bearer") {
            tracing::warn!(token_type = %token.token_type, "Payroc's identity service named an unexpected token type; sending it as a Bearer token");
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {}", token.access_token))
            .map_err(|_| PayrocError::Identity("the token cannot be sent as a header".into()))?;
        header.set_sensitive(true);
        let lifetime = Duration::from_secs(token.expires_in);
        Ok(Cached {
            header,
            refresh_at: Instant::now() + lifetime.saturating_sub(REFRESH_EARLY),
        })
    }
}
