//! Upgrades and rollbacks (docs/operating/upgrades.md): a database on the previous release's schema
//! is upgraded by this build and keeps its payments and links; the previous release's schema check
//! then runs on the upgraded database (its newer migrations are all `expand_…`) and keeps reading
//! and writing; a `contract_…` migration from a newer paydesk is refused with both versions named;
//! `paydesk migrate` shows, dry-runs and applies migrations on its own. SQLite and PostgreSQL.

use std::sync::Arc;

use paydesk_core::model::{CheckoutStatus, LinkKind};
use paydesk_core::store::{now_ms, LinkRecord, Store, StoreError, StoreOptions};

use crate::api_tokens::cli;
use crate::common::{spawn_app_in, try_build_in, TestDatabase};

/// The last migration of the schema before this release's migrations (SQLite, PostgreSQL): the
/// schema the previous release ran on. Moves forward with each release.
const PREVIOUS_RELEASE: (i64, i64) = (33, 21);

const VISA: &str = "4111111111111111";

fn previous_release(db: &TestDatabase) -> i64 {
    if db.is_postgres() {
        PREVIOUS_RELEASE.1
    } else {
        PREVIOUS_RELEASE.0
    }
}

/// How many of this release's migrations the previous release's schema lacks.
fn this_release_migrations(db: &TestDatabase) -> usize {
    let dir = if db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let all = std::fs::read_dir(format!(
        "{}/core/migrations/{dir}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .count();
    all - previous_release(db) as usize
}

/// The database opened as the previous release opens it: its migrations only.
async fn open_as_previous_release(db: &TestDatabase) -> Result<Store, StoreError> {
    Store::connect_with(
        &db.url,
        StoreOptions {
            known_up_to: Some(previous_release(db)),
            ..StoreOptions::default()
        },
    )
    .await
}

/// A payment link as the store keeps it (what the previous release's checkout creation wrote).
fn payment_link(amount: i64) -> LinkRecord {
    let now = now_ms();
    LinkRecord {
        id: format!("chk_{}", ulid::Ulid::new()),
        merchant_reference_id: None,
        request_fingerprint: "previous-release".into(),
        amount,
        currency: "USD".into(),
        amount_breakdown: None,
        order_number: Some("PREV-1".into()),
        invoice_number: None,
        description: None,
        return_url: None,
        cancel_url: None,
        status: CheckoutStatus::Open,
        authorized_transaction_id: None,
        expires_at: now + 3_600_000,
        created_at: now,
        updated_at: now,
        kind: LinkKind::Payment,
        refund_of_checkout_id: None,
        canceled_at: None,
        requested_by: None,
        metadata: None,
    }
}

/// Writes `link` as the previous release did: the columns its `checkouts` table had (this release's
/// code would also write the columns this release added, which the previous schema lacks).
async fn insert_as_previous_release(db: &TestDatabase, link: &LinkRecord) {
    db.sql(&format!(
        "INSERT INTO checkouts (id, request_fingerprint, amount, currency, order_number, status, \
         expires_at, created_at, updated_at, kind) VALUES ('{}', '{}', {}, '{}', '{}', 'open', {}, {}, {}, 'payment')",
        link.id,
        link.request_fingerprint,
        link.amount,
        link.currency,
        link.order_number.as_deref().unwrap_or_default(),
        link.expires_at,
        link.created_at,
        link.updated_at,
    ))
    .await;
}

/// A checkout paid with a card, by the server on `db`; its id.
async fn paid_checkout(db: &Arc<TestDatabase>) -> String {
    let app = spawn_app_in(db.clone(), &[]).await;
    let id = app.authorized_checkout(1_250, VISA).await;
    app.stop().await;
    id
}

#[tokio::test]
async fn payments_and_links_survive_an_upgrade_and_a_rollback() {
    let db = Arc::new(TestDatabase::fresh().await);
    // The previous release made the schema, and a payment link it created is waiting.
    let previous = open_as_previous_release(&db).await.unwrap();
    assert!(previous.is_migrated().await);
    let waiting = payment_link(700);
    insert_as_previous_release(&db, &waiting).await;
    let waiting = waiting.id;
    drop(previous);

    // This release upgrades the schema, and a customer pays.
    let paid = paid_checkout(&db).await;
    assert_eq!(
        db.count("SELECT COUNT(*) FROM schema_history WHERE paydesk_version = 'unrecorded'")
            .await,
        previous_release(&db)
    );

    // Rolled back: the previous release starts on the upgraded schema and sees both.
    let previous = open_as_previous_release(&db)
        .await
        .expect("the previous release runs on a schema only expand_ migrations changed");
    let record = previous
        .link(&paid)
        .await
        .unwrap()
        .expect("the paid checkout");
    assert_eq!(record.status, CheckoutStatus::Authorized);
    assert_eq!(record.amount, 1_250);
    assert!(previous.link(&waiting).await.unwrap().is_some());
    // …and keeps writing: another link, made while rolled back.
    let made_while_rolled_back = payment_link(300);
    insert_as_previous_release(&db, &made_while_rolled_back).await;
    drop(previous);

    // Upgraded again: nothing was lost either way, and the waiting link still pays.
    let app = spawn_app_in(db.clone(), &[]).await;
    assert_eq!(app.checkout(&paid).await["status"], "authorized");
    assert_eq!(app.checkout(&waiting).await["status"], "open");
    let form = app.hosted_form(&waiting).await;
    assert_eq!(app.submit_card(&form.iframe_url, VISA).await.status(), 200);
    app.wait_for_status(&waiting, "authorized").await;
    assert_eq!(
        app.checkout(&made_while_rolled_back.id).await["status"],
        "open"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_schema_a_newer_paydesk_contracted_is_refused_with_both_versions_named() {
    let db = Arc::new(TestDatabase::fresh().await);
    let paid = paid_checkout(&db).await;
    // A newer paydesk added a compatible migration: this build still starts.
    insert_newer_migration(&db, 9_001, "expand link metadata").await;
    let store = Store::connect(&db.url)
        .await
        .expect("an expand_ migration is compatible");
    assert!(store.link(&paid).await.unwrap().is_some());
    drop(store);
    // Then one this build cannot run on.
    insert_newer_migration(&db, 9_002, "contract drop legacy status").await;
    let refused = Store::connect(&db.url).await.unwrap_err().to_string();
    assert!(refused.contains("paydesk 9.9.0"), "{refused}");
    assert!(
        refused.contains(&format!("this paydesk {}", env!("CARGO_PKG_VERSION"))),
        "{refused}"
    );
    assert!(
        refused.contains("9002 contract drop legacy status"),
        "{refused}"
    );
    let (ok, status) = migrate(&db, &["--status"]);
    assert!(!ok, "{status}");
    assert!(status.contains("NOT compatible"), "{status}");
}

/// Records a migration a newer paydesk (9.9.0) applied.
async fn insert_newer_migration(db: &TestDatabase, version: i64, description: &str) {
    let checksum = if db.is_postgres() {
        "'\\x00'::bytea"
    } else {
        "X'00'"
    };
    db.sql(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ({version}, '{description}', TRUE, {checksum}, 0)"
    ))
    .await;
    db.sql(&format!(
        "INSERT INTO schema_history (version, paydesk_version, applied_at) \
         VALUES ({version}, '9.9.0', 0)"
    ))
    .await;
}

/// `paydesk migrate <args>` on `db`: whether it succeeded, and what it printed.
fn migrate(db: &TestDatabase, args: &[&str]) -> (bool, String) {
    let mut command = vec!["migrate"];
    command.extend_from_slice(args);
    cli(db, &command)
}

#[tokio::test]
async fn migrate_shows_dry_runs_and_applies_and_startup_can_leave_it_to_it() {
    let db = Arc::new(TestDatabase::fresh().await);
    drop(open_as_previous_release(&db).await.unwrap());
    let (ok, status) = migrate(&db, &["--status"]);
    assert!(ok, "{status}");
    assert!(status.contains("applied     1 "), "{status}");
    assert!(
        status.contains("pending  ") && status.contains("expand schema history"),
        "{status}"
    );
    let pending = this_release_migrations(&db);
    assert!(
        status.contains(&format!(
            "{pending} pending: `paydesk migrate` applies them."
        )),
        "{status}"
    );

    // A server told not to migrate refuses the database that is behind, naming the command.
    let refused = try_build_in(&db, &[("PAYDESK_MIGRATE_ON_START", "false")])
        .await
        .err()
        .expect("a database behind is refused")
        .to_string();
    assert!(refused.contains("paydesk migrate"), "{refused}");

    let (ok, dry) = migrate(&db, &["--dry-run"]);
    assert!(
        ok && dry.contains(&format!(
            "{pending} would be applied (nothing was changed)."
        )),
        "{dry}"
    );
    assert!(
        !dry.contains("applied     1 "),
        "only what would change: {dry}"
    );
    assert_eq!(
        migrate(&db, &["--status"]).1.matches("pending  ").count(),
        pending,
        "the dry run changed nothing"
    );

    let (ok, applied) = migrate(&db, &[]);
    assert!(ok, "{applied}");
    assert!(applied.contains("expand schema history"), "{applied}");
    let (ok, again) = migrate(&db, &[]);
    assert!(ok && again.contains("up to date"), "{again}");
    let app = spawn_app_in(db.clone(), &[("PAYDESK_MIGRATE_ON_START", "false")]).await;
    app.new_checkout(100).await;
    app.stop().await;
}
