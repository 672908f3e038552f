//! The staff console over HTTP: sign-in with an argon2 password made by the CLI, a locked-down
//! session cookie, CSRF and Origin checks, confirmation, idempotent double submits and the audit
//! log.

use std::process::Command;
use std::sync::Arc;

use crate::common::{spawn_app_in, TestApp};
use serde_json::{json, Value};

pub(crate) const EMAIL: &str = "ops@example.com";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) fn add_staff(db: &crate::common::TestDatabase) {
    let output = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["staff", "add", "--email", EMAIL, "--role", "admin"])
        .env("DATABASE_URL", db.url.clone())
        .env("PAYDESK_STAFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn login(app: &TestApp, password: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", EMAIL), ("password", password)])
        .send()
        .await
        .unwrap()
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .chars()
        .take(64)
        .collect()
}

#[tokio::test]
async fn a_staff_member_signs_in_refunds_part_of_a_payment_and_it_is_audited() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[]).await;
    let id = app.authorized_checkout(5000, "4111111111111111").await;
    assert_eq!(
        app.post(&format!("/api/v1/checkouts/{id}/capture"), Value::Null)
            .await
            .status(),
        201
    );

    let anonymous = app
        .http
        .get(format!("{}/admin", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            anonymous.status().as_u16(),
            anonymous.headers()["location"].to_str().unwrap()
        ),
        (303, "/admin/login")
    );
    assert_eq!(login(&app, "wrong password!!").await.status(), 401);

    let signed_in = login(&app, PASSWORD).await;
    assert_eq!(signed_in.status(), 303);
    let set_cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let get = |path: String| {
        let cookie = cookie.clone();
        let http = app.http.clone();
        async move {
            http.get(path)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let list = get(format!("{}/admin/payments?q={id}", app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(&id));
    let detail = get(format!("{}/admin/checkouts/{id}", app.base)).await;
    assert!(detail.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let detail = detail.text().await.unwrap();
    let csrf = csrf_of(&detail);
    let nonce: String = detail
        .split("name=\"nonce\" value=\"")
        .nth(1)
        .unwrap()
        .chars()
        .take(26)
        .collect();

    let refund = |fields: Vec<(&'static str, String)>, origin: Option<&'static str>| {
        let mut request = app
            .http
            .post(format!("{}/admin/checkouts/{id}/refund", app.base))
            .header("cookie", cookie.clone())
            .form(&fields);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let good = || {
        vec![
            ("csrf", csrf.clone()),
            ("nonce", nonce.clone()),
            ("amount", "12.50".to_string()),
            ("confirm", "yes".to_string()),
        ]
    };
    // Forged: no CSRF token, or another site's Origin. Unconfirmed: refused with a message.
    let mut no_token = good();
    no_token.remove(0);
    assert_eq!(refund(no_token, None).await.unwrap().status(), 403);
    assert_eq!(
        refund(good(), Some("https://evil.example"))
            .await
            .unwrap()
            .status(),
        403
    );
    let mut unconfirmed = good();
    unconfirmed.pop();
    let refused = refund(unconfirmed, None).await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Tick the confirmation box"));
    assert_eq!(app.checkout(&id).await["ledger"]["refunded"], 0);

    // Confirmed, from our origin; submitted twice (a double click): one refund.
    let origin: &'static str = Box::leak(app.base.clone().into_boxed_str());
    assert_eq!(refund(good(), Some(origin)).await.unwrap().status(), 303);
    assert_eq!(refund(good(), Some(origin)).await.unwrap().status(), 303);
    let checkout = app.checkout(&id).await;
    assert_eq!(checkout["ledger"]["refunded"], 1250);
    assert_eq!(
        checkout["operations"].as_array().unwrap().len(),
        2,
        "capture and one refund"
    );

    let audit = app.state.store.audit_log(20).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.actor.as_str(), a.action.as_str()))
        .collect();
    assert!(actions.contains(&(EMAIL, "refund")), "{actions:?}");
    assert!(actions.contains(&(EMAIL, "login")));
    assert!(actions.contains(&(EMAIL, "login.failed")));
    assert!(actions.contains(&("cli", "staff.add")));
    let entry = audit.iter().find(|a| a.action == "refund").unwrap();
    assert_eq!(entry.subject.as_deref(), Some(id.as_str()));
    let detail: Value = serde_json::from_str(entry.detail.as_deref().unwrap()).unwrap();
    // Written with the operation (before the gateway is called): its outcome is the operation's.
    assert_eq!(detail["amount"], json!(1250));
    assert!(detail["operationId"].as_str().unwrap().starts_with("op_"));

    // Logging out ends the session.
    let logout = app
        .http
        .post(format!("{}/admin/logout", app.base))
        .header("cookie", cookie.clone())
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    assert_eq!(get(format!("{}/admin", app.base)).await.status(), 303);
}

#[tokio::test]
async fn the_reconciliation_page_shows_agreement_then_a_discrepancy() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[]).await;
    app.authorized_checkout(1000, "4111111111111111").await;
    let cookie = login(&app, PASSWORD)
        .await
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let page = |since: &str| {
        let (http, base, cookie) = (app.http.clone(), app.base.clone(), cookie.clone());
        let since = since.to_string();
        async move {
            let response = http
                .get(format!("{base}/admin/reconciliation?since={since}"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, agreed) = page("1h").await;
    assert_eq!(status, 200);
    assert!(agreed.contains("data-testid=\"reconciled\""), "{agreed}");
    // An approval paydesk has not heard of yet (its webhook lost).
    app.inject(json!({ "operation": "webhook", "fault": "drop", "count": 2 }))
        .await;
    let (_, form) = app.open_session(700).await;
    app.submit_card(&form.iframe_url, "4111111111111111").await;
    let (_, found) = page("1h").await;
    assert!(found.contains("data-kind=\"unsettled\""), "{found}");
    let (status, _) = page("yesterday").await;
    assert_eq!(status, 422);
}

pub(crate) async fn login_from(
    app: &TestApp,
    client: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.http
        .post(format!("{}/admin/login", app.base))
        .header("x-forwarded-for", client)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.state
        .store
        .audit_log(500)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect()
}

/// Guessing one account's password from many addresses locks the account (even the right
/// password is refused while locked) and writes two audit entries, not one per guess.
#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account_and_are_audited_once() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(
        dir.clone(),
        &[
            ("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For"),
            ("PAYDESK_LOGIN_LOCKOUT_SECS", "2"),
        ],
    )
    .await;
    for guess in 0..12 {
        let client = format!("198.51.100.{guess}");
        let response = login_from(&app, &client, EMAIL, "not the password!").await;
        let expected = if guess < 5 { 401 } else { 429 };
        assert_eq!(response.status(), expected, "guess {guess}");
        if expected == 429 {
            assert!(response.headers().contains_key("retry-after"));
            assert!(response.text().await.unwrap().contains("locked"));
        }
    }
    let locked = login_from(&app, "203.0.113.9", EMAIL, PASSWORD).await;
    assert_eq!(
        locked.status(),
        429,
        "the right password waits out the lock too"
    );
    let actions = audit_actions(&app).await;
    let failures = actions.iter().filter(|a| a.starts_with("login.")).count();
    assert_eq!(
        failures, 2,
        "one entry when failures start, one at the lock: {actions:?}"
    );

    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let after = login_from(&app, "203.0.113.9", EMAIL, PASSWORD).await;
    assert_eq!(after.status(), 303, "the lock ends by itself");
}

/// A flood of sign-ins from one address is held before any password is hashed.
/// A lock-out is kept in the database: a restart in the middle of it forgets nothing.
#[tokio::test]
async fn a_locked_account_stays_locked_across_a_restart() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let settings = [("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For")];
    let app = spawn_app_in(dir.clone(), &settings).await;
    for guess in 0..5 {
        let client = format!("198.51.100.{guess}");
        let response = login_from(&app, &client, EMAIL, "not the password!").await;
        assert_eq!(response.status(), 401, "guess {guess}");
    }
    app.stop().await;
    let restarted = spawn_app_in(dir, &settings).await;
    let refused = login_from(&restarted, "203.0.113.9", EMAIL, PASSWORD).await;
    assert_eq!(refused.status(), 429, "still locked after the restart");
    assert!(refused.text().await.unwrap().contains("locked"));
}

#[tokio::test]
async fn a_flood_of_sign_ins_from_one_address_is_held_with_retry_after() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let app = spawn_app_in(dir, &[]).await;
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..40 {
        let (http, base) = (app.http.clone(), app.base.clone());
        attempts.spawn(async move {
            http.post(format!("{base}/admin/login"))
                .form(&[
                    ("email", format!("guess{n}@example.com").as_str()),
                    ("password", "wrong password!!"),
                ])
                .send()
                .await
                .unwrap()
        });
    }
    let responses = attempts.join_all().await;
    let held: Vec<_> = responses.iter().filter(|r| r.status() == 429).collect();
    assert!(
        held.len() >= 25,
        "at most a small burst per address is let through, {} were held",
        held.len()
    );
    assert!(held.iter().all(|r| r.headers().contains_key("retry-after")));
    let written = audit_actions(&app).await.len();
    assert!(
        written <= 10,
        "held attempts write nothing: {written} audit rows"
    );
}

