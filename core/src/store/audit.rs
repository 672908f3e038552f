//! The audit log's rows: who did what, written inside the transaction of the change they record.

use super::database::StoreError;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: String,
    pub at: i64,
    /// Who: a staff member's email, `token:<id>` (an API token), `cli` or `demo`.
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// Writes an audit entry on `connection` (inside the caller's transaction, with what it records).
pub(super) async fn insert_audit(
    connection: &mut sqlx::AnyConnection,
    entry: &AuditRecord,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (id, at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&entry.id)
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&entry.detail)
        .execute(connection)
        .await?;
    Ok(())
}
