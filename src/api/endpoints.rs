//! The merchant API's endpoint table: path, method, permission, request and response types, and handler.
//! The router (`api::router`) and the OpenAPI document (`openapi`) are both built from it, so
//! they cannot drift apart.

use axum::routing::{get, post, MethodRouter};
use paydesk_core::payments::{
    CheckoutResource, DeviceRefundResource, GatewayRefundResource, NewCheckout, NewDeviceRefund,
    NewGatewayRefund, NewRefundLink, OperationRequest, OperationResult, PayoutApprovalResource,
    RefundLinkResource,
};
use paydesk_core::permissions::Permission;
use paydesk_core::AppState;
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;

use super::checkouts::{self, NewCardRefund};
use super::dashboard;
use super::device_refunds;
use super::gateway_refunds;
use super::lists::{
    self, CheckoutList, DeviceRefundList, EventPage, GatewayRefundList, RefundLinkList,
};
use super::refund_links;
use super::test_helpers::{self, TestPayment};
use super::webhook_events::{self, EventList, EventResource};

/// A JSON schema, produced on demand into the document's components.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
        }
    }
}

pub struct Endpoint {
    pub verb: Verb,
    /// axum syntax: `/api/v1/checkouts/{id}`, which is also OpenAPI's.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    /// What the caller's token must grant (`Permission::scope` names the token scope).
    pub permission: Permission,
    /// The JSON body, if any; `optional` bodies may be omitted entirely.
    pub request: Option<(SchemaFn, bool)>,
    /// Success statuses, all with `response` as body.
    pub success: &'static [u16],
    pub response: SchemaFn,
    /// Error statuses this endpoint can answer (besides 401/403), all with the error body.
    pub errors: &'static [u16],
    /// Whether it honours an `Idempotency-Key` header.
    pub idempotent: bool,
    /// Whether it may answer `202` with a payout waiting for a second staff member's approval
    /// (`PayoutApprovalResource`) instead of `response`.
    pub may_await_approval: bool,
    pub handler: fn() -> MethodRouter<AppState>,
}

/// Every endpoint of the merchant API, in the order the OpenAPI document lists them.
pub fn endpoints() -> Vec<Endpoint> {
    [
        checkout_endpoints(),
        refund_link_endpoints(),
        commercehub_refund_endpoints(),
        payroc_device_refund_endpoints(),
        report_endpoints(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Payment links (checkouts) and what the merchant does with their money.
fn checkout_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/checkouts",
            operation_id: "listCheckouts",
            summary: "Checkouts, filtered by status, creation time, orderNumber, referenceId or metadata. Newest first, a page at a time (limit 1-100, default 20; pass nextCursor as cursor for the next page), as last recorded (read one to settle what the gateway finished meanwhile).",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<CheckoutList>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(lists::checkouts),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts",
            operation_id: "createCheckout",
            summary: "Create a payment link (checkout). Idempotent by referenceId.",
            permission: Permission::Collect,
            request: Some((schema::<NewCheckout>, false)),
            success: &[201, 200],
            response: schema::<CheckoutResource>,
            errors: &[400, 409, 415, 422, 502],
            idempotent: false,
            may_await_approval: false,
            handler: || post(checkouts::create),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/checkouts/{id}",
            operation_id: "getCheckout",
            summary: "A checkout with its ledger, operations, refund links and gateway transactions.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<CheckoutResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || get(checkouts::show),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts/{id}/unlock",
            operation_id: "unlockCheckout",
            summary: "Let new cards be tried on a checkout locked after repeated declines (card testing).",
            permission: Permission::Operate,
            request: None,
            success: &[200],
            response: schema::<CheckoutResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(checkouts::unlock),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts/{id}/capture",
            operation_id: "captureCheckout",
            summary: "Capture the authorization, in full (no amount) or in part. Once per authorization.",
            permission: Permission::Operate,
            request: Some((schema::<OperationRequest>, true)),
            success: &[201, 202, 200],
            response: schema::<OperationResult>,
            errors: &[400, 404, 409, 415, 422],
            idempotent: true,
            may_await_approval: false,
            handler: || post(checkouts::capture),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts/{id}/cancel",
            operation_id: "cancelCheckout",
            summary: "Cancel a checkout nobody has paid (the cart changed, the order was withdrawn): no new card form opens, and it ends `canceled` (`payment.canceled`), taking nothing, once every form it opened is proven unused; its page then says the merchant canceled it. 409 `cannot_cancel` once paid or expired; 409 `payment_form_open` while a card may already have been sent in an open form (it then ends by itself; if the customer pays meanwhile, `payment.authorized` is sent: void it). No body.",
            permission: Permission::Operate,
            request: None,
            success: &[200],
            response: schema::<CheckoutResource>,
            errors: &[404, 409],
            idempotent: false,
            may_await_approval: false,
            handler: || post(checkouts::cancel),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts/{id}/void",
            operation_id: "voidCheckout",
            summary: "Void the authorization, or the capture while its batch is open. No body.",
            permission: Permission::Operate,
            request: None,
            success: &[201, 202, 200],
            response: schema::<OperationResult>,
            errors: &[400, 404, 409, 422],
            idempotent: true,
            may_await_approval: false,
            handler: || post(checkouts::void),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts/{id}/refund",
            operation_id: "refundCheckout",
            summary: "Refund the capture, in full or in part (an explicit amount once partially refunded).",
            permission: Permission::Payout,
            request: Some((schema::<OperationRequest>, true)),
            success: &[201, 202, 200],
            response: schema::<OperationResult>,
            errors: &[400, 404, 409, 415, 422],
            idempotent: true,
            may_await_approval: false,
            handler: || post(checkouts::refund),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/checkouts/{id}/refund-link",
            operation_id: "refundToNewCard",
            summary: "After a declined refund: turn the remainder into a refund link bound to this payment.",
            permission: Permission::Payout,
            request: Some((schema::<NewCardRefund>, true)),
            success: &[201],
            response: schema::<RefundLinkResource>,
            errors: &[400, 404, 409, 415, 422],
            idempotent: false,
            may_await_approval: false,
            handler: || post(checkouts::refund_to_new_card_link),
        },
    ]
}

