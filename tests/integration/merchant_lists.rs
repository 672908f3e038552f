//! The merchant API's lists and metadata: checkouts, refund links, refunds, device refunds and
//! events, newest first, a page at a time with a cursor that items created meanwhile never shift;
//! filters by status, time, order, reference and metadata; metadata kept, returned and carried on
//! events; every bad parameter named.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api_tokens::{cli, created_token};
use crate::common::{spawn_app, spawn_app_in, TestApp, TestDatabase};
use crate::gateway_refunds::{commercehub_charge, refund};

async fn list(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(crate::common::TOKEN)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

async fn checkout(app: &TestApp, body: Value) -> Value {
    let response = app.create_checkout(body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn checkouts_are_paged_newest_first_and_a_page_is_not_shifted_by_new_ones() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..5 {
        let body =
            json!({ "amount": 1000 + i, "currency": "USD", "orderNumber": format!("L-{i}") });
        created.push(
            checkout(&app, body).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        // Two made in the same millisecond have no order but their ids'.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let (status, first) = list(&app, "/api/v1/checkouts?limit=2").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["object"], "list");
    assert_eq!(first["hasMore"], true);
    assert_eq!(ids(&first), vec![created[4].clone(), created[3].clone()]);
    let cursor = first["nextCursor"].as_str().unwrap().to_string();

    // Created between two pages: on no page that follows, and no item seen twice or skipped.
    checkout(&app, json!({ "amount": 77, "currency": "USD" })).await;
    let (_, second) = list(&app, &format!("/api/v1/checkouts?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), vec![created[2].clone(), created[1].clone()]);
    let cursor = second["nextCursor"].as_str().unwrap();
    let (_, last) = list(&app, &format!("/api/v1/checkouts?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&last), vec![created[0].clone()]);
    assert_eq!(last["hasMore"], false);
    assert!(last["nextCursor"].is_null());

    // Items are whole checkouts, as GET answers them.
    let one = &last["data"][0];
    assert_eq!(one, &app.checkout(&created[0]).await);

    let (_, by_order) = list(&app, "/api/v1/checkouts?orderNumber=L-3").await;
    assert_eq!(ids(&by_order), vec![created[3].clone()]);
    let (_, open) = list(&app, "/api/v1/checkouts?status=open&limit=100").await;
    assert_eq!(open["data"].as_array().unwrap().len(), 6);
    let (_, none) = list(&app, "/api/v1/checkouts?status=authorized").await;
    assert!(ids(&none).is_empty());
    let (_, future) = list(&app, "/api/v1/checkouts?createdFrom=2100-01-01T00:00:00Z").await;
    assert!(ids(&future).is_empty());
    let (_, past) = list(
        &app,
        "/api/v1/checkouts?createdBefore=2100-01-01T00:00:00Z&limit=100",
    )
    .await;
    assert_eq!(ids(&past).len(), 6);
}

#[tokio::test]
async fn metadata_is_kept_returned_filtered_and_carried_on_events() {
    let app = spawn_app().await;
    let tagged = checkout(
        &app,
        json!({ "amount": 2500, "currency": "USD", "referenceId": "ref-meta-1",
                "metadata": { "crm.customer": "C-42", "channel": "phone" } }),
    )
    .await;
    assert_eq!(
        tagged["metadata"],
        json!({ "channel": "phone", "crm.customer": "C-42" })
    );
    let plain = checkout(&app, json!({ "amount": 900, "currency": "USD" })).await;
    assert_eq!(plain["metadata"], json!({}), "always an object");
    assert_eq!(plain["livemode"], false, "sandbox data");
    let id = tagged["id"].as_str().unwrap();
    assert_eq!(app.checkout(id).await["metadata"]["channel"], "phone");

    let (_, by_key) = list(&app, "/api/v1/checkouts?metadataKey=crm.customer").await;
    assert_eq!(ids(&by_key), vec![id.to_string()]);
    let (_, by_value) = list(
        &app,
        "/api/v1/checkouts?metadataKey=channel&metadataValue=phone",
    )
    .await;
    assert_eq!(ids(&by_value), vec![id.to_string()]);
    let (_, other_value) = list(
        &app,
        "/api/v1/checkouts?metadataKey=channel&metadataValue=web",
    )
    .await;
    assert!(ids(&other_value).is_empty());
    let (_, by_reference) = list(&app, "/api/v1/checkouts?referenceId=ref-meta-1").await;
    assert_eq!(ids(&by_reference), vec![id.to_string()]);

    // The same referenceId with other metadata is another request, not a replay.
    let conflict = app
        .create_checkout(
            json!({ "amount": 2500, "currency": "USD", "referenceId": "ref-meta-1",
                                 "metadata": { "channel": "web" } }),
        )
        .await;
    assert_eq!(conflict.status(), 409);
    let replay = app
        .create_checkout(
            json!({ "amount": 2500, "currency": "USD", "referenceId": "ref-meta-1",
                                 "metadata": { "crm.customer": "C-42", "channel": "phone" } }),
        )
        .await;
    assert_eq!(replay.status(), 200);

    // The event of its payment carries it.
    let paid = app
        .post(
            &format!("/api/v1/test-helpers/checkouts/{id}/pay"),
            json!({}),
        )
        .await;
    assert_eq!(paid.status(), 200);
    let (_, events) = list(
        &app,
        &format!("/api/v1/events?type=payment.authorized&objectId={id}"),
    )
    .await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1, "{events}");
    assert_eq!(
        events["data"][0]["payload"]["data"]["metadata"]["crm.customer"],
        "C-42"
    );
    let event_id = events["data"][0]["id"].as_str().unwrap();
    let (status, one) = list(&app, &format!("/api/v1/events/{event_id}")).await;
    assert_eq!((status, &one["id"]), (200, &json!(event_id)));
    let (status, _) = list(&app, "/api/v1/events/evt_missing").await;
    assert_eq!(status, 404);

    // A refund to a new card made from it keeps the payment's metadata.
    let refund_link = app
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 500, "currency": "USD", "metadata": { "ticket": "T-9" } }),
        )
        .await;
    assert_eq!(refund_link.status(), 201);
    let refund_link: Value = refund_link.json().await.unwrap();
    assert_eq!(refund_link["metadata"], json!({ "ticket": "T-9" }));
    let (_, links) = list(&app, "/api/v1/refund-links?metadataKey=ticket&status=open").await;
    assert_eq!(
        ids(&links),
        vec![refund_link["id"].as_str().unwrap().to_string()]
    );
    assert!(
        links["data"][0]["url"].is_string(),
        "the test token may refund"
    );
}

#[tokio::test]
async fn bad_metadata_and_bad_list_parameters_are_named() {
    let app = spawn_app().await;
    let too_many: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("k{i}"), json!("v"))).collect();
    for (metadata, field) in [
        (json!(too_many), "metadata"),
        (json!({ "bad key": "v" }), "metadata"),
        (json!({ "note": "x".repeat(501) }), "metadata.note"),
    ] {
        let response = app
            .create_checkout(json!({ "amount": 100, "currency": "USD", "metadata": metadata }))
            .await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let numbers = app
        .create_checkout(json!({ "amount": 100, "currency": "USD", "metadata": { "n": 1 } }))
        .await;
    assert_eq!(numbers.status(), 400, "values are text");

    for (query, field) in [
        ("/api/v1/checkouts?limit=0", "limit"),
        ("/api/v1/checkouts?status=paid", "status"),
        ("/api/v1/checkouts?cursor=nonsense", "cursor"),
        ("/api/v1/checkouts?createdFrom=yesterday", "createdFrom"),
        ("/api/v1/device-refunds?orderNumber=A", "orderNumber"),
        ("/api/v1/refund-links?status=captured", "status"),
        ("/api/v1/events?metadataKey=k", "metadataKey"),
    ] {
        let (status, body) = list(&app, query).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    let (status, body) = list(&app, "/api/v1/checkouts?colour=red").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_query")),
        "{body}"
    );
}

#[tokio::test]
async fn refunds_and_device_refunds_are_listed_with_their_metadata() {
    let app = spawn_app().await;
    let original = commercehub_charge(&app, 1500, "4012001928706700").await;
    let (status, made) = refund(
        &app,
        json!({ "gateway": "commercehub", "originalTransactionId": original, "amount": 1500,
                "currency": "USD", "orderNumber": "R-1", "metadata": { "rma": "77" } }),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let (_, refunds) = list(
        &app,
        "/api/v1/refunds?status=refunded&metadataKey=rma&metadataValue=77",
    )
    .await;
    assert_eq!(
        ids(&refunds),
        vec![made["id"].as_str().unwrap().to_string()]
    );
    assert_eq!(refunds["data"][0]["metadata"]["rma"], "77");
    let (_, by_order) = list(&app, "/api/v1/refunds?orderNumber=R-1").await;
    assert_eq!(ids(&by_order).len(), 1);

    let device = app
        .post(
            "/api/v1/device-refunds",
            json!({ "device": crate::device_refunds::DEVICE, "amount": 4999, "currency": "USD",
                    "orderId": "D-1", "description": "Refund for order D-1", "metadata": { "till": "3" } }),
        )
        .await;
    assert_eq!(device.status(), 202);
    let device: Value = device.json().await.unwrap();
    assert_eq!(device["metadata"], json!({ "till": "3" }));
    let (_, devices) = list(&app, "/api/v1/device-refunds?orderId=D-1&metadataKey=till").await;
    assert_eq!(
        ids(&devices),
        vec![device["id"].as_str().unwrap().to_string()]
    );
}

#[tokio::test]
async fn a_read_token_lists_refund_links_without_their_payout_urls() {
    let db = Arc::new(TestDatabase::fresh().await);
    let (ok, out) = cli(
        &db,
        &["token", "create", "--name", "reporting", "--scopes", "read"],
    );
    assert!(ok, "{out}");
    let (_, read) = created_token(&out);
    let app = spawn_app_in(db, &[]).await;
    let mut seen = HashSet::new();
    for _ in 0..3 {
        let link = app
            .post(
                "/api/v1/refund-links",
                json!({ "amount": 300, "currency": "CAD" }),
            )
            .await;
        assert_eq!(link.status(), 201);
        let link: Value = link.json().await.unwrap();
        seen.insert(link["id"].as_str().unwrap().to_string());
    }
    let page: Value = app
        .http
        .get(format!("{}/api/v1/refund-links?limit=100", app.base))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: HashSet<String> = ids(&page).into_iter().collect();
    assert_eq!(listed, seen);
    for link in page["data"].as_array().unwrap() {
        assert!(link.get("url").is_none(), "{link}");
    }
}
