//! The sandbox's hosted payment form: one page per session on the sandbox's own origin. On submit
//! it records the transaction, posts the result to the parent (explicit target origin) when asked
//! to, navigates to `returnUrl` with result parameters, and queues signed webhooks.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::fault_points::FaultPoint;
use super::gateway_state::{Session, SessionKind, SessionStatus};
use super::scenarios::{card_type, grouped, luhn_valid, scenario_for, Scenario, TEST_CARDS};
use super::simulator::OmniSandbox;
use super::wire::{CardMethod, ResponseJson};
use crate::html::escape;
use crate::sandbox::clock::new_ulid;
use crate::sandbox::faults::FaultKind;
use paydesk_core::model::{Currency, Money};
use paydesk_core::origin::origin_of;

const SCRIPT: &str = include_str!("hpf.js");
const STYLE: &str = include_str!("hpf.css");

pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

fn money(session: &Session) -> String {
    let currency = Currency::parse(&session.form.currency).unwrap_or(Currency::Usd);
    Money::new(session.amount as u32, currency).display()
}

/// The origin results are posted to: the return URL's, else the merchant's configured one. Never
/// `*`.
fn target_origin(sandbox: &OmniSandbox, session: &Session) -> Option<String> {
    session
        .return_url
        .as_deref()
        .and_then(origin_of)
        .or_else(|| sandbox.config.merchant_origins.first().cloned())
}

fn page(
    sandbox: &OmniSandbox,
    status: StatusCode,
    title: &str,
    body: &str,
    extra_form_action: Option<&str>,
) -> Response {
    let ancestors = if sandbox.config.merchant_origins.is_empty() {
        "'none'".to_string()
    } else {
        sandbox.config.merchant_origins.join(" ")
    };
    let form_action = match extra_form_action {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".into(),
    };
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action {form_action}; \
         frame-ancestors {ancestors}; base-uri 'none'"
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/hpf.css\"></head>\
         <body><main class=\"hpf\"><p class=\"hpf-badge\">OmniSandbox · test cards only, nothing is charged</p>{body}</main>\
         <script src=\"/hpf.js\"></script></body></html>",
        escape(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn problem_page(sandbox: &OmniSandbox, status: StatusCode, heading: &str, text: &str) -> Response {
    page(
        sandbox,
        status,
        heading,
        &format!(
            "<h1 data-testid=\"hpf-problem\">{}</h1><p>{}</p>",
            escape(heading),
            escape(text)
        ),
        None,
    )
}

/// Why a session cannot take a card.
enum Unusable {
    NotFound,
    Expired,
    AlreadyUsed,
}

impl Unusable {
    fn page(self, sandbox: &OmniSandbox) -> Response {
        let (status, heading, text) = match self {
            Unusable::NotFound => (
                StatusCode::NOT_FOUND,
                "Payment session not found",
                "This payment link is not valid. Please go back and try again.",
            ),
            Unusable::Expired => (
                StatusCode::GONE,
                "This payment session has expired",
                "For your security, payment sessions are short-lived. Please go back and start again.",
            ),
            Unusable::AlreadyUsed => (
                StatusCode::CONFLICT,
                "This payment session has already been used",
                "Each payment session can be used once. Please go back and start again.",
            ),
        };
        problem_page(sandbox, status, heading, text)
    }
}

/// Checks a session can still take a card; marks it expired when its time is up.
fn usable(sandbox: &OmniSandbox, token: &str) -> Result<Session, Unusable> {
    let mut gateway = sandbox.lock();
    let Some(session) = gateway.session_mut(token) else {
        return Err(Unusable::NotFound);
    };
    if session.status == SessionStatus::Pending && OffsetDateTime::now_utc() >= session.expires_at {
        session.status = SessionStatus::Expired;
    }
    match session.status {
        SessionStatus::Pending => Ok(session.clone()),
        SessionStatus::Expired => Err(Unusable::Expired),
        SessionStatus::Completed | SessionStatus::Error => Err(Unusable::AlreadyUsed),
    }
}

#[derive(Default)]
struct Entered {
    card_number: String,
    expiry: String,
    postal_code: String,
}

fn form_page(
    sandbox: &OmniSandbox,
    token: &str,
    session: &Session,
    entered: &Entered,
    errors: &[(&str, String)],
) -> Response {
    let action = match session.kind {
        SessionKind::Auth => "Pay",
        SessionKind::UnreferencedRefund => "Receive refund of",
    };
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, message)| {
                format!(
                    "<p class=\"hpf-error\" id=\"{field}-error\" role=\"alert\">{}</p>",
                    escape(message)
                )
            })
            .unwrap_or_default()
    };
    let described = |field: &str| {
        if errors.iter().any(|(f, _)| *f == field) {
            format!(" aria-invalid=\"true\" aria-describedby=\"{field}-error\"")
        } else {
            String::new()
        }
    };
    let cards: String = TEST_CARDS
        .iter()
        .map(|c| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                grouped(c.number),
                escape(c.label)
            )
        })
        .collect();
    let target = if session.use_javascript_callback {
        target_origin(sandbox, session).unwrap_or_default()
    } else {
        String::new()
    };
    let body = format!(
        r#"<h1>Card details</h1>
<p class="hpf-amount" data-testid="hpf-amount">{amount}</p>
<form method="post" action="/session/{token}" novalidate data-target-origin="{target}" id="hpf-form">
  <label for="cardNumber">Card number</label>
  <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" required data-testid="hpf-card-number" value="{card}"{card_described}>
  {card_error}
  <div class="hpf-row">
    <div><label for="expiry">Expiry date (MM/YY)</label>
    <input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="MM/YY" required data-testid="hpf-expiry" value="{expiry}"{expiry_described}>
    {expiry_error}</div>
    <div><label for="cvv">Security code (CVV)</label>
    <input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" required data-testid="hpf-cvv"{cvv_described}>
    {cvv_error}</div>
  </div>
  <label for="postalCode">Postal / ZIP code</label>
  <input id="postalCode" name="postalCode" autocomplete="postal-code" required data-testid="hpf-postal-code" value="{postal}"{postal_described}>
  {postal_error}
  <button type="submit" data-testid="hpf-submit">{action} {amount}</button>
</form>
<section class="hpf-test-cards" aria-labelledby="test-cards-heading">
  <h2 id="test-cards-heading">Test cards</h2>
  <p>Use any future expiry date, any 3-digit security code and any postal code.</p>
  <table><thead><tr><th scope="col">Card number</th><th scope="col">Result</th></tr></thead><tbody>{cards}</tbody></table>
  <p>Any other valid card number is approved.</p>
</section>"#,
        amount = escape(&money(session)),
        token = escape(token),
        target = escape(&target),
        card = escape(&entered.card_number),
        expiry = escape(&entered.expiry),
        postal = escape(&entered.postal_code),
        card_error = error_for("cardNumber"),
        expiry_error = error_for("expiry"),
        cvv_error = error_for("cvv"),
        postal_error = error_for("postalCode"),
        card_described = described("cardNumber"),
        expiry_described = described("expiry"),
        cvv_described = described("cvv"),
        postal_described = described("postalCode"),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        sandbox,
        status,
        "Secure payment",
        &body,
        session.return_url.as_deref().and_then(origin_of).as_deref(),
    )
}

