//! The vendors' OpenAPI schemas as validators, by operation and status: a request body or an answer
//! is checked against the schema the spec gives for it. The `jsonschema` crate (Draft 4 for
//! Commerce Hub's OpenAPI 3.0, Draft 2020-12 for Payroc's OpenAPI 3.1, which *is* 2020-12) does
//! the checking: it is kept up to date against the official JSON-Schema test suite, compiles
//! `$ref`s into the same document, checks formats, and reports every error with its path.

use jsonschema::{Draft, Validator};
use serde_json::{json, Map, Value};

/// Which OpenAPI version a spec is written in, so which JSON Schema dialect its schemas use.
#[derive(Clone, Copy, Debug)]
pub enum Dialect {
    /// OpenAPI 3.0: an extended subset of Draft 4 (`nullable`, `example`, `discriminator`).
    OpenApi30,
    /// OpenAPI 3.1: Draft 2020-12.
    OpenApi31,
}

/// A place and a kind of schema error, whatever the value.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Deviation {
    path: String,
    kind: String,
}

struct SchemaError {
    message: String,
    deviation: Deviation,
}

/// One spec's operations, ready to validate against.
pub struct SpecSchemas {
    spec: Value,
    dialect: Dialect,
}

impl SpecSchemas {
    pub fn new(spec: Value, dialect: Dialect) -> Self {
        SpecSchemas { spec, dialect }
    }

    /// The spec's path template matching `path` (a concrete path without the server's prefix).
    pub fn template(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.spec["paths"]
            .as_object()?
            .keys()
            .find(|template| {
                let parts: Vec<&str> = template.split('/').collect();
                parts.len() == wanted.len()
                    && parts.iter().zip(&wanted).all(|(part, actual)| {
                        (part.starts_with('{') && part.ends_with('}') && !actual.is_empty())
                            || part == actual
                    })
            })
            .cloned()
    }

    fn operation(&self, method: &str, template: &str) -> Option<&Value> {
        let operation = &self.spec["paths"][template][method.to_ascii_lowercase()];
        (!operation.is_null()).then_some(operation)
    }

