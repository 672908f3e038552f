//! The simulated Payroc Cloud's memory and its instruction state machine (reference §13): an
//! instruction waits for a card on its device, is processed once a card is presented, and ends
//! `completed` (with a refund, approved or declined), `failure` or `canceled`. Pure: the handlers
//! and the clock drive it.

use std::collections::HashMap;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// A virtual payment device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualDevice {
    pub serial_number: &'static str,
    pub model: &'static str,
    pub manufacturer: &'static str,
}

/// The simulator's devices (like the Cloud Simulator's mock serials).
pub const DEVICES: [VirtualDevice; 3] = [
    VirtualDevice {
        serial_number: "1850010868",
        model: "A920Pro",
        manufacturer: "PAX",
    },
    VirtualDevice {
        serial_number: "1850010869",
        model: "A80",
        manufacturer: "PAX",
    },
    VirtualDevice {
        serial_number: "1850010870",
        model: "A35",
        manufacturer: "PAX",
    },
];

/// What a card presented on the device does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresentedCard {
    /// e.g. "Visa Credit".
    pub kind: String,
    /// `contactlessIcc`, `keyed`, …
    pub entry_method: String,
    /// First 6 and last 4.
    pub masked: String,
    pub approve: bool,
}

/// Where an instruction is (the API shows the first two as `inProgress`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum Phase {
    WaitingForCard,
    Processing {
        done_at_ms: i64,
        card: PresentedCard,
    },
    Completed {
        refund_id: String,
    },
    Failure {
        message: String,
    },
    Canceled,
}

impl Phase {
    /// The API's `status`.
    pub fn api_status(&self) -> &'static str {
        match self {
            Phase::WaitingForCard | Phase::Processing { .. } => "inProgress",
            Phase::Completed { .. } => "completed",
            Phase::Failure { .. } => "failure",
            Phase::Canceled => "canceled",
        }
    }
}

/// A refund instruction as the simulator keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instruction {
    pub id: String,
    pub serial_number: String,
    pub processing_terminal_id: String,
    pub operator: Option<String>,
    pub order_id: String,
    pub description: String,
    pub amount: i64,
    pub currency: String,
    pub created_at: String,
    pub phase: Phase,
    /// When the device gives up waiting for a card.
    pub card_deadline_ms: i64,
    /// `customizationOptions.entryMethod`: `deviceRead` (the default), `manualEntry` or
    /// `deviceReadOrManualEntry`.
    #[serde(default = "device_read")]
    pub entry_method: String,
}

fn device_read() -> String {
    "deviceRead".into()
}

/// A refund the device produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRecord {
    pub refund_id: String,
    pub instruction_id: String,
    pub card: PresentedCard,
    pub date_time: String,
    /// Taken out of the open batch (`POST /refunds/{id}/reverse`): no money went to the card.
    #[serde(default)]
    pub reversed: bool,
}

/// A stored answer to an idempotent POST.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct PayrocState {
    pub instructions: HashMap<String, Instruction>,
    pub refunds: HashMap<String, RefundRecord>,
    pub replays: HashMap<String, Replay>,
    /// Records changed since they were last written.
    pub dirty: Vec<Dirty>,
}

/// A record to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dirty {
    Instruction(String),
    Refund(String),
    Replay(String),
}

