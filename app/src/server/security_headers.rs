//! Every security header paydesk sends, in one place: the customer pages' CSP (a nonce, frames only
//! from the gateway's hosted-form origin and ourselves, `frame-ancestors` limited to the configured
//! storefronts), the staff console's, and the defaults every other response gets.

use http::header::{self, HeaderMap, HeaderValue};
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use paydesk_core::payments::is_gateway_refund_id;
use paydesk_core::AppState;

/// The console's CSP: no scripts at all, styles and forms from paydesk only, never framed.
pub const CONSOLE_POLICY: &str =
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The console's CSP for a page that follows a status live: its one script and its JSON, from
/// paydesk only.
pub const CONSOLE_LIVE_POLICY: &str =
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The CSP of every response that does not set its own (API answers, files, errors).
pub const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Where a page that takes a new card in Commerce Hub Hosted Fields lets the SDK's script (its
/// version folder) and its field frames (its origin) come from; nothing else of it.
pub struct CardFieldsSources {
    pub script: String,
    pub frames: String,
}

/// The CSP of a customer page, given its nonce, the hosted-form origin, the allowed embedders and,
/// on a page that takes a new card in Commerce Hub Hosted Fields, the SDK's sources.
pub fn page_policy(
    nonce: &str,
    hosted_form_origin: &str,
    frame_ancestors: &[String],
    card_fields: Option<&CardFieldsSources>,
) -> String {
    let mut ancestors = String::from("'self'");
    for origin in frame_ancestors {
        ancestors.push(' ');
        ancestors.push_str(origin);
    }
    let (scripts, frames) = match card_fields {
        Some(sources) => (
            format!(" {}", sources.script),
            format!(" {}", sources.frames),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'{scripts}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-src 'self' {hosted_form_origin}{frames}; \
         frame-ancestors {ancestors}; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// The Commerce Hub SDK's sources when the request is for a refund that may take a new card there.
fn card_fields_sources(state: &AppState) -> Option<CardFieldsSources> {
    let parts = use_context::<http::request::Parts>()?;
    let id = parts.uri.path().strip_prefix("/refund/")?;
    if !is_gateway_refund_id(id) {
        return None;
    }
    let hub = state.commercehub.as_ref()?;
    Some(CardFieldsSources {
        script: hub.sdk_script_source()?,
        frames: hub.sdk_origin()?,
    })
}

/// Sets the customer page's headers on the current response (SSR only): its CSP, and no caching
/// (pages show live payment state).
pub fn set_page_headers() {
    let (Some(response), Some(state)) =
        (use_context::<ResponseOptions>(), use_context::<AppState>())
    else {
        return;
    };
    let nonce = use_nonce().map(|n| n.to_string()).unwrap_or_default();
    let policy = page_policy(
        &nonce,
        &state.config.hosted_form_origin,
        &state.config.frame_ancestors,
        card_fields_sources(&state).as_ref(),
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
    response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The headers of a staff console page.
pub fn set_console_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONSOLE_POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// HSTS for a deployment served over https: browsers never reach it in clear again for a year.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Headers every response gets; a page that set its own CSP or referrer policy keeps them. `https`:
/// paydesk is served over https (its public URL), so browsers are told to keep to it (HSTS).
pub fn set_default_headers(headers: &mut HeaderMap, https: bool) {
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
    // Browsers that predate `frame-ancestors` read this instead: whatever may never be framed says so
    // twice (customer pages, which storefronts frame, keep to their CSP).
    let never_framed = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|policy| policy.to_str().ok())
        .is_some_and(|policy| policy.contains("frame-ancestors 'none'"));
    if never_framed {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
}

/// What no paydesk page needs, refused for the page and every frame in it (`payment` stays as the
/// browser sets it: the gateway's form may offer wallets).
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), usb=(), serial=(), \
     hid=(), bluetooth=(), display-capture=()";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_limits_frames_and_embedders() {
        let csp = page_policy(
            "abc",
            "https://hpf.example.io",
            &["https://shop.example.com".into()],
            None,
        );
        assert!(csp.contains("frame-src 'self' https://hpf.example.io;"));
        assert!(csp.contains("frame-ancestors 'self' https://shop.example.com;"));
        assert!(csp.contains("'nonce-abc'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn card_fields_add_the_sdk_folder_to_scripts_and_its_origin_to_frames_only() {
        let csp = page_policy(
            "abc",
            "https://hpf.example.io",
            &[],
            Some(&CardFieldsSources {
                script: "https://commercehub-secure-data-capture.fiservapps.com/3.6.0/".into(),
                frames: "https://commercehub-secure-data-capture.fiservapps.com".into(),
            }),
        );
        assert!(csp.contains(
            "script-src 'self' 'nonce-abc' 'wasm-unsafe-eval' https://commercehub-secure-data-capture.fiservapps.com/3.6.0/;"
        ));
        assert!(csp.contains(
            "frame-src 'self' https://hpf.example.io https://commercehub-secure-data-capture.fiservapps.com;"
        ));
        assert!(csp.contains("connect-src 'self';"));
    }

    #[test]
    fn defaults_never_replace_a_page_policy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'"),
        );
        set_default_headers(&mut headers, false);
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            "default-src 'self'"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let mut bare = HeaderMap::new();
        set_default_headers(&mut bare, true);
        assert_eq!(bare[header::CONTENT_SECURITY_POLICY], DEFAULT_POLICY);
        assert_eq!(
            bare[header::STRICT_TRANSPORT_SECURITY],
            STRICT_TRANSPORT_SECURITY
        );
    }
}
