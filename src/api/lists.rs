//! The merchant API's lists: a page of checkouts, refund links, Commerce Hub refunds, device refunds
//! or events, newest first, with an opaque cursor to the next page and the filters each resource
//! takes. Every parameter is checked and a bad one named; a filter a resource does not have is
//! refused, not ignored.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use paydesk_core::model::{CheckoutStatus, DeviceRefundStatus, GatewayRefundStatus};
use paydesk_core::payments::{
    is_metadata_key, list_checkouts, list_device_refunds, list_gateway_refunds, list_refund_links,
    CheckoutResource, DeviceRefundResource, GatewayRefundResource, RefundLinkResource,
};
use paydesk_core::permissions::Permission;
use paydesk_core::store::{parse_iso8601, Page, PageCursor, PageQuery};
use paydesk_core::AppState;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::scopes::Caller;
use super::webhook_events::{EventResource, EVENT_STATUSES};

/// Items per page when `limit` is not given, and the most a page holds.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// A page of a list as the API answers it.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "{T}List")]
pub struct ListPage<T> {
    /// Always `list`.
    object: String,
    /// Newest first.
    data: Vec<T>,
    /// Whether another page follows.
    has_more: bool,
    /// Pass as `cursor` for the next page; `null` on the last. Opaque: items created meanwhile
    /// never shift a page.
    next_cursor: Option<String>,
}

/// Every query parameter a list may take, as text, so each bad one is named with its own message.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    status: Option<String>,
    created_from: Option<String>,
    created_before: Option<String>,
    order_number: Option<String>,
    order_id: Option<String>,
    reference_id: Option<String>,
    metadata_key: Option<String>,
    metadata_value: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    object_id: Option<String>,
}

/// What one resource's list can be filtered by.
pub struct Filters {
    /// Its statuses as the API spells them, with the stored values each matches.
    pub statuses: fn(&str) -> Option<Vec<String>>,
    pub status_values: fn() -> Vec<&'static str>,
    /// The document's schema of those statuses.
    pub status_schema: &'static str,
    /// The name of its order filter (`orderNumber`, or `orderId` for device refunds), if any.
    pub order: Option<&'static str>,
    pub reference: bool,
    pub metadata: bool,
    /// Events only: `type` and `objectId`.
    pub event: bool,
}

fn plain<T: Copy>(all: &'static [T], text: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|s| text(*s)).collect()
}

pub const CHECKOUTS: Filters = Filters {
    statuses: |s| CheckoutStatus::parse(s).map(|s| vec![s.as_str().to_string()]),
    status_values: || plain(CheckoutStatus::ALL, CheckoutStatus::as_str),
    status_schema: "CheckoutStatus",
    order: Some("orderNumber"),
    reference: true,
    metadata: true,
    event: false,
};

pub const REFUND_LINKS: Filters = Filters {
    statuses: |s| {
        CheckoutStatus::ALL
            .iter()
            .find(|status| status.for_refund_link() == s && status.is_refund_link_status())
            .map(|status| vec![status.as_str().to_string()])
    },
    status_values: CheckoutStatus::refund_link_statuses,
    status_schema: "RefundLinkStatus",
    order: Some("orderNumber"),
    reference: true,
    metadata: true,
    event: false,
};

pub const GATEWAY_REFUNDS: Filters = Filters {
    statuses: |s| GatewayRefundStatus::parse(s).map(|s| vec![s.as_str().to_string()]),
    status_values: || plain(GatewayRefundStatus::ALL, GatewayRefundStatus::as_str),
    status_schema: "GatewayRefundStatus",
    order: Some("orderNumber"),
    reference: true,
    metadata: true,
    event: false,
};

pub const DEVICE_REFUNDS: Filters = Filters {
    statuses: |s| DeviceRefundStatus::parse(s).map(|s| vec![s.as_str().to_string()]),
    status_values: || plain(DeviceRefundStatus::ALL, DeviceRefundStatus::as_str),
    status_schema: "DeviceRefundStatus",
    order: Some("orderId"),
    reference: false,
    metadata: true,
    event: false,
};

pub const EVENTS: Filters = Filters {
    statuses: |s| EVENT_STATUSES.contains(&s).then(|| vec![s.to_string()]),
    status_values: || EVENT_STATUSES.to_vec(),
    status_schema: "EventDeliveryStatus",
    order: None,
    reference: false,
    metadata: false,
    event: true,
};

