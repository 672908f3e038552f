//! Security hardening, each test read as an attacker or a careless operator would try it: sandbox
//! state never reaches live mode, demo endpoints exist only in the sandbox.

use std::sync::Arc;

use crate::common::{spawn_app_in, try_build_in};

/// A live gateway that is never reached (these tests stop before any call).
const LIVE: [(&str, &str); 4] = [
    ("PAYDESK_GATEWAY_API_KEY", "key_live_never_used"),
    ("PAYDESK_GATEWAY_URL", "http://127.0.0.1:9/v1"),
    ("PAYDESK_GATEWAY_HPF_ORIGIN", "http://127.0.0.1:9"),
    ("PAYDESK_PUBLIC_URL", "http://127.0.0.1:9999"),
];

fn startup_error(
    result: Result<paydesk::startup::Application, paydesk::startup::StartupError>,
) -> String {
    result.err().expect("startup must refuse").to_string()
}

#[tokio::test]
async fn a_live_start_on_a_sandbox_database_refuses_and_says_what_to_do() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    let sandbox = spawn_app_in(dir.clone(), &[]).await;
    sandbox.stop().await;
    let error = startup_error(try_build_in(&dir, &LIVE).await);
    assert!(error.contains("holds sandbox data"), "{error}");
    assert!(
        error.contains("Point DATABASE_URL at a new database"),
        "{error}"
    );

    // The other way round: the sandbox never writes into live data.
    let live_dir = crate::common::TestDatabase::fresh().await;
    drop(
        try_build_in(&live_dir, &LIVE)
            .await
            .expect("a fresh database is live's"),
    );
    let error = startup_error(try_build_in(&live_dir, &[]).await);
    assert!(error.contains("holds live data"), "{error}");
}

#[tokio::test]
async fn a_database_from_before_the_stamp_that_ran_the_sandbox_counts_as_sandbox_data() {
    let dir = Arc::new(crate::common::TestDatabase::fresh().await);
    // Without PAYDESK_MERCHANT_TOKEN, a sandbox run makes its own all-scopes token.
    let sandbox = spawn_app_in(dir.clone(), &[("PAYDESK_MERCHANT_TOKEN", "")]).await;
    sandbox.sql("DELETE FROM database_facts").await;
    sandbox.stop().await;
    let error = startup_error(try_build_in(&dir, &LIVE).await);
    assert!(error.contains("holds sandbox data"), "{error}");
}

#[tokio::test]
async fn demo_links_cannot_be_made_in_live_mode() {
    let dir = crate::common::TestDatabase::fresh().await;
    let live = try_build_in(&dir, &LIVE).await.expect("live mode starts");
    let stop = live.stop_handle();
    // Serve it on its real address (the public URL above is only what pages would show).
    let addr = live.addr;
    tokio::spawn(live.run_until_stopped());
    let http = reqwest::Client::new();
    for endpoint in ["create_demo_refund_link", "create_demo_checkout"] {
        let response = http
            .post(format!("http://{addr}/rpc/{endpoint}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert!(
            !response.status().is_success() && !response.status().is_redirection(),
            "{endpoint}: {}",
            response.status()
        );
    }
    let links = dir.count("SELECT COUNT(*) FROM checkouts").await;
    assert_eq!(links, 0, "no link was made");
    stop.stop();
}

#[tokio::test]
async fn a_client_viewing_pages_too_fast_is_held_with_a_calm_page_in_its_language() {
    let app = crate::common::spawn_app_with(&[
        ("PAYDESK_PAGE_VIEWS_PER_MINUTE", "8"),
        ("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For"),
    ])
    .await;
    let created: serde_json::Value = app
        .create_checkout(serde_json::json!({ "amount": 1000, "currency": "CAD" }))
        .await
        .json()
        .await
        .unwrap();
    let page = format!("{}/pay/{}", app.base, created["id"].as_str().unwrap());
    let view = |client: &'static str| {
        app.http
            .get(&page)
            .header("x-forwarded-for", client)
            .header("accept-language", "fr-CA,fr;q=0.9")
            .send()
    };
    let mut held = None;
    for _ in 0..6 {
        let response = view("198.51.100.7").await.unwrap();
        if response.status() == 429 {
            held = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let held = held.expect("a client reloading six times at once is held");
    assert!(held.headers().contains_key("retry-after"));
    let text = held.text().await.unwrap();
    assert!(
        text.contains("lang=\"fr\"") && text.contains("rien n’est perdu"),
        "{text}"
    );
    assert_eq!(
        view("203.0.113.50").await.unwrap().status(),
        200,
        "another customer is not held"
    );
}

#[tokio::test]
async fn an_api_token_over_its_rate_is_told_when_to_retry_in_json() {
    let app = crate::common::spawn_app_with(&[("PAYDESK_API_REQUESTS_PER_MINUTE", "4")]).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = app
            .http
            .get(format!("{}/api/v1/webhook-events", app.base))
            .bearer_auth(crate::common::TOKEN)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited", "{body}");
            return;
        }
    }
    panic!("never held: {statuses:?}");
}

