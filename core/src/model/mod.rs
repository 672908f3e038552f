//! Types shared by the server and the browser: money, links, the domain's states and what a
//! customer page shows.

/// Declares a unit enum whose variants each have one spelling: `as_str`, `parse` (exact, `None` for
/// anything else), `ALL` and `Display`.
macro_rules! spelled {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The value's one spelling (database and API).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The value spelled exactly `text`, if any.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod links;
mod metadata;
mod money;
mod page;
mod states;
mod support_reference;

pub use links::{LinkKind, LinkRef};
pub use metadata::{metadata_of, metadata_text, Metadata};
#[cfg(feature = "server")]
pub use money::currency_schema;
pub use money::{group_thousands, Currency, Money};
pub use page::{
    CardFieldsForm, CardSubmission, CheckoutPage, CheckoutSummary, HostedForm, PaymentState,
    Receipt,
};
pub use states::{
    ApprovalStatus, AttemptState, CheckoutStatus, DeviceEntryMethod, DeviceRefundReversal,
    DeviceRefundStatus, GatewayRefundStatus, OperationInitiator, OperationKind, OperationState,
    PayoutKind, RefundAttemptKind, RefundAttemptState,
};
pub use support_reference::SupportReference;
