//! The paydesk server: settings, startup, the merchant API, the gateway webhook receiver and the
//! built-in sandbox gateway. `main.rs` only wires these together.

// The page's view types nest deeply (the checkout island's `EitherOf8` inside the page shell).
#![recursion_limit = "256"]

pub mod admin;
pub mod api;
pub mod assets;
pub mod brand_assets;
pub mod brand_settings;
pub mod cli;
pub mod client_addr;
pub mod config;
pub mod demo_storefront;
pub mod gateway_webhook;
pub mod health;
pub mod html;
pub mod http;
pub mod jobs;
pub mod metrics_endpoint;
pub mod payout_limit_settings;
pub mod rate_limits;
pub mod request_id;
pub mod sandbox;
pub mod serve;
pub mod settings;
pub mod settings_error;
pub mod site;
pub mod startup;
pub mod telemetry;
pub mod version;
