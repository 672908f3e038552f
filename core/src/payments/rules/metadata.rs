//! The merchant's metadata: a few key/values of its own (an order id in another system, a
//! customer number) kept on payment links, refund links and refunds, returned on them and on their
//! events, and filterable in the lists. Bounded so a caller cannot store a document in it.

use crate::payments::error::FieldError;
use crate::payments::rules::validate::check_text;

pub use crate::model::{metadata_of, metadata_text, Metadata};

/// At most this many keys.
pub const MAX_KEYS: usize = 20;
/// A key is 1 to this many characters: ASCII letters, digits, `_`, `-` and `.`.
pub const MAX_KEY_LEN: usize = 40;
/// A value is at most this many characters (empty is allowed).
pub const MAX_VALUE_LEN: usize = 500;

/// Whether `key` is one a metadata key may be (also what a list's `metadataKey` must be).
pub fn is_metadata_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Checks every key and value, naming the first bad one as `metadata.<key>`.
pub fn check_metadata(metadata: &Metadata) -> Result<(), FieldError> {
    if metadata.len() > MAX_KEYS {
        return Err(FieldError::new(
            "metadata",
            format!("metadata must have at most {MAX_KEYS} keys."),
        ));
    }
    for (key, value) in metadata {
        if !is_metadata_key(key) {
            return Err(FieldError::new(
                "metadata",
                format!(
                    "metadata keys must be 1 to {MAX_KEY_LEN} characters: letters, digits, '_', '-' or '.'."
                ),
            ));
        }
        if !value.is_empty() {
            check_text(&format!("metadata.{key}"), Some(value), MAX_VALUE_LEN)?;
        }
    }
    Ok(())
}

/// A request's canonical form for its fingerprint, naming `metadata` only when some is given (so
/// requests made before metadata existed keep their fingerprint).
pub fn with_metadata(mut canonical: serde_json::Value, metadata: &Metadata) -> serde_json::Value {
    if !metadata.is_empty() {
        canonical["metadata"] = serde_json::json!(metadata);
    }
    canonical
}

/// The schema of a request's `metadata`, with its bounds.
pub fn metadata_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    let mut schema = generator.subschema_for::<Metadata>().into_object();
    schema.metadata().description = Some(format!(
        "Your own key/values, returned on the object and its events, and filterable in lists \
         (`metadataKey`, `metadataValue`): at most {MAX_KEYS} keys of 1 to {MAX_KEY_LEN} characters \
         (letters, digits, `_`, `-`, `.`), values up to {MAX_VALUE_LEN} characters."
    ));
    let object = schema.object();
    object.max_properties = Some(MAX_KEYS as u32);
    object.additional_properties = Some(Box::new(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                max_length: Some(MAX_VALUE_LEN as u32),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into(),
    ));
    schema.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pairs: &[(&str, &str)]) -> Metadata {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn bounds_are_checked_and_the_field_named() {
        assert!(check_metadata(&of(&[("crm.id", "C-1"), ("empty", "")])).is_ok());
        let too_many: Metadata = (0..=MAX_KEYS)
            .map(|i| (format!("k{i}"), "v".into()))
            .collect();
        assert_eq!(check_metadata(&too_many).unwrap_err().field, "metadata");
        assert_eq!(
            check_metadata(&of(&[("a b", "v")])).unwrap_err().field,
            "metadata"
        );
        assert_eq!(
            check_metadata(&of(&[("", "v")])).unwrap_err().field,
            "metadata"
        );
        assert_eq!(
            check_metadata(&of(&[("k\"", "v")])).unwrap_err().field,
            "metadata"
        );
        let long = "x".repeat(MAX_VALUE_LEN + 1);
        assert_eq!(
            check_metadata(&of(&[("note", &long)])).unwrap_err().field,
            "metadata.note"
        );
        assert_eq!(
            check_metadata(&of(&[("note", "a\u{0}b")]))
                .unwrap_err()
                .field,
            "metadata.note"
        );
    }

    #[test]
    fn nothing_given_keeps_nothing_and_reads_back_empty() {
        assert_eq!(metadata_text(None), None);
        assert_eq!(metadata_text(Some(&Metadata::new())), None);
        let kept = metadata_text(Some(&of(&[("b", "2"), ("a", "1")]))).unwrap();
        assert_eq!(kept, r#"{"a":"1","b":"2"}"#);
        assert_eq!(metadata_of(Some(&kept)), of(&[("a", "1"), ("b", "2")]));
        assert_eq!(metadata_of(None), Metadata::new());
    }
}
