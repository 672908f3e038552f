//! The merchant API's OpenAPI 3.0 document, generated from the endpoint table and the request and
//! response types' own schemas (schemars), served at `GET /api/v1/openapi.json`.

use paydesk_core::payments::PayoutApprovalResource;
use schemars::gen::SchemaSettings;
use serde_json::{json, Map, Value};

use super::endpoints::Endpoint;
use super::error::ErrorBody;

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "Invalid request (the field is named)",
        401 => "Missing, invalid or revoked API token",
        403 => "The token lacks the scope",
        404 => "Not found",
        409 => "Conflict (reference reused, operation in progress, already captured or voided)",
        415 => "Body is not JSON",
        422 => "Refused by the ledger's rules or by the gateway (nothing happened)",
        502 => "The gateway could not be reached",
        _ => "Error",
    }
}

/// OpenAPI 3.0 ignores keywords beside `$ref`: wrap such a `$ref` in `allOf` so `nullable` and
/// `description` keep their meaning.
fn wrap_refs(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.len() > 1 {
                if let Some(reference) = object.remove("$ref") {
                    object.insert("allOf".into(), json!([{ "$ref": reference }]));
                }
            }
            object.values_mut().for_each(wrap_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(wrap_refs),
        _ => {}
    }
}

/// The document, with `public_url` as its server.
pub fn document(endpoints: &[Endpoint], public_url: &str) -> Value {
    let mut document = build(endpoints, public_url);
    wrap_refs(&mut document);
    document
}

fn build(endpoints: &[Endpoint], public_url: &str) -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let error_schema =
        serde_json::to_value(generator.subschema_for::<ErrorBody>()).unwrap_or_default();
    let mut paths = Map::new();
    for endpoint in endpoints {
        let mut responses = Map::new();
        let body = serde_json::to_value((endpoint.response)(&mut generator)).unwrap_or_default();
        for status in endpoint.success {
            responses.insert(
                status.to_string(),
                json!({ "description": "Success", "content": { "application/json": { "schema": body } } }),
            );
        }
        if endpoint.may_await_approval {
            let approval =
                serde_json::to_value(generator.subschema_for::<PayoutApprovalResource>())
                    .unwrap_or_default();
            let schema = if endpoint.success.contains(&202) {
                json!({ "oneOf": [body, approval] })
            } else {
                approval
            };
            responses.insert(
                "202".into(),
                json!({ "description": "Accepted (or, when the payout is not bound to a payment and above the approval threshold, waiting for a second staff member: a payout_approval)", "content": { "application/json": { "schema": schema } } }),
            );
        }
        for status in [401, 403].iter().chain(endpoint.errors) {
            responses.insert(
                status.to_string(),
                json!({ "description": error_description(*status), "content": { "application/json": { "schema": error_schema } } }),
            );
        }
        let mut parameters: Vec<Value> = endpoint
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if endpoint.idempotent {
            parameters.push(json!({
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "A retry with the same key returns the first answer instead of acting twice.",
                "schema": { "type": "string", "maxLength": 255 }
            }));
        }
        if endpoint.operation_id == "listWebhookEvents" {
            parameters.push(json!({ "name": "status", "in": "query", "required": false,
                "schema": { "type": "string", "enum": ["pending", "delivered", "failed"] } }));
            parameters.push(json!({ "name": "limit", "in": "query", "required": false,
                "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }));
        }
        let mut operation = json!({
            "operationId": endpoint.operation_id,
            "summary": endpoint.summary,
            "security": [{ "bearer": [] }],
            "x-paydesk-scope": endpoint.permission.scope().map(|scope| scope.as_str()),
            "parameters": parameters,
            "responses": responses,
        });
        if let Some((request, optional)) = endpoint.request {
            let schema = serde_json::to_value(request(&mut generator)).unwrap_or_default();
            operation["requestBody"] = json!({
                "required": !optional,
                "content": { "application/json": { "schema": schema } }
            });
        }
        let item = paths
            .entry(endpoint.path.to_string())
            .or_insert_with(|| json!({}));
        item[endpoint.verb.as_str()] = operation;
    }
    let schemas: Map<String, Value> = generator
        .take_definitions()
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or_default()))
        .collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "paydesk merchant API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Checkouts, capture/void/refund with a per-payment ledger, refund links and webhook events. Amounts are integer minor units (cents)."
        },
        "servers": [{ "url": public_url }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from `paydesk token create`." } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_with_siblings_are_wrapped_in_all_of() {
        let mut schema = json!({ "properties": {
            "a": { "$ref": "#/components/schemas/A", "nullable": true },
            "b": { "$ref": "#/components/schemas/B" }
        } });
        wrap_refs(&mut schema);
        assert_eq!(
            schema["properties"]["a"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/A" }], "nullable": true })
        );
        assert_eq!(
            schema["properties"]["b"],
            json!({ "$ref": "#/components/schemas/B" })
        );
    }

    #[test]
    fn every_endpoint_is_documented_with_its_scope() {
        let endpoints = crate::api::endpoints::endpoints();
        let doc = document(&endpoints, "https://pay.example.com");
        for endpoint in &endpoints {
            let operation = &doc["paths"][endpoint.path][endpoint.verb.as_str()];
            assert_eq!(
                operation["x-paydesk-scope"],
                endpoint
                    .permission
                    .scope()
                    .map(|scope| scope.as_str())
                    .unwrap_or_default(),
                "{}",
                endpoint.path
            );
            assert_eq!(operation["operationId"], endpoint.operation_id);
        }
    }
}