/// Refund links: a payout to a card the customer types.
fn refund_link_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/refund-links",
            operation_id: "listRefundLinks",
            summary: "Refund links, filtered by status, creation time, orderNumber, referenceId or metadata. Newest first, a page at a time (limit 1-100, default 20; pass nextCursor as cursor for the next page), as last recorded (read one to settle what the gateway finished meanwhile). Payout URLs only for tokens with the refunds scope.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<RefundLinkList>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(lists::refund_links),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/refund-links",
            operation_id: "createRefundLink",
            summary: "Create a single-use refund link (unreferenced refund to a card the customer enters).",
            permission: Permission::Payout,
            request: Some((schema::<NewRefundLink>, false)),
            success: &[201, 200],
            response: schema::<RefundLinkResource>,
            errors: &[400, 409, 415, 422, 502],
            idempotent: false,
            may_await_approval: true,
            handler: || post(refund_links::create_link),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/refund-links/{id}",
            operation_id: "getRefundLink",
            summary: "A refund link and its refund transaction. Its payout `url` only to tokens with the refunds scope.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<RefundLinkResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || get(refund_links::show_link),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/refund-links/{id}/unlock",
            operation_id: "unlockRefundLink",
            summary: "Let new cards be tried on a refund link locked after repeated declines (card testing).",
            permission: Permission::Payout,
            request: None,
            success: &[200],
            response: schema::<RefundLinkResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(refund_links::unlock),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/refund-links/{id}/cancel",
            operation_id: "cancelRefundLink",
            summary: "Cancel a refund link (sent to the wrong person, say): no new card form opens, and it ends `canceled`, paying nothing, once every form it opened is proven unused. 409 `cannot_cancel` once it paid out or expired; 409 `payout_form_open` while a form may still be finished (it then ends by itself: `refund_link.canceled`).",
            permission: Permission::StopPayout,
            request: None,
            success: &[200],
            response: schema::<RefundLinkResource>,
            errors: &[404, 409],
            idempotent: false,
            may_await_approval: false,
            handler: || post(refund_links::cancel),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/payout-approvals/{id}",
            operation_id: "getPayoutApproval",
            summary: "A refund link or device refund not bound to a payment and above the approval threshold, waiting for (or past) a second staff member's decision; once approved, resultId names what was created.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<PayoutApprovalResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || get(refund_links::show_approval),
        },
    ]
}

