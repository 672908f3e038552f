//! One page of a merchant API list (payment links, refund links, Commerce Hub refunds, device
//! refunds, merchant events): newest first, after a cursor, under the merchant's filters.

use sqlx::any::AnyRow;

use super::database::{Store, StoreError};
use super::device_refunds::DeviceRefundRecord;
use super::gateway_refunds::GatewayRefundRecord;
use super::outbox::MerchantEventRecord;
use super::records::LinkRecord;
use crate::model::LinkKind;

/// Where a page starts: after the row created at `created_at` with `id`, in newest-first order.
/// Rows inserted meanwhile never shift a page: the position is a row's own values, not an offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    pub created_at: i64,
    pub id: String,
}

/// What a list asks for. Empty or `None` fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// Stored status values, any of which matches.
    pub statuses: Vec<String>,
    /// Created at or after (Unix ms).
    pub created_from: Option<i64>,
    /// Created before (Unix ms).
    pub created_before: Option<i64>,
    pub order_number: Option<String>,
    /// The merchant's own id (`referenceId`).
    pub reference_id: Option<String>,
    /// Merchant events only: the event type.
    pub event_type: Option<String>,
    /// Merchant events only: the id of what the event is about.
    pub subject: Option<String>,
    /// A metadata key, and the value it must hold if given.
    pub metadata: Option<(String, Option<String>)>,
    pub after: Option<PageCursor>,
    /// At most this many rows.
    pub limit: i64,
}

/// How one table names what a list filters on (`None`: it has no such column, and a filter on it
/// matches nothing).
struct Listed {
    table: &'static str,
    columns: &'static str,
    /// A condition every listed row meets (e.g. which kind of link).
    scope: Option<(&'static str, String)>,
    order_number: Option<&'static str>,
    reference: Option<&'static str>,
    event_type: Option<&'static str>,
    subject: Option<&'static str>,
    metadata: bool,
}

/// One page: its rows, and where the next page starts when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<R> {
    pub rows: Vec<R>,
    pub next: Option<PageCursor>,
}

/// A row a list pages through: its own position is the next page's cursor.
pub trait PagedRow {
    fn cursor(&self) -> PageCursor;
}

macro_rules! paged_by_created_at {
    ($($record:ty),+) => {$(
        impl PagedRow for $record {
            fn cursor(&self) -> PageCursor {
                PageCursor {
                    created_at: self.created_at,
                    id: self.id.clone(),
                }
            }
        }
    )+};
}

paged_by_created_at!(
    LinkRecord,
    GatewayRefundRecord,
    DeviceRefundRecord,
    MerchantEventRecord
);

enum Bound {
    Text(String),
    Int(i64),
}

/// The page's SQL and its parameters, numbered in order.
struct PageSql {
    conditions: Vec<String>,
    binds: Vec<Bound>,
}

impl PageSql {
    fn param(&mut self, value: Bound) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn equals(&mut self, column: Option<&str>, value: Option<&String>) {
        let Some(value) = value else { return };
        match column {
            Some(column) => {
                let p = self.param(Bound::Text(value.clone()));
                self.conditions.push(format!("{column} = {p}"));
            }
            None => self.conditions.push("1 = 0".into()),
        }
    }
}

