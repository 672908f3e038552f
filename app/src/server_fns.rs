//! Server functions: the browser's only way in. Each one delegates to `server::payments`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::wire::JsonAnswer;
use paydesk_core::i18n::Locale;
use paydesk_core::model::{CardSubmission, CheckoutPage, LinkKind, PaymentState};

#[cfg(feature = "ssr")]
fn app_state() -> Result<paydesk_core::AppState, AppError> {
    use_context::<paydesk_core::AppState>().ok_or_else(AppError::internal)
}

/// `error`, with the HTTP status that says what it is: a forged link is a 404 and a held client a
/// 429 in the request log (at WARN), not a server failure; only `internal` and `gateway_unavailable`
/// are 5xx.
#[cfg(feature = "ssr")]
fn failed(error: impl Into<AppError>) -> AppError {
    use crate::error::ErrorCode;
    use http::StatusCode;
    let error = error.into();
    let status = match error.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorCode::TooManyTries => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::GatewayUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Network | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    error
}

/// Card testing from one address across links: every new card form (after a decline, or a
/// Commerce Hub refund's card submission) takes from one per-address ration.
#[cfg(feature = "ssr")]
fn ration_card_tries(
    state: &paydesk_core::AppState,
    link_id: &str,
    lang: Locale,
) -> Result<(), AppError> {
    let client = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<paydesk_core::rate_limit::ClientAddr>()
            .copied()
    });
    match client {
        Some(client) if state.card_retries.check(&client.network()).is_err() => {
            tracing::warn!(client = %client.0, link = %link_id, "new card forms held for this client");
            Err(failed(AppError::new(
                crate::error::ErrorCode::TooManyTries,
                paydesk_core::i18n::texts(lang).too_many_tries,
            )))
        }
        _ => Ok(()),
    }
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
    use paydesk_core::payments::{link_page, Intent};
    let state = app_state()?;
    if retry {
        ration_card_tries(&state, &id, lang)?;
    }
    let intent = if retry { Intent::Retry } else { Intent::View };
    link_page(
        &state,
        &paydesk_core::model::LinkRef { kind, id, sig },
        intent,
        lang,
    )
    .await
    .map_err(|e| failed(e.to_customer_error(lang)))
}

/// What the payment page's interactive part shows after it asks for a new form (the session
/// expired, or "try again"): the state alone, the summary around it does not change.
#[server(prefix = "/rpc", endpoint = "link_state", output = JsonAnswer)]
pub async fn load_link_state(
    kind: LinkKind,
    id: String,
    sig: String,
    retry: bool,
    lang: Locale,
) -> Result<PaymentState, AppError> {
    load_link_page(kind, id, sig, retry, lang)
        .await
        .map(|page| page.state)
}

/// Called when the hosted form says it finished: the server asks the gateway what really happened.
#[server(prefix = "/rpc", endpoint = "confirm_link", output = JsonAnswer)]
pub async fn confirm_link(
    kind: LinkKind,
    id: String,
    sig: String,
    lang: Locale,
) -> Result<PaymentState, AppError> {
    let state = app_state()?;
    paydesk_core::payments::confirm_outcome(
        &state,
        &paydesk_core::model::LinkRef { kind, id, sig },
        lang,
    )
    .await
    .map_err(|e| failed(e.to_customer_error(lang)))
}

/// The storefront that embeds the page (at `storefront`, which must be registered) said the
/// customer left it (`cancel()`): the server records it for the merchant. `true` when it is on
/// record (now or before); `false` when the payment or refund had already ended. The link itself
/// does not change: a form the customer already sent is still settled as usual.
#[server(prefix = "/rpc", endpoint = "abandon_link", output = JsonAnswer)]
pub async fn abandon_link(
    kind: LinkKind,
    id: String,
    sig: String,
    storefront: String,
    lang: Locale,
) -> Result<bool, AppError> {
    use paydesk_core::payments::{record_abandonment, Abandonment};
    let state = app_state()?;
    // Only paydesk's own page (in the storefront's frame) reports it: a browser sends its origin
    // with the POST, and no other site's page can make one claiming ours.
    let from_our_page = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .is_some_and(|origin| {
                paydesk_core::origin::origin_of(&state.config.public_url).as_deref() == Some(origin)
            })
    });
    if !from_our_page {
        tracing::warn!(link = %id, "an abandonment not sent by paydesk's own page was refused");
        return Err(failed(AppError::new(
            crate::error::ErrorCode::InvalidInput,
            "Only the payment page itself reports that the customer left.",
        )));
    }
    if !state.config.frame_ancestors.contains(&storefront) {
        return Err(failed(AppError::new(
            crate::error::ErrorCode::InvalidInput,
            "This page is not embedded by a registered storefront.",
        )));
    }
    let link = paydesk_core::model::LinkRef { kind, id, sig };
    match record_abandonment(&state, &link, &storefront).await {
        Ok(Abandonment::Recorded | Abandonment::AlreadyRecorded) => Ok(true),
        Ok(Abandonment::AlreadyEnded) => Ok(false),
        Err(error) => Err(failed(error.to_customer_error(lang))),
    }
}

