//! paydesk's integration tests, in one binary: each test spawns the real server and its sandbox on
//! port 0 with a temporary database, and talks to them over HTTP as merchants, browsers and the
//! gateway would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
// The vendors' specs and their schemas, shared with the contract tests.
#[path = "../contract/schema.rs"]
mod schema;
#[allow(dead_code)]
#[path = "../contract/specs.rs"]
mod specs;

mod abandonment;
mod api_tokens;
mod architecture;
mod assets;
mod backups;
mod branding;
mod capture_void_refund;
mod checkout_cancel;
mod commercehub_cancels;
mod commercehub_card_testing;
mod commercehub_client;
mod commercehub_lookup;
mod config_file;
mod console;
mod dashboard;
mod device_refund_reversals;
mod device_refunds;
mod gateway_refund_page;
mod gateway_refunds;
mod gateway_webhooks;
mod health;
mod http_limits;
mod json_logs;
mod link_cancel;
mod merchant_api;
mod merchant_lists;
mod merchant_webhooks;
mod metrics;
mod money_held;
mod money_safety;
mod move_to;
mod omni_client;
mod openapi;
mod page_reloads;
mod pages_under_load;
mod paydesk_process;
mod payout_approvals;
mod payout_limits;
mod payroc_client;
mod reconciliation_report;
mod refund_links;
mod request_ids;
mod resends;
mod sandbox_faults;
mod sandbox_process;
mod secret_rotation;
mod security;
mod spec_example_gateway;
mod spec_examples_live;
mod staff_roles;
mod staff_totp;
mod test_helpers;
mod two_instances;
mod upgrades;
