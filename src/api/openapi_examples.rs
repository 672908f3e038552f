//! An example of every schema of the merchant API's document and of each error an operation
//! answers: real sandbox answers, with generic hosts. The document attaches them; a test checks
//! each against its schema, field for field.

use paydesk_core::merchant_events::payloads::CATALOGUE;
use serde_json::{json, Value};

const CHECKOUT: &str = "chk_01M995B9PNDPJ3K7B6M2Y3FBFG";
const AUTH: &str = "trx_01M995B9W6Q0RPR55VS2SZ8ZZV";
const CAPTURE: &str = "trx_01M995B9YAT1V2BQ312H91S336";
const REFUND: &str = "trx_01M995B9ZGBSN1YWYY70XJX72A";
const REFUND_LINK: &str = "rfl_01M995BD1AXQ90BGH3BMHQ2AGS";
const GATEWAY_REFUND: &str = "rfd_01M995BN96ZT8ZCW1EP7VT24DH";
const DEVICE_REFUND: &str = "drf_01M995BD2C4MD9HY62GC28FDXY";
const EVENT: &str = "evt_01M995B9YJK3VC23TA1TJ6AYC7";
const APPROVAL: &str = "apr_01M995C2JX3W0Q5R8T1N6V4K7H";
const CURSOR: &str = "MTc5NjY3NzY3NDk1ODpldnRfMDFNOTk1QjlZSkszVkMyM1RBMVRKNkFZQzc";

/// The example of the schema `name` (an event's `Event_<type>` included), if it has one.
pub fn schema_example(name: &str) -> Option<Value> {
    if let Some(event_type) = name.strip_prefix("Event_") {
        return event_example(event_type);
    }
    Some(match name {
        "CheckoutStatus" => json!("authorized"),
        "RefundLinkStatus" => json!("open"),
        "GatewayRefundStatus" => json!("awaiting_card"),
        "DeviceRefundStatus" => json!("waiting_for_card"),
        "DeviceRefundReversal" => json!("reversed"),
        "DeviceEntryMethod" => json!("device_read"),
        "OperationKind" => json!("capture"),
        "OperationState" => json!("succeeded"),
        "ApprovalStatus" => json!("pending"),
        "PayoutKind" => json!("refund_link"),
        "RefundAttemptKind" => json!("unmatched"),
        "EventDeliveryStatus" => json!("delivered"),
        "ErrorCode" => json!("exceeds_balance"),
        "NewCheckout" => new_checkout(),
        "NewRefundLink" => new_refund_link(),
        "NewGatewayRefund" => new_gateway_refund(),
        "NewDeviceRefund" => new_device_refund(),
        "NewCardRefund" => json!({ "amount": 1599, "expiresInSeconds": 604800 }),
        "OperationRequest" => json!({ "amount": 1000 }),
        "TestPayment" => json!({ "card": "4000000000000002" }),
        "AmountBreakdown" => {
            json!({ "amountGoodsAndServices": 2299, "tax": 300, "tip": null, "cashback": null })
        }
        "CheckoutResource" => checkout(),
        "CheckoutResourceList" => list(checkout(), true),
        "TransactionSummary" => transaction(AUTH, "Auth", 2599, Some("709530")),
        "Ledger" => ledger(),
        "OperationResource" => refund_operation(),
        "OperationResult" => json!({ "operation": refund_operation(), "ledger": ledger() }),
        "LinkedRefundSummary" => {
            json!({ "id": REFUND_LINK, "status": "completed", "amount": 1500, "card": "VISA •••• 4242" })
        }
        "RefundLinkResource" => refund_link(),
        "RefundLinkResourceList" => list(refund_link(), false),
        "GatewayRefundResource" => gateway_refund(),
        "GatewayRefundResourceList" => list(gateway_refund(), false),
        "DeviceRefundResource" => device_refund(),
        "DeviceRefundResourceList" => list(device_refund(), false),
        "DeviceRefundReversalView" => json!({ "status": "reversed", "message": null }),
        "Device" => device(),
        "DeviceType" => json!({ "manufacturer": "PAX", "model": "A920Pro" }),
        "DeviceList" => json!({ "object": "list", "data": [device()] }),
        "PayoutApprovalResource" => payout_approval(),
        "Dashboard" => dashboard(),
        "CurrencyReport" => currency_report(),
        "Totals" => totals(),
        "DayTotals" => day_totals(),
        "Approvals" => json!({ "approved": 41, "declined": 3 }),
        "DayApprovals" => json!({ "date": "2026-12-07", "approved": 41, "declined": 3 }),
        "DeclineReason" => json!({ "reason": "Insufficient funds", "declines": 2 }),
        "EventResource" => event_resource(),
        "EventResourceList" => list(event_resource(), true),
        "EventList" => json!({ "object": "list", "data": [event_resource()] }),
        "LinkEventData" => link_data("payment.authorized"),
        "OperationEventData" => operation_data("payment.captured"),
        "RefundEventData" => refund_data("refund.awaiting_card"),
        "DeviceRefundEventData" => device_refund_data("device_refund.completed"),
        "PayoutApprovalEventData" => payout_approval_data("payout_approval.approved"),
        "TestEventData" => test_data(),
        "ErrorBody" => error_body("invalid_field", Some("amount")),
        "ErrorObject" => error_body("invalid_field", Some("amount"))["error"].clone(),
        _ => return None,
    })
}

