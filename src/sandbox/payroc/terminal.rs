//! The virtual terminal, on the simulator's origin, like Payroc's own Cloud Simulator: one page per
//! device showing the instruction it holds, where a person (or a browser test) taps one of the
//! documented test cards, keys a card, declines, cancels on the device, lets it time out or takes
//! the device offline. Plain HTML forms; the page refreshes itself while it waits.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::simulator::PayrocSandbox;
use super::state::{Phase, PresentedCard, DEVICES};
use crate::html::escape;

/// The UAT test cards (reference §11).
const TEST_CARDS: [(&str, &str, &str, &str); 3] = [
    (
        "visa",
        "Visa Credit",
        "4761 7300 0000 0011",
        "476173******0011",
    ),
    (
        "mastercard",
        "MasterCard",
        "5413 3300 8960 4111",
        "541333******4111",
    ),
    (
        "visa-offline",
        "Visa Credit",
        "4761 7310 0000 0043",
        "476173******0043",
    ),
];

/// A keyed card that the simulated issuer declines (as the hosted-form sandbox's test card).
const DECLINED_KEYED: &str = "4000000000000002";

fn money(amount: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", amount / 100, amount % 100)
}

/// `GET /terminal`: every virtual device.
pub async fn devices_page(State(sandbox): State<PayrocSandbox>) -> Response {
    let rows: String = DEVICES
        .iter()
        .map(|d| {
            let busy = sandbox.lock().busy(d.serial_number).is_some();
            format!(
                r#"<li><a href="/terminal/{0}" data-testid="terminal-link-{0}">{1} {2} · {0}</a>{3}</li>"#,
                d.serial_number,
                d.manufacturer,
                d.model,
                if busy { " — an instruction is waiting" } else { "" }
            )
        })
        .collect();
    page(
        "Virtual terminals",
        &format!("<h1>Virtual terminals</h1><ul>{rows}</ul>"),
        false,
    )
}

/// `GET /terminal/{serial}`: the device's screen.
pub async fn device_page(
    State(sandbox): State<PayrocSandbox>,
    Path(serial): Path<String>,
) -> Response {
    let Some(device) = DEVICES.iter().find(|d| d.serial_number == serial) else {
        return page("No such device", "<h1>No such device</h1>", false);
    };
    let state = sandbox.lock();
    let current = state
        .instructions
        .values()
        .filter(|i| i.serial_number == serial)
        .max_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)))
        .cloned();
    drop(state);
    let header = format!(
        r#"<h1>{} {} <small data-testid="terminal-serial">{}</small></h1>"#,
        device.manufacturer, device.model, device.serial_number
    );
    let Some(instruction) = current else {
        return page(
            "Terminal",
            &format!(
                r#"{header}<p data-testid="terminal-idle" role="status">Waiting for an instruction…</p>"#
            ),
            true,
        );
    };
    let summary = format!(
        r#"<p class="amount">Refund <strong data-testid="terminal-amount">{}</strong></p><p>Order <span data-testid="terminal-order">{}</span> — {}</p>"#,
        money(instruction.amount, &instruction.currency),
        escape(&instruction.order_id),
        escape(&instruction.description)
    );
    let body = match &instruction.phase {
        Phase::WaitingForCard => {
            let cards: String = TEST_CARDS
                .iter()
                .map(|(id, kind, number, _)| {
                    format!(
                        r#"<form method="post" action="/terminal/{serial}/tap"><input type="hidden" name="card" value="{id}"><button data-testid="terminal-tap-{id}">Tap {kind} {number}</button></form>"#
                    )
                })
                .collect();
            // Asked to key the card in (the chip cannot be read), the device offers no tap.
            let keyed_only = instruction.entry_method == "manualEntry";
            let decline = format!(
                r#"<form method="post" action="/terminal/{serial}/decline"><button data-testid="terminal-decline">Tap a card the issuer declines</button></form>"#
            );
            let (prompt, cards, decline) = if keyed_only {
                ("Key in the card", String::new(), String::new())
            } else {
                ("Present a card", cards, decline)
            };
            format!(
                r#"{summary}<p data-testid="terminal-waiting" role="status">{prompt}</p>{cards}
<form method="post" action="/terminal/{serial}/key"><label for="number">Key a card</label><input id="number" name="number" inputmode="numeric" autocomplete="off"><button data-testid="terminal-key">Key it</button></form>
{decline}
<form method="post" action="/terminal/{serial}/cancel"><button data-testid="terminal-cancel">Cancel on the device</button></form>
<form method="post" action="/terminal/{serial}/timeout"><button data-testid="terminal-timeout">Let it time out</button></form>
<form method="post" action="/terminal/{serial}/offline"><button data-testid="terminal-offline">Take the device offline</button></form>"#
            )
        }
        Phase::Processing { .. } => {
            format!(
                r#"{summary}<p data-testid="terminal-processing" role="status">Processing…</p>"#
            )
        }
        Phase::Completed { refund_id } => {
            let approved = sandbox
                .lock()
                .refunds
                .get(refund_id)
                .is_some_and(|r| r.card.approve);
            format!(
                r#"{summary}<p data-testid="terminal-done" role="status">{} — refund {}</p>"#,
                if approved { "Approved" } else { "Declined" },
                escape(refund_id)
            )
        }
        Phase::Failure { message } => format!(
            r#"{summary}<p data-testid="terminal-failed" role="status">Failed: {}</p>"#,
            escape(message)
        ),
        Phase::Canceled => {
            format!(r#"{summary}<p data-testid="terminal-canceled" role="status">Canceled</p>"#)
        }
    };
    let waiting = matches!(instruction.phase, Phase::Processing { .. });
    let idle = !matches!(instruction.phase, Phase::WaitingForCard);
    page("Terminal", &format!("{header}{body}"), waiting || idle)
}

