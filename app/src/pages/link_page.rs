//! The page shared by checkouts and refund links: loads the link's state on the server (opening or
//! reusing a hosted-form session) and hands it to the `Checkout` component.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::checkout::Checkout;
use crate::components::wording::wording;
use crate::error::AppError;
use crate::i18n::use_locale;
use crate::server_fns::load_link_page;
use paydesk_core::i18n::texts;
use paydesk_core::model::{LinkKind, LinkRef};

#[component]
pub fn LinkPage(link: Signal<LinkRef>) -> impl IntoView {
    let locale = use_locale();
    let page = Resource::new_blocking(
        move || link.get(),
        move |link| load_link_page(link.kind, link.id, link.sig, false, locale),
    );
    // A page's kind never changes: read it once (the title is rendered after the body resolves).
    let kind = link.with_untracked(|l| l.kind);
    let words = move || wording(kind, locale);
    view! {
        <Title text=move || words().page_title />
        <Suspense fallback=move || view! { <p class="loading" data-testid="checkout-loading">{texts(locale).loading}</p> }>
            {move || Suspend::new(async move {
                let link = link.get_untracked();
                match page.await {
                    Ok(data) => view! { <Checkout page=data link /> }.into_any(),
                    Err(error) => view! { <PageProblem kind=link.kind error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PageProblem(kind: LinkKind, error: AppError) -> impl IntoView {
    view! {
        <section class="panel panel-problem" data-testid="page-error" role="alert">
            <h1>{wording(kind, use_locale()).unavailable_heading}</h1>
            <p data-testid="page-error-message">{error.0.message}</p>
        </section>
    }
}
