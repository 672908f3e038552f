//! Where a simulated gateway keeps what it remembers across restarts: its own SQLite file (never
//! paydesk's), one table of JSON records keyed by kind and key. Simulators write in batches, off the
//! request path, and read everything back when they start.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::SandboxError;

/// One record to keep: its kind (e.g. `transaction`), key, order among its kind, and JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    pub kind: &'static str,
    pub key: String,
    pub seq: i64,
    pub body: String,
}

#[derive(Clone, Debug)]
pub struct SimulatorStorage {
    pool: SqlitePool,
}

impl SimulatorStorage {
    /// Opens (creating if needed) the simulator's database at `url` (`sqlite://path`).
    pub async fn open(url: &str) -> Result<SimulatorStorage, sqlx::Error> {
        // WAL with NORMAL sync: a commit survives the process being killed (what a simulator needs),
        // without an fsync per request.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS simulator_records (kind TEXT NOT NULL, key TEXT NOT NULL, seq BIGINT NOT NULL, \
             body TEXT NOT NULL, PRIMARY KEY (kind, key))",
        )
        .execute(&pool)
        .await?;
        Ok(SimulatorStorage { pool })
    }

    /// Every record of `kind` as (key, body), in their order.
    pub async fn load(&self, kind: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query_as("SELECT key, body FROM simulator_records WHERE kind = $1 ORDER BY seq, key")
            .bind(kind)
            .fetch_all(&self.pool)
            .await
    }

    /// Every record of `kind`, parsed as `T`, with its key; a record that does not parse is an
    /// error naming it.
    pub async fn load_json<T: serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
    ) -> Result<Vec<(String, T)>, SandboxError> {
        self.load(kind)
            .await?
            .into_iter()
            .map(|(key, body)| match serde_json::from_str(&body) {
                Ok(value) => Ok((key, value)),
                Err(source) => Err(SandboxError::Unreadable { kind, key, source }),
            })
            .collect()
    }

    /// Writes (or rewrites) `records` in one commit.
    pub async fn save(&self, records: &[StoredRecord]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for record in records {
            sqlx::query(
                "INSERT INTO simulator_records (kind, key, seq, body) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, key) DO UPDATE SET seq = excluded.seq, body = excluded.body",
            )
            .bind(record.kind)
            .bind(&record.key)
            .bind(record.seq)
            .bind(&record.body)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_survive_a_reopen_and_are_rewritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sim.db", dir.path().display());
        let storage = SimulatorStorage::open(&url).await.unwrap();
        let record = |key: &str, seq, body: &str| StoredRecord {
            kind: "txn",
            key: key.into(),
            seq,
            body: body.into(),
        };
        storage
            .save(&[record("b", 2, "B"), record("a", 1, "A")])
            .await
            .unwrap();
        storage.save(&[record("a", 1, "A2")]).await.unwrap();
        drop(storage);
        let reopened = SimulatorStorage::open(&url).await.unwrap();
        let bodies: Vec<String> = reopened
            .load("txn")
            .await
            .unwrap()
            .into_iter()
            .map(|(_, body)| body)
            .collect();
        assert_eq!(bodies, ["A2", "B"]);
        assert!(reopened.load("session").await.unwrap().is_empty());
    }
}
