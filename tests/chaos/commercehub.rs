//! Refunds of Commerce Hub charges under faults: the merchant charges a card on the Commerce Hub
//! simulator and refunds it through paydesk; a closed card makes the refund wait for a new card,
//! which the customer types into the Hosted Fields as their frames do (the card posted to the
//! simulator with the submit credentials paydesk hands out) — sometimes declined first, sometimes
//! never given; a charge only authorized is refunded by a cancel. Commerce Hub's calls time out,
//! fail and answer garbage now and then.

use std::time::{Duration, Instant};

use paydesk_core::model::{GatewayRefundStatus, PaymentState};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Value};

use crate::controls::Controls;
use crate::customer::Link;
use crate::flows::Ctx;

/// The simulator's sandbox cards: one approves refunds, one has a closed account, one declines.
const APPROVES: &str = "5500007287297385";
const CLOSED: &str = "4012000033330026";
const DECLINES: &str = "4000000000000002";

/// A Commerce Hub refund the run made, and how it must end (`None`: any end, e.g. the customer
/// gave up while paydesk was down).
#[derive(Clone, Debug)]
pub struct HubRefundMade {
    pub id: String,
    /// The charge's Commerce Hub transaction id (the simulator's side of the money).
    pub charge: String,
    /// The charge's card account was closed: the refund had to wait for a new card.
    pub closed: bool,
    /// Captured (a sale); `false`: authorized only, so its refund is a cancel of the authorization.
    pub captured: bool,
    pub expected: Option<GatewayRefundStatus>,
}

/// The gateway's side of a charge's money.
#[derive(Clone, Copy, Debug, Default)]
pub struct Returned {
    /// Refunded, to the original card or another.
    pub refunded: i64,
    /// Released by cancels (a charge authorized and not captured).
    pub canceled: i64,
}

/// The Commerce Hub simulator as the suite uses it: charges, the state of a charge, faults, and the
/// Hosted Fields' own submit (what the field frames send).
pub struct Hub {
    controls: Controls,
}

impl Hub {
    pub fn new(url: &str) -> Hub {
        Hub {
            controls: Controls::new("commerce hub", url, "Api-Key"),
        }
    }

    /// A charge, captured (a sale) or authorized only; its transaction id.
    pub async fn charge(
        &self,
        amount: i64,
        card: &str,
        order: &str,
        captured: bool,
    ) -> Result<String, String> {
        let body = self
            .controls
            .call(
                self.controls
                    .http
                    .post(format!("{}/sandbox/charges", self.controls.url))
                    .json(
                        &json!({ "amount": amount, "card": card, "merchantTransactionId": order,
                                 "captureFlag": captured }),
                    ),
            )
            .await?;
        body["gatewayResponse"]["transactionProcessingDetails"]["transactionId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("charge without a transaction id: {body}"))
    }

    /// What the simulator refunded from a charge, and what cancels released of it (minor units).
    pub async fn returned(&self, charge: &str) -> Result<Returned, String> {
        let body = self
            .controls
            .call(
                self.controls
                    .http
                    .get(format!("{}/sandbox/charges/{charge}", self.controls.url)),
            )
            .await?;
        match (body["refunded"].as_i64(), body["canceled"].as_i64()) {
            (Some(refunded), Some(canceled)) => Ok(Returned { refunded, canceled }),
            _ => Err(format!("charge {charge}: {body}")),
        }
    }

    pub async fn queue_fault(&self, fault: &Value) -> Result<(), String> {
        self.controls.queue_fault(fault).await
    }

    pub async fn clear_faults(&self) -> Result<(), String> {
        self.controls.clear_faults().await
    }

    /// The controls, for the fault injector.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    /// The field frames' submit: the card goes to Commerce Hub with the page's credentials.
    async fn type_card(&self, submission: &Value, number: &str) -> Result<(), String> {
        let response = crate::controls::send_through_outages(self
            .controls.http
            .post(format!("{}/fields/submit", self.controls.url))
            .json(&json!({
                "apiKey": submission["api_key"], "accessToken": submission["access_token"],
                "merchantId": submission["merchant_id"], "terminalId": submission["terminal_id"],
                "keyId": submission["key_id"],
                "card": { "cardData": number, "nameOnCard": "Chaos Customer", "expirationMonth": "12",
                          "expirationYear": "2031", "securityCode": "123" },
            })))
            .await
            .map_err(|e| e.without_url().to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("fields submit: {}", response.status()))
        }
    }
}

/// Faults whose outcome is unknown to paydesk (it must look, resend the same request or ask again);
/// refusals (4xx) would end refunds in ways the flow cannot predict, so none are queued.
fn a_fault(rng: &mut StdRng) -> Option<Value> {
    let faults = [
        json!({ "operation": "refund", "fault": "timeout", "applied": true, "delayMs": 3000 }),
        json!({ "operation": "refund", "fault": "timeout", "applied": false, "delayMs": 3000 }),
        json!({ "operation": "refund", "fault": "server-error", "applied": true }),
        json!({ "operation": "refund", "fault": "server-error", "applied": false }),
        json!({ "operation": "refund", "fault": "malformed", "applied": true }),
        json!({ "operation": "cancel", "fault": "timeout", "applied": true, "delayMs": 3000 }),
        json!({ "operation": "cancel", "fault": "server-error", "applied": false }),
        json!({ "operation": "token", "fault": "server-error" }),
        json!({ "operation": "credentials", "fault": "server-error" }),
        json!({ "operation": "fields-submit", "fault": "server-error" }),
    ];
    faults.choose(rng).cloned()
}

