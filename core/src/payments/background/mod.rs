//! The background pass: what is unsettled is looked up, and stopped instances' work is taken over.

pub mod reconciler;
pub mod restart;
