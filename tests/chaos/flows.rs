//! The flows: what customers and merchants do, each a short story told over HTTP with its own
//! seeded choices — a payment captured and refunded in parts, a decline and a retry, two tabs on one
//! link, a tab that submits as its session expires, a void, an abandoned page, refund links bound
//! and not, a link used across its own expiry, a card whose account closes, racing merchant
//! requests, refunds of Commerce Hub charges (new cards in Hosted Fields), and (once the batch is
//! closed) a refund to a new card. A flow only fails when paydesk
//! gives no answer at all; refusals are part of the story and the oracle judges the money.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paydesk_core::model::{DeviceRefundStatus, PaymentState};
use paydesk_core::payments::{CheckoutResource, DeviceRefundResource};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::json;

use crate::cluster::{Cluster, SESSION_TTL_SECS};
use crate::commercehub::{commercehub_refund, Hub, HubRefundMade};
use crate::customer::{Customer, Link};
use crate::gateway::Gateway;
use crate::merchant::Merchant;
use crate::terminals::{Terminals, DEVICES};

pub const VISA: &str = "4111111111111111";
pub const MASTERCARD: &str = "5555555555554444";
pub const DECLINED: &str = "4000000000000002";
/// Approves payments; once its account is closed it can receive no refund.
pub const CLOSED_ACCOUNT: &str = "4000000000000341";

/// Every kind of flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    PayCapture,
    DeclineThenRetry,
    TwoTabs,
    LateTab,
    PayVoid,
    Abandon,
    BoundRefundLink,
    UnboundRefundLink,
    ExpiringCheckout,
    ExpiringRefundLink,
    ClosedCard,
    MerchantRace,
    DeviceRefund,
    CommerceHubRefund,
    LateRefundTab,
    VoidRace,
}

impl FlowKind {
    pub const ALL: [FlowKind; 16] = [
        FlowKind::PayCapture,
        FlowKind::DeclineThenRetry,
        FlowKind::TwoTabs,
        FlowKind::LateTab,
        FlowKind::PayVoid,
        FlowKind::Abandon,
        FlowKind::BoundRefundLink,
        FlowKind::UnboundRefundLink,
        FlowKind::ExpiringCheckout,
        FlowKind::ExpiringRefundLink,
        FlowKind::ClosedCard,
        FlowKind::MerchantRace,
        FlowKind::DeviceRefund,
        FlowKind::CommerceHubRefund,
        FlowKind::LateRefundTab,
        FlowKind::VoidRace,
    ];
}

/// What the merchant created, for the oracle.
#[derive(Clone, Debug)]
pub struct Made {
    pub id: String,
    pub order: String,
    /// For a refund link: the checkout it is bound to.
    pub checkout_id: Option<String>,
}

/// A refund on a payment device, and how it must end (none when it ended before the customer acted,
/// e.g. its device still held an instruction a failed flow left behind).
#[derive(Clone, Debug)]
pub struct DeviceMade {
    pub id: String,
    pub expected: Option<&'static str>,
}

#[derive(Default)]
pub struct Created {
    pub checkouts: Vec<Made>,
    pub refund_links: Vec<Made>,
    pub device_refunds: Vec<DeviceMade>,
    pub hub_refunds: Vec<HubRefundMade>,
    /// Captured checkouts paid with the closed-account card (refunded in the second phase).
    pub closed_card: Vec<String>,
    /// The first final status paydesk reported for a device refund while a flow watched it: the
    /// final truth must not differ from it.
    pub first_final: std::collections::HashMap<String, String>,
    /// Device refunds bound to a checkout: (device refund, checkout).
    pub bound_device_refunds: Vec<(String, String)>,
}

/// What every flow shares.
pub struct Ctx {
    pub merchant: Merchant,
    pub customer: Customer,
    pub gateway: Gateway,
    pub terminals: Terminals,
    pub hub: Hub,
    /// One refund at a time per device (a device holds one instruction).
    pub device_turns: [tokio::sync::Mutex<()>; 3],
    pub created: Mutex<Created>,
    /// Makes order numbers unique to the run.
    pub tag: String,
}

impl Ctx {
    pub fn new(cluster: &Cluster, seed: u64) -> Ctx {
        Ctx {
            merchant: Merchant::new(&cluster.paydesk_url),
            customer: Customer::new(&cluster.paydesk_url),
            gateway: Gateway::new(&cluster.sandbox_url),
            terminals: Terminals::new(&cluster.payroc_url),
            hub: Hub::new(&cluster.commercehub_url),
            device_turns: Default::default(),
            created: Mutex::new(Created::default()),
            tag: format!("{:x}", seed % 0xFFFF_FFFF),
        }
    }

