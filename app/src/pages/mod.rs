//! One module per route.

pub mod home;
pub mod link_page;
pub mod not_found;
pub mod pay;
pub mod pay_return;
pub mod refund;
