//! Which database is behind the store (SQLite or PostgreSQL), and the SQL that differs between them.

/// Which database is behind the store; only the store's SQL ever asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Appended to a `SELECT … LIMIT n` that picks rows to claim: on PostgreSQL, rows another
    /// instance is claiming are skipped instead of waited for. SQLite has one writer at a time (and
    /// one paydesk process), so it needs nothing.
    pub(super) fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// SQL for "now" in Unix milliseconds by the database's own clock (PostgreSQL: one clock for every
    /// instance, however far theirs drift), or `param` — bound to this process's clock by
    /// [`Store::bind_local_now`], always as the query's last parameter — on SQLite, whose one process
    /// runs on the database's machine.
    pub(super) fn now_ms_sql(self, param: &str) -> String {
        match self {
            Dialect::Sqlite => param.to_string(),
            Dialect::Postgres => {
                "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)".to_string()
            }
        }
    }

    /// The column that orders a merchant event's rows as they were inserted: SQLite's `rowid` (it
    /// only grows), PostgreSQL's `seq` (a sequence; a subject's events are written one after the
    /// other under its lock, so their order is their commit order).
    pub(super) fn insertion_order(self) -> &'static str {
        match self {
            Dialect::Sqlite => "rowid",
            Dialect::Postgres => "seq",
        }
    }

    /// This database's migrations, embedded at build time. A database holding migrations a newer
    /// paydesk applied is not refused here: [`super::schema`] decides whether they are compatible.
    pub(super) fn migrator(self) -> sqlx::migrate::Migrator {
        let mut migrator = match self {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.set_ignore_missing(true);
        migrator
    }

    /// SQL reading the text member of a JSON object held in text `column`, named by `param`
    /// (bound to [`Dialect::json_member_param`] of the member's name); NULL when it is absent.
    pub(super) fn json_member(self, column: &str, param: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, {param})"),
            Dialect::Postgres => format!("(CAST({column} AS jsonb) ->> CAST({param} AS TEXT))"),
        }
    }

    /// What to bind for [`Dialect::json_member`]'s `param`: a JSON path on SQLite, the bare name
    /// on PostgreSQL. `name` holds no quote (metadata keys are letters, digits, `_`, `-` and `.`).
    pub(super) fn json_member_param(self, name: &str) -> String {
        match self {
            Dialect::Sqlite => format!("$.\"{name}\""),
            Dialect::Postgres => name.to_string(),
        }
    }

    /// Whether several paydesk processes may share the database (then locks are lease rows).
    pub(super) fn is_shared(self) -> bool {
        self == Dialect::Postgres
    }
}
