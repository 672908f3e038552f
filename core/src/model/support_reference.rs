//! The short support reference a customer reads out to the merchant (`PD-7K4M-2Q`): derived from a
//! link's id (the last six characters of its ULID, 30 random bits), so every link has one, old or
//! new, with nothing stored; and the reading of one as staff type it into the console.

/// Characters in a reference: Crockford base32, as ULIDs are spelled (no I, L, O or U).
const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters a reference carries after `PD-`.
const LENGTH: usize = 6;

/// A support reference: six Crockford base32 characters, shown as `PD-XXXX-XX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SupportReference([u8; LENGTH]);

impl SupportReference {
    /// The reference of the link (or refund) whose id is `id`: its last six base32 characters.
    /// An id with fewer (never one paydesk made) is padded with `0` on the left.
    pub fn of_id(id: &str) -> SupportReference {
        let mut tail = [b'0'; LENGTH];
        let characters = id
            .bytes()
            .rev()
            .map(|byte| byte.to_ascii_uppercase())
            .filter(|byte| ALPHABET.as_bytes().contains(byte))
            .take(LENGTH);
        for (slot, byte) in tail.iter_mut().rev().zip(characters) {
            *slot = byte;
        }
        SupportReference(tail)
    }

    /// What staff typed, read generously: any case, dashes or spaces anywhere, and the letters
    /// people confuse with digits (O for 0; I and L for 1). `None` unless it starts with `PD` and
    /// exactly six reference characters follow (six characters alone could be an order number).
    pub fn parse(input: &str) -> Option<SupportReference> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2014}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let characters = compact.strip_prefix("PD")?;
        let mut reference = [0u8; LENGTH];
        if characters.chars().count() != LENGTH {
            return None;
        }
        for (slot, c) in reference.iter_mut().zip(characters.chars()) {
            let c = match c {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(c) {
                return None;
            }
            *slot = c as u8;
        }
        Some(SupportReference(reference))
    }

    /// The six characters, lower case, as a link id ends with them (for a search by id suffix).
    pub fn id_suffix(&self) -> String {
        self.0
            .iter()
            .map(|b| b.to_ascii_lowercase() as char)
            .collect()
    }
}

impl std::fmt::Display for SupportReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: String = self.0.iter().map(|&b| b as char).collect();
        write!(f, "PD-{}-{}", &text[..4], &text[4..])
    }
}

#[cfg(test)]
mod tests {
    use super::SupportReference;

    #[test]
    fn a_reference_is_the_ids_tail_grouped() {
        let reference = SupportReference::of_id("chk_01JD3QZ8X7V2K4M9T6R7K4M2Q");
        assert_eq!(reference.to_string(), "PD-7K4M-2Q");
        assert_eq!(reference.id_suffix(), "7k4m2q");
    }

    #[test]
    fn short_ids_are_padded() {
        assert_eq!(SupportReference::of_id("a_1").to_string(), "PD-0000-A1");
        assert_eq!(SupportReference::of_id("").to_string(), "PD-0000-00");
    }

    #[test]
    fn staff_may_type_it_loosely() {
        let expected = SupportReference::parse("PD-7K4M-2Q").unwrap();
        for typed in [
            "pd-7k4m-2q",
            "PD7K4M2Q",
            "PD 7K4M 2Q",
            " pd7k4m-2q ",
            "PD–7K4M–2Q",
        ] {
            assert_eq!(
                SupportReference::parse(typed),
                Some(expected.clone()),
                "{typed}"
            );
        }
        assert_eq!(
            SupportReference::parse("PD-OIL0-00").unwrap().to_string(),
            "PD-0110-00"
        );
    }

    #[test]
    fn anything_else_is_not_a_reference() {
        for typed in [
            "",
            "PD-",
            "7K4M2Q",
            "PD-7K4M2",
            "7K4M2Q9",
            "PD-7K4M-2U",
            "chk_01JD3QZ8X7",
            "ORDER-1",
            "7K4M2é",
        ] {
            assert_eq!(SupportReference::parse(typed), None, "{typed}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::SupportReference;
    use proptest::prelude::*;

    proptest! {
        /// Whatever staff type, reading it never panics, and what it reads shows as `PD-XXXX-XX`
        /// and reads back to itself.
        #[test]
        fn any_input_reads_safely(input in any::<String>()) {
            if let Some(reference) = SupportReference::parse(&input) {
                let shown = reference.to_string();
                prop_assert_eq!(shown.len(), 10);
                prop_assert_eq!(SupportReference::parse(&shown), Some(reference));
            }
        }

        /// Every id paydesk makes has a reference that the console reads back, and whose id
        /// suffix the id ends with.
        #[test]
        fn every_ulid_id_round_trips(id in "(chk|rfl|rfd)_[0-9A-HJKMNP-TV-Z]{26}") {
            let reference = SupportReference::of_id(&id);
            prop_assert_eq!(SupportReference::parse(&reference.to_string()), Some(reference.clone()));
            prop_assert!(id.to_lowercase().ends_with(&reference.id_suffix()));
        }
    }
}
