//! Two paydesk instances on one PostgreSQL database and one gateway (the `paydesk sandbox`
//! process), requests for the same links and payments spread over both: every guarantee holds
//! whichever instance a request reaches, and when one of them stops mid-flow. On SQLite (one
//! process per database file) these tests have nothing to run.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;

use crate::common::{spawn_app_in, TestApp, TestDatabase, TOKEN};
use crate::merchant_webhooks::Receiver;
use crate::sandbox_process::{free_port, start_sandbox, wait_for, SandboxProcess};

const VISA: &str = "4111111111111111";

struct Pair {
    a: TestApp,
    b: TestApp,
    receiver: Receiver,
    db: Arc<TestDatabase>,
    sandbox_origin: String,
    _sandbox: SandboxProcess,
    _gateway_dir: tempfile::TempDir,
}

/// Both instances live against one sandbox process; the gateway's webhooks reach instance `a`,
/// paydesk's merchant events go to one receiver from both.
async fn pair() -> Option<Pair> {
    let db = Arc::new(TestDatabase::fresh().await);
    if !db.is_postgres() {
        return None;
    }
    let gateway_dir = tempfile::tempdir().unwrap();
    let (sandbox_port, a_port, b_port) = (free_port(), free_port(), free_port());
    let sandbox = start_sandbox(gateway_dir.path(), sandbox_port, a_port);
    let sandbox_origin = format!("http://127.0.0.1:{sandbox_port}");
    wait_for(&format!("{sandbox_origin}/hpf.css")).await;
    let (receiver, receiver_url) = Receiver::start().await;
    receiver.up.store(true, std::sync::atomic::Ordering::SeqCst);
    let start = |port: u16| {
        let (db, sandbox_origin, receiver_url) =
            (db.clone(), sandbox_origin.clone(), receiver_url.clone());
        async move {
            let env = [
                ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
                ("PAYDESK_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
                ("PAYDESK_GATEWAY_API_KEY", "key_test_standalone".to_string()),
                ("PAYDESK_GATEWAY_URL", format!("{sandbox_origin}/v1")),
                ("PAYDESK_GATEWAY_HPF_ORIGIN", sandbox_origin.clone()),
                ("PAYDESK_MERCHANT_WEBHOOK_URL", receiver_url),
                (
                    "PAYDESK_MERCHANT_WEBHOOK_SECRET",
                    "whsec_two_instances_0123456789".to_string(),
                ),
                ("PAYDESK_MERCHANT_WEBHOOK_RETRY_BASE_MS", "50".to_string()),
                ("PAYDESK_RECONCILE_INTERVAL_MS", "100".to_string()),
            ];
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            spawn_app_in(db, &env).await
        }
    };
    let a = start(a_port).await;
    let b = start(b_port).await;
    Some(Pair {
        a,
        b,
        receiver,
        db,
        sandbox_origin,
        _sandbox: sandbox,
        _gateway_dir: gateway_dir,
    })
}

async fn capture(app: &TestApp, id: &str, key: &str) -> u16 {
    app.http
        .post(format!("{}/api/v1/checkouts/{id}/capture", app.base))
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", key)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn refund(app: &TestApp, id: &str, key: &str, amount: i64) -> u16 {
    app.http
        .post(format!("{}/api/v1/checkouts/{id}/refund", app.base))
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", key)
        .json(&json!({ "amount": amount }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn two_tabs_on_one_link_through_two_instances_share_one_session() {
    let Some(pair) = pair().await else { return };
    let id = pair.a.new_checkout(1000).await;
    // Eight page views at once, half on each instance, as two tabs reloading would.
    let mut views = tokio::task::JoinSet::new();
    for n in 0..8 {
        let app = if n % 2 == 0 { &pair.a } else { &pair.b };
        let (state, id) = (app.state.clone(), id.clone());
        views.spawn(async move {
            crate::common::payment_page(&state, &id, paydesk_core::payments::Intent::View).await
        });
    }
    let mut urls = std::collections::HashSet::new();
    while let Some(view) = views.join_next().await {
        match view.unwrap().expect("page").state {
            paydesk_core::model::PaymentState::Ready(form) => urls.insert(form.iframe_url),
            other => panic!("expected a ready form, got {other:?}"),
        };
    }
    assert_eq!(urls.len(), 1, "one live hosted-form session per link");
    let sessions = pair
        .db
        .count(&format!(
            "SELECT COUNT(*) FROM session_attempts WHERE checkout_id = '{id}'"
        ))
        .await;
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn captures_and_refunds_sent_to_both_instances_at_once_never_exceed_the_money() {
    let Some(pair) = pair().await else { return };
    let id = pair.a.authorized_checkout(1000, VISA).await;
    pair.b.wait_for_status(&id, "authorized").await;

    // Two captures of the whole amount, one through each instance, under different keys.
    let (first, second) = tokio::join!(
        capture(&pair.a, &id, "capture-a"),
        capture(&pair.b, &id, "capture-b")
    );
    let mut statuses = [first, second];
    statuses.sort();
    assert_eq!(statuses[0], 201, "one capture succeeds: {statuses:?}");
    assert_ne!(statuses[1], 201, "never two: {statuses:?}");

    // Four refunds of 600 from a captured 1000, two through each instance: only one fits.
    let (r1, r2, r3, r4) = tokio::join!(
        refund(&pair.a, &id, "refund-a1", 600),
        refund(&pair.b, &id, "refund-b1", 600),
        refund(&pair.a, &id, "refund-a2", 600),
        refund(&pair.b, &id, "refund-b2", 600)
    );
    let succeeded = [r1, r2, r3, r4].iter().filter(|s| **s == 201).count();
    assert_eq!(succeeded, 1, "{:?}", [r1, r2, r3, r4]);
    for app in [&pair.a, &pair.b] {
        let checkout = app.checkout(&id).await;
        assert_eq!(checkout["ledger"]["captured"], 1000, "{checkout}");
        assert_eq!(checkout["ledger"]["refunded"], 600, "{checkout}");
    }
}

#[tokio::test]
async fn a_webhook_delivered_to_either_instance_applies_once_and_each_event_is_sent_once() {
    let Some(pair) = pair().await else { return };
    let (id, form) = pair.a.open_session(1000).await;
    // A slow merchant backend: both instances' delivery passes (every 250 ms) overlap each send.
    pair.receiver
        .answer_after_ms
        .store(800, std::sync::atomic::Ordering::SeqCst);
    // The same authorization reported to both instances at once (a gateway retrying elsewhere).
    let body = crate::gateway_webhooks::auth_event("evt_both", &form.attempt_id, "trx_both", 1);
    let signature = paydesk_core::gateways::omni::signature::sign(
        crate::common::WEBHOOK_SECRET.as_bytes(),
        body.as_bytes(),
        paydesk_core::gateways::omni::signature::SignatureEncoding::Hex,
    );
    let (a, b) = tokio::join!(
        pair.a.post_gateway_webhook(&body, &signature),
        pair.b.post_gateway_webhook(&body, &signature)
    );
    assert!(a.status().is_success() && b.status().is_success());
    pair.b.wait_for_status(&id, "authorized").await;
    pair.receiver
        .wait_until("payment.authorized", |seen| {
            seen.iter().any(|d| d.body.contains("payment.authorized"))
        })
        .await;
    // Both deliverers ran for a while: still one delivery per event.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for delivery in pair.receiver.seen() {
        *per_event.entry(delivery.event_id).or_default() += 1;
    }
    assert!(
        per_event.values().all(|n| *n == 1),
        "each event delivered once: {per_event:?}"
    );
}

#[tokio::test]
async fn when_one_instance_stops_mid_flow_the_other_finishes_it() {
    let Some(pair) = pair().await else { return };
    let (id, form) = pair.a.open_session(1000).await;
    // Instance a (the one the gateway's webhooks reach) stops before the customer pays.
    pair.a.stop().await;
    assert_eq!(pair.a_submit(&form.iframe_url).await, 200);
    // Its webhook is lost; instance b's reconciler finds the authorization at the gateway.
    pair.b.wait_for_status(&id, "authorized").await;
    pair.receiver
        .wait_until("payment.authorized from b", |seen| {
            seen.iter().any(|d| d.body.contains("payment.authorized"))
        })
        .await;
    assert_eq!(capture(&pair.b, &id, "after-stop").await, 201);
}

impl Pair {
    /// A customer's card typed into the gateway's form (the gateway's own origin).
    async fn a_submit(&self, iframe_url: &str) -> u16 {
        self.b.submit_card(iframe_url, VISA).await.status().as_u16()
    }
}

/// Leases: a live one is never taken; an expired one (its holder crashed or stalled) is taken over,
/// by the database's clock whatever the instances' clocks say.
#[tokio::test]
async fn a_lease_is_exclusive_until_it_expires_then_taken_over() {
    let Some(pair) = pair().await else { return };
    let a_fence = pair.a.state.store.take_lease("work:x").await.unwrap();
    assert!(a_fence.is_some());
    assert!(pair
        .b
        .state
        .store
        .take_lease("work:x")
        .await
        .unwrap()
        .is_none());
    // Its holder stalls past it: the database's clock says it expired.
    pair.db
        .sql("UPDATE leases SET expires_at = 0 WHERE name = 'work:x'")
        .await;
    let b_fence = pair.b.state.store.take_lease("work:x").await.unwrap();
    assert!(
        b_fence.is_some() && b_fence != a_fence,
        "a new take, a new fence"
    );
    // And while b holds a checkout's lock, a waits for it.
    let held = pair.b.state.store.lock("chk_shared").await.unwrap();
    let waiting = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        pair.a.state.store.lock("chk_shared"),
    )
    .await;
    assert!(waiting.is_err(), "a must wait while b holds it");
    drop(held);
    let taken = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        pair.a.state.store.lock("chk_shared"),
    )
    .await;
    assert!(taken.is_ok(), "a takes it once b lets go");
}

/// Guesses at one staff account spread over both instances count together: the account locks after
/// five in all, on both, not after five on each.
#[tokio::test]
async fn failed_sign_ins_through_both_instances_lock_the_account_on_both() {
    let Some(pair) = pair().await else { return };
    crate::console::add_staff(&pair.db);
    for guess in 0..5 {
        let instance = if guess % 2 == 0 { &pair.a } else { &pair.b };
        let response = crate::console::login_from(
            instance,
            "127.0.0.1",
            crate::console::EMAIL,
            "wrong guess!",
        )
        .await;
        assert_eq!(response.status(), 401, "guess {guess}");
    }
    for instance in [&pair.a, &pair.b] {
        let refused = crate::console::login_from(
            instance,
            "127.0.0.1",
            crate::console::EMAIL,
            crate::console::PASSWORD,
        )
        .await;
        assert_eq!(refused.status(), 429, "locked on {}", instance.base);
    }
}

/// Sequence 5 (issue 25): an instance that stalled past its lease (a pause, a VM stop) while
/// another took it over finds its write under the lease refused, never applied beside the new
/// holder's: the fence it took the lease under no longer holds.
#[tokio::test]
async fn a_stale_lease_holder_cannot_write() {
    let Some(pair) = pair().await else { return };
    let created = pair
        .a
        .create_checkout(json!({ "amount": 1000, "currency": "USD" }))
        .await;
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let stale = pair.a.state.store.lock(&id).await.unwrap();
    pair.db
        .sql(&format!(
            "UPDATE leases SET expires_at = 0 WHERE name = '{id}'"
        ))
        .await;
    let current = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        pair.b.state.store.lock(&id),
    )
    .await
    .expect("b takes the expired lease over")
    .unwrap();
    let refused = pair
        .a
        .state
        .store
        .insert_attempt("att_stale", &id, "att_stale", 0, i64::MAX, stale.fence())
        .await;
    assert!(
        matches!(refused, Err(paydesk_core::store::StoreError::Fenced(_))),
        "{refused:?}"
    );
    assert!(pair
        .a
        .state
        .store
        .attempt("att_stale")
        .await
        .unwrap()
        .is_none());
    // The holder's own write goes through.
    pair.b
        .state
        .store
        .insert_attempt(
            "att_current",
            &id,
            "att_current",
            0,
            i64::MAX,
            current.fence(),
        )
        .await
        .unwrap();
    drop(stale);
    drop(current);
}

/// A third paydesk, its own process on the pair's database and gateway, whose clock runs
/// `offset_ms` ahead (test builds read `PAYDESK_TEST_CLOCK_OFFSET_MS`); its reconciler runs every
/// 100 ms. Killed when dropped.
struct ClockAheadInstance(std::process::Child);

impl Drop for ClockAheadInstance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_clock_ahead(pair: &Pair, offset_ms: i64) -> ClockAheadInstance {
    let port = free_port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .env("DATABASE_URL", &pair.db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PAYDESK_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("PAYDESK_GATEWAY_API_KEY", "key_test_standalone")
        .env("PAYDESK_GATEWAY_URL", format!("{}/v1", pair.sandbox_origin))
        .env("PAYDESK_GATEWAY_HPF_ORIGIN", &pair.sandbox_origin)
        .env("PAYDESK_WEBHOOK_SECRET", crate::common::WEBHOOK_SECRET)
        .env("PAYDESK_MERCHANT_TOKEN", crate::common::TOKEN)
        .env("PAYDESK_PAYROC_SANDBOX_ADDR", "127.0.0.1:0")
        .env("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "127.0.0.1:0")
        .env("PAYDESK_DEMO_STOREFRONT_ADDR", "127.0.0.1:0")
        .env("PAYDESK_RECONCILE_INTERVAL_MS", "100")
        .env("PAYDESK_TEST_CLOCK_OFFSET_MS", offset_ms.to_string())
        .env("PAYDESK_LOG", "warn")
        .env("LEPTOS_OUTPUT_NAME", "paydesk")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("paydesk starts");
    let instance = ClockAheadInstance(child);
    wait_for(&format!("http://127.0.0.1:{port}/healthz")).await;
    instance
}

/// A full chaos run (two instances on PostgreSQL, seed 12899047064711247659) paid a refund link and
/// its replacement, 50.37 twice: the instance whose clock ran 30 s ahead ended the first link by its
/// own clock — releasing what it held — while the other, by the database's clock, still opened a
/// session for it; a second link for the same money was then accepted. A link's time is up by the
/// database's clock only, an ended link opens no session, and a link with a session that may still
/// be paid is never ended.
#[tokio::test]
async fn an_instance_whose_clock_runs_ahead_never_ends_a_link_another_still_opens() {
    let Some(pair) = pair().await else { return };
    let (id, form) = pair.a.open_session(1000).await;
    assert_eq!(pair.a_submit(&form.iframe_url).await, 200);
    pair.a.wait_for_status(&id, "authorized").await;
    assert_eq!(capture(&pair.a, &id, "capture-clock").await, 201);
    let created = pair
        .a
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 1000, "currency": "USD", "checkoutId": id,
                    "expiresInSeconds": 60, "reason": "Returned item" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let link: serde_json::Value = created.json().await.unwrap();

    // Its clock says the link's minute is already up; its reconciler passes run meanwhile.
    let _ahead = start_clock_ahead(&pair, 65_000).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;

    // The customer opens the link through an instance whose clock is right: a session to pay in.
    let page = paydesk_core::payments::link_page(
        &pair.a.state,
        &crate::refund_links::link_ref(&link),
        paydesk_core::payments::Intent::View,
        paydesk_core::i18n::Locale::En,
    )
    .await
    .expect("page");
    assert!(
        matches!(page.state, paydesk_core::model::PaymentState::Ready(_)),
        "{:?}",
        page.state
    );
    let second = pair
        .a
        .post(
            "/api/v1/refund-links",
            json!({ "amount": 1000, "currency": "USD", "checkoutId": id,
                    "reason": "Returned item" }),
        )
        .await;
    let status = second.status().as_u16();
    let second: serde_json::Value = second.json().await.unwrap();
    assert_eq!(
        (status, second["error"]["code"].as_str()),
        (422, Some("exceeds_balance")),
        "a second link for money the first still holds: {second}"
    );
    let ledger = pair.a.checkout(&id).await["ledger"].clone();
    assert_eq!(
        (ledger["pending"].as_i64(), ledger["refundable"].as_i64()),
        (Some(1000), Some(0)),
        "{ledger}"
    );
}
