//! Sandbox only: an example storefront, on its own origin, that embeds paydesk with `/embed.js` —
//! the page a new user opens to see embedding work, and what the browser tests drive. Its "backend"
//! creates the checkout (or refund link) the way a merchant's server would.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use paydesk_core::payments::{
    create_checkout, create_refund_link, demo_checkout, demo_refund_link, Actor, NewCheckout,
    NewRefundLink, Payout,
};
use paydesk_core::AppState;
use tokio::net::TcpListener;

use crate::html::escape;

const SCRIPT: &str = include_str!("demo_storefront.js");

/// The storefront's own state: paydesk, and its own origin (where paydesk sends the customer back).
#[derive(Clone)]
struct Storefront {
    app: AppState,
    origin: String,
}

/// Serves the storefront on `listener` in the background.
pub fn start(app: AppState, listener: TcpListener) {
    let origin = listener
        .local_addr()
        .map(|address| format!("http://{address}"))
        .unwrap_or_default();
    let state = Storefront { app, origin };
    let router = Router::new()
        .route("/", get(storefront_checkout))
        .route("/refund", get(storefront_refund))
        .route("/element", get(storefront_element))
        .route(
            "/thanks",
            get(|| async {
                landing(
                    "Thank you",
                    "storefront-thanks",
                    "Your order is confirmed once we hear from paydesk.",
                )
            }),
        )
        .route(
            "/cart",
            get(|| async {
                landing(
                    "Your cart",
                    "storefront-cart",
                    "2 × paydesk mug — $24.50 USD",
                )
            }),
        )
        .route(
            "/storefront.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    SCRIPT,
                )
            }),
        )
        .with_state(state);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "demo storefront stopped");
        }
    });
}

/// How a storefront page embeds paydesk.
#[derive(Clone, Copy)]
enum Embedding {
    /// `Paydesk.mount()` on a `<div>`.
    Mount,
    /// The `<paydesk-checkout>` custom element.
    Element,
}

/// How the storefront looks: its plain light page, or `?look=dark`, a dark page that passes its
/// theme to the embedded checkout.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum Look {
    #[default]
    Light,
    Dark,
}

#[derive(serde::Deserialize, Default)]
struct LookQuery {
    #[serde(default)]
    look: Look,
}

/// The dark look's background and accent (the accent is too dark to read on the background as it
/// is: paydesk lightens it).
const DARK_BACKGROUND: &str = "#10151c";
const DARK_ACCENT: &str = "#5b3fd6";

/// A page the storefront's customer lands on when paydesk sends them back.
fn landing(title: &str, testid: &str, text: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Example Storefront</title></head>
<body><h1 data-testid="{testid}">{title}</h1><p>{text}</p><p><a href="/">Back to the shop</a></p></body></html>"#
    ))
}

fn page(
    state: &AppState,
    title: &str,
    product: &str,
    url: &str,
    embedding: Embedding,
    look: Look,
) -> Response {
    let paydesk = escape(&state.config.public_url);
    let url = escape(url);
    // The dark look passes its theme: as data-* attributes read by storefront.js for mount(), as
    // the element's own attributes for <paydesk-checkout>.
    let prefix = match embedding {
        Embedding::Mount => "data-",
        Embedding::Element => "",
    };
    let (theme, colours) = match look {
        Look::Light => (String::new(), "color:#1d2430"),
        Look::Dark => (
            format!(
                r#" {prefix}theme="dark" {prefix}background="{DARK_BACKGROUND}" {prefix}accent="{DARK_ACCENT}""#
            ),
            "color:#e6edf3;background:#10151c",
        ),
    };
    let checkout = match embedding {
        Embedding::Mount => format!(
            r#"<div id="checkout" data-testid="storefront-checkout" data-url="{url}"{theme}></div>"#
        ),
        Embedding::Element => format!(
            r#"<paydesk-checkout id="checkout" data-testid="storefront-checkout" src="{url}"{theme}></paydesk-checkout>"#
        ),
    };
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Example Storefront</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;{colours}}}
header{{border-bottom:1px solid #d8dee8;margin-bottom:1rem}}#checkout{{border:1px dashed #9aa7bd;border-radius:8px;padding:.5rem}}
.events{{font-family:ui-monospace,monospace;font-size:.85rem}}</style></head>
<body><header><h1>Example Storefront</h1><p>A storefront on its own origin, embedding paydesk with <code>/embed/v1.js</code>.</p></header>
<main><h2>{title}</h2><p>{product}</p>
{checkout}
<p><button type="button" data-testid="storefront-cancel">Cancel the checkout</button> <button type="button" data-testid="storefront-remove">Remove the checkout</button></p>
<h3>Events from the embedded page</h3><ol class="events" data-testid="storefront-events"></ol></main>
<script src="{paydesk}/embed/v1.js"></script><script src="/storefront.js"></script></body></html>"#,
        title = escape(title),
        product = escape(product),
    ))
    .into_response()
}

fn unavailable(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "demo storefront could not create a link");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The demo storefront could not reach paydesk; try again.",
    )
        .into_response()
}

async fn storefront_checkout(
    State(state): State<Storefront>,
    Query(query): Query<LookQuery>,
) -> Response {
    checkout_page(
        &state,
        "Checkout",
        "2 × paydesk mug — $24.50 USD",
        Embedding::Mount,
        query.look,
    )
    .await
}

/// A new demo checkout on a storefront page that embeds it as `embedding` says.
/// Its "Return to" and "Back to cart" lead back to this storefront.
async fn checkout_page(
    state: &Storefront,
    title: &str,
    product: &str,
    embedding: Embedding,
    look: Look,
) -> Response {
    let checkout = NewCheckout {
        return_url: Some(format!("{}/thanks", state.origin)),
        cancel_url: Some(format!("{}/cart", state.origin)),
        ..demo_checkout("SHOP")
    };
    match create_checkout(&state.app, checkout).await {
        Ok((checkout, _)) => page(&state.app, title, product, &checkout.url, embedding, look),
        Err(error) => unavailable(error),
    }
}

async fn storefront_refund(
    State(state): State<Storefront>,
    Query(query): Query<LookQuery>,
) -> Response {
    let refund = NewRefundLink {
        return_url: Some(format!("{}/thanks", state.origin)),
        ..demo_refund_link("SHOP")
    };
    match create_refund_link(&state.app, refund, &Actor::demo()).await {
        Ok(Payout::AwaitingApproval(approval)) => unavailable(format!(
            "the demo refund waits for a second staff member's approval ({})",
            approval.id
        )),
        Ok(Payout::Created(link, _)) => page(
            &state.app,
            "Your refund",
            "Returned: 1 × paydesk mug — $12.25 USD",
            link.url.as_deref().unwrap_or_default(),
            Embedding::Mount,
            query.look,
        ),
        Err(error) => unavailable(error),
    }
}

async fn storefront_element(
    State(state): State<Storefront>,
    Query(query): Query<LookQuery>,
) -> Response {
    checkout_page(
        &state,
        "Checkout (custom element)",
        "1 × paydesk tote — $24.50 USD",
        Embedding::Element,
        query.look,
    )
    .await
}
