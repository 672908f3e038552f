//! Builds the running application from settings: binds listeners, starts the sandbox when there is
//! no gateway key, opens the store and the state, then serves the router (`http`) with its
//! background jobs (`jobs`).

use metrics_exporter_prometheus::PrometheusHandle;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use leptos::config::LeptosOptions;
use paydesk_core::api_tokens;
use paydesk_core::gateways::commercehub::{
    CommerceHub, CommerceHubAccount, CommerceHubClient, CommerceHubError,
};
use paydesk_core::gateways::omni::hosted_forms::HostedForms;
use paydesk_core::gateways::omni::{ApiKey, OmniClient, OmniError};
use paydesk_core::gateways::payroc::{
    PayrocApiKey, PayrocClient, PayrocEndpoints, PayrocError, MIN_POLL_TIMEOUT,
};
use paydesk_core::link_signer::LinkSigner;
use paydesk_core::merchant_events::delivery::{Deliverer, DeliveryConfig};
use paydesk_core::merchant_events::signature::WebhookSigner;
use paydesk_core::origin::origin_of;
use paydesk_core::store::{
    now_ms, redacted_url, DataMode, InstanceLock, Store, StoreError, StoreOptions,
    LINK_SIGNING_KEY, PREVIOUS_LINK_SIGNING_KEY,
};
use paydesk_core::{AppState, PaymentsConfig, WorkSignal};
use rand::RngCore;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::admin::login_guard::LoginGuard;
use crate::assets::SiteAssets;
use crate::rate_limits::RateLimits;
use crate::sandbox::commercehub::{CommerceHubSandboxConfig, RunningCommerceHubSandbox};
use crate::sandbox::omni::{self, OmniSandboxConfig, RunningOmniSandbox};
use crate::sandbox::payroc::{PayrocSandboxConfig, RunningPayrocSandbox};
use secrecy::{ExposeSecret, SecretString};

