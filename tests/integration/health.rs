//! Health for load balancers: live while serving, ready only with a reachable, migrated database;
//! and which build is running (`--version`, ready's `version` and `commit`).

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
    // Ready names the build it runs.
    let ready: serde_json::Value = app
        .http
        .get(format!("{}/health/ready", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["version"], env!("CARGO_PKG_VERSION"), "{ready}");
    assert_eq!(ready["commit"], paydesk::version::COMMIT, "{ready}");
    assert!(ready["commit"].as_str().is_some_and(|c| !c.is_empty()));
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

#[test]
fn the_binary_names_its_version_and_commit() {
    for flag in ["--version", "-V", "version"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_paydesk"))
            .arg(flag)
            .output()
            .unwrap();
        assert!(output.status.success(), "{flag}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            format!(
                "paydesk {} (commit {})",
                env!("CARGO_PKG_VERSION"),
                paydesk::version::COMMIT
            ),
            "{flag}"
        );
    }
}
