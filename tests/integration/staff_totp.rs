//! The optional second factor for staff: once `paydesk staff totp enable` set it up, a sign-in
//! needs the password and a current one-time code, each code signs in once, and a wrong code counts
//! as a failed sign-in; `disable` removes it. Both are audited.

use std::process::Command;
use std::sync::Arc;

use crate::common::{spawn_app_in, TestApp, TestDatabase};

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "two@example.com";

fn cli(db: &TestDatabase, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(args)
        .env("DATABASE_URL", db.url.clone())
        .env("PAYDESK_STAFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    text
}

async fn sign_in(app: &TestApp, code: &str) -> u16 {
    app.http
        .post(format!("{}/admin/login", app.base))
        .header("x-forwarded-for", "192.0.2.40")
        .form(&[("email", EMAIL), ("password", PASSWORD), ("code", code)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn code_now(secret: &str) -> String {
    let now = u64::try_from(paydesk_core::store::now_ms() / 1000).unwrap();
    paydesk::admin::totp::code_at(secret, now).unwrap()
}

#[tokio::test]
async fn a_second_factor_is_needed_once_set_up_and_each_code_signs_in_once() {
    let db = Arc::new(TestDatabase::fresh().await);
    cli(
        &db,
        &["staff", "add", "--email", EMAIL, "--role", "operator"],
    );
    let said = cli(&db, &["staff", "totp", "enable", "--email", EMAIL]);
    let secret = said
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("the enrollment URL carries the key")
        .to_string();
    assert!(
        said.contains("otpauth://totp/paydesk%3Atwo%40example.com"),
        "{said}"
    );
    let app = spawn_app_in(db.clone(), &[]).await;

    assert_eq!(
        sign_in(&app, "").await,
        401,
        "the password alone is not enough"
    );
    let wrong = if code_now(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(sign_in(&app, wrong).await, 401);
    let code = code_now(&secret);
    assert_eq!(sign_in(&app, &code).await, 303, "password and code sign in");
    assert_eq!(sign_in(&app, &code).await, 401, "a code signs in once");
    let audit = app.state.store.audit_log(100).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "staff.totp_enabled" && a.subject.as_deref() == Some(EMAIL)));
    assert!(
        !audit
            .iter()
            .any(|a| a.detail.as_deref().unwrap_or("").contains(&secret)),
        "the key is never written to the audit log"
    );

    cli(&db, &["staff", "totp", "disable", "--email", EMAIL]);
    assert_eq!(sign_in(&app, "").await, 303, "the password alone again");
}

#[tokio::test]
async fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let db = Arc::new(TestDatabase::fresh().await);
    cli(&db, &["staff", "add", "--email", EMAIL, "--role", "viewer"]);
    let said = cli(&db, &["staff", "totp", "enable", "--email", EMAIL]);
    let secret = said
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap()
        .to_string();
    let app = spawn_app_in(db.clone(), &[]).await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "").await, 401);
    }
    assert_eq!(
        sign_in(&app, &code_now(&secret)).await,
        429,
        "locked: even the right password and code wait"
    );
}
