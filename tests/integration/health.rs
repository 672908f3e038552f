//! Health for load balancers: live while serving, ready only with a reachable, migrated database.

use crate::common::spawn_app;

#[tokio::test]
async fn ready_means_the_database_answers_and_holds_every_migration() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready", "/healthz"] {
        let response = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    // A database behind this build (a migration missing): not ready, still live.
    app.sql(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await;
    let ready = app
        .http
        .get(format!("{}/health/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "database not migrated");
    let live = app
        .http
        .get(format!("{}/health/live", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
}