    fn remember(&self, made: impl FnOnce(&mut Created)) {
        if let Ok(mut created) = self.created.lock() {
            made(&mut created);
        }
    }

    pub fn remember_hub_refund(&self, made: HubRefundMade) {
        self.remember(|created| created.hub_refunds.push(made));
    }
}

/// The flows of the first phase: every kind once (shuffled), then a weighted draw. Links used across
/// their own expiry take over a minute, so there are few of them.
pub fn plan(count: usize, rng: &mut StdRng) -> Vec<FlowKind> {
    use FlowKind::*;
    let mut every = FlowKind::ALL.to_vec();
    every.shuffle(rng);
    let weighted = [
        (PayCapture, 30),
        (DeclineThenRetry, 12),
        (TwoTabs, 8),
        (LateTab, 3),
        (PayVoid, 8),
        (Abandon, 5),
        (BoundRefundLink, 15),
        (UnboundRefundLink, 8),
        (ClosedCard, 4),
        (MerchantRace, 7),
        (DeviceRefund, 10),
        (CommerceHubRefund, 10),
        (VoidRace, 5),
    ];
    let mut plan = every;
    let extra_expiring = count / 100;
    // Enough refunds on devices and of Commerce Hub charges for every refund gateway fault chain
    // to meet one, however small the run.
    let extra_refund_flows = 2 + count / 40;
    let extra_late_refund_tabs = count / 150;
    for _ in plan.len()..count.saturating_sub(extra_expiring) {
        let kind = weighted
            .choose_weighted(rng, |(_, weight)| *weight)
            .map(|(kind, _)| *kind)
            .unwrap_or(PayCapture);
        plan.push(kind);
    }
    for _ in 0..extra_refund_flows {
        for kind in [DeviceRefund, CommerceHubRefund] {
            let at = rng.gen_range(0..=plan.len());
            plan.insert(at, kind);
        }
    }
    for _ in 0..extra_late_refund_tabs {
        let at = rng.gen_range(0..=plan.len());
        plan.insert(at, LateRefundTab);
    }
    for n in 0..extra_expiring {
        let at = rng.gen_range(0..=plan.len());
        let kind = if n % 2 == 0 {
            ExpiringRefundLink
        } else {
            ExpiringCheckout
        };
        plan.insert(at, kind);
    }
    plan
}

/// Runs flow number `n`.
pub async fn run(ctx: Arc<Ctx>, n: usize, kind: FlowKind, mut rng: StdRng) -> Result<(), String> {
    let order = format!("CHAOS-{}-{n}", ctx.tag);
    match kind {
        FlowKind::PayCapture => pay_capture(&ctx, &order, &mut rng).await,
        FlowKind::DeclineThenRetry => decline_then_retry(&ctx, &order, &mut rng).await,
        FlowKind::TwoTabs => two_tabs(&ctx, &order, &mut rng).await,
        FlowKind::LateTab => late_tab(&ctx, &order, &mut rng).await,
        FlowKind::PayVoid => pay_void(&ctx, &order, &mut rng).await,
        FlowKind::Abandon => abandon(&ctx, &order, &mut rng).await,
        FlowKind::BoundRefundLink => bound_refund_link(&ctx, &order, &mut rng).await,
        FlowKind::UnboundRefundLink => unbound_refund_link(&ctx, &order, &mut rng).await,
        FlowKind::ExpiringCheckout => expiring_checkout(&ctx, &order, &mut rng).await,
        FlowKind::ExpiringRefundLink => expiring_refund_link(&ctx, &order, &mut rng).await,
        FlowKind::ClosedCard => closed_card(&ctx, &order, &mut rng).await,
        FlowKind::MerchantRace => merchant_race(&ctx, &order, &mut rng).await,
        FlowKind::DeviceRefund => device_refund(&ctx, &order, &mut rng).await,
        FlowKind::CommerceHubRefund => commercehub_refund(&ctx, &order, &mut rng).await,
        FlowKind::LateRefundTab => late_refund_tab(&ctx, &order, &mut rng).await,
        FlowKind::VoidRace => void_race(&ctx, &order, &mut rng).await,
    }
}

// ---- building blocks ----

async fn new_checkout(ctx: &Ctx, order: &str, amount: i64) -> Result<String, String> {
    let id = ctx.merchant.create_checkout(amount, order, None).await?;
    ctx.remember(|c| {
        c.checkouts.push(Made {
            id: id.clone(),
            order: order.to_string(),
            checkout_id: None,
        })
    });
    Ok(id)
}

