//! Fiserv Commerce Hub: refunds of charges made there, to the original card or a new one.

pub mod card_testing;
pub mod lookup;
pub mod new_card_page;
pub mod refunds;
pub mod views;