/// A page of a list holding `item`.
fn list(item: Value, more: bool) -> Value {
    json!({ "object": "list", "data": [item], "hasMore": more,
        "nextCursor": if more { json!(CURSOR) } else { Value::Null } })
}

fn new_checkout() -> Value {
    json!({ "amount": 2599, "currency": "USD", "orderNumber": "A-1001", "referenceId": "order-1001",
        "description": "Blue running shoes", "returnUrl": "https://shop.example.com/thanks",
        "cancelUrl": "https://shop.example.com/cart", "expiresInSeconds": 86400,
        "metadata": { "cartId": "c_8812" } })
}

fn new_refund_link() -> Value {
    json!({ "amount": 1500, "currency": "USD", "orderNumber": "A-1001", "referenceId": "return-1001",
        "reason": "Returned item", "checkoutId": CHECKOUT, "metadata": { "rma": "R-77" } })
}

fn new_gateway_refund() -> Value {
    json!({ "gateway": "commercehub", "originalTransactionId": "10355181275", "amount": 1204,
        "currency": "USD", "orderNumber": "A-2002", "reason": "Returned item",
        "referenceId": "ret-2002", "metadata": { "rma": "R-78" } })
}

fn new_device_refund() -> Value {
    json!({ "device": "1850010868", "amount": 4999, "currency": "USD", "orderId": "OrderRef6543",
        "description": "Refund for order OrderRef6543", "operator": "Jane",
        "entryMethod": "device_read", "metadata": { "rma": "R-79" } })
}

fn transaction(id: &str, kind: &str, amount: i64, auth_code: Option<&str>) -> Value {
    json!({ "id": id, "type": kind, "status": "Completed", "resultCode": 0, "responseCode": 1,
        "requestedAmount": amount, "approvedAmount": amount, "cardType": "VISA",
        "maskedCardNumber": "************1111", "authCode": auth_code })
}

fn ledger() -> Value {
    json!({ "authorized": 2599, "captured": 2599, "voided": 0, "refunded": 1000,
        "refundedToOtherCards": 0, "refundedOnDevices": 0, "pending": 0, "capturable": 0,
        "refundable": 1599, "remaining": 1599, "overRefunded": 0 })
}

fn refund_operation() -> Value {
    json!({ "id": "op_01M995B9ZD1EKYB508QEQPG6GB", "object": "operation", "type": "refund",
        "status": "succeeded", "amount": 1000, "approvedAmount": 1000,
        "originalTransactionId": CAPTURE, "transactionId": REFUND, "message": null,
        "createdAt": "2026-12-07T21:07:54.989Z" })
}