/// One refund: charged on an open or a closed card, refunded through paydesk, and on a closed card
/// a new card (declined first, or never given).
pub async fn commercehub_refund(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let amount = rng.gen_range(100..5000);
    let closed = rng.gen_bool(0.75);
    // Some open cards' charges were only authorized: their refund becomes a cancel.
    let captured = closed || rng.gen_bool(0.6);
    let charge = ctx
        .hub
        .charge(
            amount,
            if closed { CLOSED } else { APPROVES },
            order,
            captured,
        )
        .await?;
    if rng.gen_bool(0.4) {
        if let Some(fault) = a_fault(rng) {
            ctx.hub.queue_fault(&fault).await?;
        }
    }
    let body = json!({
        "gateway": "commercehub", "originalTransactionId": charge, "amount": amount,
        "currency": "USD", "orderNumber": order, "referenceId": order,
    });
    let answer = ctx.merchant.create_gateway_refund(&body).await?;
    let id = match answer.body["id"].as_str() {
        Some(id) if answer.ok() => id.to_string(),
        _ => return Err(format!("refund {order}: {} {}", answer.status, answer.body)),
    };
    // The merchant waits for the tagged refund's answer (paydesk looks up a lost one).
    let mut refund = ctx.merchant.gateway_refund(&id).await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while refund["status"] == "processing" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        refund = ctx.merchant.gateway_refund(&id).await?;
    }
    let mut made = HubRefundMade {
        id: id.clone(),
        charge,
        closed,
        captured,
        expected: Some(GatewayRefundStatus::Refunded),
    };
    if refund["status"] == "processing" {
        // Still being confirmed when the merchant stopped waiting: any end, the money must agree.
        made.expected = None;
    }
    if refund["status"] == "awaiting_card" {
        let link = refund["url"]
            .as_str()
            .and_then(Link::refund)
            .ok_or_else(|| format!("refund {id} waits for a card without a link: {refund}"))?;
        let roll = rng.gen_range(0..100);
        let cards: &[&str] = match roll {
            0..=14 => &[],
            15..=39 => &[DECLINES, APPROVES],
            _ => &[APPROVES],
        };
        if cards.is_empty() {
            made.expected = Some(GatewayRefundStatus::AwaitingCard);
        } else if !give_new_card(ctx, &link, cards, rng).await {
            // The customer gave up (paydesk was down too long): any end, the money must agree.
            made.expected = None;
        }
    }
    ctx.remember_hub_refund(made);
    Ok(())
}

/// The customer on the refund's page: the fields, the card, the answer. `false` if they gave up.
/// The page's "declined" may be an earlier card's (shown again after a reload): the card in hand
/// was declined only if the refund counts one more declined card than before.
async fn give_new_card(ctx: &Ctx, link: &Link, cards: &[&str], rng: &mut StdRng) -> bool {
    let mut cards = cards.iter();
    let Some(mut card) = cards.next() else {
        return true;
    };
    let mut retry = false;
    let mut declines_seen = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let Some(state) = ctx
            .customer
            .open(link, retry, Duration::from_secs(30))
            .await
        else {
            return false;
        };
        retry = false;
        match state {
            PaymentState::CardFields(_) => {}
            PaymentState::Processing => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            PaymentState::Declined { .. } => {
                let Ok(refund) = ctx.merchant.gateway_refund(&link.id).await else {
                    continue;
                };
                let declines = refund["cardDeclines"].as_i64().unwrap_or_default();
                if declines > declines_seen {
                    declines_seen = declines;
                    match cards.next() {
                        Some(next) => card = next,
                        None => return true,
                    }
                }
                retry = true;
                continue;
            }
            PaymentState::Failed { .. } => {
                retry = true;
                continue;
            }
            // Commerce Hub could not be reached for the card fields (an outage): a moment later.
            PaymentState::Unavailable { .. } => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                retry = true;
                continue;
            }
            _ => return true,
        }
        // Submit: credentials, the frames' own post, then paydesk's refund.
        let Ok(Some(submission)) = ctx.customer.card_submission(link).await else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        if ctx.hub.type_card(&submission, card).await.is_err() {
            continue;
        }
        if rng.gen_bool(0.1) {
            // The tab closed before the page told paydesk: the card sits in a session nobody uses.
            continue;
        }
        match ctx.customer.refund_to_new_card(link, &submission).await {
            Ok(PaymentState::Paid(_)) => return true,
            // "Try again" after a card paydesk could not read; the page shows a decline again below.
            Ok(PaymentState::Failed { .. }) => retry = true,
            _ => {}
        }
    }
    false
}

/// `count` refunds of closed-card charges whose customers never give a new card: they wait (their
/// links live a week) all run long, more of them than a background pass once read.
pub async fn crowd_waiting_for_cards(ctx: &Ctx, count: usize) -> Result<(), String> {
    for n in 0..count {
        let order = format!("CHAOS-{}-WAIT-{n}", ctx.tag);
        let amount = 1_000 + n as i64;
        let charge = ctx.hub.charge(amount, CLOSED, &order, true).await?;
        let body = json!({
            "gateway": "commercehub", "originalTransactionId": charge, "amount": amount,
            "currency": "USD", "orderNumber": order, "referenceId": order,
        });
        let answer = ctx.merchant.create_gateway_refund(&body).await?;
        let id = match answer.body["id"].as_str() {
            Some(id) if answer.ok() => id.to_string(),
            _ => {
                return Err(format!(
                    "waiting refund {order}: {} {}",
                    answer.status, answer.body
                ))
            }
        };
        ctx.remember_hub_refund(HubRefundMade {
            id,
            charge,
            closed: true,
            captured: true,
            expected: Some(GatewayRefundStatus::AwaitingCard),
        });
    }
    Ok(())
}
