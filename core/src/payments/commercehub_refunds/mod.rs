//! Fiserv Commerce Hub: refunds of charges made there, to the original card or a new one, and their
//! cancel while they wait for a new card.

pub mod card_testing;
pub mod lookup;
pub mod new_card_page;
pub mod refund_cancel;
pub mod refunds;
pub mod views;