/// A cursor as the API hands it out: the last item's position, opaque to the caller.
fn encode_cursor(cursor: &PageCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", cursor.created_at, cursor.id))
}

fn decode_cursor(text: &str) -> Result<PageCursor, ApiError> {
    let bad = || {
        ApiError::field(
            "cursor",
            "cursor must be a nextCursor this list returned, unchanged.",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    let decoded = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = decoded.split_once(':').ok_or_else(bad)?;
    let created_at = at.parse().map_err(|_| bad())?;
    if id.is_empty() || id.len() > 100 {
        return Err(bad());
    }
    Ok(PageCursor {
        created_at,
        id: id.to_string(),
    })
}

fn time(field: &str, text: Option<&str>) -> Result<Option<i64>, ApiError> {
    text.map(|t| {
        parse_iso8601(t).ok_or_else(|| {
            ApiError::field(
                field,
                format!("{field} must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z."),
            )
        })
    })
    .transpose()
}

/// A filter value given to a list that does not have that filter is refused by name.
fn only_if(allowed: bool, name: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        Some(_) if !allowed => Err(ApiError::field(
            name,
            format!("{name} does not filter this list."),
        )),
        Some(v) if v.is_empty() || v.chars().count() > 500 => Err(ApiError::field(
            name,
            format!("{name} must be 1 to 500 characters."),
        )),
        other => Ok(other),
    }
}

/// The store's query for `params` on a list filtered by `filters`.
pub fn page_query(params: ListParams, filters: &Filters) -> Result<PageQuery, ApiError> {
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::field("limit", format!("limit must be between 1 and {MAX_LIMIT}."))
            })?,
    };
    let statuses = match params.status.as_deref() {
        None => Vec::new(),
        Some(text) => (filters.statuses)(text).ok_or_else(|| {
            ApiError::field(
                "status",
                format!(
                    "status must be one of: {}.",
                    (filters.status_values)().join(", ")
                ),
            )
        })?,
    };
    let order_number = match filters.order {
        Some("orderId") => {
            only_if(false, "orderNumber", params.order_number)?;
            only_if(true, "orderId", params.order_id)?
        }
        order => {
            only_if(false, "orderId", params.order_id)?;
            only_if(order.is_some(), "orderNumber", params.order_number)?
        }
    };
    let metadata_key = only_if(filters.metadata, "metadataKey", params.metadata_key)?;
    let metadata_value = only_if(filters.metadata, "metadataValue", params.metadata_value)?;
    let metadata = match (metadata_key, metadata_value) {
        (Some(key), _) if !is_metadata_key(&key) => {
            return Err(ApiError::field(
                "metadataKey",
                "metadataKey must be 1 to 40 characters: letters, digits, '_', '-' or '.'.",
            ))
        }
        (Some(key), value) => Some((key, value)),
        (None, Some(_)) => {
            return Err(ApiError::field(
                "metadataValue",
                "metadataValue needs metadataKey: the key whose value it is.",
            ))
        }
        (None, None) => None,
    };
    Ok(PageQuery {
        statuses,
        created_from: time("createdFrom", params.created_from.as_deref())?,
        created_before: time("createdBefore", params.created_before.as_deref())?,
        order_number,
        reference_id: only_if(filters.reference, "referenceId", params.reference_id)?,
        event_type: only_if(filters.event, "type", params.event_type)?,
        subject: only_if(filters.event, "objectId", params.object_id)?,
        metadata,
        after: params.cursor.as_deref().map(decode_cursor).transpose()?,
        limit,
    })
}

fn answer<T: Serialize>(page: Page<T>) -> Response {
    Json(ListPage {
        object: "list".into(),
        has_more: page.next.is_some(),
        next_cursor: page.next.as_ref().map(encode_cursor),
        data: page.rows,
    })
    .into_response()
}

fn params(query: Result<Query<ListParams>, QueryRejection>) -> Result<ListParams, ApiError> {
    query
        .map(|Query(params)| params)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))
}

pub async fn checkouts(
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = page_query(params(query)?, &CHECKOUTS)?;
    Ok(answer(list_checkouts(&state, &query).await?))
}

pub async fn refund_links(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = page_query(params(query)?, &REFUND_LINKS)?;
    let mut page = list_refund_links(&state, &query).await?;
    if !caller.may(Permission::SeePayoutLinks) {
        page.rows = page
            .rows
            .into_iter()
            .map(RefundLinkResource::without_payout_url)
            .collect();
    }
    Ok(answer(page))
}

