//! paydesk's own ids: a prefix and a ULID, e.g. `chk_01J…` (26 characters, 80 random bits).

/// A new prefixed id.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_prefixed_and_unique() {
        let (a, b) = (super::new_id("op"), super::new_id("op"));
        assert!(a.starts_with("op_") && a.len() == 29);
        assert_ne!(a, b);
    }
}
