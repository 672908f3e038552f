//! Staff roles: each console page and action is refused (403) to a role without its permission
//! and allowed to the first role that has it; a viewer never sees a payout URL; an administrator
//! changes another's role, which applies at once and is audited.

use std::process::Command;
use std::sync::Arc;

use crate::common::{spawn_app_in, TestApp, TestDatabase};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

/// A signed-in staff member: their session cookie and CSRF token.
pub(crate) struct Staffer {
    pub(crate) cookie: String,
    csrf: String,
}

fn add(db: &TestDatabase, email: &str, role: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["staff", "add", "--email", email, "--role", role])
        .env("DATABASE_URL", db.url.clone())
        .env("PAYDESK_STAFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn sign_in(app: &TestApp, email: &str) -> Staffer {
    let response = crate::console::login_from(app, "192.0.2.10", email, PASSWORD).await;
    assert_eq!(response.status(), 303, "{email} signs in");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let dashboard = get(app, &cookie, "/admin").await.1;
    let csrf = dashboard
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .chars()
        .take(64)
        .collect();
    Staffer { cookie, csrf }
}

pub(crate) async fn get(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app
        .http
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

pub(crate) async fn post(app: &TestApp, who: &Staffer, path: &str, fields: &[(&str, &str)]) -> u16 {
    let mut form = vec![("csrf", who.csrf.as_str()), ("confirm", "yes")];
    form.extend_from_slice(fields);
    app.http
        .post(format!("{}{path}", app.base))
        .header("cookie", &who.cookie)
        .header("origin", app.base.trim_end_matches('/'))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Every role signed in: viewer, operator, refunder, admin.
pub(crate) async fn everyone(app: &TestApp, db: &TestDatabase) -> [Staffer; 4] {
    for role in ["viewer", "operator", "refunder", "admin"] {
        let (ok, out) = add(db, &format!("{role}@example.com"), role);
        assert!(ok && out.contains(&format!("({role})")), "{out}");
    }
    [
        sign_in(app, "viewer@example.com").await,
        sign_in(app, "operator@example.com").await,
        sign_in(app, "refunder@example.com").await,
        sign_in(app, "admin@example.com").await,
    ]
}

/// A viewer and an operator, signed in.
pub(crate) async fn viewer_and_operator(app: &TestApp, db: &TestDatabase) -> [Staffer; 2] {
    for role in ["viewer", "operator"] {
        let (ok, out) = add(db, &format!("{role}@example.com"), role);
        assert!(ok, "{out}");
    }
    [
        sign_in(app, "viewer@example.com").await,
        sign_in(app, "operator@example.com").await,
    ]
}

#[tokio::test]
async fn each_console_permission_is_refused_to_the_role_below_it() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[]).await;
    let [viewer, operator, refunder, admin] = everyone(&app, &db).await;
    let id = app.authorized_checkout(5000, "4111111111111111").await;

    // View: every role.
    assert_eq!(get(&app, &viewer.cookie, "/admin/payments").await.0, 200);
    // Export: operators, not viewers.
    assert_eq!(
        get(&app, &viewer.cookie, "/admin/payments.csv").await.0,
        403
    );
    assert_eq!(
        get(&app, &operator.cookie, "/admin/payments.csv").await.0,
        200
    );
    // Operate: capture and void.
    let capture = format!("/admin/checkouts/{id}/capture");
    assert_eq!(
        post(&app, &viewer, &capture, &[("amount", "50.00")]).await,
        403
    );
    assert_eq!(
        post(&app, &operator, &capture, &[("amount", "50.00")]).await,
        303
    );
    assert_eq!(app.checkout(&id).await["status"], "captured");
    // Payout: refunds, refund links, device refunds — not operators.
    let refund = format!("/admin/checkouts/{id}/refund");
    assert_eq!(
        post(&app, &operator, &refund, &[("amount", "1.00")]).await,
        403
    );
    assert_eq!(app.checkout(&id).await["ledger"]["refunded"], 0);
    assert_eq!(
        post(&app, &refunder, &refund, &[("amount", "1.00")]).await,
        303
    );
    assert_eq!(app.checkout(&id).await["ledger"]["refunded"], 100);
    assert_eq!(
        get(&app, &operator.cookie, "/admin/refund-links/new")
            .await
            .0,
        403
    );
    assert_eq!(
        get(&app, &refunder.cookie, "/admin/refund-links/new")
            .await
            .0,
        200
    );
    let link = [
        ("amount", "5.00"),
        ("currency", "USD"),
        ("reason", "Goodwill"),
    ];
    assert_eq!(
        post(&app, &operator, "/admin/refund-links/new", &link).await,
        403
    );
    assert_eq!(
        app.state
            .store
            .audit_log(500)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.action == "refund_link.create")
            .count(),
        0
    );
    assert_eq!(
        post(&app, &refunder, "/admin/refund-links/new", &link).await,
        303
    );
    assert_eq!(
        get(&app, &operator.cookie, "/admin/device-refunds/new")
            .await
            .0,
        403
    );
    let device = [
        ("device", "1850010868"),
        ("amount", "1.00"),
        ("currency", "USD"),
        ("orderId", "ROLE-1"),
        ("description", "role test"),
        ("entryMethod", "device_read"),
    ];
    assert_eq!(
        post(&app, &operator, "/admin/device-refunds", &device).await,
        403
    );
    assert_ne!(
        post(&app, &refunder, "/admin/device-refunds", &device).await,
        403
    );
    // Administer: the staff page and role changes.
    assert_eq!(get(&app, &refunder.cookie, "/admin/staff").await.0, 403);
    let (status, staff) = get(&app, &admin.cookie, "/admin/staff").await;
    assert_eq!(status, 200);
    assert!(
        staff.contains("viewer@example.com") && staff.contains("refunder@example.com"),
        "{staff}"
    );
    let promote = [("email", "viewer@example.com"), ("role", "operator")];
    assert_eq!(
        post(&app, &refunder, "/admin/staff/role", &promote).await,
        403
    );
    assert_eq!(
        get(&app, &viewer.cookie, "/admin/payments.csv").await.0,
        403
    );
    assert_eq!(post(&app, &admin, "/admin/staff/role", &promote).await, 303);
    assert_eq!(
        get(&app, &viewer.cookie, "/admin/payments.csv").await.0,
        200,
        "a new role applies to the next request"
    );
    let myself = [("email", "admin@example.com"), ("role", "viewer")];
    assert_eq!(post(&app, &admin, "/admin/staff/role", &myself).await, 422);
    let audit = app.state.store.audit_log(500).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "staff.role_set"
        && a.actor == "admin@example.com"
        && a.subject.as_deref() == Some("viewer@example.com")));
}

