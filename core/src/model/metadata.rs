//! The merchant's metadata as kept and shown: text keys to text values, ordered by key (the rules
//! on what may be given live with the payments core's validation).

use std::collections::BTreeMap;

/// Key to value, both text, ordered by key.
pub type Metadata = BTreeMap<String, String>;

/// The text kept in the database: `None` when there is nothing to keep.
pub fn metadata_text(metadata: Option<&Metadata>) -> Option<String> {
    metadata
        .filter(|m| !m.is_empty())
        .and_then(|m| serde_json::to_string(m).ok())
}

/// The metadata kept as `text` (empty when none was given).
pub fn metadata_of(text: Option<&str>) -> Metadata {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}
