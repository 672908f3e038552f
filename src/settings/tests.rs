//! The settings' tests: defaults, live mode's companions, and every refusal naming its variable.

use super::*;
use crate::settings::values::*;

use std::collections::HashMap;

use secrecy::ExposeSecret;

fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|name| map.get(name).cloned())
}

/// Every name the settings read, in sandbox and in live mode, is one a configuration file may
/// hold (so no setting is refused from a file, or missing from `config check`).
#[test]
fn every_name_read_is_a_known_setting() {
    let asked = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let live: HashMap<&str, &str> = [
        ("PAYDESK_GATEWAY_API_KEY", "k"),
        ("PAYDESK_WEBHOOK_SECRET", "0123456789abcdef0123456789"),
        ("PAYDESK_PUBLIC_URL", "https://pay.example.com"),
        ("PAYDESK_PAYROC_API_KEY", "p"),
        ("PAYDESK_COMMERCEHUB_API_KEY", "c"),
        (
            "PAYDESK_MERCHANT_WEBHOOK_URL",
            "https://shop.example.com/hooks",
        ),
    ]
    .into_iter()
    .collect();
    for pairs in [HashMap::new(), live] {
        let _ = Settings::from_lookup(|name| {
            asked.borrow_mut().insert(name.to_string());
            pairs.get(name).map(|v| v.to_string())
        });
        let _ = SandboxSettings::from_lookup(|name| {
            asked.borrow_mut().insert(name.to_string());
            None
        });
    }
    let unknown: Vec<String> = asked
        .into_inner()
        .into_iter()
        .filter(|name| !crate::config::names::is_setting(name))
        .collect();
    assert!(
        unknown.is_empty(),
        "add to config::names::SETTINGS: {unknown:?}"
    );
}

#[test]
fn nothing_configured_means_sandbox_with_defaults() {
    let s = settings(&[]).unwrap();
    assert!(s.is_sandbox());
    assert_eq!(s.database_url, "sqlite://data/sandbox/paydesk.db");
    match s.gateway {
        GatewayMode::Sandbox { database_url, .. } => assert_eq!(
            database_url.as_deref(),
            Some("sqlite://data/sandbox/sandbox-gateway.db")
        ),
        GatewayMode::Live { .. } => unreachable!(),
    }
    assert!(s.merchant_token.is_none());
    assert!(s.use_javascript_callback);
    assert_eq!(s.merchant_name, "Demo Store");
    assert_eq!(s.operation_lost_after, Duration::from_secs(600));
    assert_eq!(s.gateway_still_open, Duration::from_secs(30));
    assert_eq!(s.reconcile_interval, Duration::from_secs(5));
}

#[test]
fn live_mode_requires_its_companions() {
    let err = settings(&[("PAYDESK_GATEWAY_API_KEY", "key_live_x")]).unwrap_err();
    assert_eq!(err.variable, "PAYDESK_WEBHOOK_SECRET");
    let secret = ("PAYDESK_WEBHOOK_SECRET", "whsec_0123456789abcdef0123");
    let err = settings(&[("PAYDESK_GATEWAY_API_KEY", "key_live_x"), secret]).unwrap_err();
    assert_eq!(err.variable, "PAYDESK_PUBLIC_URL");
    let ok = settings(&[
        ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
        secret,
        ("PAYDESK_MERCHANT_TOKEN", "0123456789abcdef01234567"),
        ("PAYDESK_PUBLIC_URL", "https://pay.example.com/"),
    ])
    .unwrap();
    assert!(!ok.is_sandbox());
    assert_eq!(
        ok.database_url, "sqlite://data/paydesk.db",
        "live data has its own default"
    );
    assert_eq!(ok.public_url.as_deref(), Some("https://pay.example.com"));
    assert_eq!(ok.merchant_name, "pay.example.com");
}

#[test]
fn live_mode_refuses_gateway_and_webhook_urls_in_clear() {
    let live = |extra: (&'static str, &'static str)| {
        settings(&[
            ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
            ("PAYDESK_WEBHOOK_SECRET", "whsec_0123456789abcdef0123"),
            ("PAYDESK_PUBLIC_URL", "https://pay.example.com"),
            (
                "PAYDESK_MERCHANT_WEBHOOK_SECRET",
                "mwsec_0123456789abcdef0123",
            ),
            ("PAYDESK_PAYROC_API_KEY", "payroc_key"),
            ("PAYDESK_PAYROC_TERMINAL_ID", "1234001"),
            extra,
        ])
    };
    for variable in [
        "PAYDESK_GATEWAY_URL",
        "PAYDESK_PAYROC_API_URL",
        "PAYDESK_PAYROC_IDENTITY_URL",
        "PAYDESK_MERCHANT_WEBHOOK_URL",
    ] {
        let err = live((variable, "http://gateway.example.com/v1")).unwrap_err();
        assert_eq!(err.variable, variable);
        assert!(err.problem.contains("https"), "{err}");
        // A simulator or receiver on this machine may be reached in clear.
        assert!(
            live((variable, "http://127.0.0.1:3400/v1")).is_ok(),
            "{variable}"
        );
    }
    // The sandbox delivers its events in clear wherever it is told.
    assert!(settings(&[
        (
            "PAYDESK_MERCHANT_WEBHOOK_URL",
            "http://shop.example.com/hooks"
        ),
        (
            "PAYDESK_MERCHANT_WEBHOOK_SECRET",
            "mwsec_0123456789abcdef0123"
        ),
    ])
    .is_ok());
}