#[tokio::test]
async fn stopping_a_payout_and_unlocking_follow_the_role() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[]).await;
    let [viewer, operator, _refunder, _admin] = everyone(&app, &db).await;
    let created: Value = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": "1850010868", "amount": 700, "currency": "USD", "orderId": "ROLE-2", "description": "role test" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let refund = created["id"].as_str().unwrap();
    let cancel = format!("/admin/device-refunds/{refund}/cancel");
    assert_eq!(post(&app, &viewer, &cancel, &[]).await, 403);
    assert!(!app
        .state
        .store
        .audit_log(500)
        .await
        .unwrap()
        .iter()
        .any(|a| a.action.starts_with("device_refund.cancel")));
    assert_eq!(post(&app, &operator, &cancel, &[]).await, 303);

    // A payout link's lock is lifted by those who may pay out, a checkout's by operators.
    let link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 500, "currency": "USD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let link_id = link["id"].as_str().unwrap();
    assert_eq!(
        post(
            &app,
            &operator,
            &format!("/admin/refund-links/{link_id}/unlock"),
            &[]
        )
        .await,
        403
    );
    let checkout = app.new_checkout(900).await;
    assert_eq!(
        post(
            &app,
            &viewer,
            &format!("/admin/checkouts/{checkout}/unlock"),
            &[]
        )
        .await,
        403
    );
    assert_eq!(
        post(
            &app,
            &operator,
            &format!("/admin/checkouts/{checkout}/unlock"),
            &[]
        )
        .await,
        303
    );
}

#[tokio::test]
async fn a_viewer_never_sees_a_payout_url() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[]).await;
    let [viewer, operator, refunder, _admin] = everyone(&app, &db).await;
    let link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 500, "currency": "USD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let (id, url) = (link["id"].as_str().unwrap(), link["url"].as_str().unwrap());
    let signature = url.split("sig=").nth(1).unwrap().split('&').next().unwrap();
    for who in [&viewer, &operator] {
        let (status, page) = get(&app, &who.cookie, &format!("/admin/refund-links/{id}")).await;
        assert_eq!(status, 200);
        assert!(!page.contains(signature), "{page}");
        assert!(page.contains("payout-url-hidden"), "{page}");
        let nav = get(&app, &who.cookie, "/admin").await.1;
        assert!(!nav.contains("/admin/refund-links/new"), "{nav}");
    }
    let (_, page) = get(&app, &refunder.cookie, &format!("/admin/refund-links/{id}")).await;
    assert!(page.contains(signature), "{page}");

    let original = crate::gateway_refunds::commercehub_charge(&app, 1204, "closed").await;
    let refund: Value = app
        .post(
            "/api/v1/refunds",
            json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 1204, "currency": "USD" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let (id, url) = (
        refund["id"].as_str().unwrap(),
        refund["url"].as_str().unwrap(),
    );
    let signature = url.split("sig=").nth(1).unwrap().split('&').next().unwrap();
    let (_, page) = get(&app, &viewer.cookie, &format!("/admin/refunds/{id}")).await;
    assert!(
        !page.contains(signature) && page.contains("payout-url-hidden"),
        "{page}"
    );
    let (_, page) = get(&app, &refunder.cookie, &format!("/admin/refunds/{id}")).await;
    assert!(page.contains(signature), "{page}");
}

#[tokio::test]
async fn the_cli_needs_a_role_and_changes_it() {
    let db = Arc::new(TestDatabase::fresh().await);
    let output = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["staff", "add", "--email", "x@example.com"])
        .env("DATABASE_URL", db.url.clone())
        .env("PAYDESK_STAFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--role <ROLE>"));
    let (ok, out) = add(&db, "x@example.com", "owner");
    assert!(!ok && out.contains("unknown role"), "{out}");
    assert!(add(&db, "x@example.com", "viewer").0);
    let set = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args([
            "staff",
            "set-role",
            "--email",
            "X@example.com",
            "--role",
            "refunder",
        ])
        .env("DATABASE_URL", db.url.clone())
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let list = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["staff", "list"])
        .env("DATABASE_URL", db.url.clone())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("x@example.com  refunder"));
}
