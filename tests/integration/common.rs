//! Spawns the real paydesk server and its sandbox on port 0 with a temporary database.

use std::collections::HashMap;
use std::time::Duration;

use leptos::config::LeptosOptions;
use paydesk::settings::Settings;
use paydesk::startup::{Application, StopHandle};
use paydesk_core::AppState;
use serde_json::Value;
use std::sync::Arc;

pub const TOKEN: &str = "test_merchant_token_0123456789abcdef";
pub const WEBHOOK_SECRET: &str = "whsec_test_secret_0123456789";

pub struct TestApp {
    /// The public URL (what pages and links show).
    pub base: String,
    /// Where the server really listens (differs from `base` when the public URL is https).
    listen: String,
    pub sandbox_origin: String,
    pub sandbox_api_key: String,
    /// The Payroc simulator's virtual terminals (`…/terminal`) and its API key.
    pub payroc_terminal: String,
    pub payroc_api_key: String,
    /// The Commerce Hub simulator's origin and API key (its `/sandbox/…` controls take it).
    pub commercehub_origin: String,
    pub commercehub_api_key: String,
    pub state: AppState,
    /// `http://…/metrics` on the metrics listener, when `PAYDESK_METRICS_ADDR` was set.
    pub metrics_url: Option<String>,
    pub http: reqwest::Client,
    /// The app's database, kept as long as the app.
    pub db: Arc<TestDatabase>,
    stop: StopHandle,
    /// The serving task, awaited by [`TestApp::stop`].
    served: std::sync::Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_in(Arc::new(TestDatabase::fresh().await), extra).await
}

/// The database of one test's app: a SQLite file in a temporary directory, or — when
/// `PAYDESK_TEST_DATABASE_URL` names a PostgreSQL server (`make test` runs the suite both ways) — a
/// new database on that server, dropped afterwards.
pub struct TestDatabase {
    /// A temporary directory (the SQLite file), kept as long as the database.
    _dir: tempfile::TempDir,
    pub url: String,
    /// The server's URL and this database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn fresh() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var("PAYDESK_TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() => {
                use sqlx::Connection;
                let name = format!(
                    "paydesk_test_{}",
                    ulid::Ulid::new().to_string().to_lowercase()
                );
                let mut admin = sqlx::PgConnection::connect(&server)
                    .await
                    .expect("PAYDESK_TEST_DATABASE_URL answers");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create a test database");
                admin.close().await.ok();
                let mut url = url::Url::parse(&server).expect("PAYDESK_TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                TestDatabase {
                    _dir: dir,
                    url: url.to_string(),
                    postgres: Some((server, name)),
                }
            }
            _ => {
                let url = format!("sqlite://{}/paydesk.db", dir.path().display());
                TestDatabase {
                    _dir: dir,
                    url,
                    postgres: None,
                }
            }
        }
    }

    /// Where the app's sandbox keeps its ledger (in this database's directory).
    /// A SQLite database, whichever database the suite runs on (a move's source).
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/paydesk.db", dir.path().display());
        TestDatabase {
            _dir: dir,
            url,
            postgres: None,
        }
    }

    pub fn sandbox_url(&self) -> String {
        format!("sqlite://{}/sandbox-gateway.db", self._dir.path().display())
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A short-lived connection pool to this database, for a test's own SQL.
    async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url)
            .await
            .expect("test database")
    }

    /// Runs SQL on this database directly (a test moving time, or making a write fail).
    pub async fn sql(&self, statement: &str) {
        let pool = self.pool().await;
        sqlx::raw_sql(statement)
            .execute(&pool)
            .await
            .expect("test SQL");
        pool.close().await;
    }

    /// One integer a query returns (e.g. a count).
    pub async fn count(&self, query: &str) -> i64 {
        let pool = self.pool().await;
        let (value,): (i64,) = sqlx::query_as(query)
            .fetch_one(&pool)
            .await
            .expect("test query");
        pool.close().await;
        value
    }

    /// The first column of every row a query returns, as text.
    pub async fn texts(&self, query: &str) -> Vec<String> {
        let pool = self.pool().await;
        let rows: Vec<(String,)> = sqlx::query_as(query)
            .fetch_all(&pool)
            .await
            .expect("test query");
        pool.close().await;
        rows.into_iter().map(|(text,)| text).collect()
    }

    /// Makes every insert into `table` fail with `message` (a full disk, a busy database), on
    /// either database, until [`TestDatabase::mend_inserts`].
    pub async fn break_inserts(&self, table: &str, message: &str) {
        if self.is_postgres() {
            self.sql(&format!(
                "CREATE FUNCTION broken_{table}() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION '{message}'; END $$; \
                 CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} FOR EACH ROW \
                 EXECUTE FUNCTION broken_{table}();"
            ))
            .await;
        } else {
            self.sql(&format!(
                "CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{message}'); END"
            ))
            .await;
        }
    }

    pub async fn mend_inserts(&self, table: &str) {
        if self.is_postgres() {
            self.sql(&format!(
                "DROP TRIGGER broken_{table} ON {table}; DROP FUNCTION broken_{table}();"
            ))
            .await;
        } else {
            self.sql(&format!("DROP TRIGGER broken_{table}")).await;
        }
    }
}