impl Store {
    fn page_sql(&self, listed: &Listed, query: &PageQuery) -> (String, Vec<Bound>) {
        let mut sql = PageSql {
            conditions: Vec::new(),
            binds: Vec::new(),
        };
        if let Some((column, value)) = &listed.scope {
            let p = sql.param(Bound::Text(value.clone()));
            sql.conditions.push(format!("{column} = {p}"));
        }
        if !query.statuses.is_empty() {
            let params: Vec<String> = query
                .statuses
                .iter()
                .map(|s| sql.param(Bound::Text(s.clone())))
                .collect();
            sql.conditions
                .push(format!("status IN ({})", params.join(", ")));
        }
        if let Some(from) = query.created_from {
            let p = sql.param(Bound::Int(from));
            sql.conditions.push(format!("created_at >= {p}"));
        }
        if let Some(before) = query.created_before {
            let p = sql.param(Bound::Int(before));
            sql.conditions.push(format!("created_at < {p}"));
        }
        sql.equals(listed.order_number, query.order_number.as_ref());
        sql.equals(listed.reference, query.reference_id.as_ref());
        sql.equals(listed.event_type, query.event_type.as_ref());
        sql.equals(listed.subject, query.subject.as_ref());
        if let Some((key, value)) = &query.metadata {
            if listed.metadata {
                let p = sql.param(Bound::Text(self.dialect.json_member_param(key)));
                let member = self.dialect.json_member("metadata", &p);
                match value {
                    Some(value) => {
                        let v = sql.param(Bound::Text(value.clone()));
                        sql.conditions.push(format!("{member} = {v}"));
                    }
                    None => sql.conditions.push(format!("{member} IS NOT NULL")),
                }
            } else {
                sql.conditions.push("1 = 0".into());
            }
        }
        if let Some(after) = &query.after {
            let at = sql.param(Bound::Int(after.created_at));
            let id = sql.param(Bound::Text(after.id.clone()));
            sql.conditions.push(format!(
                "(created_at < {at} OR (created_at = {at} AND id < {id}))"
            ));
        }
        // One row more than asked: whether it exists says whether a next page does.
        let limit = sql.param(Bound::Int(query.limit + 1));
        let filter = if sql.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", sql.conditions.join(" AND "))
        };
        (
            format!(
                "SELECT {} FROM {}{filter} ORDER BY created_at DESC, id DESC LIMIT {limit}",
                listed.columns, listed.table
            ),
            sql.binds,
        )
    }

    async fn page<R>(&self, listed: Listed, query: &PageQuery) -> Result<Page<R>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin + PagedRow,
    {
        let (sql, binds) = self.page_sql(&listed, query);
        let mut statement = sqlx::query_as::<_, R>(&sql);
        for bound in binds {
            statement = match bound {
                Bound::Text(text) => statement.bind(text),
                Bound::Int(int) => statement.bind(int),
            };
        }
        let mut rows = statement.fetch_all(&self.pool).await?;
        let limit = usize::try_from(query.limit).unwrap_or(0);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(PagedRow::cursor)
        } else {
            None
        };
        Ok(Page { rows, next })
    }

    /// A page of `kind` links (payment links or refund links).
    pub async fn page_of_links(
        &self,
        kind: LinkKind,
        query: &PageQuery,
    ) -> Result<Page<LinkRecord>, StoreError> {
        let listed = Listed {
            table: "checkouts",
            columns: super::links::COLUMNS,
            scope: Some(("kind", kind.as_str().to_string())),
            order_number: Some("order_number"),
            reference: Some("merchant_reference_id"),
            event_type: None,
            subject: None,
            metadata: true,
        };
        self.page(listed, query).await
    }

    /// A page of Commerce Hub refunds.
    pub async fn page_of_gateway_refunds(
        &self,
        query: &PageQuery,
    ) -> Result<Page<GatewayRefundRecord>, StoreError> {
        let listed = Listed {
            table: "gateway_refunds",
            columns: super::gateway_refunds::COLUMNS,
            scope: None,
            order_number: Some("order_number"),
            reference: Some("reference_id"),
            event_type: None,
            subject: None,
            metadata: true,
        };
        self.page(listed, query).await
    }

    /// A page of device refunds (their `orderId` is the order number; they have no reference).
    pub async fn page_of_device_refunds(
        &self,
        query: &PageQuery,
    ) -> Result<Page<DeviceRefundRecord>, StoreError> {
        let listed = Listed {
            table: "device_refunds",
            columns: super::device_refunds::COLUMNS,
            scope: None,
            order_number: Some("order_id"),
            reference: None,
            event_type: None,
            subject: None,
            metadata: true,
        };
        self.page(listed, query).await
    }

    /// A page of merchant events.
    pub async fn page_of_merchant_events(
        &self,
        query: &PageQuery,
    ) -> Result<Page<MerchantEventRecord>, StoreError> {
        let listed = Listed {
            table: "merchant_events",
            columns: super::outbox::COLUMNS,
            scope: None,
            order_number: None,
            reference: None,
            event_type: Some("event_type"),
            subject: Some("subject"),
            metadata: false,
        };
        self.page(listed, query).await
    }
}
