//! Contract tests: paydesk's gateway clients against the vendors' own published specs and examples
//! (`../shared/reference/vendor-specs/`, or `PAYDESK_VENDOR_SPECS`), not against paydesk's
//! simulators, which were written from the same reading of the docs as the clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod commercehub_conformance;
mod commercehub_examples;
mod payroc_conformance;
mod payroc_examples;
mod payroc_wiremock;
mod recording_proxy;
mod schema;
mod specs;