/// How the browser hears the form finished: the postMessage (the page confirms), the redirect to
/// the return page, both, or neither (the tab was closed).
async fn report_back(ctx: &Ctx, link: &Link, return_url: Option<&str>, rng: &mut StdRng) {
    let choice = rng.gen_range(0..10);
    if choice < 4 {
        let _ = ctx.customer.confirm(link).await;
    }
    if (2..8).contains(&choice) {
        if let Some(url) = return_url {
            ctx.customer.come_back(url).await;
        }
    }
}

/// The customer opens `link` and pays (or receives a refund) with `cards` in turn, moving to the
/// next card after a decline, as the page offers; stops once paid, or when the page gives up.
async fn pay(ctx: &Ctx, link: &Link, cards: &[&str], rng: &mut StdRng) {
    let mut cards = cards.iter();
    let Some(mut card) = cards.next() else {
        return;
    };
    let mut retry = false;
    for _ in 0..12 {
        let Some(state) = ctx
            .customer
            .open(link, retry, Duration::from_secs(30))
            .await
        else {
            return;
        };
        retry = false;
        match state {
            PaymentState::Ready(form) => {
                let submitted = ctx.customer.submit(&form.iframe_url, card).await;
                report_back(ctx, link, submitted.return_url.as_deref(), rng).await;
            }
            PaymentState::Processing => tokio::time::sleep(Duration::from_secs(1)).await,
            PaymentState::Declined { .. } | PaymentState::Failed { .. } => match cards.next() {
                Some(next) => {
                    card = next;
                    retry = true;
                }
                None => return,
            },
            PaymentState::Paid(_)
            | PaymentState::LinkExpired
            | PaymentState::Unavailable { .. }
            | PaymentState::Locked { .. }
            // Pages of Commerce Hub refunds (their own flows).
            | PaymentState::CardFields(_)
            | PaymentState::Ended { .. } => return,
        }
    }
}

fn kept(checkout: &CheckoutResource) -> bool {
    checkout.ledger.is_some()
}

/// Waits (as a merchant waiting for `payment.authorized`) until the checkout is authorized.
async fn authorized(ctx: &Ctx, id: &str) -> Result<Option<CheckoutResource>, String> {
    ctx.merchant
        .wait_for(id, Duration::from_secs(40), kept)
        .await
}