pub async fn show(State(sandbox): State<OmniSandbox>, Path(token): Path<String>) -> Response {
    match usable(&sandbox, &token) {
        Ok(session) => form_page(&sandbox, &token, &session, &Entered::default(), &[]),
        Err(unusable) => unusable.page(&sandbox),
    }
}

/// Validates what the customer typed. Returns the card digits and the expiry as MMYY.
fn validate(
    fields: &HashMap<String, String>,
) -> Result<(String, String), Vec<(&'static str, String)>> {
    let get = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let digits: String = get("cardNumber")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let mut errors = Vec::new();
    if !luhn_valid(&digits) {
        errors.push(("cardNumber", "Enter a valid card number.".to_string()));
    }
    let expiry = get("expiry");
    let mmyy = parse_expiry(&expiry);
    match mmyy {
        None => errors.push(("expiry", "Enter the expiry date as MM/YY.".to_string())),
        Some((month, year)) => {
            let now = OffsetDateTime::now_utc();
            if (year, month) < (now.year(), u8::from(now.month())) {
                errors.push((
                    "expiry",
                    "This card's expiry date is in the past.".to_string(),
                ));
            }
        }
    }
    let cvv = get("cvv");
    if !(3..=4).contains(&cvv.len()) || !cvv.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(("cvv", "Enter the 3 or 4 digit security code.".to_string()));
    }
    let postal = get("postalCode");
    if !(3..=10).contains(&postal.len())
        || !postal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        errors.push((
            "postalCode",
            "Enter a valid postal or ZIP code.".to_string(),
        ));
    }
    match (errors.is_empty(), mmyy) {
        (true, Some((month, year))) => Ok((digits, format!("{month:02}{:02}", year % 100))),
        _ => Err(errors),
    }
}

fn parse_expiry(text: &str) -> Option<(u8, i32)> {
    let (month, year) = text.split_once('/')?;
    let month: u8 = month.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let year = year.trim();
    let year: i32 = match year.len() {
        2 => 2000 + year.parse::<i32>().ok()?,
        4 => year.parse().ok()?,
        _ => return None,
    };
    Some((month, year))
}