#[test]
fn live_mode_refuses_a_short_webhook_secret_and_a_public_url_in_clear() {
    let live = |secret: &str, url: &str| {
        settings(&[
            ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
            ("PAYDESK_WEBHOOK_SECRET", secret),
            ("PAYDESK_PUBLIC_URL", url),
        ])
    };
    let long = "whsec_0123456789abcdef0123";
    let err = live("whsec_short", "https://pay.example.com").unwrap_err();
    assert_eq!(err.variable, "PAYDESK_WEBHOOK_SECRET");
    assert!(err.problem.contains("at least 24"), "{err}");
    for clear in [
        "http://pay.example.com",
        "http://10.0.0.5:3000",
        "http://127.0.0.1.example.com",
    ] {
        let err = live(long, clear).unwrap_err();
        assert_eq!(err.variable, "PAYDESK_PUBLIC_URL", "{clear}");
        assert!(err.problem.contains("https"), "{err}");
    }
    // This machine only (e.g. behind a local TLS proxy, or in tests) is allowed in clear.
    for local in [
        "https://pay.example.com",
        "http://127.0.0.1:3000",
        "http://localhost:3000",
        "http://[::1]:3000",
    ] {
        assert!(live(long, local).is_ok(), "{local}");
    }
    // The sandbox has neither rule.
    assert!(settings(&[
        ("PAYDESK_WEBHOOK_SECRET", "s"),
        ("PAYDESK_PUBLIC_URL", "http://10.0.0.5:3000")
    ])
    .is_ok());
}