fn checkout() -> Value {
    json!({ "id": CHECKOUT, "object": "checkout", "livemode": false,
        "url": format!("https://pay.example.com/pay/{CHECKOUT}"), "status": "partially_refunded",
        "amount": 2599, "currency": "USD", "amountBreakdown": null, "orderNumber": "A-1001",
        "invoiceNumber": null, "referenceId": "order-1001", "metadata": { "cartId": "c_8812" },
        "supportReference": "PD-Y3FB-FG", "description": "Blue running shoes",
        "returnUrl": "https://shop.example.com/thanks", "cancelUrl": null,
        "createdAt": "2026-12-07T21:07:54.709Z", "expiresAt": "2026-12-08T21:07:54.709Z",
        "acceptingNewSessions": false, "locked": false,
        "transaction": transaction(AUTH, "Auth", 2599, Some("709530")), "ledger": ledger(),
        "operations": [refund_operation()], "refundLinks": [],
        "transactions": [transaction(AUTH, "Auth", 2599, Some("709530")),
            transaction(CAPTURE, "Capture", 2599, None), transaction(REFUND, "Refund", 1000, None)] })
}

fn refund_link() -> Value {
    json!({ "id": REFUND_LINK, "object": "refund_link", "livemode": false,
        "url": format!("https://pay.example.com/refund/{REFUND_LINK}?sig=IkFr0sIhFJDwjCIJ2jxjRw"),
        "status": "open", "amount": 1500, "currency": "USD", "orderNumber": "A-1001",
        "invoiceNumber": null, "reason": "Returned item", "referenceId": "return-1001",
        "metadata": { "rma": "R-77" }, "supportReference": "PD-HQ2A-GS", "checkoutId": CHECKOUT,
        "returnUrl": null, "createdAt": "2026-12-07T21:07:58.122Z",
        "expiresAt": "2026-12-14T21:07:58.122Z", "canceledAt": null,
        "acceptingNewSessions": true, "locked": false, "payouts": 0, "transaction": null })
}

fn gateway_refund() -> Value {
    json!({ "id": GATEWAY_REFUND, "object": "refund", "livemode": false, "gateway": "commercehub",
        "status": "awaiting_card", "amount": 1204, "currency": "USD",
        "originalTransactionId": "10355181275", "originalMerchantTransactionId": null,
        "orderNumber": "A-2002", "reason": "Returned item", "referenceId": "ret-2002",
        "metadata": { "rma": "R-78" }, "supportReference": "PD-VT24-DH", "returnUrl": null,
        "declineCode": "030", "message": "CLOSED ACCOUNT", "card": null,
        "gatewayTransactionId": null, "refundedAmount": null, "refundedBy": null,
        "url": format!("https://pay.example.com/refund/{GATEWAY_REFUND}?sig=jPDA3OCjaj6lGNGQFGmeSA"),
        "linkExpiresAt": "2026-12-14T21:08:06.566Z", "cardDeclines": 0, "locked": false,
        "createdAt": "2026-12-07T21:08:06.566Z", "updatedAt": "2026-12-07T21:08:06.572Z" })
}

fn device_refund() -> Value {
    json!({ "id": DEVICE_REFUND, "object": "device_refund", "livemode": false,
        "status": "completed", "device": "1850010868", "amount": 4999, "currency": "USD",
        "orderId": "OrderRef6543", "description": "Refund for order OrderRef6543",
        "operator": "Jane", "metadata": { "rma": "R-79" }, "checkoutId": null,
        "entryMethod": "device_read", "instructionId": "4f54940654e11f7b8f91a34b8e486896",
        "refundId": "CD3HN88U9F", "card": "Visa Credit •••• 0011", "approvedAmount": 4999,
        "message": null, "reversal": null, "createdAt": "2026-12-07T21:07:58.156Z",
        "updatedAt": "2026-12-07T21:08:12.410Z" })
}

fn device() -> Value {
    json!({ "serialNumber": "1850010868", "deviceType": { "model": "A920Pro", "manufacturer": "PAX" },
        "deactivatedDate": null })
}

fn payout_approval() -> Value {
    json!({ "id": APPROVAL, "object": "payout_approval", "kind": "refund_link",
        "status": "pending", "amount": 250000, "currency": "USD", "requestedBy": "api token ops-backend",
        "decidedBy": null, "resultId": null, "createdAt": "2026-12-07T21:10:02.118Z",
        "expiresAt": "2026-12-08T21:10:02.118Z" })
}

fn totals() -> Value {
    json!({ "payments": 41, "volume": 106559, "refunds": 2, "refunded": 2500 })
}

fn day_totals() -> Value {
    json!({ "date": "2026-12-07", "payments": 41, "volume": 106559, "refunds": 2, "refunded": 2500 })
}

fn currency_report() -> Value {
    json!({ "currency": "USD", "today": totals(), "last30Days": totals(), "days": [day_totals()] })
}

