//! The paydesk server: settings, startup, the merchant API, the gateway webhook receiver and the
//! built-in sandbox gateway. `main.rs` only wires these together.

pub mod admin;
pub mod cli;
pub mod demo_storefront;
pub mod endpoints;
pub mod html;
pub mod merchant_events_api;
pub mod openapi;
pub mod routes;
pub mod sandbox;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod webhook;