/// Refunds of Commerce Hub charges (to the original card or a new one).
fn commercehub_refund_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/refunds",
            operation_id: "listRefunds",
            summary: "Commerce Hub refunds, filtered by status, creation time, orderNumber, referenceId or metadata. Newest first, a page at a time (limit 1-100, default 20; pass nextCursor as cursor for the next page), as last recorded (read one to settle what the gateway finished meanwhile). New-card URLs only for tokens with the refunds scope.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<GatewayRefundList>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(lists::gateway_refunds),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/refunds",
            operation_id: "createRefund",
            summary: "Refund a charge made on Commerce Hub (gateway \"commercehub\"): the original card first; if its account is closed, the refund waits for the customer's new card through its signed url (status awaiting_card). Idempotent by referenceId.",
            permission: Permission::Payout,
            request: Some((schema::<NewGatewayRefund>, false)),
            success: &[201, 200],
            response: schema::<GatewayRefundResource>,
            errors: &[400, 409, 415, 422, 502],
            idempotent: false,
            may_await_approval: false,
            handler: || post(gateway_refunds::create),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/refunds/{id}",
            operation_id: "getRefund",
            summary: "A refund of a Commerce Hub charge. Its customer `url` only to tokens with the refunds scope.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<GatewayRefundResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || get(gateway_refunds::show),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/refunds/{id}/unlock",
            operation_id: "unlockRefund",
            summary: "Let new cards be tried on a refund whose page locked after repeated declined cards (card testing).",
            permission: Permission::Payout,
            request: None,
            success: &[200],
            response: schema::<GatewayRefundResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(gateway_refunds::unlock),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/refunds/{id}/cancel",
            operation_id: "cancelRefund",
            summary: "Cancel a refund waiting for a new card (its link sent to the wrong person, say): it ends `canceled` at once and its link pays nothing. 409 `cannot_cancel` while a request to Commerce Hub is under way or once it ended.",
            permission: Permission::StopPayout,
            request: None,
            success: &[200],
            response: schema::<GatewayRefundResource>,
            errors: &[404, 409],
            idempotent: false,
            may_await_approval: false,
            handler: || post(gateway_refunds::cancel),
        },
    ]
}

/// Refunds on a Payroc payment device, and the devices.
fn payroc_device_refund_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/device-refunds",
            operation_id: "listDeviceRefunds",
            summary: "Device refunds, filtered by status, creation time, orderId or metadata. Newest first, a page at a time (limit 1-100, default 20; pass nextCursor as cursor for the next page), as last recorded (read one to settle what the gateway finished meanwhile).",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<DeviceRefundList>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(lists::device_refunds),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/device-refunds",
            operation_id: "createDeviceRefund",
            summary: "Refund on a payment device (Payroc Cloud): the device shows it and waits for the customer's card. Idempotent with an Idempotency-Key.",
            permission: Permission::Payout,
            request: Some((schema::<NewDeviceRefund>, false)),
            success: &[202, 200],
            response: schema::<DeviceRefundResource>,
            errors: &[400, 409, 415, 422, 502],
            idempotent: true,
            may_await_approval: true,
            handler: || post(device_refunds::create),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/device-refunds/{id}",
            operation_id: "getDeviceRefund",
            summary: "A device refund; ?wait=N (≤ 60) answers when its status changes or after N seconds.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<DeviceRefundResource>,
            errors: &[400, 404],
            idempotent: false,
            may_await_approval: false,
            handler: || get(device_refunds::show),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/device-refunds/{id}/cancel",
            operation_id: "cancelDeviceRefund",
            summary: "Cancel a device refund while the device still waits for the card.",
            permission: Permission::StopPayout,
            request: None,
            success: &[200],
            response: schema::<DeviceRefundResource>,
            errors: &[404, 409, 502],
            idempotent: false,
            may_await_approval: false,
            handler: || post(device_refunds::cancel),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/device-refunds/{id}/reverse",
            operation_id: "reverseDeviceRefund",
            summary: "Reverse a completed device refund while Payroc's batch is open (no money goes to the card): reversed, refused (the refund stands), or reversing while Payroc's answer is awaited.",
            permission: Permission::StopPayout,
            request: None,
            success: &[200],
            response: schema::<DeviceRefundResource>,
            errors: &[404, 409, 502],
            idempotent: false,
            may_await_approval: false,
            handler: || post(device_refunds::reverse),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/devices",
            operation_id: "listDevices",
            summary: "The payment devices refunds can be sent to.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<device_refunds::DeviceList>,
            errors: &[409, 502],
            idempotent: false,
            may_await_approval: false,
            handler: || get(device_refunds::devices),
        },
    ]
}