fn page(title: &str, body: &str, refresh: bool) -> Response {
    let refresh = if refresh {
        r#"<meta http-equiv="refresh" content="2">"#
    } else {
        ""
    };
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{refresh}<title>{title} · Payroc sandbox</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}button{{display:block;width:100%;margin:.4rem 0;padding:.7rem;font-size:1rem}}.amount{{font-size:1.5rem}}</style></head><body>{body}<p><a href="/terminal">All terminals</a></p></body></html>"#
    ))
    .into_response()
}

/// The instruction waiting for a card on `serial`, if any.
fn waiting_on(sandbox: &PayrocSandbox, serial: &str) -> Option<String> {
    sandbox
        .lock()
        .busy(serial)
        .filter(|i| i.phase == Phase::WaitingForCard)
        .map(|i| i.id.clone())
}

async fn after_change(sandbox: &PayrocSandbox, serial: &str) -> Response {
    sandbox.notify();
    sandbox.persist().await;
    Redirect::to(&format!("/terminal/{serial}")).into_response()
}

fn present(sandbox: &PayrocSandbox, id: &str, card: PresentedCard) {
    let processing = sandbox.config.processing.as_millis() as i64;
    sandbox
        .lock()
        .present_card(id, card, paydesk_core::clock::now_ms(), processing);
}

#[derive(Deserialize)]
pub struct TapForm {
    card: String,
}

/// `POST /terminal/{serial}/tap`: one of the test cards, approved.
pub async fn tap(
    State(sandbox): State<PayrocSandbox>,
    Path(serial): Path<String>,
    Form(form): Form<TapForm>,
) -> Response {
    // A device asked for keyed entry only does not read a tapped card.
    let reads_cards = sandbox
        .lock()
        .busy(&serial)
        .is_none_or(|i| i.entry_method != "manualEntry");
    if let (Some(id), Some((_, kind, _, masked)), true) = (
        waiting_on(&sandbox, &serial),
        TEST_CARDS.iter().find(|(id, ..)| *id == form.card),
        reads_cards,
    ) {
        let card = PresentedCard {
            kind: (*kind).into(),
            entry_method: "contactlessIcc".into(),
            masked: (*masked).into(),
            approve: true,
        };
        present(&sandbox, &id, card);
    }
    after_change(&sandbox, &serial).await
}

#[derive(Deserialize)]
pub struct KeyForm {
    number: String,
}

/// `POST /terminal/{serial}/key`: a keyed card; approved when its number is valid, declined for the
/// sandbox's declined test number.
pub async fn key(
    State(sandbox): State<PayrocSandbox>,
    Path(serial): Path<String>,
    Form(form): Form<KeyForm>,
) -> Response {
    let digits: String = form.number.chars().filter(char::is_ascii_digit).collect();
    if let Some(id) = waiting_on(&sandbox, &serial).filter(|_| (12..=19).contains(&digits.len())) {
        let card = PresentedCard {
            kind: if digits.starts_with('5') {
                "MasterCard"
            } else {
                "Visa Credit"
            }
            .into(),
            entry_method: "keyed".into(),
            masked: format!("{}******{}", &digits[..6], &digits[digits.len() - 4..]),
            approve: digits != DECLINED_KEYED,
        };
        present(&sandbox, &id, card);
    }
    after_change(&sandbox, &serial).await
}

/// `POST /terminal/{serial}/decline`: a card the issuer declines.
pub async fn decline(State(sandbox): State<PayrocSandbox>, Path(serial): Path<String>) -> Response {
    let reads_cards = sandbox
        .lock()
        .busy(&serial)
        .is_none_or(|i| i.entry_method != "manualEntry");
    if let Some(id) = waiting_on(&sandbox, &serial).filter(|_| reads_cards) {
        let card = PresentedCard {
            kind: "Visa Credit".into(),
            entry_method: "contactlessIcc".into(),
            masked: "400000******0002".into(),
            approve: false,
        };
        present(&sandbox, &id, card);
    }
    after_change(&sandbox, &serial).await
}

/// `POST /terminal/{serial}/cancel`: the customer or clerk cancels on the device.
pub async fn cancel_on_device(
    State(sandbox): State<PayrocSandbox>,
    Path(serial): Path<String>,
) -> Response {
    end(&sandbox, &serial, Phase::Canceled).await
}

/// `POST /terminal/{serial}/timeout`: nobody presents a card.
pub async fn time_out(
    State(sandbox): State<PayrocSandbox>,
    Path(serial): Path<String>,
) -> Response {
    end(
        &sandbox,
        &serial,
        Phase::Failure {
            message: "Instruction timed out on device".into(),
        },
    )
    .await
}

/// `POST /terminal/{serial}/offline`: the device drops off the network.
pub async fn offline(State(sandbox): State<PayrocSandbox>, Path(serial): Path<String>) -> Response {
    end(
        &sandbox,
        &serial,
        Phase::Failure {
            message: "Device is offline".into(),
        },
    )
    .await
}

async fn end(sandbox: &PayrocSandbox, serial: &str, phase: Phase) -> Response {
    if let Some(id) = waiting_on(sandbox, serial) {
        sandbox.lock().end_waiting(&id, phase);
    }
    after_change(sandbox, serial).await
}
