//! The schema's version: the migrations this build knows, those the database holds, and whether a
//! database a newer paydesk migrated may still be used — only when every migration this build does
//! not know is an `expand_…` one (the previous release keeps working on it); a `contract_…` one, or
//! any unmarked one, is refused with both versions named.

use sqlx::AnyPool;

use super::dialect::Dialect;
use super::error::StoreError;

/// This build's release, recorded beside the migrations it applies.
pub const BUILD_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One migration this build knows, and whether the database holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownMigration {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

/// A migration the database holds that this build does not know (a newer paydesk applied it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewerMigration {
    pub version: i64,
    pub description: String,
    /// Which paydesk applied it, when recorded.
    pub applied_by: Option<String>,
}

impl NewerMigration {
    /// Whether this build keeps working on a schema holding it.
    pub fn is_compatible(&self) -> bool {
        self.description.starts_with("expand ")
    }
}

/// The database's schema against this build's migrations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaStatus {
    pub known: Vec<KnownMigration>,
    pub newer: Vec<NewerMigration>,
}

impl SchemaStatus {
    /// The migrations this build would apply.
    pub fn pending(&self) -> impl Iterator<Item = &KnownMigration> {
        self.known.iter().filter(|m| !m.applied)
    }

    /// The newest migration this build knows.
    pub fn latest_known(&self) -> i64 {
        self.known.last().map_or(0, |m| m.version)
    }

    /// Why this build must not run on the database, if it must not: a newer migration that is not
    /// an `expand_…` one.
    pub fn refusal(&self) -> Option<StoreError> {
        let blocking = self.newer.iter().find(|m| !m.is_compatible())?;
        let newest = self.newer.last().unwrap_or(blocking);
        Some(StoreError::SchemaTooNew {
            database_migration: newest.version,
            written_by: newest
                .applied_by
                .clone()
                .unwrap_or_else(|| "a newer paydesk".into()),
            this_version: BUILD_VERSION,
            known_migration: self.latest_known(),
            blocking: format!("{} {}", blocking.version, blocking.description),
        })
    }
}

/// The migrations the database holds: `(version, description)`, oldest first (none in a new
/// database).
async fn applied(pool: &AnyPool, dialect: Dialect) -> Result<Vec<(i64, String)>, StoreError> {
    let exists_sql = match dialect {
        Dialect::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Dialect::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let (exists,): (i64,) = sqlx::query_as(exists_sql).fetch_one(pool).await?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT version, description FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
    )
    .fetch_all(pool)
    .await?)
}

/// Which paydesk applied each migration (empty before the history table exists).
async fn history(pool: &AnyPool) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT version, paydesk_version FROM schema_history")
        .fetch_all(pool)
        .await
        .unwrap_or_default()
}

/// The database's schema against `migrator`'s migrations.
pub(super) async fn status(
    pool: &AnyPool,
    dialect: Dialect,
    migrator: &sqlx::migrate::Migrator,
) -> Result<SchemaStatus, StoreError> {
    let applied = applied(pool, dialect).await?;
    let history = history(pool).await;
    let known: Vec<KnownMigration> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| KnownMigration {
            version: m.version,
            description: m.description.to_string(),
            applied: applied.iter().any(|(v, _)| *v == m.version),
        })
        .collect();
    let newer = applied
        .into_iter()
        .filter(|(v, _)| !known.iter().any(|k| k.version == *v))
        .map(|(version, description)| NewerMigration {
            version,
            description,
            applied_by: history
                .iter()
                .find(|(v, _)| *v == version)
                .map(|(_, by)| by.clone()),
        })
        .collect();
    Ok(SchemaStatus { known, newer })
}

/// Records this build's version beside the migrations it just applied (when `migrator` keeps a
/// history: a previous release's did not).
pub(super) async fn record_applied(
    pool: &AnyPool,
    migrator: &sqlx::migrate::Migrator,
    now_ms: i64,
) -> Result<(), StoreError> {
    if !migrator
        .iter()
        .any(|m| m.description == "expand schema history")
    {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO schema_history (version, paydesk_version, applied_at) \
         SELECT version, $1, $2 FROM _sqlx_migrations \
         WHERE success = TRUE AND version NOT IN (SELECT version FROM schema_history)",
    )
    .bind(BUILD_VERSION)
    .bind(now_ms)
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newer(version: i64, description: &str) -> NewerMigration {
        NewerMigration {
            version,
            description: description.into(),
            applied_by: Some("9.9.0".into()),
        }
    }

    fn status(newer: Vec<NewerMigration>) -> SchemaStatus {
        SchemaStatus {
            known: vec![KnownMigration {
                version: 34,
                description: "expand schema history".into(),
                applied: true,
            }],
            newer,
        }
    }

    #[test]
    fn only_expand_migrations_of_a_newer_paydesk_are_accepted() {
        assert!(status(vec![]).refusal().is_none());
        assert!(status(vec![newer(35, "expand link metadata")])
            .refusal()
            .is_none());
        let refusal = status(vec![
            newer(35, "expand link metadata"),
            newer(36, "contract drop legacy status"),
        ])
        .refusal()
        .unwrap()
        .to_string();
        assert!(refusal.contains("paydesk 9.9.0"), "{refusal}");
        assert!(refusal.contains(BUILD_VERSION), "{refusal}");
        assert!(
            refusal.contains("36 contract drop legacy status"),
            "{refusal}"
        );
        // An unmarked migration is not known to be compatible.
        assert!(status(vec![newer(35, "link metadata")]).refusal().is_some());
    }

    /// The first migration of each database from which every migration is named `expand_…` or
    /// `contract_…` (those before predate the rule).
    fn first_named_migration(dialect: Dialect) -> i64 {
        match dialect {
            Dialect::Sqlite => 34,
            Dialect::Postgres => 22,
        }
    }

    #[test]
    fn every_migration_from_the_rule_on_is_named_expand_or_contract() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let first = first_named_migration(dialect);
            for migration in dialect.migrator().iter() {
                let named = migration.description.starts_with("expand ")
                    || migration.description.starts_with("contract ");
                assert!(
                    migration.version < first || named,
                    "{dialect:?} migration {} {:?}: name it expand_… or contract_…",
                    migration.version,
                    migration.description
                );
            }
        }
    }
}