/// Every merchant event stored in the database at `url` that does not match the schema published
/// for its type, with why (none when the database holds no events table).
async fn events_off_schema(url: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let Ok(pool) = sqlx::AnyPool::connect(url).await else {
        return Vec::new();
    };
    let rows: Result<Vec<(String, String)>, _> =
        sqlx::query_as("SELECT event_type, payload FROM merchant_events")
            .fetch_all(&pool)
            .await;
    pool.close().await;
    let rows = match rows {
        Ok(rows) => rows,
        // A database paydesk never migrated (its startup was refused) holds no events.
        Err(error) if error.to_string().contains("merchant_events") => Vec::new(),
        Err(error) => return vec![format!("reading the events: {error}")],
    };
    if rows.is_empty() {
        return Vec::new();
    }
    let schemas = event_schemas();
    rows.into_iter()
        .filter_map(|(event_type, payload)| {
            let schema = serde_json::json!({ "$ref": format!(
                "#/components/schemas/{}",
                paydesk::api::openapi::event_schema_name(&event_type)
            ) });
            let value: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            let errors = schemas.errors(&schema, &value, &event_type);
            (!errors.is_empty()).then(|| format!("{event_type}: {errors:?}: {payload}"))
        })
        .collect()
}

/// When a test's database goes, every event the test made paydesk emit is checked against its
/// published schema (the test fails on one that does not match), and a PostgreSQL database is
/// dropped.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = self.url.clone();
        let postgres = self.postgres.take();
        let check = !std::thread::panicking();
        // Dropped from its own thread and runtime: Drop cannot await, and may run inside one.
        let off_schema = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return Vec::new();
            };
            runtime.block_on(async move {
                let off_schema = if check {
                    events_off_schema(&url).await
                } else {
                    Vec::new()
                };
                if let Some((server, name)) = postgres {
                    use sqlx::Connection;
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&server).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut admin)
                                .await;
                        let _ = admin.close().await;
                    }
                }
                off_schema
            })
        })
        .join()
        .unwrap_or_default();
        assert!(
            off_schema.is_empty(),
            "events that do not match their published schema: {off_schema:#?}"
        );
    }
}