use crate::settings::{
    CommerceHubMode, GatewayMode, PayrocMode, Settings, DEFAULT_LIVE_DATABASE_URL,
    DEFAULT_SANDBOX_DATABASE_URL,
};
use crate::{demo_storefront, http, jobs};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Metrics(#[from] crate::metrics_endpoint::MetricsError),
    #[error("gateway client: {0}")]
    Gateway(#[from] OmniError),
    #[error("sandbox: {0}")]
    Sandbox(#[from] crate::sandbox::omni::SandboxError),
    #[error("Payroc client: {0}")]
    Payroc(#[from] PayrocError),
    #[error("Commerce Hub client: {0}")]
    CommerceHub(#[from] CommerceHubError),
    #[error("{}", mode_mismatch(database, *holds, *wanted))]
    DataModeMismatch {
        database: String,
        holds: DataMode,
        wanted: DataMode,
    },
    #[error("could not create the database directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

/// A built application, ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub addr: SocketAddr,
    pub public_url: String,
    pub state: AppState,
    pub sandbox: Option<RunningOmniSandbox>,
    /// In sandbox mode: the simulated Payroc Cloud and its virtual terminals.
    pub payroc_sandbox: Option<RunningPayrocSandbox>,
    pub commercehub_sandbox: Option<RunningCommerceHubSandbox>,
    /// In sandbox mode: the example storefront that embeds paydesk.
    pub storefront_url: Option<String>,
    /// In sandbox mode without `PAYDESK_MERCHANT_TOKEN`: an all-scopes API token made for this run.
    pub generated_token: Option<SecretString>,
    /// In sandbox mode: the key every simulator's API and controls accept.
    pub sandbox_api_key: Option<SecretString>,
    /// Where Prometheus scrapes `/metrics`, when `PAYDESK_METRICS_ADDR` is set.
    pub metrics_addr: Option<SocketAddr>,
    metrics: Option<(TcpListener, PrometheusHandle)>,
    /// Sends paydesk's own events to the merchant, when a URL is configured.
    deliverer: Option<Deliverer>,
    reconcile_interval: Duration,
    /// What a client may take of the server (`PAYDESK_HTTP_*`).
    http: crate::serve::HttpLimits,
    /// Held for as long as the application lives: the only server on its SQLite database.
    _instance_lock: Option<InstanceLock>,
    stop: Arc<watch::Sender<bool>>,
}

/// Stops a running [`Application`] (its server and background work), as Ctrl-C would.
#[derive(Clone, Debug)]
pub struct StopHandle(Arc<watch::Sender<bool>>);

impl StopHandle {
    /// Stops it, even if it has not started serving yet (the value is kept for receivers to come).
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// What to do when a database holds the other mode's data.
fn mode_mismatch(database: &str, holds: DataMode, wanted: DataMode) -> String {
    match (holds, wanted) {
        (DataMode::Sandbox, _) => format!(
            "DATABASE_URL {database} holds sandbox data (test tokens, keys and links): live mode never \
             uses it. Point DATABASE_URL at a new database for live payments (without DATABASE_URL, live \
             mode uses {DEFAULT_LIVE_DATABASE_URL}), or unset PAYDESK_GATEWAY_API_KEY to keep using the \
             sandbox."
        ),
        (DataMode::Live, _) => format!(
            "DATABASE_URL {database} holds live data: the sandbox never writes to it. Unset DATABASE_URL \
             (the sandbox then uses {DEFAULT_SANDBOX_DATABASE_URL}) or point it at another database, or \
             set PAYDESK_GATEWAY_API_KEY to run in live mode."
        ),
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })
}

/// Creates the directory a `sqlite://path/file.db` URL points into.
pub(crate) fn ensure_sqlite_dir(database_url: &str) -> Result<(), StartupError> {
    if !crate::settings::is_sqlite(database_url) {
        return Ok(());
    }
    let path = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|source| StartupError::DataDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

/// The listeners bound before anything else: the site's, and in sandbox mode the example
/// storefront's (its origin may embed paydesk).
struct Listeners {
    site: TcpListener,
    addr: SocketAddr,
    storefront: Option<TcpListener>,
    storefront_url: Option<String>,
}

impl Listeners {
    async fn bind(settings: &Settings) -> Result<Listeners, StartupError> {
        let site = bind(settings.site_addr).await?;
        let addr = site.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.site_addr,
            source,
        })?;
        let storefront = match &settings.gateway {
            GatewayMode::Sandbox {
                storefront_addr: Some(storefront_addr),
                ..
            } => Some(bind(*storefront_addr).await?),
            _ => None,
        };
        let storefront_url = storefront
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| format!("http://{a}"));
        Ok(Listeners {
            site,
            addr,
            storefront,
            storefront_url,
        })
    }
}

/// The configured frame ancestors, and the example storefront's origin when there is one.
fn frame_ancestors(settings: &Settings, storefront_url: Option<&str>) -> Vec<String> {
    let mut frame_ancestors = settings.frame_ancestors.clone();
    if let Some(origin) = storefront_url {
        if !frame_ancestors.iter().any(|a| a == origin) {
            frame_ancestors.push(origin.to_string());
        }
    }
    frame_ancestors
}

/// Opens the database — after taking the instance lock (a second server on one SQLite file refuses
/// to start) and before anything is read or written, refusing one that holds the other mode's data.
async fn open_store(settings: &Settings) -> Result<(Store, Option<InstanceLock>), StartupError> {
    ensure_sqlite_dir(&settings.database_url)?;
    let instance_lock = InstanceLock::acquire(&settings.database_url)?;
    let store = Store::connect_with(
        &settings.database_url,
        StoreOptions {
            max_connections: settings.database_pool_size,
            migrate: settings.migrate_on_start,
            ..StoreOptions::default()
        },
    )
    .await?;
    let wanted = if settings.is_sandbox() {
        DataMode::Sandbox
    } else {
        DataMode::Live
    };
    let holds = store.claim_data_mode(wanted).await?;
    if holds != wanted {
        return Err(StartupError::DataModeMismatch {
            database: redacted_url(&settings.database_url),
            holds,
            wanted,
        });
    }
    Ok((store, instance_lock))
}

/// The Omni gateway paydesk talks to: the real one, or the sandbox started here.
struct OmniGateway {
    client: OmniClient,
    hosted_form_origin: String,
    /// The secrets its webhooks may be signed with: the current one, and while it is rolled the
    /// one before it.
    webhook_secrets: Vec<SecretString>,
    running: Option<RunningOmniSandbox>,
}

/// Where paydesk itself is reached, for the sandbox's webhooks and framing rules.
struct Reach<'a> {
    addr: SocketAddr,
    public_origin: &'a str,
    frame_ancestors: &'a [String],
}

async fn omni_gateway(
    settings: &Settings,
    sandbox_key: &str,
    reach: Reach<'_>,
) -> Result<OmniGateway, StartupError> {
    match &settings.gateway {
        GatewayMode::Live {
            url,
            api_key,
            hosted_form_origin,
            webhook_secret,
            previous_webhook_secret,
        } => Ok(OmniGateway {
            client: OmniClient::new(
                url,
                ApiKey::new(api_key.expose_secret()),
                settings.gateway_timeout,
            )?,
            hosted_form_origin: hosted_form_origin.clone(),
            webhook_secrets: std::iter::once(webhook_secret)
                .chain(previous_webhook_secret)
                .cloned()
                .collect(),
            running: None,
        }),
        GatewayMode::Sandbox {
            addr: sandbox_addr,
            session_ttl,
            signature_encoding,
            webhook_secret,
            database_url: sandbox_database_url,
            ..
        } => {
            let secret = webhook_secret
                .clone()
                .unwrap_or_else(|| SecretString::from(random_hex(32)));
            let mut merchant_origins = vec![reach.public_origin.to_string()];
            merchant_origins.extend(reach.frame_ancestors.iter().cloned());
            if let Some(url) = sandbox_database_url {
                ensure_sqlite_dir(url)?;
            }
            let sandbox_listener = bind(*sandbox_addr).await?;
            let running = omni::start(
                OmniSandboxConfig {
                    api_key: sandbox_key.to_string(),
                    webhook_url: format!("http://{}/webhooks/gateway", reach.addr),
                    webhook_secret: secret.expose_secret().as_bytes().to_vec(),
                    signature_encoding: *signature_encoding,
                    session_ttl: *session_ttl,
                    merchant_origins,
                    webhook_retry_delays: OmniSandboxConfig::default_retry_delays(),
                    database_url: sandbox_database_url.clone(),
                },
                sandbox_listener,
            )
            .await?;
            let client = OmniClient::new(
                &running.api_url,
                ApiKey::new(sandbox_key.to_string()),
                settings.gateway_timeout,
            )?;
            Ok(OmniGateway {
                client,
                hosted_form_origin: running.origin.clone(),
                webhook_secrets: vec![secret],
                running: Some(running),
            })
        }
    }
}

/// Signs refund links with `key`; while the key is rolled, also accepts the previous one.
fn link_signer(key: String, previous: Option<String>) -> LinkSigner {
    let signer = LinkSigner::new(key.into_bytes());
    match previous {
        Some(previous) => signer.with_previous(previous.into_bytes()),
        None => signer,
    }
}

/// How long a key replaced by `paydesk secrets rotate link-signing-key` still opens the links it
/// signed: longer than any link lives (30 days).
const PREVIOUS_KEY_KEPT_MS: i64 = 31 * 24 * 3600 * 1000;

/// The key that signs refund links and the one before it while it is rolled: the configured ones,
/// or the ones kept in the database.
async fn link_signing_keys(
    settings: &Settings,
    store: &Store,
) -> Result<(String, Option<String>), StartupError> {
    if let Some(key) = &settings.link_signing_key {
        let previous = settings
            .previous_link_signing_key
            .as_ref()
            .map(|previous| previous.expose_secret().to_string());
        return Ok((key.expose_secret().to_string(), previous));
    }
    let key = store
        .secret_or_create(LINK_SIGNING_KEY, LinkSigner::generate_key)
        .await?;
    let previous = match &settings.previous_link_signing_key {
        Some(previous) => Some(previous.expose_secret().to_string()),
        None => store
            .secret(PREVIOUS_LINK_SIGNING_KEY)
            .await?
            .filter(|(_, rotated_at)| now_ms() < rotated_at + PREVIOUS_KEY_KEPT_MS)
            .map(|(previous, _)| previous),
    };
    Ok((key, previous))
}

/// What the payments core is configured with.
fn payments_config(
    settings: &Settings,
    public_url: &str,
    hosted_form_origin: String,
    frame_ancestors: Vec<String>,
    payroc_terminal_id: Option<String>,
) -> PaymentsConfig {
    PaymentsConfig {
        public_url: public_url.to_string(),
        merchant_name: settings.merchant_name.clone(),
        hosted_form_origin,
        use_javascript_callback: settings.use_javascript_callback,
        frame_ancestors,
        checkout_ttl: settings.checkout_ttl,
        refund_link_ttl: settings.refund_link_ttl,
        sandbox_mode: settings.is_sandbox(),
        operation_lost_after: settings.operation_lost_after,
        resend_quiet: settings.gateway_timeout + settings.gateway_still_open,
        max_declines_per_link: settings.max_declines_per_link,
        payroc_terminal_id,
        payout_limits: settings.payout_limits.clone(),
    }
}

/// The merchant webhook deliverer, when a URL is configured.
fn deliverer(settings: &Settings) -> Option<Deliverer> {
    settings.merchant_webhook.as_ref().map(|hook| {
        Deliverer::new(DeliveryConfig {
            url: hook.url.clone(),
            signer: WebhookSigner::rolling(
                hook.secret.expose_secret().as_bytes().to_vec(),
                hook.previous_secret
                    .as_ref()
                    .map(|previous| previous.expose_secret().as_bytes().to_vec()),
            ),
            retry_base: hook.retry_base,
            max_attempts: hook.max_attempts,
            timeout: Duration::from_secs(10),
            poll: hook.poll,
        })
    })
}

/// The metrics listener and recorder, when an address is configured.
/// The metrics listener with its recorder, when `PAYDESK_METRICS_ADDR` asks for one, and its
/// address.
async fn metrics(
    settings: &Settings,
) -> Result<(Option<Metrics>, Option<SocketAddr>), StartupError> {
    let metrics = match settings.metrics_addr {
        Some(addr) => Some((bind(addr).await?, crate::metrics_endpoint::recorder()?)),
        None => None,
    };
    let addr = metrics
        .as_ref()
        .and_then(|(listener, _)| listener.local_addr().ok());
    Ok((metrics, addr))
}

/// The metrics endpoint's listener and the recorder it serves.
type Metrics = (TcpListener, PrometheusHandle);

/// The site's files under their content-hashed names, and the stylesheet's URL; Leptos is told
/// the bundle's folder.
fn site_assets(leptos_options: &mut LeptosOptions) -> (SiteAssets, Arc<str>) {
    let assets = SiteAssets::load(
        std::path::Path::new(&*leptos_options.site_root),
        &leptos_options.site_pkg_dir,
        &leptos_options.output_name,
    );
    let stylesheet = format!(
        "/{}/{}",
        leptos_options.site_pkg_dir,
        assets.stylesheet_name()
    );
    leptos_options.site_pkg_dir = assets.bundle_dir(&leptos_options.site_pkg_dir).into();
    (assets, stylesheet.into())
}

/// What the edge holds for every request: rate limits, the console's sign-in guard, and how the
/// client's address is read.
fn edge(settings: &Settings, state: &AppState) -> http::Edge {
    http::Edge {
        limits: RateLimits::new(settings.rates),
        login_guard: Arc::new(LoginGuard::new(state.store.clone(), settings.login_lockout)),
        client_ip_header: settings.client_ip_header.clone(),
        request_timeout: settings.http.request_timeout,
        console_idle: settings.console_idle,
    }
}

impl Application {
    /// Binds, opens the store, starts or connects the gateways, builds the state, takes over what
    /// stopped instances left, then builds the router: ready to serve.
    pub async fn build(
        settings: Settings,
        mut leptos_options: LeptosOptions,
    ) -> Result<Application, StartupError> {
        let listeners = Listeners::bind(&settings).await?;
        let addr = listeners.addr;
        leptos_options.site_addr = addr;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let public_origin = origin_of(&public_url).unwrap_or_else(|| public_url.clone());
        let frame_ancestors = frame_ancestors(&settings, listeners.storefront_url.as_deref());
        let (store, instance_lock) = open_store(&settings).await?;

        // One key opens every simulator (their controls, `paydesk reconcile`): the configured one,
        // or one made for this run and printed.
        let sandbox_key = sandbox_api_key(&settings);
        let reach = Reach {
            addr,
            public_origin: &public_origin,
            frame_ancestors: &frame_ancestors,
        };
        let omni = omni_gateway(&settings, &sandbox_key, reach).await?;
        let generated_token = install_tokens(&store, &settings).await?;
        let (link_key, previous_link_key) = link_signing_keys(&settings, &store).await?;
        let (payroc, payroc_terminal_id, payroc_sandbox) =
            payroc_client(&settings, &sandbox_key).await?;
        let mut hub_frame_origins = vec![public_url_origin(&public_url)];
        hub_frame_origins.extend(frame_ancestors.iter().cloned());
        let (commercehub, commercehub_sandbox) =
            commercehub_client(&settings, &sandbox_key, hub_frame_origins).await?;

        let (assets, stylesheet) = site_assets(&mut leptos_options);
        let config = payments_config(
            &settings,
            &public_url,
            omni.hosted_form_origin,
            frame_ancestors,
            payroc_terminal_id,
        );
        let state = AppState {
            stylesheet,
            branding: Arc::new(settings.branding.clone()),
            payroc,
            commercehub,
            link_signer: link_signer(link_key, previous_link_key),
            store,
            omni: omni.client,
            hosted_forms: HostedForms::default(),
            lookups: Default::default(),
            device_refunds: Default::default(),
            card_retries: Arc::new(paydesk_core::rate_limit::Limiter::new(
                settings.rates.card_retries,
            )),
            work: WorkSignal::default(),
            config: Arc::new(config),
        };

        // Whatever is still in flight and made by a process that holds no live lease (on SQLite: any,
        // under the instance lock) belongs to a process that died.
        paydesk_core::payments::take_over_stopped_work(&state).await?;

        if let Some(listener) = listeners.storefront {
            demo_storefront::start(state.clone(), listener);
        }

        let (metrics, metrics_addr) = metrics(&settings).await?;
        let router = http::router(
            state.clone(),
            leptos_options,
            assets,
            omni.webhook_secrets,
            edge(&settings, &state),
            metrics.is_some(),
        );

        Ok(Application {
            listener: listeners.site,
            router,
            addr,
            public_url,
            state,
            sandbox: omni.running,
            payroc_sandbox,
            commercehub_sandbox,
            generated_token,
            sandbox_api_key: matches!(settings.gateway, GatewayMode::Sandbox { .. })
                .then(|| SecretString::from(sandbox_key)),
            storefront_url: listeners.storefront_url,
            metrics_addr,
            metrics,
            deliverer: deliverer(&settings),
            reconcile_interval: settings.reconcile_interval,
            http: settings.http,
            _instance_lock: instance_lock,
            stop: Arc::new(watch::channel(false).0),
        })
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }

    /// Serves until the process is asked to stop (Ctrl-C / SIGTERM, or a [`StopHandle`]): it stops
    /// accepting connections, finishes requests in flight, lets its background work end its current
    /// step, then lets go of its leases (so other instances take over at once).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let mut background = vec![jobs::spawn_reconciliation(
            self.state.clone(),
            self.reconcile_interval,
            self.stop.subscribe(),
        )];
        background.extend(jobs::spawn_device_refunds(
            self.state.clone(),
            self.stop.subscribe(),
        ));
        background.extend(jobs::spawn_commercehub_refunds(
            self.state.clone(),
            self.reconcile_interval,
            self.stop.subscribe(),
        ));
        if let Some(deliverer) = self.deliverer.clone() {
            background.push(jobs::spawn_merchant_webhooks(
                self.state.clone(),
                deliverer,
                self.stop.subscribe(),
            ));
        }
        if let Some((listener, handle)) = self.metrics {
            background.push(crate::metrics_endpoint::serve(
                listener,
                self.state.clone(),
                handle,
                self.stop.subscribe(),
            ));
        }
        let mut stopped = self.stop.subscribe();
        let served = crate::serve::serve(self.listener, self.router, self.http, async move {
            tokio::select! {
                _ = shutdown_signal() => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
        })
        .await;
        self.stop.send_replace(true);
        let finished = async {
            for job in background {
                let _ = job.await;
            }
        };
        if tokio::time::timeout(BACKGROUND_GRACE, finished)
            .await
            .is_err()
        {
            tracing::warn!("background work still running at shutdown; its leases will expire");
        }
        match self.state.store.release_all_leases().await {
            Ok(released) => tracing::info!(released, "stopped: leases released"),
            Err(error) => {
                tracing::warn!(%error, "stopped: could not release leases; they will expire")
            }
        }
        served
    }
}