/// A capture, void or refund with a fresh idempotency key; sometimes the merchant's backend sends it
/// twice at once (a double click, a retry after its own timeout). Waits for an accepted (202) one to
/// settle.
async fn operate(
    ctx: &Ctx,
    id: &str,
    kind: &str,
    amount: Option<i64>,
    rng: &mut StdRng,
) -> Result<(), String> {
    let key = format!("{id}-{kind}-{}", rng.gen::<u32>());
    let answer = if rng.gen_bool(0.2) {
        let (first, second) = tokio::join!(
            ctx.merchant.operate(id, kind, amount, Some(&key)),
            ctx.merchant.operate(id, kind, amount, Some(&key)),
        );
        second.and(first)
    } else {
        ctx.merchant.operate(id, kind, amount, Some(&key)).await
    };
    let answer = match answer {
        // An earlier operation's outcome is still being confirmed (its lookups met the faults
        // and back off): refusing a new one meanwhile is the right answer, and the merchant tries
        // no further. Whether that earlier operation settles is the oracle's to check.
        Err(error) if error.contains("operation_in_progress") => return Ok(()),
        other => other?,
    };
    if answer.status == 202 {
        let op_id = answer.body["operation"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        ctx.merchant
            .wait_for(id, Duration::from_secs(40), |c| {
                c.operations
                    .iter()
                    .any(|op| op.id == op_id && !op.status.is_open())
            })
            .await?;
    }
    Ok(())
}

/// A checkout paid with `card` and captured in full (`None` if the payment did not go through).
async fn captured(
    ctx: &Ctx,
    order: &str,
    card: &str,
    rng: &mut StdRng,
) -> Result<Option<(String, i64)>, String> {
    let amount = rng.gen_range(500..20_000);
    let id = new_checkout(ctx, order, amount).await?;
    pay(ctx, &Link::payment(&id), &[card], rng).await;
    if authorized(ctx, &id).await?.is_none() {
        return Ok(None);
    }
    operate(ctx, &id, "capture", None, rng).await?;
    let checkout = ctx.merchant.checkout(&id).await?;
    Ok(checkout
        .ledger
        .filter(|l| l.captured > 0)
        .map(|l| (id, l.refundable)))
}

/// Creates a refund link (its `referenceId` makes a retried request safe) and remembers it.
async fn new_refund_link(
    ctx: &Ctx,
    order: &str,
    amount: i64,
    checkout_id: Option<&str>,
    expires_in: Option<i64>,
) -> Result<Option<Link>, String> {
    let mut body = json!({
        "amount": amount,
        "currency": "USD",
        "orderNumber": order,
        "referenceId": order,
        "reason": "Returned item",
    });
    if let Some(id) = checkout_id {
        body["checkoutId"] = json!(id);
    }
    if let Some(seconds) = expires_in {
        body["expiresInSeconds"] = json!(seconds);
    }
    let answer = ctx.merchant.create_refund_link(&body).await?;
    if !answer.ok() {
        return Ok(None);
    }
    let id = answer.body["id"].as_str().unwrap_or_default().to_string();
    let url = answer.body["url"].as_str().unwrap_or_default();
    ctx.remember(|c| {
        c.refund_links.push(Made {
            id,
            order: order.to_string(),
            checkout_id: checkout_id.map(str::to_string),
        })
    });
    Ok(Link::refund(url))
}

// ---- the flows ----

async fn pay_capture(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let amount = rng.gen_range(100..50_000);
    let id = new_checkout(ctx, order, amount).await?;
    let card = if rng.gen_bool(0.5) { VISA } else { MASTERCARD };
    pay(ctx, &Link::payment(&id), &[card], rng).await;
    if authorized(ctx, &id).await?.is_none() {
        return Ok(());
    }
    match rng.gen_range(0..10) {
        0..=5 => {
            operate(ctx, &id, "capture", None, rng).await?;
            for _ in 0..rng.gen_range(0..3) {
                let refundable = ctx
                    .merchant
                    .checkout(&id)
                    .await?
                    .ledger
                    .map_or(0, |l| l.refundable);
                if refundable < 2 {
                    break;
                }
                let part = rng.gen_range(1..refundable);
                operate(ctx, &id, "refund", Some(part), rng).await?;
            }
        }
        6..=7 => {
            operate(ctx, &id, "capture", Some(amount / 2 + 1), rng).await?;
            operate(ctx, &id, "refund", None, rng).await?;
        }
        _ => {
            operate(ctx, &id, "capture", None, rng).await?;
            operate(ctx, &id, "void", None, rng).await?;
        }
    }
    Ok(())
}

async fn decline_then_retry(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let id = new_checkout(ctx, order, rng.gen_range(100..30_000)).await?;
    let cards: &[&str] = if rng.gen_bool(0.5) {
        &[DECLINED, VISA]
    } else {
        &[DECLINED, DECLINED, MASTERCARD]
    };
    pay(ctx, &Link::payment(&id), cards, rng).await;
    if authorized(ctx, &id).await?.is_some() && rng.gen_bool(0.5) {
        operate(ctx, &id, "capture", None, rng).await?;
    }
    Ok(())
}

async fn two_tabs(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let id = new_checkout(ctx, order, rng.gen_range(100..30_000)).await?;
    let link = Link::payment(&id);
    let patience = Duration::from_secs(30);
    let (first, second) = tokio::join!(
        ctx.customer.open(&link, false, patience),
        ctx.customer.open(&link, false, patience),
    );
    let mut forms = Vec::new();
    for state in [first, second].into_iter().flatten() {
        if let PaymentState::Ready(form) = state {
            forms.push(form);
        }
    }
    if let [one, two] = forms.as_slice() {
        let (a, b) = tokio::join!(
            ctx.customer.submit(&one.iframe_url, VISA),
            ctx.customer.submit(&two.iframe_url, MASTERCARD),
        );
        report_back(ctx, &link, a.return_url.as_deref(), rng).await;
        report_back(ctx, &link, b.return_url.as_deref(), rng).await;
    }
    if authorized(ctx, &id).await?.is_some() {
        operate(ctx, &id, "capture", None, rng).await?;
    }
    Ok(())
}

/// One tab submits the card as its session expires, slowly (the gateway still processing); another
/// tab opens the link just after the expiry and pays if it is offered a form.
async fn late_tab(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let id = new_checkout(ctx, order, rng.gen_range(100..30_000)).await?;
    let link = Link::payment(&id);
    let Some(PaymentState::Ready(form)) = ctx
        .customer
        .open(&link, false, Duration::from_secs(30))
        .await
    else {
        return Ok(());
    };
    let until_expiry = u64::try_from(form.expires_in_secs).unwrap_or(0);
    tokio::time::sleep(Duration::from_secs(until_expiry.saturating_sub(2))).await;
    // The card is still being processed well past the session's expiry (and paydesk's grace), so
    // the second tab may be given a new session: two approvals, one of which must be voided.
    let slow = json!({ "operation": "submit", "fault": "slow", "delayMs": 9_000 });
    let _ = ctx.gateway.queue_fault(&slow).await;
    let first = ctx.customer.submit(&form.iframe_url, VISA);
    let second = async {
        tokio::time::sleep(Duration::from_millis(6_500)).await;
        if let Some(PaymentState::Ready(form)) = ctx
            .customer
            .open(&link, false, Duration::from_secs(30))
            .await
        {
            ctx.customer.submit(&form.iframe_url, MASTERCARD).await;
        }
    };
    let (first, ()) = tokio::join!(first, second);
    report_back(ctx, &link, first.return_url.as_deref(), rng).await;
    if authorized(ctx, &id).await?.is_some() {
        operate(ctx, &id, "capture", None, rng).await?;
    }
    Ok(())
}

/// A refund link whose session expires while the card typed at its last second is still being
/// processed (the gateway is slow); another tab opens the link just after the expiry. No second
/// session may open beside the first (the gateway shows it unused meanwhile): the link pays out once.
async fn late_refund_tab(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let amount = rng.gen_range(100..20_000);
    let Some(link) = new_refund_link(ctx, order, amount, None, None).await? else {
        return Ok(());
    };
    let Some(PaymentState::Ready(form)) = ctx
        .customer
        .open(&link, false, Duration::from_secs(30))
        .await
    else {
        return Ok(());
    };
    let until_expiry = u64::try_from(form.expires_in_secs).unwrap_or(0);
    tokio::time::sleep(Duration::from_secs(until_expiry.saturating_sub(2))).await;
    let slow = json!({ "operation": "submit", "fault": "slow", "delayMs": 9_000 });
    let _ = ctx.gateway.queue_fault(&slow).await;
    let first = ctx.customer.submit(&form.iframe_url, VISA);
    let second = async {
        tokio::time::sleep(Duration::from_millis(6_500)).await;
        if let Some(PaymentState::Ready(form)) = ctx
            .customer
            .open(&link, false, Duration::from_secs(30))
            .await
        {
            ctx.customer.submit(&form.iframe_url, MASTERCARD).await;
        }
    };
    let (first, ()) = tokio::join!(first, second);
    report_back(ctx, &link, first.return_url.as_deref(), rng).await;
    Ok(())
}

/// A captured payment's void, answered slowly by the gateway, while the merchant also asks for a
/// refund link and a device refund of the same money bound to it: the void in flight holds the
/// money, so neither may be created (were one paid, the ledger would show it voided and refunded).
async fn void_race(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let Some((id, refundable)) = captured(ctx, order, VISA, rng).await? else {
        return Ok(());
    };
    if refundable < 1 {
        return Ok(());
    }
    let slow = json!({ "operation": "void", "fault": "slow", "delayMs": 1_500 });
    let _ = ctx.gateway.queue_fault(&slow).await;
    let link_order = format!("{order}-R");
    let bound = async {
        tokio::time::sleep(Duration::from_millis(rng_delay(order))).await;
        // Refused while the void is unsettled (409, for as long as that lasts): the right answer.
        let link = match new_refund_link(ctx, &link_order, refundable, Some(&id), None).await {
            Err(error) if error.contains("operation_in_progress") => Ok(None),
            other => other,
        };
        let device = match bound_device_refund(ctx, order, &id, refundable).await {
            Err(error) if error.contains("operation_in_progress") => Ok(()),
            other => other,
        };
        (link, device)
    };
    let (voided, (link, device)) = tokio::join!(operate(ctx, &id, "void", None, rng), bound);
    voided?;
    if let Some(link) = link? {
        pay(ctx, &link, &[MASTERCARD], rng).await;
    }
    device?;
    Ok(())
}

/// A short wait that depends only on the flow (so replays match), from 50 to 450 ms.
fn rng_delay(order: &str) -> u64 {
    50 + order.bytes().map(u64::from).sum::<u64>() % 400
}

/// A device refund of `amount` bound to checkout `id`, on the first device, tapped if the device
/// ever shows it (it must not, while a void of the payment is in flight).
async fn bound_device_refund(ctx: &Ctx, order: &str, id: &str, amount: i64) -> Result<(), String> {
    let _turn = ctx.device_turns[0].lock().await;
    let body = json!({
        "device": DEVICES[0], "amount": amount, "currency": "USD",
        "orderId": device_order_id(order), "description": format!("Refund for order {order}"),
        "checkoutId": id,
    });
    let answer = ctx
        .merchant
        .create_device_refund(&body, &format!("{order}-bound-device"))
        .await?;
    if !answer.ok() {
        return Ok(());
    }
    let refund_id = answer.body["id"].as_str().unwrap_or_default().to_string();
    ctx.remember(|created| {
        created
            .bound_device_refunds
            .push((refund_id.clone(), id.to_string()))
    });
    let refund = wait_device_refund(ctx, &refund_id, |s| {
        s.is_final() || s == DeviceRefundStatus::WaitingForCard
    })
    .await?;
    let expected = if refund.status == DeviceRefundStatus::WaitingForCard {
        ctx.terminals
            .press(DEVICES[0], "tap", &[("card", "visa")])
            .await?;
        Some("completed")
    } else {
        None
    };
    ctx.remember(|created| {
        created.device_refunds.push(DeviceMade {
            id: refund_id.clone(),
            expected,
        })
    });
    wait_device_refund(ctx, &refund_id, DeviceRefundStatus::is_final).await?;
    Ok(())
}

/// Waits (up to two minutes, as a till would) until the device refund's status passes `done`;
/// notes any final status paydesk reported on the way, for the oracle.
async fn wait_device_refund(
    ctx: &Ctx,
    id: &str,
    done: impl Fn(DeviceRefundStatus) -> bool,
) -> Result<DeviceRefundResource, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut refund = ctx.merchant.device_refund(id, 0).await?;
    loop {
        if refund.status.is_final() {
            ctx.remember(|created| {
                created
                    .first_final
                    .entry(id.to_string())
                    .or_insert_with(|| refund.status.to_string());
            });
        }
        if done(refund.status) || Instant::now() >= deadline {
            return Ok(refund);
        }
        refund = ctx.merchant.device_refund(id, 5).await?;
    }
}

