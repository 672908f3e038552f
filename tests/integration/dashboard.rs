//! The console dashboard and its API: figures seeded through the merchant API and the sandbox
//! (approved, captured and refunded, voided, declined, another currency, a refund link) add up as
//! the dashboard says, the console shows the API's numbers in the staff member's time zone, and the
//! payments list filters, pages and exports.

use std::sync::Arc;

use crate::common::{spawn_app_in, TestApp, TestDatabase};
use crate::console::{add_staff, EMAIL, PASSWORD};
use paydesk_core::i18n::Locale;
use paydesk_core::model::PaymentState;
use paydesk_core::payments::{link_page, Intent};
use serde_json::{json, Value};

const VISA: &str = "4111111111111111";
const DECLINED: &str = "4000000000000002";

async fn staff_cookie(app: &TestApp) -> String {
    let response = app
        .http
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn console_get(app: &TestApp, cookie: &str, path: &str) -> (u16, String, String) {
    let response = app
        .http
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

/// The text of the element with `data-testid="{testid}"`.
fn testid_text(html: &str, testid: &str) -> String {
    html.split(&format!(r#"data-testid="{testid}">"#))
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("{testid} in {html}"))
        .to_string()
}

async fn paid(app: &TestApp, body: Value, card: &str) -> String {
    let created: Value = app.create_checkout(body).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let form = app.hosted_form(&id).await;
    assert_eq!(app.submit_card(&form.iframe_url, card).await.status(), 200);
    id
}

/// Seeds the sandbox: what the dashboard must count.
async fn seed(app: &TestApp) {
    let a = paid(app, json!({ "amount": 5000, "currency": "USD" }), VISA).await;
    let b = paid(app, json!({ "amount": 2500, "currency": "USD" }), VISA).await;
    let d = paid(app, json!({ "amount": 700, "currency": "USD" }), VISA).await;
    let e = paid(app, json!({ "amount": 3000, "currency": "CAD" }), VISA).await;
    let g = paid(app, json!({ "amount": 900, "currency": "USD" }), DECLINED).await;
    for id in [&a, &b, &d, &e] {
        app.wait_for_status(id, "authorized").await;
    }
    app.wait_for_status(&g, "declined").await;
    assert_eq!(
        app.post(&format!("/api/v1/checkouts/{d}/void"), Value::Null)
            .await
            .status(),
        201
    );
    assert_eq!(
        app.post(&format!("/api/v1/checkouts/{b}/capture"), json!({}))
            .await
            .status(),
        201
    );
    app.close_batch().await;
    assert_eq!(
        app.post(
            &format!("/api/v1/checkouts/{b}/refund"),
            json!({ "amount": 1000 })
        )
        .await
        .status(),
        201
    );
    let link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 1500, "currency": "USD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let link = TestApp::refund_link_ref(link["url"].as_str().unwrap());
    let form = match link_page(&app.state, &link, Intent::View, Locale::En)
        .await
        .unwrap()
        .state
    {
        PaymentState::Ready(form) => form,
        other => panic!("{other:?}"),
    };
    assert_eq!(app.submit_card(&form.iframe_url, VISA).await.status(), 200);
    for _ in 0..100 {
        if app.get(&format!("/api/v1/refund-links/{}", link.id)).await["status"] == "completed" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the refund link never completed");
}

#[tokio::test]
async fn the_dashboard_counts_what_happened_and_the_console_shows_the_apis_numbers() {
    let db = Arc::new(TestDatabase::fresh().await);
    add_staff(&db);
    let app = spawn_app_in(db.clone(), &[]).await;
    let empty = app.get("/api/v1/dashboard").await;
    assert_eq!(empty["timeZone"], "UTC");
    assert_eq!(empty["currencies"], json!([]));
    let day_before = empty["today"].clone();
    seed(&app).await;

    let report = app.get("/api/v1/dashboard?timeZone=Asia/Kolkata").await;
    assert_eq!(report["timeZone"], "Asia/Kolkata");
    let usd = &report["currencies"][0];
    assert_eq!(usd["currency"], "USD");
    assert_eq!(
        usd["last30Days"],
        json!({ "payments": 2, "volume": 7500, "refunds": 2, "refunded": 2500 }),
        "A and B count (D was voided, G declined); B's refund and the refund link: {report}"
    );
    assert_eq!(usd["days"].as_array().unwrap().len(), 30);
    let cad = &report["currencies"][1];
    assert_eq!(cad["currency"], "CAD");
    assert_eq!(
        cad["last30Days"],
        json!({ "payments": 1, "volume": 3000, "refunds": 0, "refunded": 0 })
    );
    assert_eq!(
        report["approvalsLast30Days"],
        json!({ "approved": 4, "declined": 1 })
    );
    let declines: i64 = report["declinesByReason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["declines"].as_i64().unwrap())
        .sum();
    assert_eq!(declines, 1);
    let utc_today = app.get("/api/v1/dashboard").await["today"].clone();
    if utc_today == day_before {
        // (Unless midnight passed while seeding.) Everything happened today.
        let utc = app.get("/api/v1/dashboard").await;
        assert_eq!(utc["currencies"][0]["today"], usd["last30Days"]);
        assert_eq!(
            utc["approvalsToday"],
            json!({ "approved": 4, "declined": 1 })
        );
    }

    // The console, once the staff member chose Asia/Kolkata, shows the same numbers.
    let cookie = staff_cookie(&app).await;
    let (_, _, dashboard) = console_get(&app, &cookie, "/admin").await;
    assert_eq!(testid_text(&dashboard, "dashboard-time-zone"), "UTC");
    let csrf: String = dashboard
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .chars()
        .take(64)
        .collect();
    let saved = app
        .http
        .post(format!("{}/admin/time-zone", app.base))
        .header("cookie", &cookie)
        .header("origin", app.base.clone())
        .form(&[("csrf", csrf.as_str()), ("timeZone", "Asia/Kolkata")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let (status, _, dashboard) = console_get(&app, &cookie, "/admin").await;
    assert_eq!(status, 200);
    let report = app.get("/api/v1/dashboard?timeZone=Asia/Kolkata").await;
    assert_eq!(
        testid_text(&dashboard, "dashboard-time-zone"),
        "Asia/Kolkata"
    );
    assert_eq!(
        testid_text(&dashboard, "dashboard-today"),
        report["today"].as_str().unwrap()
    );
    assert_eq!(testid_text(&dashboard, "month-volume-usd"), "$75.00 USD");
    assert_eq!(testid_text(&dashboard, "month-refunded-usd"), "$25.00 USD");
    assert_eq!(testid_text(&dashboard, "month-volume-cad"), "$30.00 CAD");
    assert_eq!(testid_text(&dashboard, "month-rate"), "80.0%");
    assert!(dashboard.contains(r#"<svg class="chart" data-testid="volume-chart-usd" role="img""#));
    assert!(dashboard.contains(r#"href="/admin/reconciliation" data-testid="reconciliation-link""#));

    let (status, _, refused) =
        console_get(&app, &cookie, "/admin/payments?from=yesterday&min=ten").await;
    assert_eq!(status, 400);
    assert!(
        refused.contains("yesterday is not a date") && refused.contains("12.50"),
        "{refused}"
    );
    let (_, _, declined) = console_get(&app, &cookie, "/admin/payments?status=declined").await;
    assert_eq!(declined.matches(r#"data-testid="payment-link""#).count(), 1);
    let (_, _, mid) = console_get(&app, &cookie, "/admin/payments?min=9&max=30").await;
    assert_eq!(
        mid.matches(r#"data-testid="payment-amount""#).count(),
        3,
        "$9.00, $25.00 and $30.00 CAD: {mid}"
    );
    let today = report["today"].as_str().unwrap().to_string();
    let (_, _, dated) = console_get(
        &app,
        &cookie,
        &format!("/admin/payments?from={today}&to={today}"),
    )
    .await;
    assert_eq!(dated.matches(r#"data-testid="payment-link""#).count(), 5);
    assert!(
        dated.contains(" IST</td>"),
        "times in the staff member's zone: {dated}"
    );

    let (status, content_type, csv) =
        console_get(&app, &cookie, "/admin/payments.csv?status=declined").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,created_at,created_local,status,amount,currency,order_number,invoice_number,reference_id,support_reference");
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains(",declined,900,USD,"), "{csv}");
    let (_, _, refunds) = console_get(&app, &cookie, "/admin/refunds.csv").await;
    let kinds: Vec<&str> = refunds
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{refunds}");
    assert!(kinds.contains(&"refund") && kinds.contains(&"refund_link"));
}

#[tokio::test]
async fn the_dashboard_api_refuses_an_unknown_time_zone_and_the_list_pages() {
    let db = Arc::new(TestDatabase::fresh().await);
    add_staff(&db);
    let app = spawn_app_in(db.clone(), &[]).await;
    let refused = app
        .http
        .get(format!(
            "{}/api/v1/dashboard?timeZone=Mars/Olympus",
            app.base
        ))
        .bearer_auth(crate::common::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["field"], "timeZone", "{body}");

    for _ in 0..52 {
        app.new_checkout(100).await;
    }
    let cookie = staff_cookie(&app).await;
    let (_, _, first) = console_get(&app, &cookie, "/admin/payments").await;
    assert_eq!(first.matches(r#"data-testid="payment-link""#).count(), 50);
    assert!(first.contains(r#"data-testid="page-older""#) && !first.contains("page-newer"));
    let (_, _, second) = console_get(&app, &cookie, "/admin/payments?page=2").await;
    assert_eq!(second.matches(r#"data-testid="payment-link""#).count(), 2);
    assert!(second.contains(r#"data-testid="page-newer""#) && !second.contains("page-older"));
}