/// How long a stopping server waits for its background work to finish its current step.
const BACKGROUND_GRACE: Duration = Duration::from_secs(10);

/// The client for device refunds: Payroc itself with a key, the simulator (started here) in sandbox
/// mode, or none.
async fn payroc_client(
    settings: &Settings,
    sandbox_key: &str,
) -> Result<
    (
        Option<Arc<PayrocClient>>,
        Option<String>,
        Option<RunningPayrocSandbox>,
    ),
    StartupError,
> {
    let timeout = settings.gateway_timeout;
    match &settings.payroc {
        PayrocMode::Off => Ok((None, None, None)),
        PayrocMode::Live {
            api_url,
            identity_url,
            api_key,
            terminal_id,
        } => {
            let client = PayrocClient::new(
                &PayrocEndpoints {
                    api_url: api_url.clone(),
                    identity_url: identity_url.clone(),
                },
                PayrocApiKey::new(api_key.expose_secret()),
                timeout,
                MIN_POLL_TIMEOUT,
            )?;
            Ok((Some(Arc::new(client)), Some(terminal_id.clone()), None))
        }
        PayrocMode::Sandbox { addr, hold } => {
            let api_key = sandbox_key.to_string();
            let database_url = match &settings.gateway {
                GatewayMode::Sandbox { database_url, .. } => database_url.clone(),
                GatewayMode::Live { .. } => None,
            };
            let mut config = PayrocSandboxConfig::new(api_key.clone(), database_url);
            config.hold = *hold;
            config.variants = sandbox_variants(settings);
            let listener = bind(*addr).await?;
            let running = crate::sandbox::payroc::start(config, listener).await?;
            let client = PayrocClient::new(
                &PayrocEndpoints {
                    api_url: running.api_url.clone(),
                    identity_url: running.identity_url.clone(),
                },
                PayrocApiKey::new(api_key),
                timeout,
                MIN_POLL_TIMEOUT.max(*hold + Duration::from_secs(15)),
            )?;
            Ok((
                Some(Arc::new(client)),
                Some(running.terminal_id.clone()),
                Some(running),
            ))
        }
    }
}

