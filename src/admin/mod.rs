//! The staff console at `/admin`: sign in, a dashboard of the last 30 days, find checkouts (filtered,
//! paged, exported as CSV), refund links and Commerce Hub refunds,
//! see their ledgers, gateway transactions and webhook events, capture / void / refund and issue
//! refund links — every action confirmed, CSRF-checked and written to the audit log with who did
//! it. Plain HTML forms, no scripts.

mod actions;
mod approvals;
pub mod auth;
pub mod charts;
mod console_state;
mod dashboard;
mod exports;
mod gateway_refunds;
mod html;
mod link_cancel;
pub mod login_guard;
mod payments_list;
mod reconciliation;
mod signed_in;
mod staff_roles;
mod staff_time;
mod support_search;
mod terminal;
pub mod totp;
mod unlock;
mod views;

pub use console_state::ConsoleState;

use std::sync::Arc;

use paydesk_core::AppState;

use crate::rate_limits::RateLimits;
use axum::http::header;
use axum::routing::{get, post};
use axum::Router;
use login_guard::LoginGuard;

/// The console's routes; sign-ins go through `login_guard` and the per-address `limits`; a session
/// unused for `idle` ends.
pub fn router(
    app: AppState,
    limits: RateLimits,
    login_guard: Arc<LoginGuard>,
    idle: std::time::Duration,
) -> Router {
    let public_origin = paydesk_core::origin::origin_of(&app.config.public_url).unwrap_or_default();
    let state = ConsoleState {
        secure_cookie: public_origin.starts_with("https://"),
        public_origin,
        app,
        limits,
        login_guard,
        session_idle: paydesk_core::store::SessionIdle::after(idle),
    };
    Router::new()
        .route(
            "/admin/admin.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    html::STYLE,
                )
            }),
        )
        .route(
            "/admin/terminal.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    terminal::SCRIPT,
                )
            }),
        )
        .route("/admin/device-refunds/new", get(terminal::new_form))
        .route("/admin/device-refunds", post(terminal::create))
        .route("/admin/device-refunds/{id}", get(terminal::show))
        .route("/admin/device-refunds/{id}/status", get(terminal::status))
        .route("/admin/device-refunds/{id}/cancel", post(terminal::cancel))
        .route(
            "/admin/device-refunds/{id}/reverse",
            post(terminal::reverse),
        )
        .route("/admin/login", get(views::login_form).post(actions::login))
        .route("/admin/logout", post(actions::logout))
        .route("/admin", get(dashboard::show))
        .route("/admin/payments", get(payments_list::list))
        .route("/admin/payments.csv", get(exports::payments))
        .route("/admin/refunds.csv", get(exports::refunds))
        .route("/admin/time-zone", post(actions::save_time_zone))
        .route("/admin/checkouts/{id}", get(views::checkout))
        .route("/admin/checkouts/{id}/unlock", post(unlock::checkout))
        .route("/admin/checkouts/{id}/capture", post(actions::capture))
        .route("/admin/checkouts/{id}/void", post(actions::void))
        .route("/admin/checkouts/{id}/refund", post(actions::refund))
        .route(
            "/admin/checkouts/{id}/refund-link",
            post(actions::refund_link),
        )
        .route("/admin/refund-links", get(views::refund_links))
        .route(
            "/admin/refund-links/new",
            get(views::new_refund_link).post(actions::create_refund_link),
        )
        .route("/admin/refund-links/{id}", get(views::refund_link))
        .route("/admin/refund-links/{id}/unlock", post(unlock::refund_link))
        .route(
            "/admin/refund-links/{id}/cancel",
            post(link_cancel::refund_link),
        )
        .route(
            "/admin/refunds/{id}/cancel",
            post(link_cancel::commercehub_refund),
        )
        .route("/admin/refunds", get(gateway_refunds::list))
        .route("/admin/refunds/{id}", get(gateway_refunds::show))
        .route(
            "/admin/refunds/{id}/unlock",
            post(unlock::commercehub_refund),
        )
        .route("/admin/events", get(views::events))
        .route("/admin/audit", get(views::audit))
        .route("/admin/approvals", get(approvals::list))
        .route("/admin/approvals/{id}/approve", post(approvals::approve))
        .route("/admin/approvals/{id}/reject", post(approvals::reject))
        .route("/admin/staff", get(staff_roles::list))
        .route("/admin/staff/role", post(staff_roles::set_role))
        .route("/admin/reconciliation", get(reconciliation::report))
        .with_state(state)
}