/// An order id Payroc takes (1–24 characters): the order's last 24.
fn device_order_id(order: &str) -> String {
    let chars: Vec<char> = order.chars().collect();
    chars[chars.len().saturating_sub(24)..].iter().collect()
}

async fn pay_void(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let id = new_checkout(ctx, order, rng.gen_range(100..30_000)).await?;
    pay(ctx, &Link::payment(&id), &[VISA], rng).await;
    if authorized(ctx, &id).await?.is_some() {
        operate(ctx, &id, "void", None, rng).await?;
    }
    Ok(())
}

async fn abandon(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let id = new_checkout(ctx, order, rng.gen_range(100..30_000)).await?;
    let link = Link::payment(&id);
    let first = ctx
        .customer
        .open(&link, false, Duration::from_secs(30))
        .await;
    if rng.gen_bool(0.4) {
        // Comes back after the session expired, looks again, and leaves (or types a card into the
        // old, expired form, which the gateway refuses).
        tokio::time::sleep(Duration::from_secs(SESSION_TTL_SECS + 4)).await;
        if let Some(PaymentState::Ready(old)) = first {
            ctx.customer.submit(&old.iframe_url, VISA).await;
        }
        ctx.customer
            .open(&link, false, Duration::from_secs(30))
            .await;
    }
    Ok(())
}

