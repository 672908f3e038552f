//! Where the vendors' specs are, and their examples by name. Fiserv's repository carries no licence,
//! so its spec is read from the reference directory beside the project, never copied into it.

use std::path::PathBuf;

use serde_json::Value;

/// `PAYDESK_VENDOR_SPECS`, or `../shared/reference/vendor-specs` beside the project.
fn root() -> PathBuf {
    std::env::var_os("PAYDESK_VENDOR_SPECS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/vendor-specs")
        })
}

fn read_json(relative: &str) -> Value {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "the vendor's spec is missing: {} ({error}). The contract tests read the vendors' \
             published specs from ../shared/reference/vendor-specs beside the project (CI has it); \
             set PAYDESK_VENDOR_SPECS to where they are.",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Fiserv Commerce Hub's operations paydesk uses, with their components (OpenAPI 3.0.2, v1.24.11),
/// and one taken from the full spec, which the extract leaves out: `POST /payments/v1/cancels` (a
/// refund of a charge authorized and not captured becomes a cancel), with every component the full
/// spec has that the extract lacks (so its references resolve).
pub fn commercehub() -> Value {
    let mut spec = read_json("fiserv-commerce-hub/commerce-hub-refund-operations.json");
    let full = commercehub_full();
    spec["paths"]["/payments/v1/cancels"] = full["paths"]["/payments/v1/cancels"].clone();
    let kinds = full["components"].as_object().expect("components");
    for (kind, entries) in kinds {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let ours = &mut spec["components"][kind];
        if ours.is_null() {
            *ours = Value::Object(Default::default());
        }
        let ours = ours.as_object_mut().expect("a components map");
        for (name, entry) in entries {
            ours.entry(name.clone()).or_insert_with(|| entry.clone());
        }
    }
    spec
}

/// Fiserv's full spec, read once.
fn commercehub_full() -> &'static Value {
    static FULL: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    FULL.get_or_init(|| read_yaml("fiserv-commerce-hub/openapi-1.24.11.yaml"))
}

fn read_yaml(relative: &str) -> Value {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "the vendor's spec is missing: {} ({error}). The contract tests read the vendors' \
             published specs from ../shared/reference/vendor-specs beside the project (CI has it); \
             set PAYDESK_VENDOR_SPECS to where they are.",
            path.display()
        )
    });
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// Payroc Cloud's operations paydesk uses (an extract of Payroc's OpenAPI 3.1 spec, v1.0.294), with
/// two taken from the full spec, which the extract leaves out: `GET /refunds` (listRefunds, the
/// reconciliation report's view of what devices refunded) and `POST /refunds/{refundId}/reverse`.
pub fn payroc() -> Value {
    let mut spec = read_json("payroc/payroc-cloud-refund-operations.json");
    let full = &payroc_full()["paths"];
    spec["paths"]["/refunds"] = serde_json::json!({ "get": full["/refunds"]["get"].clone() });
    spec["paths"]["/refunds/{refundId}/reverse"] = full["/refunds/{refundId}/reverse"].clone();
    spec
}

/// Payroc's full spec, its YAML anchors resolved by the parser (it has no `$ref`s), read once.
fn payroc_full() -> &'static Value {
    static FULL: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    FULL.get_or_init(|| read_yaml("payroc/payroc-openapi-spec.yaml"))
}

/// A named example of `components.examples` (its `value`).
pub fn example(spec: &Value, name: &str) -> Value {
    spec["components"]["examples"][name]["value"].clone()
}

/// Every error response of `components.responses` with its example body.
pub fn error_examples(spec: &Value) -> Vec<(String, Value)> {
    spec["components"]["responses"]
        .as_object()
        .expect("components.responses")
        .iter()
        .filter_map(|(name, response)| {
            let example = &response["content"]["application/json"]["example"];
            (!example.is_null()).then(|| (name.clone(), example.clone()))
        })
        .collect()
}

/// The Payroc SDK's WireMock mappings for the Cloud refund operations (`mappings`).
pub fn payroc_wiremock_mappings() -> Vec<Value> {
    read_json("payroc/wiremock-cloud-refund-mappings.json")["mappings"]
        .as_array()
        .expect("mappings")
        .clone()
}