/// The key every simulator accepts (in sandbox mode): `PAYDESK_SANDBOX_API_KEY`, or one made for this
/// run — printed at startup, so a new user can call the simulators' controls.
fn sandbox_api_key(settings: &Settings) -> String {
    match &settings.gateway {
        GatewayMode::Sandbox {
            api_key: Some(key), ..
        } => key.expose_secret().to_string(),
        _ => format!("key_test_{}", random_hex(16)),
    }
}

fn public_url_origin(public_url: &str) -> String {
    origin_of(public_url).unwrap_or_else(|| public_url.to_string())
}

/// Commerce Hub for refunds of its charges: Commerce Hub itself with a key, the simulator (started
/// here, letting `frame_origins` frame its Hosted Fields) in sandbox mode, or none.
async fn commercehub_client(
    settings: &Settings,
    sandbox_key: &str,
    frame_origins: Vec<String>,
) -> Result<(Option<Arc<CommerceHub>>, Option<RunningCommerceHubSandbox>), StartupError> {
    let timeout = settings.gateway_timeout;
    match &settings.commercehub {
        CommerceHubMode::Off => Ok((None, None)),
        CommerceHubMode::Live {
            api_url,
            api_key,
            api_secret,
            merchant_id,
            terminal_id,
            sdk_url,
            sdk_integrity,
            closed_account_codes,
        } => {
            let client = CommerceHubClient::new(
                api_url,
                CommerceHubAccount {
                    api_key: api_key.expose_secret().to_string(),
                    api_secret: api_secret.clone(),
                    merchant_id: merchant_id.clone(),
                    terminal_id: terminal_id.clone(),
                },
                timeout,
            )?;
            let environment = if api_url.contains("cert") {
                "CERT"
            } else {
                "PROD"
            };
            Ok((
                Some(Arc::new(CommerceHub {
                    client,
                    sdk_url: sdk_url.clone(),
                    sdk_integrity: sdk_integrity.clone(),
                    environment: environment.into(),
                    closed_account_codes: closed_account_codes.clone(),
                })),
                None,
            ))
        }
        CommerceHubMode::Sandbox {
            addr,
            closed_account_codes,
        } => {
            let api_key = sandbox_key.to_string();
            let api_secret = crate::sandbox::commercehub_secret_for(&api_key);
            let database_url = match &settings.gateway {
                GatewayMode::Sandbox { database_url, .. } => database_url.clone(),
                GatewayMode::Live { .. } => None,
            };
            let mut config =
                CommerceHubSandboxConfig::new(api_key.clone(), api_secret.clone(), database_url);
            config.frame_origins = frame_origins;
            config.variants = sandbox_variants(settings);
            let listener = bind(*addr).await?;
            let running = crate::sandbox::commercehub::start(config, listener).await?;
            let client = CommerceHubClient::new(
                &running.api_url,
                CommerceHubAccount {
                    api_key,
                    api_secret: api_secret.into(),
                    merchant_id: running.merchant_id.clone(),
                    terminal_id: running.terminal_id.clone(),
                },
                timeout,
            )?;
            Ok((
                Some(Arc::new(CommerceHub {
                    client,
                    sdk_url: running.sdk_url.clone(),
                    sdk_integrity: Some(crate::sandbox::commercehub::sdk_integrity()),
                    environment: "CERT".into(),
                    closed_account_codes: closed_account_codes.clone(),
                })),
                Some(running),
            ))
        }
    }
}