/// A refund waiting for a new card: opens a Commerce Hub Hosted Fields session when the customer
/// submits and returns what the SDK needs to send the card (the session id stays on the server).
/// `None`: the refund no longer waits for a card; the page asks what it shows.
#[server(prefix = "/rpc", endpoint = "card_submission", output = JsonAnswer)]
pub async fn start_card_submission(
    id: String,
    sig: String,
    lang: Locale,
) -> Result<Option<CardSubmission>, AppError> {
    let state = app_state()?;
    // Each submission is a card tried (a session at Commerce Hub); a refund to it needs a fresh
    // one, so rationing submissions rations the refunds too.
    ration_card_tries(&state, &id, lang)?;
    let link = paydesk_core::model::LinkRef::refund(id, sig);
    paydesk_core::payments::card_submission(&state, &link)
        .await
        .map_err(|e| failed(e.to_customer_error(lang)))
}

/// After the Hosted Fields sent the card (a hint): the server makes a token of the session and
/// sends the refund to it, then says what the page shows.
#[server(prefix = "/rpc", endpoint = "refund_to_new_card", output = JsonAnswer)]
pub async fn refund_to_new_card(
    id: String,
    sig: String,
    submission: String,
    lang: Locale,
) -> Result<PaymentState, AppError> {
    let state = app_state()?;
    let link = paydesk_core::model::LinkRef::refund(id, sig);
    paydesk_core::payments::submit_new_card(&state, &link, &submission, lang)
        .await
        .map_err(|e| failed(e.to_customer_error(lang)))
}

/// Sandbox only: creates a demo checkout so a new user can try a payment without writing code.
#[server(prefix = "/rpc", endpoint = "create_demo_checkout")]
pub async fn create_demo_checkout() -> Result<String, AppError> {
    use crate::error::ErrorCode;
    use paydesk_core::payments::{create_checkout, demo_checkout};
    let state = app_state()?;
    if !state.config.sandbox_mode {
        return Err(failed(AppError::new(
            ErrorCode::NotFound,
            "Demo checkouts exist only in sandbox mode.",
        )));
    }
    let (checkout, _) = create_checkout(&state, demo_checkout("DEMO"))
        .await
        .map_err(|e| failed(e.to_client_error()))?;
    leptos_axum::redirect(&format!("/pay/{}", checkout.id));
    Ok(checkout.id)
}

/// Sandbox only: creates a demo refund link (as a merchant would for a returned item) and opens it.
#[server(prefix = "/rpc", endpoint = "create_demo_refund_link")]
pub async fn create_demo_refund_link() -> Result<String, AppError> {
    use crate::error::ErrorCode;
    use paydesk_core::payments::{create_refund_link, demo_refund_link};
    let state = app_state()?;
    if !state.config.sandbox_mode {
        return Err(failed(AppError::new(
            ErrorCode::NotFound,
            "Demo refund links exist only in sandbox mode.",
        )));
    }
    let actor = paydesk_core::payments::Actor::demo();
    let link = match create_refund_link(&state, demo_refund_link("DEMO"), &actor)
        .await
        .map_err(|e| failed(e.to_client_error()))?
    {
        paydesk_core::payments::Payout::Created(link, _) => link,
        paydesk_core::payments::Payout::AwaitingApproval(approval) => {
            return Err(failed(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "This refund waits for a second staff member's approval ({}).",
                    approval.id
                ),
            )))
        }
    };
    let url = link.url.unwrap_or_default();
    let path = url
        .strip_prefix(&state.config.public_url)
        .unwrap_or(&url)
        .to_string();
    leptos_axum::redirect(&path);
    Ok(link.id)
}

/// Sandbox only: a Commerce Hub charge on a closed card and its refund, which waits for a new card;
/// the customer's page (its path).
#[server(prefix = "/rpc", endpoint = "create_demo_closed_card_refund")]
pub async fn create_demo_closed_card_refund() -> Result<String, AppError> {
    use crate::error::ErrorCode;
    let state = app_state()?;
    if !state.config.sandbox_mode {
        return Err(failed(AppError::new(
            ErrorCode::NotFound,
            "Demo refunds exist only in sandbox mode.",
        )));
    }
    let actor = paydesk_core::payments::Actor::demo();
    let refund = paydesk_core::payments::demo_closed_card_refund(&state, &actor)
        .await
        .map_err(|e| failed(e.to_client_error()))?;
    let Some(url) = refund.url else {
        return Err(failed(AppError::new(
            ErrorCode::GatewayUnavailable,
            "The demo refund did not wait for a new card; try again.",
        )));
    };
    let path = url
        .strip_prefix(&state.config.public_url)
        .unwrap_or(&url)
        .to_string();
    // A form posted without scripts follows a redirect; the hydrated home page loads the path as a
    // new document itself (a client-side route change would keep the home page's CSP, which does
    // not allow the Hosted Fields SDK).
    if plain_form_post() {
        leptos_axum::redirect(&path);
    }
    Ok(path)
}

/// The request is an HTML form posted by the browser itself (no scripts): it accepts HTML.
#[cfg(feature = "ssr")]
fn plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}
