//! Picks the merchant's hosted payment form (`pmt_vrt_…`) for a currency, from `GET
//! /payment-methods`, cached after the first successful answer.

use std::sync::Arc;

use tokio::sync::RwLock;

use super::wire::{PaymentMethod, PaymentMethodType};
use super::{Filter, ListQuery, OmniClient, OmniError};
use crate::model::Currency;

#[derive(Debug, thiserror::Error)]
pub enum HostedFormError {
    #[error("no hosted payment form is configured for {0}")]
    NoFormForCurrency(&'static str),
    #[error(transparent)]
    Gateway(#[from] OmniError),
}

#[derive(Clone, Debug, Default)]
pub struct HostedForms {
    cached: Arc<RwLock<Option<Vec<PaymentMethod>>>>,
}

impl HostedForms {
    /// The form id to send as `paymentMethodId` for this currency.
    pub async fn form_for(
        &self,
        gateway: &OmniClient,
        currency: Currency,
    ) -> Result<String, HostedFormError> {
        if let Some(forms) = self.cached.read().await.as_ref() {
            return pick(forms, currency);
        }
        let page = gateway
            .list_payment_methods(&ListQuery::filter(Filter::eq(
                "paymentMethodType",
                "Virtual",
            )))
            .await?;
        let forms: Vec<PaymentMethod> = page
            .items
            .into_iter()
            .filter(|m| m.kind == PaymentMethodType::Virtual)
            .collect();
        let picked = pick(&forms, currency);
        *self.cached.write().await = Some(forms);
        picked
    }
}

fn pick(forms: &[PaymentMethod], currency: Currency) -> Result<String, HostedFormError> {
    forms
        .iter()
        .find(|m| {
            m.currency
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(currency.code()))
        })
        .map(|m| m.id.clone())
        .ok_or(HostedFormError::NoFormForCurrency(currency.code()))
}