fn dashboard() -> Value {
    json!({ "timeZone": "America/Toronto", "today": "2026-12-07", "currencies": [currency_report()],
        "approvalsToday": { "approved": 41, "declined": 3 },
        "approvalsLast30Days": { "approved": 41, "declined": 3 },
        "approvalDays": [{ "date": "2026-12-07", "approved": 41, "declined": 3 }],
        "declinesByReason": [{ "reason": "Insufficient funds", "declines": 2 }] })
}

fn event_resource() -> Value {
    json!({ "id": EVENT, "object": "event", "type": "payment.captured", "status": "delivered",
        "attempts": 1, "createdAt": "2026-12-07T21:07:54.958Z", "nextAttemptAt": null,
        "deliveredAt": "2026-12-07T21:07:55.102Z", "lastError": null,
        "payload": event_example("payment.captured") })
}

/// The status the object carries once the event `event_type` happened.
fn status_after(event_type: &str) -> &'static str {
    match event_type {
        "payment.authorized" => "authorized",
        "payment.captured" | "payment.refund_declined" => "captured",
        "payment.voided" => "voided",
        "payment.refunded" => "partially_refunded",
        "refund_link.completed"
        | "refund_link.overpaid"
        | "device_refund.completed"
        | "device_refund.reversal_refused" => "completed",
        "refund.awaiting_card" | "refund.locked" | "refund.abandoned" => "awaiting_card",
        "refund.refunded" => "refunded",
        "device_refund.reversed" => "reversed",
        "payout_approval.approved" => "approved",
        other => match other.rsplit('.').next().unwrap_or_default() {
            "declined" if other.starts_with("refund.") || other.starts_with("device_") => {
                "declined"
            }
            "failed" => "failed",
            "canceled" => "canceled",
            "expired" => "expired",
            "rejected" => "rejected",
            _ => "open",
        },
    }
}

fn link_data(event_type: &str) -> Value {
    let refund_link = event_type.starts_with("refund_link.");
    let paid = matches!(
        event_type,
        "payment.authorized" | "refund_link.completed" | "refund_link.overpaid"
    );
    json!({ "checkoutId": CHECKOUT, "refundLinkId": if refund_link { json!(REFUND_LINK) } else { Value::Null },
        "status": status_after(event_type), "amount": if refund_link { 1500 } else { 2599 },
        "currency": "USD", "approvedAmount": if paid { json!(if refund_link { 1500 } else { 2599 }) } else { Value::Null },
        "transactionId": if paid { json!(AUTH) } else { Value::Null },
        "orderNumber": "A-1001", "referenceId": if refund_link { "return-1001" } else { "order-1001" },
        "metadata": { "cartId": "c_8812" },
        "declines": if event_type.ends_with(".locked") { json!(5) } else { Value::Null },
        "locked": if event_type.ends_with(".locked") { json!(true) } else { Value::Null },
        "payouts": if event_type == "refund_link.overpaid" { json!(2) } else { Value::Null },
        "storefrontOrigin": if event_type.ends_with(".abandoned") { json!("https://shop.example.com") } else { Value::Null } })
}

fn operation_data(event_type: &str) -> Value {
    let (amount, transaction) = match event_type {
        "payment.refunded" | "payment.refund_declined" => (1000, REFUND),
        _ => (2599, CAPTURE),
    };
    json!({ "checkoutId": CHECKOUT, "operationId": "op_01M995B9Y7332057ZRN3V59H6Y",
        "status": status_after(event_type), "amount": amount, "currency": "USD",
        "transactionId": transaction, "orderNumber": "A-1001", "referenceId": "order-1001",
        "metadata": { "cartId": "c_8812" } })
}

fn refund_data(event_type: &str) -> Value {
    let refunded = event_type == "refund.refunded";
    json!({ "refundId": GATEWAY_REFUND, "gateway": "commercehub", "status": status_after(event_type),
        "amount": 1204, "currency": "USD", "originalTransactionId": "10355181275",
        "originalMerchantTransactionId": null, "orderNumber": "A-2002",
        "declineCode": if refunded { Value::Null } else { json!("030") },
        "gatewayTransactionId": if refunded { json!("10355181302") } else { Value::Null },
        "refundedAmount": if refunded { json!(1204) } else { Value::Null },
        "refundedBy": if refunded { json!("unmatched") } else { Value::Null },
        "cardDeclines": 0, "metadata": { "rma": "R-78" },
        "declines": if event_type == "refund.locked" { json!(5) } else { Value::Null },
        "locked": if event_type == "refund.locked" { json!(true) } else { Value::Null },
        "storefrontOrigin": if event_type == "refund.abandoned" { json!("https://shop.example.com") } else { Value::Null } })
}

