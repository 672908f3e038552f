//! The server functions a customer page calls only after the customer acts (the hosted form said
//! it finished, a session ran out, "try again", the storefront cancelled): in a split build they
//! and their JSON decoding load from their own chunk, so the page is interactive before them.

use crate::error::AppError;
use paydesk_core::i18n::Locale;
use paydesk_core::model::{LinkRef, PaymentState};

/// [`crate::server_fns::load_link_state`]: the link's state, a new session when `retry`.
#[leptos::prelude::lazy]
pub async fn load_state_later(
    link: LinkRef,
    retry: bool,
    locale: Locale,
) -> Result<PaymentState, AppError> {
    crate::server_fns::load_link_state(link.kind, link.id, link.sig, retry, locale).await
}

/// [`crate::server_fns::confirm_link`]: the outcome, as the gateway knows it.
#[leptos::prelude::lazy]
pub async fn confirm_later(link: LinkRef, locale: Locale) -> Result<PaymentState, AppError> {
    crate::server_fns::confirm_link(link.kind, link.id, link.sig, locale).await
}

/// [`crate::server_fns::abandon_link`]: the storefront at `storefront` said the customer left.
#[leptos::prelude::lazy]
pub async fn abandon_later(
    link: LinkRef,
    storefront: String,
    locale: Locale,
) -> Result<bool, AppError> {
    crate::server_fns::abandon_link(link.kind, link.id, link.sig, storefront, locale).await
}

/// Fetches the calls' chunks once the page is interactive, so the first one is not delayed.
pub fn preload() {
    let _ = leptos::prelude::lazy_preload!(load_state_later);
    let _ = leptos::prelude::lazy_preload!(confirm_later);
    let _ = leptos::prelude::lazy_preload!(abandon_later);
}
