//! Moving a SQLite database to PostgreSQL (`paydesk move-to`): both brought to this build's schema,
//! every table copied in one PostgreSQL transaction (parents before children, rows in their SQLite
//! insertion order so merchant events keep theirs), then every row of every table compared on both
//! sides. The target must hold no paydesk data; the source must not be in use.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

use super::database::{connect_options, sqlite_file, Dialect, InstanceLock, StoreError};
use super::maintenance::apply_migrations;

/// Tables each database keeps for itself (its migrations' bookkeeping), never copied.
const OWN_TABLES: &[&str] = &["_sqlx_migrations", "schema_history"];

/// One value of a row: paydesk's columns are integers or text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
}

/// A table to copy: its columns (and whether each is an integer), in the target's order.
#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<(String, bool)>,
}

/// What was moved: each table and its rows, all verified equal on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedTable {
    pub name: String,
    pub rows: usize,
}

/// Copies the SQLite database at `source` into the empty PostgreSQL database at `target`.
pub async fn move_sqlite_to_postgres(
    source: &str,
    target: &str,
) -> Result<Vec<MovedTable>, StoreError> {
    let refuse = |why: String| StoreError::Move(why);
    if sqlite_file(source).is_none_or(|file| !std::path::Path::new(file).is_file()) {
        return Err(refuse(format!("{source} is not a SQLite database file")));
    }
    if !matches!(connect_options(target)?.0, Dialect::Postgres) {
        return Err(refuse("the target must be a postgres:// URL".into()));
    }
    apply_migrations(source).await?;
    let _lock = InstanceLock::acquire(source)?;
    let to = pool(target).await?;
    refuse_data(&to, &target_tables(&to).await?).await?;
    drop(to);
    apply_migrations(target).await?;
    let (from, to) = (pool(source).await?, pool(target).await?);
    let tables = ordered(&to, target_tables(&to).await?).await?;
    check_columns(&from, &tables).await?;
    let mut transaction = to.begin().await?;
    for table in &tables {
        let columns = shared_columns(&from, table).await?;
        let rows = select(&from, &table.name, &columns, "ORDER BY rowid").await?;
        insert(&mut transaction, &table.name, &columns, &rows).await?;
    }
    transaction.commit().await?;
    let mut moved = Vec::new();
    for table in &tables {
        moved.push(verify(&from, &to, table).await?);
    }
    Ok(moved)
}

async fn pool(url: &str) -> Result<AnyPool, StoreError> {
    let (_, connect) = connect_options(url)?;
    Ok(AnyPoolOptions::new()
        .max_connections(2)
        .connect_with(connect)
        .await?)
}

/// The target's paydesk tables and their columns.
async fn target_tables(to: &AnyPool) -> Result<Vec<Table>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .fetch_all(to)
    .await?;
    let mut tables: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for (table, column, kind) in rows {
        if !OWN_TABLES.contains(&table.as_str()) {
            let integer = matches!(kind.as_str(), "bigint" | "integer" | "smallint");
            tables.entry(table).or_default().push((column, integer));
        }
    }
    Ok(tables
        .into_iter()
        .map(|(name, columns)| Table { name, columns })
        .collect())
}

/// Refuses a target that holds paydesk data (its schema alone is fine: a move that failed midway
/// leaves only that).
async fn refuse_data(to: &AnyPool, tables: &[Table]) -> Result<(), StoreError> {
    for table in tables {
        let (rows,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", table.name))
            .fetch_one(to)
            .await?;
        if rows > 0 {
            return Err(StoreError::Move(format!(
                "the target already holds data ({} rows in {}): move into an empty database",
                rows, table.name
            )));
        }
    }
    Ok(())
}

/// `tables` with every table after those its foreign keys name.
async fn ordered(to: &AnyPool, tables: Vec<Table>) -> Result<Vec<Table>, StoreError> {
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT CAST(tc.table_name AS TEXT), CAST(ccu.table_name AS TEXT) \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.constraint_column_usage ccu \
           ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
    )
    .fetch_all(to)
    .await?;
    let mut pending = tables;
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|table| {
            edges
                .iter()
                .filter(|(child, parent)| *child == table.name && *parent != table.name)
                .all(|(_, parent)| done.contains(parent))
        });
        let Some(index) = ready else {
            return Err(StoreError::Move(
                "the target's foreign keys form a cycle".into(),
            ));
        };
        let table = pending.remove(index);
        done.insert(table.name.clone());
        order.push(table);
    }
    Ok(order)
}