async fn bound_refund_link(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let card = if rng.gen_bool(0.5) { VISA } else { MASTERCARD };
    let Some((id, refundable)) = captured(ctx, order, card, rng).await? else {
        return Ok(());
    };
    if refundable < 1 {
        return Ok(());
    }
    let amount = rng.gen_range(1..=refundable);
    let link_order = format!("{order}-R");
    let Some(link) = new_refund_link(ctx, &link_order, amount, Some(&id), None).await? else {
        return Ok(());
    };
    if rng.gen_bool(0.25) {
        // Two tabs on the refund link.
        let patience = Duration::from_secs(30);
        let (a, b) = tokio::join!(
            ctx.customer.open(&link, false, patience),
            ctx.customer.open(&link, false, patience),
        );
        let forms: Vec<_> = [a, b]
            .into_iter()
            .flatten()
            .filter_map(|s| match s {
                PaymentState::Ready(form) => Some(form),
                _ => None,
            })
            .collect();
        if let [one, two] = forms.as_slice() {
            let (x, y) = tokio::join!(
                ctx.customer.submit(&one.iframe_url, VISA),
                ctx.customer.submit(&two.iframe_url, MASTERCARD),
            );
            report_back(ctx, &link, x.return_url.as_deref(), rng).await;
            report_back(ctx, &link, y.return_url.as_deref(), rng).await;
        }
    } else {
        let cards: &[&str] = if rng.gen_bool(0.3) {
            &[DECLINED, VISA]
        } else {
            &[MASTERCARD]
        };
        pay(ctx, &link, cards, rng).await;
    }
    Ok(())
}

async fn unbound_refund_link(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let amount = rng.gen_range(100..20_000);
    if let Some(link) = new_refund_link(ctx, order, amount, None, None).await? {
        pay(ctx, &link, &[VISA], rng).await;
    }
    Ok(())
}

/// How long the links of the expiry flows live, and when their customer opens them: shortly
/// before the link expires, so the form outlives the link.
const SHORT_LIFE: u64 = 60;
const OPENED_AT: u64 = SHORT_LIFE - SESSION_TTL_SECS / 2;