pub async fn submit(
    State(sandbox): State<OmniSandbox>,
    Path(token): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let session = match usable(&sandbox, &token) {
        Ok(session) => session,
        Err(unusable) => return unusable.page(&sandbox),
    };
    let (digits, exp) = match validate(&fields) {
        Ok(valid) => valid,
        Err(errors) => {
            let entered = Entered {
                card_number: fields.get("cardNumber").cloned().unwrap_or_default(),
                expiry: fields.get("expiry").cloned().unwrap_or_default(),
                postal_code: fields.get("postalCode").cloned().unwrap_or_default(),
            };
            return form_page(&sandbox, &token, &session, &entered, &errors);
        }
    };

    let scenario = match (scenario_for(&digits), session.kind) {
        // A closed account takes payments made before it closed, but can receive nothing.
        (Scenario::ClosedAccount, SessionKind::UnreferencedRefund) => {
            Scenario::CLOSED_ACCOUNT_DECLINE
        }
        (scenario, _) => scenario,
    };
    let brand = card_type(&digits);
    let last4 = &digits[digits.len() - 4..];
    let fault = sandbox.take_fault(FaultPoint::Submit);
    let failure = fault
        .as_ref()
        .filter(|f| matches!(f.fault, FaultKind::Interrupted | FaultKind::ServerError));
    if failure.is_some_and(|f| !f.applied) {
        // Failed before anything happened: the session can still be used.
        return failed_submit(&sandbox);
    }
    // One submit per session: claim it under the lock before anything else.
    {
        let mut gateway = sandbox.lock();
        match gateway.session_mut(&token) {
            Some(s) if s.status == SessionStatus::Pending => {
                s.status = if scenario == Scenario::GatewayError {
                    SessionStatus::Error
                } else {
                    SessionStatus::Completed
                };
            }
            _ => {
                drop(gateway);
                return problem_page(
                    &sandbox,
                    StatusCode::CONFLICT,
                    "This payment session has already been used",
                    "Each payment session can be used once.",
                );
            }
        }
    }
    if let Some(slow) = fault.as_ref().filter(|f| f.fault == FaultKind::Slow) {
        // The card is being processed: lookups see the transaction as not yet processed meanwhile.
        tokio::time::sleep(slow.delay()).await;
    }
    let Some((transaction_json, approved)) =
        process_card(&sandbox, &session, scenario, brand, last4, exp)
    else {
        return problem_page(
            &sandbox,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Please go back and try again.",
        );
    };

    let completed_event = match session.kind {
        SessionKind::Auth => "auth.completed",
        SessionKind::UnreferencedRefund => "refund.completed",
    };
    sandbox.send_webhook(completed_event, transaction_json.clone());
    if approved {
        sandbox.send_webhook("token.created", transaction_json.clone());
    }
    if failure.is_some() {
        return failed_submit(&sandbox);
    }
    finish(
        &sandbox,
        &session,
        &transaction_json,
        approved,
        brand,
        last4,
    )
}

/// Processes the card of a claimed session: the transaction's outcome by test card. Returns the
/// transaction as JSON and whether it was approved.
fn process_card(
    sandbox: &OmniSandbox,
    session: &Session,
    scenario: Scenario,
    brand: &'static str,
    last4: &str,
    exp: String,
) -> Option<(Value, bool)> {
    let mut gateway = sandbox.lock();
    let open_batch = gateway.open_batch;
    let txn = gateway.transaction_mut(&session.transaction_id)?;
    txn.status = "Completed".into();
    txn.timestamp = OffsetDateTime::now_utc();
    txn.batch = open_batch;
    txn.refunds_declined = scenario == Scenario::ClosedAccount;
    let token_method = CardMethod {
        id: format!("pmt_tkn_{}", new_ulid()),
        kind: "Token".into(),
        currency: session.form.currency.clone(),
        card_type: brand.into(),
        masked_card_number: format!("************{last4}"),
        card_exp_date: exp,
    };
    let response = |code: i64, text: &str, approved_amount: u64| ResponseJson {
        response_code: code,
        auth_code: (code == 1).then(|| format!("{:06}", ulid::Ulid::new().0 % 1_000_000)),
        amount_approved: approved_amount,
        card_type: brand.into(),
        avs_result: "Y".into(),
        cvv_result: "M".into(),
        account_type: "Credit".into(),
        host_response_text: text.to_string(),
        payment_method: token_method.clone(),
    };
    match scenario {
        Scenario::Approve | Scenario::ClosedAccount => {
            txn.result_code = 0;
            txn.result_text = "APPROVED".into();
            txn.approved = session.amount;
            txn.response = Some(response(1, "APPROVED 00", session.amount));
        }
        Scenario::Decline {
            response_code,
            text,
        } => {
            txn.result_code = 0;
            txn.result_text = text.into();
            txn.approved = 0;
            txn.response = Some(response(response_code, text, 0));
        }
        Scenario::GatewayError => {
            txn.result_code = 3000;
            txn.result_text = "An unexpected error occurred. Please try again.".into();
            txn.approved = 0;
            txn.response = None;
        }
    }
    Some((
        serde_json::to_value(txn.to_json()).unwrap_or_default(),
        matches!(scenario, Scenario::Approve | Scenario::ClosedAccount),
    ))
}

