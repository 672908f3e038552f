//! How the domain's states are stored: as their one spelling in a TEXT column, for any database
//! sqlx speaks; and yes/no flags, as 0 or 1 in an integer column on every database. Reading a spelling paydesk does not know is a decode error (which the store turns
//! into an error naming the row), never a default.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::model::{
    ApprovalStatus, AttemptState, CheckoutStatus, DeviceEntryMethod, DeviceRefundReversal,
    DeviceRefundStatus, GatewayRefundStatus, LinkKind, OperationInitiator, OperationKind,
    OperationState, PayoutKind, RefundAttemptKind, RefundAttemptState,
};

macro_rules! text_column {
    ($($name:ident),+ $(,)?) => {$(
        impl<DB: Database> Type<DB> for $name
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $name
        where
            &'q str: Encode<'q, DB>,
        {
            fn encode_by_ref(&self, buf: &mut <DB as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                <&'q str as Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $name
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&'r str as Decode<'r, DB>>::decode(value)?;
                $name::parse(text)
                    .ok_or_else(|| format!("{text:?} is not a known {}", stringify!($name)).into())
            }
        }
    )+};
}

text_column!(
    ApprovalStatus,
    PayoutKind,
    AttemptState,
    CheckoutStatus,
    DeviceEntryMethod,
    DeviceRefundReversal,
    DeviceRefundStatus,
    GatewayRefundStatus,
    LinkKind,
    OperationInitiator,
    OperationKind,
    OperationState,
    RefundAttemptKind,
    RefundAttemptState
);

/// A yes/no column, stored as the integer 0 or 1 (the same on SQLite and PostgreSQL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl TryFrom<i64> for Flag {
    type Error = String;

    fn try_from(stored: i64) -> Result<Flag, String> {
        match stored {
            0 => Ok(Flag(false)),
            1 => Ok(Flag(true)),
            other => Err(format!("{other} is not a stored flag (0 or 1)")),
        }
    }
}

impl From<Flag> for i64 {
    fn from(flag: Flag) -> i64 {
        i64::from(flag.0)
    }
}
