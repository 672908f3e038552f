//! The paydesk web app, Leptos only: pages, components, server functions and browser code, shared by
//! the server (SSR) and the browser (hydrate). The payments core they call is `paydesk-core`; the
//! little server-only Leptos glue lives in `server`, compiled only with the `ssr` feature.

pub mod app;
pub mod browser;
pub mod components;
pub mod embed_protocol;
pub mod error;
pub mod frame_protocol;
pub mod i18n;
pub mod later_calls;
pub mod pages;
pub mod server_fns;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod server;

pub use app::{shell, App};