/// A payment link with a one-minute life, opened shortly before it expires and paid after (the
/// session is still valid at the gateway): the payment is kept, not lost to the link's expiry.
async fn expiring_checkout(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let amount = rng.gen_range(100..20_000);
    let id = ctx
        .merchant
        .create_checkout(amount, order, Some(SHORT_LIFE))
        .await?;
    ctx.remember(|c| {
        c.checkouts.push(Made {
            id: id.clone(),
            order: order.to_string(),
            checkout_id: None,
        })
    });
    tokio::time::sleep(Duration::from_secs(OPENED_AT)).await;
    let link = Link::payment(&id);
    if let Some(PaymentState::Ready(form)) = ctx
        .customer
        .open(&link, false, Duration::from_secs(10))
        .await
    {
        tokio::time::sleep(Duration::from_secs(SHORT_LIFE - OPENED_AT + 2)).await;
        let submitted = ctx.customer.submit(&form.iframe_url, VISA).await;
        report_back(ctx, &link, submitted.return_url.as_deref(), rng).await;
    }
    if authorized(ctx, &id).await?.is_some() {
        operate(ctx, &id, "capture", None, rng).await?;
    }
    Ok(())
}

/// A refund link with a one-minute life for everything captured, opened shortly before it expires;
/// once it is past its expiry the merchant asks for a second link for the same money (it must be
/// refused while the first link's form can still pay out), then the customer uses the first form.
async fn expiring_refund_link(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let Some((id, refundable)) = captured(ctx, order, VISA, rng).await? else {
        return Ok(());
    };
    let life = Some(SHORT_LIFE as i64);
    let first_order = format!("{order}-R1");
    let Some(first) = new_refund_link(ctx, &first_order, refundable, Some(&id), life).await? else {
        return Ok(());
    };
    tokio::time::sleep(Duration::from_secs(OPENED_AT)).await;
    let Some(PaymentState::Ready(form)) = ctx
        .customer
        .open(&first, false, Duration::from_secs(10))
        .await
    else {
        return Ok(());
    };
    tokio::time::sleep(Duration::from_secs(SHORT_LIFE - OPENED_AT + 2)).await;
    let second_order = format!("{order}-R2");
    let second = new_refund_link(ctx, &second_order, refundable, Some(&id), None).await?;
    let submitted = ctx.customer.submit(&form.iframe_url, VISA).await;
    report_back(ctx, &first, submitted.return_url.as_deref(), rng).await;
    if let Some(second) = second {
        // Had paydesk let the second link be created, the customer would be paid twice.
        pay(ctx, &second, &[MASTERCARD], rng).await;
    }
    Ok(())
}

async fn closed_card(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    if let Some((id, _)) = captured(ctx, order, CLOSED_ACCOUNT, rng).await? {
        ctx.remember(|c| c.closed_card.push(id));
    }
    Ok(())
}

/// Requests without idempotency keys racing each other: at most one can act; the others are
/// refused (`409`) while it is in flight or once it is done.
async fn merchant_race(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let id = new_checkout(ctx, order, rng.gen_range(1_000..30_000)).await?;
    pay(ctx, &Link::payment(&id), &[VISA], rng).await;
    if authorized(ctx, &id).await?.is_none() {
        return Ok(());
    }
    let (a, b, c) = tokio::join!(
        ctx.merchant.operate_once(&id, "capture", None),
        ctx.merchant.operate_once(&id, "capture", None),
        ctx.merchant.operate_once(&id, "capture", None),
    );
    let _ = (a, b, c);
    ctx.merchant
        .wait_for(&id, Duration::from_secs(40), |c| {
            c.operations.iter().all(|op| !op.status.is_open())
        })
        .await?;
    let refundable = ctx
        .merchant
        .checkout(&id)
        .await?
        .ledger
        .map_or(0, |l| l.refundable);
    if refundable >= 2 {
        let half = refundable / 2;
        let (x, y) = tokio::join!(
            ctx.merchant.operate_once(&id, "refund", Some(half)),
            ctx.merchant.operate_once(&id, "refund", Some(half)),
        );
        let _ = (x, y);
    }
    Ok(())
}

/// Phase two, for a captured closed-account payment once the batch is closed: the refund is
/// declined (the account is closed); the merchant turns what remains into a refund link and the
/// customer enters a new card.
pub async fn refund_to_new_card(ctx: Arc<Ctx>, id: String, mut rng: StdRng) -> Result<(), String> {
    let rng = &mut rng;
    operate(&ctx, &id, "refund", None, rng).await?;
    let answer = ctx.merchant.refund_to_new_card(&id).await?;
    if !answer.ok() {
        return Ok(());
    }
    let link_id = answer.body["id"].as_str().unwrap_or_default().to_string();
    let order = ctx
        .merchant
        .checkout(&id)
        .await?
        .order_number
        .unwrap_or_default();
    ctx.remember(|c| {
        c.refund_links.push(Made {
            id: link_id,
            order,
            checkout_id: Some(id.clone()),
        })
    });
    if let Some(link) = Link::refund(answer.body["url"].as_str().unwrap_or_default()) {
        pay(&ctx, &link, &[VISA], rng).await;
    }
    Ok(())
}

