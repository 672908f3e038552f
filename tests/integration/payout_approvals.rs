//! Four eyes on large unbound payouts: above the threshold a refund link or device refund is only
//! asked for (202, a payout_approval; nothing exists); a second staff member who may approve —
//! never the one who asked — approves it (created as asked, by whoever asked) or rejects it.

use std::sync::Arc;

use crate::common::{spawn_app_in, TestApp, TestDatabase};
use crate::staff_roles::{everyone, get, post};
use serde_json::{json, Value};

const THRESHOLD: (&str, &str) = ("PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE", "10000");

async fn ask(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app.post(path, body).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

fn audited(actions: &[paydesk_core::store::AuditRecord], action: &str) -> usize {
    actions.iter().filter(|a| a.action == action).count()
}

#[tokio::test]
async fn a_large_unbound_link_waits_for_a_second_person_who_is_not_the_requester() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[THRESHOLD]).await;
    let [viewer, operator, refunder, admin] = everyone(&app, &db).await;

    // At the threshold: created at once. Above it: only asked for.
    let (status, _) = ask(
        &app,
        "/api/v1/refund-links",
        json!({ "amount": 10000, "currency": "USD" }),
    )
    .await;
    assert_eq!(status, 201);
    let body = json!({ "amount": 10001, "currency": "USD", "referenceId": "rma-big" });
    let (status, approval) = ask(&app, "/api/v1/refund-links", body.clone()).await;
    assert_eq!(status, 202, "{approval}");
    assert_eq!(
        (
            approval["object"].as_str(),
            approval["status"].as_str(),
            approval["kind"].as_str()
        ),
        (
            Some("payout_approval"),
            Some("pending"),
            Some("refund_link")
        )
    );
    let id = approval["id"].as_str().unwrap().to_string();
    let (again, replayed) = ask(&app, "/api/v1/refund-links", body).await;
    assert_eq!(
        (again, replayed["id"].as_str()),
        (202, Some(id.as_str())),
        "a replay is the same request"
    );
    assert!(
        app.state
            .store
            .link_by_reference("rma-big")
            .await
            .unwrap()
            .is_none(),
        "nothing exists yet"
    );

    // From the console: who may not decide.
    let approve = format!("/admin/approvals/{id}/approve");
    assert_eq!(post(&app, &viewer, &approve, &[]).await, 403);
    assert_eq!(post(&app, &operator, &approve, &[]).await, 403);
    let (_, listed) = get(&app, &refunder.cookie, "/admin/approvals").await;
    assert!(
        listed.contains(&format!("data-testid=\"approve-{id}\"")),
        "{listed}"
    );

    // A refunder asks for one in the console; they cannot approve it themselves.
    let asked = post(
        &app,
        &refunder,
        "/admin/refund-links/new",
        &[
            ("amount", "150.00"),
            ("currency", "USD"),
            ("reason", "Goodwill"),
        ],
    )
    .await;
    assert_eq!(asked, 303);
    let theirs = app.state.store.payout_approvals(10).await.unwrap();
    let theirs = theirs
        .iter()
        .find(|a| a.requested_by == "refunder@example.com")
        .expect("the console's request");
    let (_, listed) = get(&app, &refunder.cookie, "/admin/approvals").await;
    assert!(!listed.contains(&format!("data-testid=\"approve-{}\"", theirs.id)));
    assert_eq!(
        post(
            &app,
            &refunder,
            &format!("/admin/approvals/{}/approve", theirs.id),
            &[]
        )
        .await,
        409
    );

    // The admin approves the token's request: the link exists, asked for by the token.
    assert_eq!(post(&app, &admin, &approve, &[]).await, 303);
    let decided = app.get(&format!("/api/v1/payout-approvals/{id}")).await;
    assert_eq!(decided["status"], "approved", "{decided}");
    assert_eq!(decided["decidedBy"], "admin@example.com");
    let link_id = decided["resultId"].as_str().unwrap();
    let link = app.get(&format!("/api/v1/refund-links/{link_id}")).await;
    assert_eq!(
        (link["amount"].as_i64(), link["referenceId"].as_str()),
        (Some(10001), Some("rma-big"))
    );
    let audit = app.state.store.audit_log(200).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "refund_link.create"
        && a.subject.as_deref() == Some(link_id)
        && a.actor.starts_with("token:")));
    assert_eq!(audited(&audit, "payout.approved"), 1);
    assert_eq!(post(&app, &admin, &approve, &[]).await, 409, "decided once");
    let events = app.merchant_events().await;
    assert!(events
        .iter()
        .any(|(t, data)| t == "payout_approval.approved" && data["resultId"] == link_id));
}

#[tokio::test]
async fn a_rejected_device_refund_is_never_sent() {
    let db = Arc::new(TestDatabase::fresh().await);
    let app = spawn_app_in(db.clone(), &[THRESHOLD]).await;
    let [_, _, refunder, _] = everyone(&app, &db).await;
    let (status, approval) = ask(
        &app,
        "/api/v1/device-refunds",
        json!({ "device": "1850010868", "amount": 25000, "currency": "USD", "orderId": "FOUR-1", "description": "four eyes" }),
    )
    .await;
    assert_eq!(
        (status, approval["kind"].as_str()),
        (202, Some("device_refund")),
        "{approval}"
    );
    let id = approval["id"].as_str().unwrap();
    assert_eq!(
        post(
            &app,
            &refunder,
            &format!("/admin/approvals/{id}/reject"),
            &[]
        )
        .await,
        303
    );
    let decided = app.get(&format!("/api/v1/payout-approvals/{id}")).await;
    assert_eq!(
        (decided["status"].as_str(), decided["resultId"].as_str()),
        (Some("rejected"), None)
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM device_refunds").await,
        0,
        "nothing reached the device"
    );
    let events = app.merchant_events().await;
    assert!(events.iter().any(|(t, _)| t == "payout_approval.rejected"));
    assert_eq!(
        post(
            &app,
            &refunder,
            &format!("/admin/approvals/{id}/approve"),
            &[]
        )
        .await,
        409
    );
}