#[test]
fn device_refunds_use_the_simulator_in_sandbox_and_payroc_only_beside_live_payments() {
    assert!(matches!(
        settings(&[]).unwrap().payroc,
        PayrocMode::Sandbox { .. }
    ));
    assert!(matches!(
        settings(&[("PAYDESK_PAYROC_SANDBOX_ADDR", "off")])
            .unwrap()
            .payroc,
        PayrocMode::Off
    ));
    let err = settings(&[("PAYDESK_PAYROC_API_KEY", "pk_live")]).unwrap_err();
    assert_eq!(
        err.variable, "PAYDESK_PAYROC_API_KEY",
        "never real device refunds from sandbox data"
    );
    let live = [
        ("PAYDESK_GATEWAY_API_KEY", "key_live_x"),
        ("PAYDESK_WEBHOOK_SECRET", "whsec_0123456789abcdef0123"),
        ("PAYDESK_PUBLIC_URL", "https://pay.example.com"),
    ];
    assert!(matches!(settings(&live).unwrap().payroc, PayrocMode::Off));
    let mut with_payroc = live.to_vec();
    with_payroc.push(("PAYDESK_PAYROC_API_KEY", "pk_live"));
    assert_eq!(
        settings(&with_payroc).unwrap_err().variable,
        "PAYDESK_PAYROC_TERMINAL_ID"
    );
    with_payroc.push(("PAYDESK_PAYROC_TERMINAL_ID", "1234001"));
    match settings(&with_payroc).unwrap().payroc {
        PayrocMode::Live {
            api_url,
            identity_url,
            terminal_id,
            ..
        } => {
            assert_eq!(api_url, DEFAULT_PAYROC_API_URL);
            assert_eq!(identity_url, DEFAULT_PAYROC_IDENTITY_URL);
            assert_eq!(terminal_id, "1234001");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_sdk_integrity_digest_is_one_the_browser_accepts() {
    let sha384 = format!("sha384-{}", "A".repeat(64));
    assert_eq!(sri_digest("X", sha384.clone()), Ok(sha384));
    assert!(sri_digest("X", format!("sha256-{}=", "A".repeat(43))).is_ok());
    for bad in ["sha384-abc", "md5-AAAA", "", "sha384-", "sha512-!!!!"] {
        assert_eq!(
            sri_digest("X", bad.into()).unwrap_err().variable,
            "X",
            "{bad}"
        );
    }
}

#[test]
fn bad_values_name_their_variable() {
    let cases = [
        ("LEPTOS_SITE_ADDR", "nope"),
        ("PAYDESK_PUBLIC_URL", "pay.example.com"),
        ("DATABASE_URL", "mysql://x"),
        ("PAYDESK_DATABASE_POOL_SIZE", "0"),
        ("PAYDESK_METRICS_ADDR", "9464"),
        ("PAYDESK_METRICS_ADDR", "127.0.0.1:3000"),
        ("PAYDESK_FRAME_ANCESTORS", "https://shop.example.com/path"),
        ("PAYDESK_SANDBOX_ADDR", "127.0.0.1"),
        ("PAYDESK_MERCHANT_TOKEN", "short"),
        ("PAYDESK_GATEWAY_URL", "https://api.example.com/v1"),
        ("PAYDESK_USE_JS_CALLBACK", "maybe"),
        ("PAYDESK_SANDBOX_SESSION_TTL_SECS", "1"),
        ("PAYDESK_SANDBOX_WEBHOOK_ENCODING", "rot13"),
        ("PAYDESK_OPERATION_LOST_AFTER_SECS", "1"),
        ("PAYDESK_RECONCILE_INTERVAL_MS", "10"),
    ];
    for (variable, value) in cases {
        assert_eq!(
            settings(&[(variable, value)]).unwrap_err().variable,
            variable,
            "{variable}={value}"
        );
    }
}

#[test]
fn the_sandbox_keeps_its_own_database_beside_paydesks() {
    let s = settings(&[("DATABASE_URL", "sqlite:///tmp/x/paydesk.db")]).unwrap();
    match s.gateway {
        GatewayMode::Sandbox { database_url, .. } => {
            assert_eq!(
                database_url.as_deref(),
                Some("sqlite:///tmp/x/sandbox-gateway.db")
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        beside("sqlite://data/paydesk.db", "s.db").as_deref(),
        Some("sqlite://data/s.db")
    );
    assert_eq!(beside("sqlite::memory:", "s.db"), None);
    assert_eq!(
        beside("postgres://paydesk@db/paydesk", "s.db").as_deref(),
        Some("sqlite://data/sandbox/s.db")
    );
}

#[test]
fn frame_ancestors_accept_lists() {
    let s = settings(&[(
        "PAYDESK_FRAME_ANCESTORS",
        "https://shop.example.com, http://localhost:8080",
    )])
    .unwrap();
    assert_eq!(
        s.frame_ancestors,
        vec!["https://shop.example.com", "http://localhost:8080"]
    );
}

#[test]
fn the_standalone_sandbox_runs_the_commerce_hub_simulator_unless_off() {
    let lookup = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let default = SandboxSettings::from_lookup(lookup(&[])).unwrap();
    assert_eq!(default.commercehub, Some("127.0.0.1:3500".parse().unwrap()));
    assert!(default.commercehub_secret.is_none());
    let off = SandboxSettings::from_lookup(lookup(&[
        ("PAYDESK_COMMERCEHUB_SANDBOX_ADDR", "off"),
        ("PAYDESK_COMMERCEHUB_API_SECRET", "chsecret_0123"),
    ]))
    .unwrap();
    assert_eq!(off.commercehub, None);
    assert_eq!(
        off.commercehub_secret.unwrap().expose_secret(),
        "chsecret_0123"
    );
}

#[test]
fn the_simulators_answer_variants_come_from_a_seed_or_are_off() {
    let seed = |value: &'static str| {
        SandboxSettings::from_lookup(move |name: &str| {
            (name == "PAYDESK_SANDBOX_VARIANTS_SEED").then(|| value.to_string())
        })
    };
    assert_eq!(seed("42").unwrap().variants_seed, Some(42));
    assert_eq!(
        seed("18446744073709551615").unwrap().variants_seed,
        Some(u64::MAX)
    );
    assert_eq!(seed("off").unwrap().variants_seed, None);
    let wrong = seed("-1").unwrap_err();
    assert_eq!(wrong.variable, "PAYDESK_SANDBOX_VARIANTS_SEED");
    let in_sandbox_mode = settings(&[("PAYDESK_SANDBOX_VARIANTS_SEED", "7")]).unwrap();
    assert!(matches!(
        in_sandbox_mode.gateway,
        GatewayMode::Sandbox {
            variants_seed: Some(7),
            ..
        }
    ));
}

#[test]
fn secrets_do_not_debug_print() {
    let s = settings(&[("PAYDESK_MERCHANT_TOKEN", "tok_supersecret_0123456789")]).unwrap();
    assert!(!format!("{s:?}").contains("supersecret"));
}