/// 32 lowercase hex characters (a UUID without dashes), like Payroc's instruction ids.
pub fn instruction_id() -> String {
    let bytes: [u8; 16] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// 10 uppercase alphanumerics, like Payroc's refund ids.
pub fn refund_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

impl PayrocState {
    /// The device's instruction still in progress, if any (one at a time per device).
    pub fn busy(&self, serial_number: &str) -> Option<&Instruction> {
        self.instructions
            .values()
            .find(|i| i.serial_number == serial_number && i.phase.api_status() == "inProgress")
    }

    pub fn insert(&mut self, instruction: Instruction) {
        self.dirty.push(Dirty::Instruction(instruction.id.clone()));
        self.instructions
            .insert(instruction.id.clone(), instruction);
    }

    fn set_phase(&mut self, id: &str, phase: Phase) -> bool {
        match self.instructions.get_mut(id) {
            Some(instruction) if instruction.phase != phase => {
                instruction.phase = phase;
                self.dirty.push(Dirty::Instruction(id.to_string()));
                true
            }
            _ => false,
        }
    }

    /// A card presented on the device: processing starts (`processing_ms` long). `false` when the
    /// device was not waiting for a card.
    pub fn present_card(
        &mut self,
        id: &str,
        card: PresentedCard,
        now_ms: i64,
        processing_ms: i64,
    ) -> bool {
        if self.instructions.get(id).map(|i| &i.phase) != Some(&Phase::WaitingForCard) {
            return false;
        }
        self.set_phase(
            id,
            Phase::Processing {
                done_at_ms: now_ms + processing_ms,
                card,
            },
        )
    }

    /// Ends a waiting instruction on the device (cancel pressed, timed out, offline).
    pub fn end_waiting(&mut self, id: &str, phase: Phase) -> bool {
        if self.instructions.get(id).map(|i| &i.phase) != Some(&Phase::WaitingForCard) {
            return false;
        }
        self.set_phase(id, phase)
    }

    /// Moves time forward: processing finishes into a refund, a device waiting too long gives up.
    /// Returns whether anything changed.
    pub fn advance(&mut self, now_ms: i64, now_iso: &str) -> bool {
        let mut changed = false;
        let due: Vec<(String, Phase)> = self
            .instructions
            .values()
            .filter_map(|i| match &i.phase {
                Phase::Processing { done_at_ms, card } if *done_at_ms <= now_ms => Some((
                    i.id.clone(),
                    Phase::Processing {
                        done_at_ms: *done_at_ms,
                        card: card.clone(),
                    },
                )),
                Phase::WaitingForCard if i.card_deadline_ms <= now_ms => {
                    Some((i.id.clone(), Phase::WaitingForCard))
                }
                _ => None,
            })
            .collect();
        for (id, phase) in due {
            match phase {
                Phase::Processing { card, .. } => {
                    let refund = RefundRecord {
                        refund_id: refund_id(),
                        instruction_id: id.clone(),
                        card,
                        date_time: now_iso.to_string(),
                        reversed: false,
                    };
                    let refund_id = refund.refund_id.clone();
                    self.dirty.push(Dirty::Refund(refund_id.clone()));
                    self.refunds.insert(refund_id.clone(), refund);
                    changed |= self.set_phase(&id, Phase::Completed { refund_id });
                }
                _ => {
                    changed |= self.set_phase(
                        &id,
                        Phase::Failure {
                            message: "Instruction timed out on device".into(),
                        },
                    );
                }
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(id: &str, serial: &str) -> Instruction {
        Instruction {
            id: id.into(),
            serial_number: serial.into(),
            processing_terminal_id: "1234001".into(),
            operator: None,
            order_id: "O-1".into(),
            description: "Refund".into(),
            amount: 4999,
            currency: "USD".into(),
            created_at: "2026-11-21T10:00:00Z".into(),
            phase: Phase::WaitingForCard,
            card_deadline_ms: 10_000,
            entry_method: device_read(),
        }
    }

    fn visa(approve: bool) -> PresentedCard {
        PresentedCard {
            kind: "Visa Credit".into(),
            entry_method: "contactlessIcc".into(),
            masked: "476173******0011".into(),
            approve,
        }
    }

    #[test]
    fn a_presented_card_is_processed_into_a_refund() {
        let mut state = PayrocState::default();
        state.insert(waiting("i1", "1850010868"));
        assert!(state.busy("1850010868").is_some());
        assert!(state.present_card("i1", visa(true), 1_000, 500));
        assert!(
            !state.present_card("i1", visa(true), 1_000, 500),
            "only once"
        );
        assert!(
            !state.end_waiting("i1", Phase::Canceled),
            "too late to cancel"
        );
        assert!(!state.advance(1_400, "now"));
        assert!(state.advance(1_500, "now"));
        let Phase::Completed { refund_id } = &state.instructions["i1"].phase else {
            panic!("completed")
        };
        assert_eq!(refund_id.len(), 10);
        assert!(state.refunds.contains_key(refund_id));
        assert!(state.busy("1850010868").is_none());
    }

    #[test]
    fn a_device_waiting_too_long_gives_up() {
        let mut state = PayrocState::default();
        state.insert(waiting("i1", "1850010868"));
        assert!(state.advance(10_000, "now"));
        assert_eq!(
            state.instructions["i1"].phase,
            Phase::Failure {
                message: "Instruction timed out on device".into()
            }
        );
        assert_eq!(instruction_id().len(), 32);
    }
}