    /// Follows a local `$ref` (`#/components/...`) once, as OpenAPI allows for responses.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.spec.pointer(pointer).unwrap_or(&Value::Null),
            None => value,
        }
    }

    /// Errors of a request body against the operation's request schema. An operation the spec does
    /// not have is itself an error: paydesk calls only what the vendor publishes.
    pub fn request_errors(&self, method: &str, path: &str, body: Option<&Value>) -> Vec<String> {
        let Some(template) = self.template(path) else {
            return vec![format!("{method} {path}: no such operation in the spec")];
        };
        let Some(operation) = self.operation(method, &template) else {
            return vec![format!(
                "{method} {template}: no such operation in the spec"
            )];
        };
        let request = self.resolve(&operation["requestBody"]);
        let schema = first_content_schema(request);
        match (schema, body) {
            (None, None) => Vec::new(),
            (None, Some(_)) => vec![format!("{method} {template}: the spec takes no body")],
            (Some(_), None) if request["required"] == json!(true) => {
                vec![format!("{method} {template}: the spec requires a body")]
            }
            (Some(_), None) => Vec::new(),
            (Some(schema), Some(body)) => {
                self.errors(schema, body, &format!("{method} {template} request"))
            }
        }
    }

    /// Errors of an answer against the schema the spec gives for that operation and status. A
    /// status the spec does not list for the operation is an error.
    pub fn answer_errors(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Vec<String> {
        let Some(template) = self.template(path) else {
            return vec![format!("{method} {path}: no such operation in the spec")];
        };
        let Some(operation) = self.operation(method, &template) else {
            return vec![format!(
                "{method} {template}: no such operation in the spec"
            )];
        };
        let listed = &operation["responses"][status.to_string()];
        let response = if listed.is_null() {
            &operation["responses"]["default"]
        } else {
            listed
        };
        if response.is_null() {
            return vec![format!(
                "{method} {template}: the spec lists no {status} answer"
            )];
        }
        let what = format!("{method} {template} {status}");
        let response = self.resolve(response);
        match (first_content_schema(response), body) {
            (None, None) => Vec::new(),
            (None, Some(_)) => vec![format!("{what}: the spec gives this answer no body")],
            (Some(_), None) => vec![format!("{what}: the spec gives this answer a body")],
            (Some(schema), Some(body)) => {
                let allowed = self.documented_deviations(schema, response);
                match self.schema_errors(schema, body) {
                    Ok(errors) => errors
                        .into_iter()
                        .filter(|error| !allowed.contains(&error.deviation))
                        .map(|error| format!("{what}: {}", error.message))
                        .collect(),
                    Err(error) => vec![format!("{what}: {error}")],
                }
            }
        }
    }

    /// Where the spec's own examples for an answer break its schema (Fiserv's inquiry examples
    /// carry `total: '690'` and `captureFlag: 'true'` where the schema says number and boolean):
    /// an answer may do what the vendor's examples do.
    fn documented_deviations(&self, schema: &Value, response: &Value) -> Vec<Deviation> {
        let mut found = Vec::new();
        for content in response["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, c)| c)
        {
            let mut examples: Vec<&Value> = content["examples"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, example)| &self.resolve(example)["value"])
                .collect();
            examples.push(&content["example"]);
            for example in examples.into_iter().filter(|e| !e.is_null()) {
                let errors = self.schema_errors(schema, example).unwrap_or_default();
                found.extend(errors.into_iter().map(|e| e.deviation));
            }
        }
        found
    }

    /// Errors of `instance` against `schema`, with `$ref`s resolved inside the spec document.
    pub fn errors(&self, schema: &Value, instance: &Value, what: &str) -> Vec<String> {
        match self.schema_errors(schema, instance) {
            Ok(errors) => errors
                .into_iter()
                .map(|e| format!("{what}: {}", e.message))
                .collect(),
            Err(error) => vec![format!("{what}: {error}")],
        }
    }

    fn schema_errors(&self, schema: &Value, instance: &Value) -> Result<Vec<SchemaError>, String> {
        let validator = self
            .validator(schema)
            .map_err(|error| format!("the spec's schema does not compile: {error}"))?;
        Ok(validator
            .iter_errors(instance)
            .map(|error| {
                let path = error.instance_path().to_string();
                SchemaError {
                    message: format!("at {path}: {error}"),
                    deviation: Deviation {
                        // Array indices do not matter: `/0/total` and `/3/total` are one place.
                        path: path
                            .split('/')
                            .map(|part| {
                                if part.parse::<usize>().is_ok() {
                                    "*"
                                } else {
                                    part
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("/"),
                        kind: format!("{:?}", error.kind()),
                    },
                }
            })
            .collect())
    }

    fn validator(&self, schema: &Value) -> Result<Validator, String> {
        // The schema sits in a copy of the spec's components so its `#/components/...` refs
        // resolve; in Draft 4 and 2020-12 alike the other keys are not validation keywords.
        let mut root = Map::new();
        root.insert("allOf".into(), json!([schema]));
        root.insert("components".into(), self.spec["components"].clone());
        let mut root = Value::Object(root);
        let draft = match self.dialect {
            Dialect::OpenApi30 => {
                openapi30_to_draft4(&mut root);
                Draft::Draft4
            }
            Dialect::OpenApi31 => Draft::Draft202012,
        };
        jsonschema::options()
            .with_draft(draft)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&root)
            .map_err(|e| e.to_string())
    }
}

fn first_content_schema(holder: &Value) -> Option<&Value> {
    holder["content"]
        .as_object()?
        .values()
        .find_map(|content| content.get("schema"))
}

/// OpenAPI 3.0's one addition that changes validation: `nullable: true` lets `null` through.
fn openapi30_to_draft4(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(kind)) = object.get("type").cloned() {
                    object.insert("type".into(), json!([kind, "null"]));
                }
            }
            object.values_mut().for_each(openapi30_to_draft4);
        }
        Value::Array(items) => items.iter_mut().for_each(openapi30_to_draft4),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::specs::{commercehub, payroc};

    #[test]
    fn the_validators_refuse_what_the_specs_do_not_allow() {
        let ch = SpecSchemas::new(commercehub(), Dialect::OpenApi30);
        let refund = json!({"amount": {"total": 12.04, "currency": "USD"},
            "merchantDetails": {"merchantId": "100008000003683", "terminalId": "10000001"}});
        assert_eq!(
            ch.request_errors("POST", "/payments/v1/refunds", Some(&refund)),
            Vec::<String>::new()
        );
        let mut wrong = refund.clone();
        wrong["amount"]["total"] = json!("12.04");
        assert!(!ch
            .request_errors("POST", "/payments/v1/refunds", Some(&wrong))
            .is_empty());
        assert!(!ch
            .answer_errors("POST", "/payments/v1/refunds", 202, Some(&json!({})))
            .is_empty());
        assert!(!ch
            .request_errors("POST", "/payments/v1/nothing", None)
            .is_empty());

        // The spec's own inquiry example carries a string total: an answer may too, not a refund.
        let inquiry = crate::specs::example(&commercehub(), "TransactionInquiryResponse");
        let path = "/payments/v1/transaction-inquiry";
        assert_eq!(
            ch.answer_errors("POST", path, 201, Some(&inquiry)),
            Vec::<String>::new()
        );
        let mut refund_answer = crate::specs::example(&commercehub(), "RefundResponse");
        refund_answer["paymentReceipt"]["approvedAmount"]["total"] = json!("12.04");
        let path = "/payments/v1/refunds";
        assert!(!ch
            .answer_errors("POST", path, 201, Some(&refund_answer))
            .is_empty());

        let pr = SpecSchemas::new(payroc(), Dialect::OpenApi31);
        let path = "/devices/1850010868/refund-instructions";
        assert!(!pr
            .request_errors("POST", path, Some(&json!({"order": {}})))
            .is_empty());
        let instruction = json!({"refundInstructionId": "a37439165d134678a9100ebba3b29597",
            "status": "inProgress", "link": {"rel": "self", "method": "GET",
            "href": "https://api.payroc.com/v1/refund-instructions/a37439165d134678a9100ebba3b29597"}});
        assert_eq!(
            pr.answer_errors("POST", path, 202, Some(&instruction)),
            Vec::<String>::new()
        );
        let mut wrong = instruction;
        wrong["status"] = json!("approved");
        assert!(!pr.answer_errors("POST", path, 202, Some(&wrong)).is_empty());
    }
}