/// The dashboard and the merchant events sent.
fn report_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/dashboard",
            operation_id: "getDashboard",
            summary: "The console dashboard's figures: per currency, today's and the last 30 days' approved payments and paid-out refunds, the approval rate and declines by reason, counted in ?timeZone= (an IANA name; UTC by default).",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<paydesk_core::payments::Dashboard>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(dashboard::show),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/events",
            operation_id: "listEvents",
            summary: "The events paydesk sent or will send you, with their delivery state, filtered by type, objectId (the checkout, link or refund they are about), status (pending, delivered, failed) or creation time. Newest first, a page at a time (limit 1-100, default 20; pass nextCursor as cursor for the next page).",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<EventPage>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(lists::events),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/events/{id}",
            operation_id: "getEvent",
            summary: "One event, with the exact body delivered and its delivery state.",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<EventResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || get(webhook_events::show),
        },
        Endpoint {
            verb: Verb::Get,
            path: "/api/v1/webhook-events",
            operation_id: "listWebhookEvents",
            summary: "Deprecated: use GET /api/v1/events (cursor pages, more filters). paydesk's webhook events, newest first (?status=pending|delivered|failed&limit=1..200).",
            permission: Permission::View,
            request: None,
            success: &[200],
            response: schema::<EventList>,
            errors: &[400],
            idempotent: false,
            may_await_approval: false,
            handler: || get(webhook_events::list),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/webhook-events/{id}/redeliver",
            operation_id: "redeliverWebhookEvent",
            summary: "Send an event again, same id and body (e.g. after it failed).",
            permission: Permission::Collect,
            request: None,
            success: &[202],
            response: schema::<EventResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(webhook_events::redeliver),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/test-helpers/checkouts/{id}/pay",
            operation_id: "payCheckoutWithTestCard",
            summary: "Sandbox mode only (404 in live mode): pays the checkout headlessly with a test card (default 4111111111111111, approved; 4000000000000002 is declined), as a customer typing it into the hosted form would, and answers the checkout once the gateway's webhook settled it (within 10 s) — so your CI receives payment.authorized without a browser. 409 `already_paid` or `cannot_pay` when the checkout takes no payment.",
            permission: Permission::Operate,
            request: Some((schema::<TestPayment>, true)),
            success: &[200],
            response: schema::<CheckoutResource>,
            errors: &[400, 404, 409],
            idempotent: false,
            may_await_approval: false,
            handler: || post(test_helpers::pay_checkout),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/test-helpers/refund-links/{id}/pay",
            operation_id: "payRefundLinkWithTestCard",
            summary: "Sandbox mode only (404 in live mode): pays the refund link out to a test card (default 4111111111111111) as its customer would, and answers the link once the gateway's webhook settled it (within 10 s): your CI receives refund_link.completed without a browser.",
            permission: Permission::Payout,
            request: Some((schema::<TestPayment>, true)),
            success: &[200],
            response: schema::<RefundLinkResource>,
            errors: &[400, 404, 409],
            idempotent: false,
            may_await_approval: false,
            handler: || post(test_helpers::pay_refund_link),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/test-helpers/checkouts/{id}/expire",
            operation_id: "expireCheckout",
            summary: "Sandbox mode only: moves the checkout's clock past its expiry, and its open payment forms' past the time a lookup proves them unused, then answers it as its time being up leaves it: expired (and payment.expired sent) unless it was paid.",
            permission: Permission::Operate,
            request: None,
            success: &[200],
            response: schema::<CheckoutResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(test_helpers::expire_checkout),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/test-helpers/refund-links/{id}/expire",
            operation_id: "expireRefundLink",
            summary: "Sandbox mode only: moves the refund link's clock past its expiry, and its open forms' past the time a lookup proves them unused, then answers it: expired (and refund_link.expired sent) unless it paid out.",
            permission: Permission::Payout,
            request: None,
            success: &[200],
            response: schema::<RefundLinkResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(test_helpers::expire_refund_link),
        },
        Endpoint {
            verb: Verb::Post,
            path: "/api/v1/test-helpers/events",
            operation_id: "sendTestEvent",
            summary: "Sandbox mode only: queues a webhook.test event for your endpoint, signed and delivered as every event (read its delivery with GET /api/v1/events/{id}).",
            permission: Permission::Collect,
            request: None,
            success: &[202],
            response: schema::<EventResource>,
            errors: &[404],
            idempotent: false,
            may_await_approval: false,
            handler: || post(test_helpers::send_event),
        },
    ]
}