#[tokio::test]
async fn served_over_https_every_answer_carries_hsts() {
    let https =
        crate::common::spawn_app_with(&[("PAYDESK_PUBLIC_URL", "https://pay.example.com")]).await;
    let plain = crate::common::spawn_app().await;
    // The listener itself is plain HTTP (TLS ends at a proxy); the public URL says https.
    let addr = https.state.config.public_url.clone();
    assert_eq!(addr, "https://pay.example.com");
    for path in [
        "/healthz",
        "/api/v1/openapi.json",
        "/admin/login",
        "/nowhere",
    ] {
        let response = https
            .http
            .get(format!("{}{path}", https.local_base()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
        let response = plain
            .http
            .get(format!("{}{path}", plain.base))
            .send()
            .await
            .unwrap();
        assert!(
            !response.headers().contains_key("strict-transport-security"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn invisible_formatting_characters_never_reach_a_customer_or_staff() {
    let app = crate::common::spawn_app().await;
    let response = app
        .create_checkout(serde_json::json!({
            "amount": 1000, "currency": "USD", "orderNumber": "A-1\u{202E}0001"
        }))
        .await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "orderNumber", "{body}");
    let response = app
        .post(
            "/api/v1/refund-links",
            serde_json::json!({ "amount": 500, "currency": "USD", "reason": "Return\u{200B}ed" }),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "reason", "{body}");
}

/// 200 reloads of one payment page at once cost the gateway a handful of lookups, not 200.
#[tokio::test]
async fn a_flood_of_reloads_of_one_link_costs_the_gateway_almost_nothing() {
    let app = crate::common::spawn_app_with(&[("PAYDESK_PAGE_VIEWS_PER_MINUTE", "100000")]).await;
    let id = app.new_checkout(1000).await;
    let page = format!("{}/pay/{id}", app.base);
    let first = app.http.get(&page).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let before = app.gateway_lookups().await;
    let mut reloads = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (http, page) = (app.http.clone(), page.clone());
        reloads.spawn(async move { http.get(&page).send().await.unwrap().status() });
    }
    for status in reloads.join_all().await {
        assert_eq!(status, 200);
    }
    let lookups = app.gateway_lookups().await - before;
    assert!(lookups <= 5, "{lookups} gateway lookups for 200 reloads");
}

/// Card testing: after the cap of declined cards a link opens no new card form, the merchant hears
/// of it once, and can unlock it.
#[tokio::test]
async fn a_link_locks_after_repeated_declines_until_the_merchant_unlocks_it() {
    use paydesk_core::model::{AttemptState, PaymentState};
    use paydesk_core::payments::Intent;
    const DECLINED: &str = "4000000000000002";
    let app = crate::common::spawn_app_with(&[("PAYDESK_MAX_DECLINES_PER_LINK", "3")]).await;
    let id = app.new_checkout(1000).await;
    let declined_attempts = || async {
        app.state
            .store
            .attempts_for(&id)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.state == AttemptState::Declined)
            .count()
    };
    for round in 1..=3 {
        let page = crate::common::payment_page(&app.state, &id, Intent::Retry)
            .await
            .unwrap();
        let PaymentState::Ready(form) = page.state else {
            panic!("round {round}: expected a form, got {:?}", page.state)
        };
        app.submit_card(&form.iframe_url, DECLINED).await;
        for _ in 0..100 {
            if declined_attempts().await == round {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        assert_eq!(declined_attempts().await, round);
    }
    let attempts = app.state.store.attempts_for(&id).await.unwrap().len();
    for intent in [Intent::View, Intent::Retry, Intent::Retry] {
        let page = crate::common::payment_page(&app.state, &id, intent)
            .await
            .unwrap();
        match page.state {
            PaymentState::Locked { message } => {
                assert!(message.contains("paused"), "{message}")
            }
            other => panic!("{intent:?}: expected the locked page, got {other:?}"),
        }
    }
    assert_eq!(
        app.state.store.attempts_for(&id).await.unwrap().len(),
        attempts,
        "no new gateway session once locked"
    );
    assert_eq!(app.checkout(&id).await["locked"], true);
    let locks = app
        .state
        .store
        .merchant_events(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == "payment.locked")
        .count();
    assert_eq!(locks, 1, "the merchant hears of the lock once");

    let unlocked = app
        .post(
            &format!("/api/v1/checkouts/{id}/unlock"),
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(unlocked.status(), 200);
    let body: serde_json::Value = unlocked.json().await.unwrap();
    assert_eq!(body["locked"], false, "{body}");
    let page = crate::common::payment_page(&app.state, &id, Intent::Retry)
        .await
        .unwrap();
    assert!(
        matches!(page.state, PaymentState::Ready(_)),
        "{:?}",
        page.state
    );
}

/// Card testing across links from one address: new card forms after declines are rationed per
/// client; another customer is not held.
#[tokio::test]
async fn new_card_forms_are_rationed_per_client_address() {
    let app = crate::common::spawn_app_with(&[
        ("PAYDESK_CARD_RETRIES_PER_HOUR", "4"),
        ("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For"),
    ])
    .await;
    let mut links = Vec::new();
    for _ in 0..3 {
        links.push(app.new_checkout(1000).await);
    }
    let retry = |client: &'static str, id: String| {
        let http = app.http.clone();
        let url = format!("{}/rpc/link_page", app.base);
        async move {
            let response = http
                .post(url)
                .header("x-forwarded-for", client)
                .form(&[
                    ("kind", "payment"),
                    ("id", id.as_str()),
                    ("sig", ""),
                    ("retry", "true"),
                    ("lang", "en"),
                ])
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, _) = retry("198.51.100.9", links[0].clone()).await;
    assert_eq!(status, 200);
    let (status, body) = retry("198.51.100.9", links[1].clone()).await;
    assert_ne!(status, 200, "the same address trying again at once is held");
    assert!(
        body.contains("TooManyTries")
            || body.contains("too_many_tries")
            || body.contains("Many cards"),
        "{body}"
    );
    let (status, _) = retry("203.0.113.77", links[2].clone()).await;
    assert_eq!(status, 200, "another customer is not held");
}

/// Who moved money is written with the movement itself: an API call is attributed to its token, and
/// an audit entry that cannot be written means the operation never happened.
#[tokio::test]
async fn money_moving_actions_are_audited_with_who_asked_in_the_same_transaction() {
    let app = crate::common::spawn_app().await;
    let id = app.authorized_checkout(1000, "4111111111111111").await;
    let capture = app
        .post(
            &format!("/api/v1/checkouts/{id}/capture"),
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(capture.status(), 201);
    let audit = app.state.store.audit_log(50).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.action == "capture")
        .expect("the capture is audited");
    assert_eq!(entry.subject.as_deref(), Some(id.as_str()));
    assert!(
        entry.actor.starts_with("token:tok_"),
        "attributed to the token: {}",
        entry.actor
    );

    app.db.break_inserts("audit_log", "audit disk full").await;
    let refund = app
        .post(
            &format!("/api/v1/checkouts/{id}/refund"),
            serde_json::json!({ "amount": 100 }),
        )
        .await;
    assert!(refund.status().is_server_error(), "{}", refund.status());
    let operations = app.state.store.operations_for(&id).await.unwrap();
    assert!(
        operations
            .iter()
            .all(|op| op.kind != paydesk_core::model::OperationKind::Refund),
        "no refund without its audit entry: {operations:?}"
    );
}

/// 200 "the form says it finished" calls for one link at once (e.g. a script replaying the return
/// page) cost the gateway a handful of lookups too.
#[tokio::test]
async fn a_flood_of_confirmations_of_one_link_costs_the_gateway_almost_nothing() {
    let app = crate::common::spawn_app_with(&[("PAYDESK_PAGE_VIEWS_PER_MINUTE", "100000")]).await;
    let id = app.new_checkout(1000).await;
    let page = format!("{}/pay/{id}", app.base);
    assert_eq!(app.http.get(&page).send().await.unwrap().status(), 200);
    tokio::time::sleep(paydesk_core::recent_lookups::FRESH_FOR).await;
    let before = app.gateway_lookups().await;
    let mut confirmations = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (http, url, id) = (
            app.http.clone(),
            format!("{}/rpc/confirm_link", app.base),
            id.clone(),
        );
        confirmations.spawn(async move {
            http.post(url)
                .form(&[
                    ("kind", "payment"),
                    ("id", id.as_str()),
                    ("sig", ""),
                    ("lang", "en"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    for status in confirmations.join_all().await {
        assert_eq!(status, 200);
    }
    let lookups = app.gateway_lookups().await - before;
    assert!(
        lookups <= 5,
        "{lookups} gateway lookups for 200 confirmations"
    );
}

/// A forged or altered link sent to a server function is refused with the status that says so
/// (404, or 429 for a held client), not a 500 that reads as paydesk failing; its body is the typed
/// error the page shows.
#[tokio::test]
async fn a_forged_link_is_refused_as_not_found_not_as_a_server_failure() {
    use crate::gateway_refund_page::{awaiting_card, rpc};
    let app = crate::common::spawn_app().await;
    let (id, _) = awaiting_card(&app, 800).await;
    for endpoint in ["card_submission", "link_page"] {
        let (status, body) = rpc(
            &app,
            endpoint,
            &[
                ("kind", "refund"),
                ("id", id.as_str()),
                ("sig", "AAAAAAAAAAAAAAAAAAAAAA"),
                ("retry", "false"),
                ("lang", "en"),
            ],
        )
        .await;
        assert_eq!(status, 404, "{endpoint}: {body}");
        assert!(body.contains("not_found"), "{endpoint}: {body}");
    }
}

/// The merchant API's answers name payout URLs and customers' orders: none may be cached, whatever
/// the answer (a resource, an error, the document).
#[tokio::test]
async fn api_answers_are_never_cached() {
    let app = crate::common::spawn_app().await;
    let link = app
        .post(
            "/api/v1/refund-links",
            serde_json::json!({ "amount": 700, "currency": "USD", "reason": "Returned item" }),
        )
        .await;
    assert_eq!(link.status(), 201);
    assert_eq!(link.headers()["cache-control"], "no-store");
    for path in [
        "/api/v1/refund-links/rfl_unknown",
        "/api/v1/openapi.json",
        "/api/v1/nothing",
    ] {
        let answer = app
            .http
            .get(format!("{}{path}", app.base))
            .bearer_auth(crate::common::TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.headers()["cache-control"], "no-store", "{path}");
    }
}

/// Whatever may never be framed says so for old browsers too (`X-Frame-Options: DENY`); customer
/// pages, which storefronts frame, keep to their CSP. Every answer refuses the powerful features no
/// paydesk page uses.
#[tokio::test]
async fn frames_and_browser_features_are_refused_where_nothing_needs_them() {
    let app = crate::common::spawn_app().await;
    let id = app.new_checkout(900).await;
    for (path, framed) in [
        ("/admin/login", false),
        ("/api/v1/openapi.json", false),
        ("/nowhere", false),
        ("/healthz", false),
        (&*format!("/pay/{id}"), true),
    ] {
        let response = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(
            headers.get("x-frame-options").is_none(),
            framed,
            "{path}: {headers:?}"
        );
        let policy = headers["permissions-policy"].to_str().unwrap();
        assert!(
            policy.contains("camera=()") && policy.contains("geolocation=()"),
            "{path}: {policy}"
        );
        assert!(
            !policy.contains("payment"),
            "wallets stay possible: {policy}"
        );
    }
}

/// Requests without a valid API token are limited per client address: guessing (or a revoked token
/// in a loop) hears 429 with Retry-After; a valid token from the same address is still served.
#[tokio::test]
async fn requests_without_a_valid_token_are_limited_per_address() {
    let app = crate::common::spawn_app_with(&[
        ("PAYDESK_API_BAD_TOKENS_PER_MINUTE", "3"),
        ("PAYDESK_CLIENT_IP_HEADER", "X-Forwarded-For"),
    ])
    .await;
    let call = |token: &'static str, client: &'static str| {
        app.http
            .get(format!("{}/api/v1/dashboard", app.base))
            .header("x-forwarded-for", client)
            .bearer_auth(token)
            .send()
    };
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            call("not-a-token", "198.51.100.20")
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let held = call("not-a-token", "198.51.100.20").await.unwrap();
    assert!(held.headers().contains_key("retry-after"));
    let body: serde_json::Value = held.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    let good = call(crate::common::TOKEN, "198.51.100.20").await.unwrap();
    assert_eq!(good.status(), 200, "a valid token is not held");
    let other = call("not-a-token", "203.0.113.5").await.unwrap();
    assert_eq!(other.status(), 401, "another client is not held");
}
