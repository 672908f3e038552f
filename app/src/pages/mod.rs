//! One module per route.

pub mod home;
pub mod not_found;
pub mod pay;
pub mod pay_return;
