//! `paydesk backup`: an online copy of a SQLite database, taken while the server serves, from which
//! a restored server serves the same payments and opens the same signed links (the link-signing
//! key lives in the database); PostgreSQL is pointed to pg_dump.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api_tokens::cli;
use crate::common::{spawn_app_in, TestDatabase};

/// `paydesk backup <file>` on `db`.
fn backup(db: &TestDatabase, file: &std::path::Path) -> (bool, String) {
    cli(db, &["backup", &file.display().to_string()])
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_the_same_payments_and_links() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[]).await;
    let paid = app.authorized_checkout(4_200, "4111111111111111").await;
    let response = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 900, "currency": "USD" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link: Value = response.json().await.unwrap();
    let link_path = link["url"]
        .as_str()
        .unwrap()
        .split_once("/refund/")
        .map(|(_, rest)| format!("/refund/{rest}"))
        .unwrap();

    let restored = Arc::new(TestDatabase::fresh().await);
    let copy = restored
        .url
        .strip_prefix("sqlite://")
        .map(std::path::PathBuf::from);
    if db.is_postgres() {
        // PostgreSQL is backed up with its own tools: the command says so and writes nothing.
        let dir = tempfile::tempdir().unwrap();
        let (ok, said) = backup(&db, &dir.path().join("copy.db"));
        assert!(!ok && said.contains("pg_dump"), "{said}");
        assert!(!said.contains("password"), "{said}");
        app.stop().await;
        return;
    }
    let copy = copy.unwrap();
    // Online: the server is still running.
    let (ok, said) = backup(&db, &copy);
    assert!(ok, "{said}");
    assert!(said.contains("link-signing key"), "{said}");
    let (ok, again) = backup(&db, &copy);
    assert!(
        !ok && again.contains("exists"),
        "never over an existing file: {again}"
    );
    app.stop().await;

    let app = spawn_app_in(restored.clone(), &[]).await;
    let checkout = app.checkout(&paid).await;
    assert_eq!(checkout["status"], "authorized", "{checkout}");
    assert_eq!(checkout["amount"], 4_200);
    let restored_link = app
        .get(&format!(
            "/api/v1/refund-links/{}",
            link["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(restored_link["status"], "open", "{restored_link}");
    // The signed URL the customer holds still opens: the key came with the copy.
    let page = app
        .http
        .get(format!("{}{link_path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    app.stop().await;
}
