//! The database several instances share: a fresh PostgreSQL database on the server
//! `PAYDESK_TEST_DATABASE_URL` names (`scripts/with-postgres.sh` starts a throwaway one), dropped
//! when the run ends unless it is kept. One instance needs none of this: it keeps its SQLite file in
//! the run's directory.

use sqlx::Connection;

/// A database made for this run.
pub struct SharedDatabase {
    pub url: String,
    server: String,
    name: String,
}

impl SharedDatabase {
    /// Makes `paydesk_chaos_<seed>` on the server; refuses to run without one.
    pub async fn create(seed: u64) -> Result<SharedDatabase, String> {
        SharedDatabase::create_named(format!("paydesk_chaos_{seed}")).await
    }

    /// Makes the database `name` on the server (dropping any left from an earlier run).
    pub async fn create_named(name: String) -> Result<SharedDatabase, String> {
        let server = std::env::var("PAYDESK_TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .ok_or(
                "several instances share a PostgreSQL database: run through scripts/with-postgres.sh \
                 (or set PAYDESK_TEST_DATABASE_URL to a server's postgres:// URL)",
            )?;
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .map_err(|e| format!("PAYDESK_TEST_DATABASE_URL does not answer: {e}"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .map_err(|e| format!("cannot clear {name}: {e}"))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .map_err(|e| format!("cannot create {name}: {e}"))?;
        let _ = admin.close().await;
        let mut url = url::Url::parse(&server)
            .map_err(|e| format!("PAYDESK_TEST_DATABASE_URL is not a URL: {e}"))?;
        url.set_path(&name);
        Ok(SharedDatabase {
            url: url.to_string(),
            server,
            name,
        })
    }

    /// The database unreachable for `length`: no new connection is allowed and every open one is
    /// cut (paydesk's pools reconnect once it is back).
    pub async fn outage(&self, length: std::time::Duration) -> Result<(), String> {
        let mut admin = sqlx::PgConnection::connect(&self.server)
            .await
            .map_err(|e| format!("database outage: {e}"))?;
        let statements = [
            format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", self.name),
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{}' AND pid <> pg_backend_pid()",
                self.name
            ),
        ];
        for statement in &statements {
            sqlx::query(statement)
                .execute(&mut admin)
                .await
                .map_err(|e| format!("database outage: {e}"))?;
        }
        tokio::time::sleep(length).await;
        sqlx::query(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS true",
            self.name
        ))
        .execute(&mut admin)
        .await
        .map_err(|e| format!("database outage: cannot allow connections again: {e}"))?;
        let _ = admin.close().await;
        Ok(())
    }

    /// Drops the database (the instances have stopped).
    pub async fn drop_now(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.server).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await;
            let _ = admin.close().await;
        }
    }
}
