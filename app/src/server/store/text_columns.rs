//! How the domain's states are stored: as their one spelling in a TEXT column, for any database
//! sqlx speaks. Reading a spelling paydesk does not know is a decode error (which the store turns
//! into an error naming the row), never a default.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::model::{
    AttemptState, CheckoutStatus, DeviceRefundStatus, GatewayRefundStatus, LinkKind,
    OperationInitiator, OperationKind, OperationState, RefundAttemptKind, RefundAttemptState,
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
    AttemptState,
    CheckoutStatus,
    DeviceRefundStatus,
    GatewayRefundStatus,
    LinkKind,
    OperationInitiator,
    OperationKind,
    OperationState,
    RefundAttemptKind,
    RefundAttemptState
);