fn device_refund_data(event_type: &str) -> Value {
    let completed = matches!(
        event_type,
        "device_refund.completed" | "device_refund.reversed" | "device_refund.reversal_refused"
    );
    json!({ "deviceRefundId": DEVICE_REFUND, "status": status_after(event_type),
        "device": "1850010868", "amount": 4999, "currency": "USD", "orderId": "OrderRef6543",
        "checkoutId": null, "metadata": { "rma": "R-79" },
        "approvedAmount": if completed { json!(4999) } else { Value::Null },
        "refundId": if completed { json!("CD3HN88U9F") } else { Value::Null },
        "message": if completed { Value::Null } else { json!("Declined by the card issuer") } })
}

fn payout_approval_data(event_type: &str) -> Value {
    let approved = event_type == "payout_approval.approved";
    json!({ "approvalId": APPROVAL, "kind": "refund_link", "status": status_after(event_type),
        "amount": 250000, "currency": "USD",
        "resultId": if approved { json!(REFUND_LINK) } else { Value::Null } })
}

fn test_data() -> Value {
    json!({ "message": "A test event from paydesk's sandbox: your endpoint received it and can check its signature." })
}

/// An event of `event_type` as delivered, if paydesk sends that type.
fn event_example(event_type: &str) -> Option<Value> {
    CATALOGUE.iter().find(|(t, _, _)| *t == event_type)?;
    let family = event_type.split('.').next().unwrap_or_default();
    let data = match (family, event_type) {
        (
            _,
            "payment.captured" | "payment.voided" | "payment.refunded" | "payment.refund_declined",
        ) => operation_data(event_type),
        ("payment" | "refund_link", _) => link_data(event_type),
        ("refund", _) => refund_data(event_type),
        ("device_refund", _) => device_refund_data(event_type),
        ("payout_approval", _) => payout_approval_data(event_type),
        _ => test_data(),
    };
    Some(
        json!({ "id": EVENT, "type": event_type, "created": 1796677674, "livemode": false,
        "data": data }),
    )
}

/// An error answer with `code`, naming `field` when it is a field's fault.
fn error_body(code: &str, field: Option<&str>) -> Value {
    let message = match code {
        "invalid_field" => "amount must be a whole number of minor units from 1 to 999999999.",
        "unauthorized" => "Missing or invalid API token.",
        "insufficient_scope" => "This token lacks the payments scope.",
        "not_found" => "No checkout has this id.",
        "reference_id_conflict" => "referenceId order-1001 was used by a different request.",
        "unsupported_media_type" => "Send the body as application/json.",
        "rate_limited" => "Too many requests with this token: retry in 2 seconds.",
        "internal_error" => {
            "paydesk could not complete the request; quote its request id to support."
        }
        "gateway_unavailable" => "The gateway could not be reached; nothing was decided. Retry.",
        "exceeds_balance" => "1600 exceeds the refundable balance of 1599.",
        "cannot_cancel" => "A card may have been sent for this checkout: it cannot be canceled.",
        _ => "The request was refused.",
    };
    let mut error = json!({ "code": code, "message": message,
        "requestId": "req_01M995BN9PWY0VG5H8GDWFQ460" });
    if let Some(field) = field {
        error["field"] = json!(field);
    }
    json!({ "error": error })
}

/// The example error an operation answers with `status`.
pub fn error_example(status: u16) -> (&'static str, Value) {
    let code = match status {
        400 => "invalid_field",
        401 => "unauthorized",
        403 => "insufficient_scope",
        404 => "not_found",
        409 => "reference_id_conflict",
        415 => "unsupported_media_type",
        422 => "exceeds_balance",
        429 => "rate_limited",
        502 => "gateway_unavailable",
        _ => "internal_error",
    };
    let field = (status == 400).then_some("amount");
    (code, error_body(code, field))
}
