//! Server functions: the browser's only way in. Each one delegates to `server::payments`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::{CheckoutPage, LinkKind, PaymentState};

#[cfg(feature = "ssr")]
fn app_state() -> Result<crate::server::AppState, AppError> {
    use_context::<crate::server::AppState>().ok_or_else(AppError::internal)
}

/// A customer page's data (checkout or signed refund link); opens or reuses a hosted-form session
/// on the server.
#[server(prefix = "/rpc", endpoint = "link_page")]
pub async fn load_link_page(
    kind: LinkKind,
    id: String,
    sig: String,
    retry: bool,
    lang: Locale,
) -> Result<CheckoutPage, AppError> {
    use crate::server::payments::{link_page, Intent};
    let state = app_state()?;
    if retry {
        // Card testing from one address across links: new card forms after declines are rationed.
        let client = use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<crate::server::rate_limit::ClientAddr>()
                .copied()
        });
        if let Some(client) = client {
            if state.card_retries.check(&client.0).is_err() {
                tracing::warn!(client = %client.0, link = %id, "new card forms held for this client");
                return Err(AppError::new(
                    crate::error::ErrorCode::TooManyTries,
                    crate::i18n::texts(lang).too_many_tries,
                ));
            }
        }
    }
    let intent = if retry { Intent::Retry } else { Intent::View };
    link_page(
        &state,
        &crate::model::LinkRef { kind, id, sig },
        intent,
        lang,
    )
    .await
    .map_err(|e| e.to_customer_error(lang))
}

/// Called when the hosted form says it finished: the server asks the gateway what really happened.
#[server(prefix = "/rpc", endpoint = "confirm_link")]
pub async fn confirm_link(
    kind: LinkKind,
    id: String,
    sig: String,
    lang: Locale,
) -> Result<PaymentState, AppError> {
    let state = app_state()?;
    crate::server::payments::confirm_outcome(&state, &crate::model::LinkRef { kind, id, sig }, lang)
        .await
        .map_err(|e| e.to_customer_error(lang))
}

/// Sandbox only: creates a demo checkout so a new user can try a payment without writing code.
#[server(prefix = "/rpc", endpoint = "create_demo_checkout")]
pub async fn create_demo_checkout() -> Result<String, AppError> {
    use crate::error::ErrorCode;
    use crate::server::payments::{create_checkout, demo_checkout};
    let state = app_state()?;
    if !state.config.sandbox_mode {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "Demo checkouts exist only in sandbox mode.",
        ));
    }
    let (checkout, _) = create_checkout(&state, demo_checkout("DEMO"))
        .await
        .map_err(|e| e.to_app_error())?;
    leptos_axum::redirect(&format!("/pay/{}", checkout.id));
    Ok(checkout.id)
}

/// Sandbox only: creates a demo refund link (as a merchant would for a returned item) and opens it.
#[server(prefix = "/rpc", endpoint = "create_demo_refund_link")]
pub async fn create_demo_refund_link() -> Result<String, AppError> {
    use crate::error::ErrorCode;
    use crate::server::payments::{create_refund_link, demo_refund_link};
    let state = app_state()?;
    if !state.config.sandbox_mode {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "Demo refund links exist only in sandbox mode.",
        ));
    }
    let actor = crate::server::payments::Actor::demo();
    let (link, _) = create_refund_link(&state, demo_refund_link("DEMO"), &actor)
        .await
        .map_err(|e| e.to_app_error())?;
    let url = link.url.unwrap_or_default();
    let path = url
        .strip_prefix(&state.config.public_url)
        .unwrap_or(&url)
        .to_string();
    leptos_axum::redirect(&path);
    Ok(link.id)
}