/// Builds (without serving) paydesk on the database `db`, returning what startup said.
pub async fn try_build_in(
    db: &TestDatabase,
    extra: &[(&str, &str)],
) -> Result<Application, paydesk::startup::StartupError> {
    let mut env: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("PAYDESK_SANDBOX_ADDR", "127.0.0.1:0"),
        ("PAYDESK_PAYROC_SANDBOX_ADDR", "127.0.0.1:0"),
        ("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "127.0.0.1:0"),
        ("PAYDESK_DEMO_STOREFRONT_ADDR", "off"),
        ("PAYDESK_MERCHANT_TOKEN", TOKEN),
        ("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("DATABASE_URL".into(), db.url.clone());
    env.insert("PAYDESK_SANDBOX_DATABASE_URL".into(), db.sandbox_url());
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("settings");
    let options = LeptosOptions::builder()
        .output_name("paydesk")
        .site_root(
            env.get("LEPTOS_SITE_ROOT")
                .cloned()
                .unwrap_or("target/site".into()),
        )
        .build();
    Application::build(settings, options).await
}

/// Starts paydesk on the database `db` (e.g. again after [`TestApp::stop`], as a restart).
pub async fn spawn_app_in(db: Arc<TestDatabase>, extra: &[(&str, &str)]) -> TestApp {
    let database_url = db.url.clone();
    let mut env: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("PAYDESK_SANDBOX_ADDR", "127.0.0.1:0"),
        ("PAYDESK_PAYROC_SANDBOX_ADDR", "127.0.0.1:0"),
        ("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "127.0.0.1:0"),
        ("PAYDESK_DEMO_STOREFRONT_ADDR", "127.0.0.1:0"),
        ("PAYDESK_MERCHANT_TOKEN", TOKEN),
        ("PAYDESK_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("DATABASE_URL".into(), database_url);
    // The sandbox keeps its ledger beside a SQLite database; on PostgreSQL, in this test's directory.
    env.insert("PAYDESK_SANDBOX_DATABASE_URL".into(), db.sandbox_url());
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("settings");
    let options = LeptosOptions::builder()
        .output_name("paydesk")
        .site_root(
            env.get("LEPTOS_SITE_ROOT")
                .cloned()
                .unwrap_or("target/site".into()),
        )
        .build();
    let application = Application::build(settings, options)
        .await
        .expect("app builds");
    let base = application.public_url.clone();
    let listen = format!("http://{}", application.addr);
    let sandbox_origin = application
        .sandbox
        .as_ref()
        .map(|s| s.origin.clone())
        .unwrap_or_default();
    let sandbox_api_key = application
        .sandbox
        .as_ref()
        .map(|s| s.api_key.clone())
        .unwrap_or_default();
    let payroc_terminal = application
        .payroc_sandbox
        .as_ref()
        .map(|s| s.terminal_url.clone())
        .unwrap_or_default();
    let payroc_api_key = application
        .payroc_sandbox
        .as_ref()
        .map(|s| s.api_key.clone())
        .unwrap_or_default();
    let (commercehub_origin, commercehub_api_key) = application
        .commercehub_sandbox
        .as_ref()
        .map(|s| (s.origin.clone(), s.api_key.clone()))
        .unwrap_or_default();
    let state = application.state.clone();
    let metrics_url = application
        .metrics_addr
        .map(|addr| format!("http://{addr}/metrics"));
    let stop = application.stop_handle();
    let served = std::sync::Mutex::new(Some(tokio::spawn(application.run_until_stopped())));
    TestApp {
        base,
        listen,
        sandbox_origin,
        sandbox_api_key,
        payroc_terminal,
        payroc_api_key,
        commercehub_origin,
        commercehub_api_key,
        state,
        metrics_url,
        // A hang must fail the test, not stall the run.
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        db,
        stop,
        served,
    }
}

impl TestApp {
    /// The address the server listens on, as a URL.
    pub fn local_base(&self) -> &str {
        &self.listen
    }

    /// Stops the server and its background work (the database stays, for a restart).
    /// Stops it as SIGTERM would, and waits until it has (requests finished, leases released).
    pub async fn stop(&self) {
        self.stop.stop();
        let served = self.served.lock().ok().and_then(|mut served| served.take());
        if let Some(served) = served {
            let _ = tokio::time::timeout(Duration::from_secs(15), served).await;
        }
    }

    pub async fn create_checkout(&self, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}/api/v1/checkouts", self.base))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn checkout(&self, id: &str) -> Value {
        self.get(&format!("/api/v1/checkouts/{id}")).await
    }

    /// Delivers a gateway webhook with the given `x-fsk-wh-chksm` signature header.
    pub async fn post_gateway_webhook(&self, body: &str, signature: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/webhooks/gateway", self.base))
            .header("content-type", "application/json")
            .header("x-fsk-wh-chksm", signature)
            .body(body.to_string())
            .send()
            .await
            .expect("webhook")
    }

    /// Creates a checkout and opens its hosted session the way the payment page does.
    /// A new checkout's id (USD, order `T-1`).
    pub async fn new_checkout(&self, amount: i64) -> String {
        let created: Value = self
            .create_checkout(
                serde_json::json!({ "amount": amount, "currency": "USD", "orderNumber": "T-1" }),
            )
            .await
            .json()
            .await
            .expect("json");
        created["id"].as_str().expect("id").to_string()
    }

    /// How many lookups (`GET /transactions`) the sandbox gateway has answered so far.
    pub async fn gateway_lookups(&self) -> u64 {
        let calls: Value = self
            .http
            .get(format!("{}/sandbox/calls", self.sandbox_origin))
            .header("x-api-key", &self.sandbox_api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        calls["calls"]["transactions"].as_u64().unwrap_or(0)
    }

    pub async fn open_session(&self, amount: i64) -> (String, paydesk_core::model::HostedForm) {
        let id = self.new_checkout(amount).await;
        let form = self.hosted_form(&id).await;
        (id, form)
    }

    pub async fn hosted_form(&self, id: &str) -> paydesk_core::model::HostedForm {
        let page =
            crate::common::payment_page(&self.state, id, paydesk_core::payments::Intent::View)
                .await
                .expect("page");
        match page.state {
            paydesk_core::model::PaymentState::Ready(form) => form,
            other => panic!("expected a ready form, got {other:?}"),
        }
    }

    /// Types a card into the sandbox's hosted form (as the browser would post it).
    pub async fn submit_card(&self, iframe_url: &str, card: &str) -> reqwest::Response {
        self.http
            .post(iframe_url)
            .form(&[
                ("cardNumber", card),
                ("expiry", "12/39"),
                ("cvv", "123"),
                ("postalCode", "12345"),
            ])
            .send()
            .await
            .expect("submit")
    }

    /// As [`TestApp::submit_card`], in the background: the HTTP status it gets, once it gets one
    /// (for a card submitted while something else happens).
    pub fn submit_card_in_background(
        &self,
        iframe_url: &str,
        card: &'static str,
    ) -> tokio::task::JoinHandle<u16> {
        let (http, url) = (self.http.clone(), iframe_url.to_string());
        tokio::spawn(async move {
            http.post(url)
                .form(&[
                    ("cardNumber", card),
                    ("expiry", "12/39"),
                    ("cvv", "123"),
                    ("postalCode", "12345"),
                ])
                .send()
                .await
                .expect("submit")
                .status()
                .as_u16()
        })
    }

    /// Polls the merchant API until the checkout reaches `status` (webhooks are asynchronous).
    pub async fn wait_for_status(&self, id: &str, status: &str) -> Value {
        for _ in 0..100 {
            let checkout = self.checkout(id).await;
            if checkout["status"] == status {
                return checkout;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "checkout {id} never reached {status}: {}",
            self.checkout(id).await
        );
    }

    /// POSTs JSON to the merchant API (empty body when `body` is null).
    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        request.send().await.expect("request")
    }

    /// GETs a merchant API resource as JSON.
    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }

    /// A checkout paid with `card` and confirmed authorized.
    pub async fn authorized_checkout(&self, amount: i64, card: &str) -> String {
        let (id, form) = self.open_session(amount).await;
        assert_eq!(self.submit_card(&form.iframe_url, card).await.status(), 200);
        self.wait_for_status(&id, "authorized").await;
        id
    }

    /// Settles the sandbox's open batch: its transactions can then only be refunded.
    pub async fn close_batch(&self) {
        let response = self
            .http
            .post(format!("{}/sandbox/batches/close", self.sandbox_origin))
            .header("x-api-key", &self.sandbox_api_key)
            .send()
            .await
            .expect("close batch");
        assert_eq!(response.status(), 200);
    }

    /// Queues a sandbox fault (`{"operation", "fault", "applied", "count", "delayMs"}`).
    pub async fn inject(&self, fault: Value) -> reqwest::Response {
        self.http
            .post(format!("{}/sandbox/faults", self.sandbox_origin))
            .header("x-api-key", &self.sandbox_api_key)
            .json(&fault)
            .send()
            .await
            .expect("queue fault")
    }

    /// Makes the sandbox's next `operation` answer `Interrupted`, after doing it (`applied`) or
    /// not.
    pub async fn queue_fault(&self, operation: &str, applied: bool) {
        let response = self
            .http
            .post(format!("{}/sandbox/faults", self.sandbox_origin))
            .header("x-api-key", &self.sandbox_api_key)
            .json(&serde_json::json!({ "operation": operation, "applied": applied }))
            .send()
            .await
            .expect("queue fault");
        assert_eq!(response.status(), 200);
    }
}

/// A payment link's page data, as the payment page asks for it (in English).
pub async fn payment_page(
    state: &AppState,
    id: &str,
    intent: paydesk_core::payments::Intent,
) -> Result<paydesk_core::model::CheckoutPage, paydesk_core::payments::PaymentsError> {
    paydesk_core::payments::link_page(
        state,
        &paydesk_core::model::LinkRef::payment(id),
        intent,
        paydesk_core::i18n::Locale::En,
    )
    .await
}

impl TestApp {
    /// The app's database URL (for the `paydesk` command line).
    pub fn database_url(&self) -> String {
        self.db.url.clone()
    }

    /// Runs SQL on the app's database directly (a test moving time, or making a write fail).
    pub async fn sql(&self, statement: &str) {
        self.db.sql(statement).await;
    }

    /// Delivers a gateway webhook body signed with the test secret; returns the HTTP status.
    pub async fn post_signed_webhook(&self, body: &str) -> u16 {
        use paydesk_core::gateways::omni::signature::{sign, SignatureEncoding};
        let signature = sign(
            WEBHOOK_SECRET.as_bytes(),
            body.as_bytes(),
            SignatureEncoding::Hex,
        );
        self.post_gateway_webhook(body, &signature)
            .await
            .status()
            .as_u16()
    }

    /// A refund link's page reference from its signed URL.
    pub fn refund_link_ref(url: &str) -> paydesk_core::model::LinkRef {
        let path = url.split("/refund/").nth(1).expect("refund link url");
        let (id, sig) = path.split_once("?sig=").expect("signed");
        paydesk_core::model::LinkRef::refund(id, sig)
    }

    /// The merchant events paydesk recorded, oldest first, as (type, data); each checked against
    /// its type's schema in the OpenAPI document.
    pub async fn merchant_events(&self) -> Vec<(String, Value)> {
        let schemas = event_schemas();
        let mut events: Vec<(String, Value)> = self
            .state
            .store
            .merchant_events(None, 500)
            .await
            .expect("events")
            .into_iter()
            .map(|e| {
                let payload: Value = serde_json::from_str(&e.payload).expect("payload");
                assert_event_matches_its_schema(&schemas, &e.event_type, &payload);
                (e.event_type, payload["data"].clone())
            })
            .collect();
        events.reverse();
        events
    }
}

/// The OpenAPI document's schemas, to check events against.
pub fn event_schemas() -> crate::schema::SpecSchemas {
    let document =
        paydesk::api::openapi::document(&paydesk::api::endpoints::endpoints(), "http://127.0.0.1");
    crate::schema::SpecSchemas::new(document, crate::schema::Dialect::OpenApi31)
}

/// Fails unless `payload` (an event of `event_type`) matches the schema published for its type.
pub fn assert_event_matches_its_schema(
    schemas: &crate::schema::SpecSchemas,
    event_type: &str,
    payload: &Value,
) {
    let schema = serde_json::json!({ "$ref": format!(
        "#/components/schemas/{}",
        paydesk::api::openapi::event_schema_name(event_type)
    ) });
    let errors = schemas.errors(&schema, payload, event_type);
    assert!(errors.is_empty(), "{errors:?}: {payload}");
}
