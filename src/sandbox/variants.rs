//! The documented variants of the simulated gateways' answers (a string or a number for the same
//! amount, `000` or `000000` for the same approval, one token or two, each error shape, each
//! success status), chosen per answer from a seeded generator — the chaos suite's seed — so a
//! client that reads only one of them fails where a run can be repeated. Off by default: each
//! answer is then its canonical form.

use std::sync::{Arc, Mutex, PoisonError};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Where answers take their variants from.
#[derive(Clone, Debug, Default)]
pub struct Variants(Option<Arc<Mutex<StdRng>>>);

impl Variants {
    /// Every answer in its canonical form.
    pub fn off() -> Self {
        Variants(None)
    }

    /// Variants drawn from `seed` (`PAYDESK_SANDBOX_VARIANTS_SEED`), or none.
    pub fn from_seed(seed: Option<u64>) -> Self {
        Variants(seed.map(|seed| Arc::new(Mutex::new(StdRng::seed_from_u64(seed)))))
    }

    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// `choices[0]` (the canonical form) when off; any of them when on.
    pub fn pick<T: Clone>(&self, choices: &[T]) -> T {
        let index = match &self.0 {
            Some(rng) if choices.len() > 1 => rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .gen_range(0..choices.len()),
            _ => 0,
        };
        choices[index].clone()
    }

    /// True once in `n` answers when on; never when off.
    pub fn one_in(&self, n: u32) -> bool {
        match &self.0 {
            Some(rng) => rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .gen_ratio(1, n.max(1)),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_is_canonical_and_a_seed_repeats_its_choices_and_reaches_each() {
        let off = Variants::off();
        assert!((0..50).all(|_| off.pick(&["a", "b", "c"]) == "a" && !off.one_in(2)));
        let draw = |seed| {
            let on = Variants::from_seed(Some(seed));
            (0..60).map(|_| on.pick(&[1, 2, 3])).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        assert!([1, 2, 3].iter().all(|v| draw(7).contains(v)));
    }
}