fn staff_cli(db: &crate::common::TestDatabase, args: &[&str], password: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .arg("staff")
        .args(args)
        .env("DATABASE_URL", db.url.clone())
        .env("PAYDESK_STAFF_PASSWORD", password)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn signed_in(app: &TestApp, password: &str) -> String {
    let response = login(app, password).await;
    assert_eq!(response.status(), 303, "sign-in with {password:?}");
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}

async fn console_status(app: &TestApp, cookie: &str) -> u16 {
    app.http
        .get(format!("{}/admin", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Resetting a password is its own command: it ends every session of the account, is audited,
/// and never re-enables a disabled account by accident; `staff add` never overwrites one.
#[tokio::test]
async fn a_password_reset_ends_old_sessions_and_never_silently_re_enables() {
    const NEW_PASSWORD: &str = "a brand new long password";
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[]).await;
    let old_session = signed_in(&app, PASSWORD).await;
    assert_eq!(console_status(&app, &old_session).await, 200);

    let (ok, out) = staff_cli(
        &dir,
        &["add", "--email", EMAIL, "--role", "admin"],
        NEW_PASSWORD,
    );
    assert!(!ok && out.contains("already has an account"), "{out}");
    assert_eq!(
        login(&app, NEW_PASSWORD).await.status(),
        401,
        "add changed nothing"
    );

    let (ok, out) = staff_cli(&dir, &["reset-password", "--email", EMAIL], NEW_PASSWORD);
    assert!(ok && out.contains("1 session(s) ended"), "{out}");
    assert_eq!(
        console_status(&app, &old_session).await,
        303,
        "the old session is over"
    );
    let new_session = signed_in(&app, NEW_PASSWORD).await;

    let (ok, out) = staff_cli(&dir, &["disable", "--email", EMAIL], "");
    assert!(ok, "{out}");
    assert_eq!(console_status(&app, &new_session).await, 303);
    let (ok, out) = staff_cli(&dir, &["reset-password", "--email", EMAIL], PASSWORD);
    assert!(!ok && out.contains("--enable"), "{out}");
    assert_eq!(login(&app, PASSWORD).await.status(), 401, "still disabled");
    let (ok, out) = staff_cli(
        &dir,
        &["reset-password", "--email", EMAIL, "--enable"],
        PASSWORD,
    );
    assert!(ok, "{out}");
    signed_in(&app, PASSWORD).await;

    let actions = audit_actions(&app).await;
    for action in ["staff.add", "staff.password_reset", "staff.disable"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "staff.password_reset")
            .count(),
        2,
        "the refused reset wrote nothing: {actions:?}"
    );
}

#[tokio::test]
async fn staff_find_a_commerce_hub_refund_its_customer_link_and_its_calls() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[]).await;
    let original = crate::gateway_refunds::commercehub_charge(&app, 1204, "closed").await;
    let refund: Value = app
        .post(
            "/api/v1/refunds",
            json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 1204,
                    "currency": "USD", "orderNumber": "CH-CONSOLE-1" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = refund["id"].as_str().unwrap();
    let cookie = login(&app, PASSWORD).await.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let get = |path: String| {
        let (http, cookie) = (app.http.clone(), cookie.clone());
        async move {
            let response = http
                .get(path)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    let (status, list) = get(format!("{}/admin/refunds?q=CH-CONSOLE", app.base)).await;
    assert_eq!(status, 200);
    assert!(
        list.contains(id) && list.contains("awaiting_card") && list.contains(&original),
        "{list}"
    );
    let (_, none) = get(format!("{}/admin/refunds?q=NO-SUCH-ORDER", app.base)).await;
    assert!(!none.contains(id));

    let (status, detail) = get(format!("{}/admin/refunds/{id}", app.base)).await;
    assert_eq!(status, 200);
    assert!(
        detail.contains("030"),
        "the original card's decline: {detail}"
    );
    assert!(
        detail.contains(&refund["url"].as_str().unwrap().replace('&', "&amp;")),
        "the customer link while it waits: {detail}"
    );
    let attempts = app.state.store.refund_attempts(id).await.unwrap();
    assert!(detail.contains(&attempts[0].client_request_id) && detail.contains("tagged"));
    assert!(
        !detail.contains("referenceTransactionDetails"),
        "never the bodies sent"
    );

    let (status, _) = get(format!("{}/admin/refunds/rfd_nope", app.base)).await;
    assert_eq!(status, 404);
    let anonymous = app
        .http
        .get(format!("{}/admin/refunds/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
}

#[tokio::test]
async fn the_support_reference_a_customer_reads_opens_what_it_names_in_the_console() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[]).await;
    let id = app.new_checkout(2599).await;
    let resource = app.checkout(&id).await;
    let reference = resource["supportReference"].as_str().unwrap().to_string();
    assert_eq!(
        reference,
        paydesk_core::model::SupportReference::of_id(&id).to_string()
    );
    let page = crate::common::payment_page(&app.state, &id, paydesk_core::payments::Intent::View)
        .await
        .unwrap();
    assert_eq!(
        page.summary.support_reference, reference,
        "the customer sees it"
    );
    let refund_link: Value = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 700, "currency": "USD", "orderNumber": "RL-REF-1" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let refund_reference = refund_link["supportReference"]
        .as_str()
        .unwrap()
        .to_string();

    let cookie = login(&app, PASSWORD).await.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let search = |path: &str, query: String| {
        let (http, cookie) = (app.http.clone(), cookie.clone());
        let url = format!("{}{path}", app.base);
        async move {
            let response = http
                .get(url)
                .query(&[("q", query)])
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            let location = response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            (
                response.status().as_u16(),
                location,
                response.text().await.unwrap(),
            )
        }
    };

    // As a customer reads it over the phone: any case, spaces for dashes, O for 0.
    let spoken = format!(
        " {} ",
        reference.to_lowercase().replace('-', " ").replace('0', "o")
    );
    for list in ["/admin/payments", "/admin/refund-links", "/admin/refunds"] {
        let (status, location, _) = search(list, spoken.clone()).await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some(format!("/admin/checkouts/{id}").as_str())),
            "{list}"
        );
    }
    let (_, location, _) = search("/admin/payments", refund_reference.clone()).await;
    assert_eq!(
        location,
        Some(format!(
            "/admin/refund-links/{}",
            refund_link["id"].as_str().unwrap()
        ))
    );
    let (status, detail) = {
        let response = app
            .http
            .get(format!("{}/admin/checkouts/{id}", app.base))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        detail.contains(&format!(r#"data-testid="support-reference">{reference}<"#)),
        "{detail}"
    );

    let unknown = if reference.ends_with('Z') {
        "PD-0000-0Y"
    } else {
        "PD-0000-0Z"
    };
    let (status, location, body) = search("/admin/payments", unknown.to_string()).await;
    assert_eq!((status, location), (200, None));
    assert!(
        body.contains("reference-none") && body.contains(unknown),
        "{body}"
    );
    let (status, location, body) = search("/admin/payments", "T-1".to_string()).await;
    assert_eq!((status, location), (200, None), "not a reference: the list");
    assert!(body.contains(&id));
}

/// A Commerce Hub refund locked by declined new cards: staff see the lock on its page and lift it
/// (CSRF-checked, audited); the customer may then try a card again.
#[tokio::test]
async fn staff_see_a_lock_against_card_testing_and_lift_it() {
    use crate::gateway_refund_page::{awaiting_card, refund_to, submission, type_card};
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[("PAYDESK_MAX_DECLINES_PER_LINK", "1")]).await;
    let (id, sig) = awaiting_card(&app, 1300).await;
    let form = submission(&app, &id, &sig).await;
    type_card(&app, &form, "4000000000000002").await;
    let declined = refund_to(&app, &id, &sig, &form).await;
    assert!(
        declined["Declined"].is_object() || declined["Locked"].is_object(),
        "{declined}"
    );
    let cookie = login(&app, PASSWORD).await.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let detail = |app: &TestApp| {
        let (http, cookie, url) = (
            app.http.clone(),
            cookie.clone(),
            format!("{}/admin/refunds/{id}", app.base),
        );
        async move {
            let response = http.get(url).header("cookie", cookie).send().await.unwrap();
            response.text().await.unwrap()
        }
    };
    let locked = detail(&app).await;
    assert!(
        locked.contains(r#"data-testid="locked-notice""#),
        "{locked}"
    );
    let unlock = |csrf: String| {
        app.http
            .post(format!("{}/admin/refunds/{id}/unlock", app.base))
            .header("cookie", cookie.clone())
            .form(&[("csrf", csrf)])
            .send()
    };
    // A forged form changes nothing.
    let forged = unlock("not-the-token".into()).await.unwrap();
    assert_eq!(forged.status(), 403);
    assert!(detail(&app)
        .await
        .contains(r#"data-testid="locked-notice""#));

    let unlocked = unlock(csrf_of(&locked)).await.unwrap();
    assert_eq!(unlocked.status(), 303);
    assert!(!detail(&app)
        .await
        .contains(r#"data-testid="locked-notice""#));
    assert!(audit_actions(&app)
        .await
        .contains(&"refund.unlock".to_string()));
    let again = submission(&app, &id, &sig).await;
    assert!(again["submission_id"].is_string(), "{again}");
}

/// The right password admitted before the lock but verified after it (the hashers are busy with
/// the guesses that lock the account) neither signs in nor lifts the lock.
#[tokio::test]
async fn a_right_password_verified_after_the_lock_is_refused_and_the_lock_stays() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(
        dir.clone(),
        &[("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For")],
    )
    .await;
    for guess in 0..3 {
        let response = login_from(&app, &format!("198.51.100.{guess}"), EMAIL, "wrong!").await;
        assert_eq!(response.status(), 401);
    }
    // Two guesses that lock the account, and the right password right behind them: all three
    // pass the first look at the lock; the password waits for a hasher until the lock is on.
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(20));
    let (fourth, fifth, right) = tokio::join!(
        login_from(&app, "198.51.100.4", EMAIL, "wrong!"),
        async {
            pause().await;
            login_from(&app, "198.51.100.5", EMAIL, "wrong!").await
        },
        async {
            pause().await;
            pause().await;
            login_from(&app, "203.0.113.9", EMAIL, PASSWORD).await
        },
    );
    assert_eq!(
        (fourth.status().as_u16(), fifth.status().as_u16()),
        (401, 401)
    );
    assert_eq!(right.status(), 429, "verified after the lock: refused");
    let later = login_from(&app, "203.0.113.10", EMAIL, PASSWORD).await;
    assert_eq!(later.status(), 429, "and the lock stays");
}

/// An IPv6 client is one /64: changing addresses inside it does not buy more sign-in attempts.
#[tokio::test]
async fn an_ipv6_client_is_limited_per_slash_64() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let app = spawn_app_in(
        dir,
        &[
            ("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For"),
            ("PAYDESK_LOGIN_ATTEMPTS_PER_MINUTE", "2"),
        ],
    )
    .await;
    let mut statuses = Vec::new();
    for host in 1..=4 {
        let client = format!("2001:db8:7:9::{host}");
        statuses.push(
            login_from(&app, &client, "nobody@example.com", "x")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses.contains(&429),
        "one /64, one allowance: {statuses:?}"
    );
    let other = login_from(&app, "2001:db8:7:a::1", "nobody@example.com", "x").await;
    assert_eq!(other.status(), 401, "another /64 is another client");
}

/// A console session unused for PAYDESK_CONSOLE_IDLE_SECS ends (a session in use goes on).
#[tokio::test]
async fn an_unused_console_session_ends_after_its_idle_time() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[("PAYDESK_CONSOLE_IDLE_SECS", "2")]).await;
    let cookie = login(&app, PASSWORD).await.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let status = || console_status(&app, &cookie);
    // In use every second for longer than the idle time: still signed in.
    for _ in 0..3 {
        assert_eq!(status().await, 200);
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    }
    assert_eq!(status().await, 200);
    // Unused for longer: sent to the login page.
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    assert_eq!(status().await, 303);
}

/// The audit log reads a page at a time, newest first, every entry on exactly one page.
#[tokio::test]
async fn the_audit_log_pages_through_every_entry() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    add_staff(&dir);
    let app = spawn_app_in(dir.clone(), &[]).await;
    for n in 0..105 {
        let made = app
            .post(
                "/api/v1/refund-links",
                json!({ "amount": 100 + n, "currency": "USD", "reason": "Returned item" }),
            )
            .await;
        assert_eq!(made.status(), 201);
    }
    let total = app.state.store.audit_log(10_000).await.unwrap().len();
    assert!(total >= 105, "{total}");
    let cookie = login(&app, PASSWORD).await.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut url = format!("{}/admin/audit", app.base);
    let mut seen = Vec::new();
    for _ in 0..10 {
        let html = app
            .http
            .get(&url)
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let rows = html.matches(r#"data-testid="audit-entry""#).count();
        assert!(rows <= 100, "a page at a time: {rows}");
        seen.push(rows);
        match html.split(r#"href="/admin/audit?before="#).nth(1) {
            Some(rest) => {
                let cursor = rest.split('"').next().unwrap();
                url = format!("{}/admin/audit?before={cursor}", app.base);
            }
            None => break,
        }
    }
    // The sign-in itself is written too: every entry once.
    assert_eq!(seen.iter().sum::<usize>(), total + 1, "{seen:?}");
    assert!(seen.len() >= 2, "{seen:?}");
}
