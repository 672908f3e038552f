//! Which kind of data a database holds, sandbox or live: stamped on first start and read on every
//! start, so that the two never share a database (sandbox tokens, keys and links never reach live).

use super::database::{Store, StoreError};
use crate::clock::now_ms;

/// The kind of data a database holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataMode {
    /// Test data made against the simulated gateway.
    Sandbox,
    /// Real payments.
    Live,
}

impl DataMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DataMode::Sandbox => "sandbox",
            DataMode::Live => "live",
        }
    }

    fn parse(value: &str) -> Option<DataMode> {
        match value {
            "sandbox" => Some(DataMode::Sandbox),
            "live" => Some(DataMode::Live),
            _ => None,
        }
    }
}

impl Store {
    /// The kind of data this database holds, if a start stamped it yet.
    pub async fn data_mode(&self) -> Result<Option<DataMode>, StoreError> {
        let stamped: Option<(String,)> =
            sqlx::query_as("SELECT value FROM database_facts WHERE name = 'data_mode'")
                .fetch_optional(&self.pool)
                .await?;
        stamped
            .map(|(value,)| {
                DataMode::parse(&value).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "database_facts data_mode: unknown value {value:?}"
                    ))
                })
            })
            .transpose()
    }

    /// The kind of data this database holds, stamping `mode` on one that has no stamp yet. A
    /// database from before stamps that holds a sandbox run's token counts as sandbox data.
    pub async fn claim_data_mode(&self, mode: DataMode) -> Result<DataMode, StoreError> {
        let mut tx = self.writer.begin().await?;
        let stamped: Option<(String,)> =
            sqlx::query_as("SELECT value FROM database_facts WHERE name = 'data_mode'")
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((value,)) = stamped {
            return DataMode::parse(&value).ok_or_else(|| {
                StoreError::Corrupt(format!("database_facts data_mode: unknown value {value:?}"))
            });
        }
        let (sandbox_tokens,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM api_tokens WHERE source = 'sandbox'")
                .fetch_one(&mut *tx)
                .await?;
        let held = if sandbox_tokens > 0 {
            DataMode::Sandbox
        } else {
            mode
        };
        sqlx::query(
            "INSERT INTO database_facts (name, value, created_at) VALUES ('data_mode', $1, $2)",
        )
        .bind(held.as_str())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(held)
    }
}