pub async fn gateway_refunds(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = page_query(params(query)?, &GATEWAY_REFUNDS)?;
    let mut page = list_gateway_refunds(&state, &query).await?;
    if !caller.may(Permission::SeePayoutLinks) {
        page.rows = page
            .rows
            .into_iter()
            .map(GatewayRefundResource::without_url)
            .collect();
    }
    Ok(answer(page))
}

pub async fn device_refunds(
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = page_query(params(query)?, &DEVICE_REFUNDS)?;
    Ok(answer(list_device_refunds(&state, &query).await?))
}

pub async fn events(
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = page_query(params(query)?, &EVENTS)?;
    let page = state
        .store
        .page_of_merchant_events(&query)
        .await
        .map_err(ApiError::internal)?;
    Ok(answer(Page {
        rows: page.rows.into_iter().map(EventResource::from).collect(),
        next: page.next,
    }))
}

/// The schemas of the lists' pages, for the endpoint table.
pub type CheckoutList = ListPage<CheckoutResource>;
pub type RefundLinkList = ListPage<RefundLinkResource>;
pub type GatewayRefundList = ListPage<GatewayRefundResource>;
pub type DeviceRefundList = ListPage<DeviceRefundResource>;
pub type EventPage = ListPage<EventResource>;

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut ListParams)) -> ListParams {
        let mut params = ListParams::default();
        f(&mut params);
        params
    }

    #[test]
    fn a_cursor_reads_back_and_a_tampered_one_is_named() {
        let cursor = PageCursor {
            created_at: 1_765_000_000_123,
            id: "chk_01ABC".into(),
        };
        assert_eq!(decode_cursor(&encode_cursor(&cursor)).unwrap(), cursor);
        for bad in ["", "!!", "bm9jb2xvbg", "YWJjOmRlZg"] {
            assert_eq!(
                decode_cursor(bad).unwrap_err().field_name(),
                Some("cursor"),
                "{bad}"
            );
        }
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let cases: Vec<(ListParams, &Filters, &str)> = vec![
            (with(|p| p.limit = Some("0".into())), &CHECKOUTS, "limit"),
            (with(|p| p.limit = Some("101".into())), &CHECKOUTS, "limit"),
            (with(|p| p.limit = Some("ten".into())), &CHECKOUTS, "limit"),
            (
                with(|p| p.status = Some("paid".into())),
                &CHECKOUTS,
                "status",
            ),
            (
                with(|p| p.status = Some("captured".into())),
                &REFUND_LINKS,
                "status",
            ),
            (
                with(|p| p.created_from = Some("yesterday".into())),
                &CHECKOUTS,
                "createdFrom",
            ),
            (
                with(|p| p.order_id = Some("A1".into())),
                &CHECKOUTS,
                "orderId",
            ),
            (
                with(|p| p.order_number = Some("A1".into())),
                &DEVICE_REFUNDS,
                "orderNumber",
            ),
            (
                with(|p| p.reference_id = Some("r".into())),
                &DEVICE_REFUNDS,
                "referenceId",
            ),
            (
                with(|p| p.metadata_key = Some("a b".into())),
                &CHECKOUTS,
                "metadataKey",
            ),
            (
                with(|p| p.metadata_value = Some("v".into())),
                &CHECKOUTS,
                "metadataValue",
            ),
            (
                with(|p| p.metadata_key = Some("k".into())),
                &EVENTS,
                "metadataKey",
            ),
            (
                with(|p| p.event_type = Some("payment.authorized".into())),
                &CHECKOUTS,
                "type",
            ),
        ];
        for (params, filters, field) in cases {
            assert_eq!(
                page_query(params, filters).unwrap_err().field_name(),
                Some(field)
            );
        }
    }

    #[test]
    fn refund_links_are_filtered_by_their_own_status_words() {
        let query =
            page_query(with(|p| p.status = Some("completed".into())), &REFUND_LINKS).unwrap();
        assert_eq!(query.statuses, vec!["authorized".to_string()]);
        assert_eq!(query.limit, DEFAULT_LIMIT);
        let values = (REFUND_LINKS.status_values)();
        assert!(values.contains(&"completed") && !values.contains(&"authorized"));
    }
}