/// Refuses a source with a table or column the target has no place for (it would be lost).
async fn check_columns(from: &AnyPool, tables: &[Table]) -> Result<(), StoreError> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(from)
    .await?;
    for (name,) in names {
        let Some(table) = tables.iter().find(|t| t.name == name) else {
            if OWN_TABLES.contains(&name.as_str()) {
                continue;
            }
            return Err(StoreError::Move(format!(
                "the source's table {name} has no counterpart in PostgreSQL"
            )));
        };
        let columns: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{name}')"))
                .fetch_all(from)
                .await?;
        for (column,) in columns {
            if !table.columns.iter().any(|(c, _)| *c == column) {
                return Err(StoreError::Move(format!(
                    "the source's column {name}.{column} has no counterpart in PostgreSQL"
                )));
            }
        }
    }
    Ok(())
}

/// The columns a table's copy carries: the target's, less those the source does not have (e.g.
/// PostgreSQL's own `merchant_events.seq`, filled in insertion order).
async fn shared_columns(from: &AnyPool, table: &Table) -> Result<Vec<(String, bool)>, StoreError> {
    let source: Vec<(String,)> = sqlx::query_as(&format!(
        "SELECT name FROM pragma_table_info('{}')",
        table.name
    ))
    .fetch_all(from)
    .await?;
    Ok(table
        .columns
        .iter()
        .filter(|(column, _)| source.iter().any(|(c,)| c == column))
        .cloned()
        .collect())
}

/// Every row of `table` in `pool`, `columns` read as their types.
async fn select(
    pool: &AnyPool,
    table: &str,
    columns: &[(String, bool)],
    order: &str,
) -> Result<Vec<Vec<Cell>>, StoreError> {
    let list: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    let rows = sqlx::query(&format!("SELECT {} FROM {table} {order}", list.join(", ")))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, (column, integer))| {
                    let cell = if *integer {
                        row.try_get::<Option<i64>, _>(i).map(Cell::Int)
                    } else {
                        row.try_get::<Option<String>, _>(i).map(Cell::Text)
                    };
                    cell.map_err(|e| {
                        StoreError::Corrupt(format!("{table}.{column} cannot be read: {e}"))
                    })
                })
                .collect()
        })
        .collect()
}

/// Inserts `rows` into `table`, many rows per statement.
async fn insert(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    columns: &[(String, bool)],
    rows: &[Vec<Cell>],
) -> Result<(), StoreError> {
    let width = columns.len();
    if rows.is_empty() || width == 0 {
        return Ok(());
    }
    let columns: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    // PostgreSQL takes at most 65,535 parameters in one statement.
    for chunk in rows.chunks((60_000 / width).max(1)) {
        let mut values = Vec::with_capacity(chunk.len());
        for (r, _) in chunk.iter().enumerate() {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            values.push(format!("({})", params.join(", ")));
        }
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for cell in chunk.iter().flatten() {
            query = match cell {
                Cell::Int(value) => query.bind(*value),
                Cell::Text(value) => query.bind(value.clone()),
            };
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

/// Compares every row of `table` on both sides (as sorted lists: the databases collate text
/// differently).
async fn verify(from: &AnyPool, to: &AnyPool, table: &Table) -> Result<MovedTable, StoreError> {
    let columns = shared_columns(from, table).await?;
    let mut source = select(from, &table.name, &columns, "").await?;
    let mut target = select(to, &table.name, &columns, "").await?;
    source.sort();
    target.sort();
    if source != target {
        let differing = source.iter().zip(&target).filter(|(a, b)| a != b).count()
            + source.len().abs_diff(target.len());
        return Err(StoreError::Move(format!(
            "{}: {differing} rows differ after the copy (source {}, target {}); the target \
             was left as copied for inspection — empty it before trying again",
            table.name,
            source.len(),
            target.len()
        )));
    }
    Ok(MovedTable {
        name: table.name.clone(),
        rows: source.len(),
    })
}
