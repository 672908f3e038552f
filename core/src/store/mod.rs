//! Durable storage: the one place that knows SQL. Callers use these methods and record types only,
//! so another database can be added here without touching them.

mod attempts;
mod audit;
mod claims;
mod dashboard;
mod data_mode;
mod database;
mod device_refund_reversals;
mod device_refunds;
mod dialect;
mod error;
mod gateway_refund_locks;
mod gateway_refunds;
mod leases;
mod link_locks;
mod links;
mod listing;
mod maintenance;
mod move_to;
mod operations;
mod outbox;
mod pages;
mod payout_approvals;
mod records;
mod schema;
mod secrets;
mod sign_in_failures;
mod staff;
mod staff_totp;
mod text_columns;
mod tokens;
mod transactions;
mod unbound_payouts;
mod webhook_events;

pub use crate::clock::{iso8601, now_ms, parse_iso8601};
pub use audit::AuditRecord;
pub use dashboard::{AttemptBucket, PaymentBucket, RefundBucket, BUCKET_MS};
pub use data_mode::DataMode;
pub use database::{redacted_url, sqlite_file, InstanceLock, Store, StoreError, StoreOptions};
pub use device_refund_reversals::{ReversalColumns, ReversalEnd};
pub use device_refunds::{DeviceRefundInsert, DeviceRefundRecord};
pub use gateway_refunds::{
    GatewayRefundInsert, GatewayRefundRecord, RefundAttemptRecord, RefundSessionRecord,
};
pub use leases::{Fence, WorkLock, LEASE_TTL};
pub use link_locks::DeclineCount;
pub use links::LinkInsert;
pub use listing::{LinkFilter, RefundRow};
pub use maintenance::{apply_migrations, backup_sqlite, schema_status};
pub use move_to::{move_sqlite_to_postgres, MovedTable};
pub use operations::OperationInsert;
pub use outbox::MerchantEventRecord;
pub use pages::{Page, PageCursor, PageQuery};
pub use payout_approvals::PayoutApprovalRecord;
pub use records::{
    AttemptOutcome, AttemptRecord, EventInsert, LinkRecord, OpenedSession, OperationOutcome,
    OperationRecord, OutcomeEffects, TransactionRecord, WebhookEventRecord, AUTOMATIC_VOID_MESSAGE,
};
pub use schema::{KnownMigration, NewerMigration, SchemaStatus, BUILD_VERSION};
pub use secrets::{LINK_SIGNING_KEY, PREVIOUS_LINK_SIGNING_KEY};
pub use staff::{PasswordReset, SessionIdle, StaffSessionRecord, StaffUserRecord};
pub use text_columns::Flag;
pub use tokens::TokenRecord;