/// Makes `PAYDESK_MERCHANT_TOKEN` (when set) an active all-scopes token and retires a previous one;
/// in sandbox mode without it, makes a token for this run. Other tokens come from `paydesk token`.
async fn install_tokens(
    store: &Store,
    settings: &Settings,
) -> Result<Option<SecretString>, StartupError> {
    match &settings.merchant_token {
        Some(token) => {
            api_tokens::install(
                store,
                token.expose_secret(),
                "PAYDESK_MERCHANT_TOKEN",
                "env",
            )
            .await?;
            Ok(None)
        }
        None => {
            store.revoke_tokens_of_source("env", None, now_ms()).await?;
            if settings.is_sandbox() {
                let token = format!("pdk_test_{}", random_hex(20));
                api_tokens::install(store, &token, "sandbox run", "sandbox").await?;
                Ok(Some(SecretString::from(token)))
            } else {
                if !store.tokens().await?.iter().any(|t| t.revoked_at.is_none()) {
                    tracing::warn!("no API token exists yet: create one with `paydesk token create --name <name> --scopes payments,refunds`");
                }
                Ok(None)
            }
        }
    }
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The documented answer variants the simulators draw from `PAYDESK_SANDBOX_VARIANTS_SEED`.
fn sandbox_variants(settings: &Settings) -> crate::sandbox::variants::Variants {
    match &settings.gateway {
        GatewayMode::Sandbox { variants_seed, .. } => {
            crate::sandbox::variants::Variants::from_seed(*variants_seed)
        }
        GatewayMode::Live { .. } => crate::sandbox::variants::Variants::off(),
    }
}