/// The hosted form's answer when processing failed on the gateway's side: no result message, no
/// redirect. (With an `applied` fault the card was processed all the same.)
fn failed_submit(sandbox: &OmniSandbox) -> Response {
    problem_page(
        sandbox,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Payment Processing Issue",
        "Something went wrong while processing your card. Please go back and check before trying again.",
    )
}

/// The end of the flow, per the completion matrix: postMessage and/or redirect to `returnUrl`, or
/// the default result screen.
fn finish(
    sandbox: &OmniSandbox,
    session: &Session,
    tx: &Value,
    approved: bool,
    brand: &str,
    last4: &str,
) -> Response {
    let text = |key: &str| {
        tx.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let result_code = tx.get("resultCode").and_then(Value::as_i64).unwrap_or(9999);
    let return_to = session.return_url.as_deref().map(|url| {
        let params = [
            ("resultCode", result_code.to_string()),
            ("resultText", text("resultText")),
            ("transactionId", text("id")),
            ("referenceId", text("referenceId")),
            ("sessionId", session.session_id.clone()),
            ("status", text("status")),
            ("type", text("type")),
            ("amount", session.amount.to_string()),
        ];
        let query = serde_urlencoded::to_string(params).unwrap_or_default();
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}{query}")
    });
    let (heading, detail) = match (session.kind, approved) {
        (SessionKind::Auth, true) => (
            "Payment Processed Successfully",
            "You can close this window.",
        ),
        (SessionKind::Auth, false) => (
            "Payment Processing Issue",
            "Your card was not charged. Please go back and try again.",
        ),
        (SessionKind::UnreferencedRefund, true) => (
            "Refund Processed Successfully",
            "You can close this window.",
        ),
        (SessionKind::UnreferencedRefund, false) => (
            "Refund Processing Issue",
            "Nothing was sent to your card. Please go back and try again.",
        ),
    };

    if !session.use_javascript_callback {
        if let Some(url) = return_to {
            return Redirect::to(&url).into_response();
        }
    }
    let message = session.use_javascript_callback.then(|| {
        let mut data = json!({
            "success": approved,
            "transactionId": text("id"),
            "referenceId": text("referenceId"),
            "orderNumber": tx.get("orderNumber"),
            "invoiceNumber": tx.get("invoiceNumber"),
            "amount": session.amount,
            "currency": session.form.currency,
            "actionType": text("type"),
            "paymentMethod": { "id": session.form.id, "type": "Virtual", "cardType": brand, "last4": last4 },
            "transactionResponses": tx.get("transactionResponses"),
            "resultCode": result_code,
            "resultText": text("resultText"),
            "timestamp": OffsetDateTime::now_utc().unix_timestamp(),
        });
        if !approved {
            data["errorMessage"] = json!(text("resultText"));
            data["errorCode"] = json!(result_code.to_string());
        }
        json!({ "type": "fiskaPaymentResult", "data": data }).to_string()
    });
    let body = format!(
        "<h1 data-testid=\"hpf-result\">{}</h1><p>{}</p>\
         <div id=\"hpf-result\" hidden data-message=\"{}\" data-target-origin=\"{}\" data-return-url=\"{}\"></div>",
        escape(heading),
        escape(detail),
        escape(&message.unwrap_or_default()),
        escape(&target_origin(sandbox, session).unwrap_or_default()),
        escape(return_to.as_deref().unwrap_or_default()),
    );
    page(sandbox, StatusCode::OK, heading, &body, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(card: &str, expiry: &str, cvv: &str, postal: &str) -> HashMap<String, String> {
        [
            ("cardNumber", card),
            ("expiry", expiry),
            ("cvv", cvv),
            ("postalCode", postal),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn a_test_card_with_spaces_is_accepted() {
        let (digits, exp) =
            validate(&fields("4111 1111 1111 1111", "12/39", "123", "K1A 0B1")).unwrap();
        assert_eq!(digits, "4111111111111111");
        assert_eq!(exp, "1239");
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let errors = validate(&fields("4111 1111 1111 1112", "13/30", "12", "")).unwrap_err();
        let named: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(named, vec!["cardNumber", "expiry", "cvv", "postalCode"]);
        let past = validate(&fields("4111111111111111", "01/20", "123", "12345")).unwrap_err();
        assert_eq!(past[0].1, "This card's expiry date is in the past.");
    }
}