/// A refund on a payment device: the merchant sends it, the customer at the terminal taps, keys or
/// declines a card, or it is canceled (from the API or on the device), times out or goes offline —
/// while Payroc's calls fail now and then.
async fn device_refund(ctx: &Ctx, order: &str, rng: &mut StdRng) -> Result<(), String> {
    let index = rng.gen_range(0..DEVICES.len());
    let device = DEVICES[index];
    let _turn = ctx.device_turns[index].lock().await;
    if rng.gen_bool(0.3) {
        let faults = [
            json!({ "operation": "refund-instruction", "fault": "interrupted", "applied": true }),
            json!({ "operation": "refund-instruction", "fault": "interrupted", "applied": false }),
            json!({ "operation": "refund-instruction", "fault": "timeout", "applied": true, "delayMs": 3000 }),
            json!({ "operation": "poll", "fault": "server-error" }),
            json!({ "operation": "poll", "fault": "interrupted" }),
            json!({ "operation": "refund", "fault": "interrupted" }),
        ];
        if let Some(fault) = faults.choose(rng) {
            ctx.terminals.queue_fault(fault).await?;
        }
    }
    let mut body = json!({
        "device": device, "amount": rng.gen_range(100..5000), "currency": "USD",
        "orderId": device_order_id(order), "description": format!("Refund for order {order}"),
    });
    // Sometimes the refund in store of an online payment: held on its ledger meanwhile, counted as
    // refunded on devices once paid.
    let bound = if rng.gen_bool(0.3) {
        captured(ctx, order, VISA, rng)
            .await?
            .filter(|(_, refundable)| *refundable > 0)
    } else {
        None
    };
    if let Some((checkout, refundable)) = &bound {
        body["checkoutId"] = json!(checkout);
        body["amount"] = json!(rng.gen_range(1..=*refundable));
    }
    let answer = ctx
        .merchant
        .create_device_refund(&body, &format!("{order}-device"))
        .await?;
    if !answer.ok() {
        return Err(format!(
            "device refund {order}: {} {}",
            answer.status, answer.body
        ));
    }
    let id = answer.body["id"].as_str().unwrap_or_default().to_string();
    if let Some((checkout, _)) = bound {
        ctx.remember(|created| created.bound_device_refunds.push((id.clone(), checkout)));
    }
    // Until the device shows it (a lost answer is sent again by paydesk, with the same key).
    let refund = wait_device_refund(ctx, &id, |s| {
        s.is_final() || s == DeviceRefundStatus::WaitingForCard
    })
    .await?;
    let expected = if refund.status == DeviceRefundStatus::WaitingForCard {
        let roll = rng.gen_range(0..100);
        let (expected, pressed) = match roll {
            0..=39 => (
                "completed",
                ctx.terminals
                    .press(device, "tap", &[("card", "visa")])
                    .await,
            ),
            40..=49 => (
                "completed",
                ctx.terminals
                    .press(device, "tap", &[("card", "mastercard")])
                    .await,
            ),
            50..=57 => (
                "declined",
                ctx.terminals
                    .press(device, "key", &[("number", "4000000000000002")])
                    .await,
            ),
            58..=65 => (
                "declined",
                ctx.terminals.press(device, "decline", &[]).await,
            ),
            66..=81 => {
                let mut answer = ctx.merchant.cancel_device_refund(&id).await?;
                while answer.code() == "cannot_cancel"
                    && answer.body["error"]["message"]
                        .as_str()
                        .unwrap_or("")
                        .contains("still being sent")
                {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    answer = ctx.merchant.cancel_device_refund(&id).await?;
                }
                (
                    "canceled",
                    if answer.ok() {
                        Ok(())
                    } else {
                        Err(format!("cancel: {} {}", answer.status, answer.body))
                    },
                )
            }
            82..=87 => ("canceled", ctx.terminals.press(device, "cancel", &[]).await),
            88..=93 => ("failed", ctx.terminals.press(device, "timeout", &[]).await),
            _ => ("failed", ctx.terminals.press(device, "offline", &[]).await),
        };
        pressed?;
        Some(expected)
    } else {
        None
    };
    ctx.remember(|created| {
        created.device_refunds.push(DeviceMade {
            id: id.clone(),
            expected,
        })
    });
    // Until it ends (the terminal's turn is kept until then).
    wait_device_refund(ctx, &id, DeviceRefundStatus::is_final).await?;
    Ok(())
}
