//! The merchant API's OpenAPI 3.1 document, generated from the endpoint table and the request and
//! response types' own schemas (schemars, JSON Schema dialect), served at `GET /api/v1/openapi.json`.

use paydesk_core::payments::PayoutApprovalResource;
use schemars::gen::SchemaSettings;
use serde_json::{json, Map, Value};

use super::endpoints::Endpoint;
use super::error::ErrorBody;
use super::lists::{self, Filters};
use super::openapi_examples::{error_example, schema_example};
use paydesk_core::api_tokens::Scope;
use paydesk_core::merchant_events::payloads::CATALOGUE;

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "Invalid request (the field is named)",
        401 => "Missing, invalid or revoked API token",
        403 => "The token lacks the scope",
        404 => "Not found",
        409 => "Conflict (reference reused, operation in progress, already captured or voided)",
        415 => "Body is not JSON",
        422 => "Refused by the ledger's rules or by the gateway (nothing happened)",
        429 => "rate_limited: too many requests with this token (Retry-After says when to retry)",
        500 => "internal_error: paydesk could not complete the request (quote error.requestId)",
        502 => "The gateway could not be reached",
        _ => "Error",
    }
}

/// The schema settings of the document: OpenAPI 3.1's schemas *are* JSON Schema (2020-12), where an
/// optional value is `type: [T, "null"]` (or `anyOf` with `{type: "null"}` for a reference) and
/// keywords beside `$ref` keep their meaning. schemars' 2019-09 settings write exactly that subset.
pub fn schema_settings() -> SchemaSettings {
    let mut settings = SchemaSettings::draft2019_09();
    settings.definitions_path = "#/components/schemas/".into();
    settings.meta_schema = None;
    settings
}

/// schemars makes an optional enum `type: ["string", "null"]` but leaves `null` out of its `enum`,
/// which then refuses the null the type allows: put it in.
fn allow_null_in_nullable_enums(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let nullable = object
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|types| types.contains(&json!("null")));
            if let (true, Some(Value::Array(values))) = (nullable, object.get_mut("enum")) {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            object.values_mut().for_each(allow_null_in_nullable_enums);
        }
        Value::Array(items) => items.iter_mut().for_each(allow_null_in_nullable_enums),
        _ => {}
    }
}

/// schemars writes an enum whose values carry doc comments as a `oneOf` of one-value enums, which
/// client generators turn into one type per value: each such `oneOf` becomes one string `enum`,
/// the values' descriptions kept in the schema's description.
fn flatten_string_enums(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.values_mut().for_each(flatten_string_enums);
            let single_values: Option<Vec<(Value, Option<String>)>> = object
                .get("oneOf")
                .and_then(Value::as_array)
                .and_then(|items| {
                    items
                        .iter()
                        .map(|item| {
                            let values = item.get("enum")?.as_array()?;
                            let is_string =
                                item.get("type").and_then(Value::as_str) == Some("string");
                            (values.len() == 1 && is_string).then(|| {
                                let description = item
                                    .get("description")
                                    .and_then(Value::as_str)
                                    .map(str::to_string);
                                (values[0].clone(), description)
                            })
                        })
                        .collect()
                });
            if let Some(values) = single_values.filter(|v| !v.is_empty()) {
                object.remove("oneOf");
                object.insert("type".into(), json!("string"));
                let described: Vec<String> = values
                    .iter()
                    .filter_map(|(value, description)| {
                        Some(format!(
                            "`{}`: {}",
                            value.as_str()?,
                            description.as_deref()?
                        ))
                    })
                    .collect();
                object.insert(
                    "enum".into(),
                    Value::Array(values.into_iter().map(|(value, _)| value).collect()),
                );
                if !described.is_empty() && !object.contains_key("description") {
                    object.insert("description".into(), json!(described.join("; ")));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(flatten_string_enums),
        _ => {}
    }
}

/// schemars writes `"default": null` on every optional field, which some generators (openapi-
/// typescript) read as "always present": an optional field's absence already means null.
fn drop_null_defaults(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("default") == Some(&Value::Null) {
                object.remove("default");
            }
            object.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// The resource an endpoint belongs to: the first segment after `/api/v1/` (its tag, so generated
/// clients group operations by resource).
fn tag_of(path: &str) -> &str {
    path.trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap_or_default()
}

/// The tags, in the order the document lists resources, with what each is.
fn tags(endpoints: &[Endpoint]) -> Vec<Value> {
    let mut seen: Vec<&str> = Vec::new();
    for endpoint in endpoints {
        let tag = tag_of(endpoint.path);
        if !seen.contains(&tag) {
            seen.push(tag);
        }
    }
    seen.into_iter()
        .map(|tag| {
            let description = match tag {
                "checkouts" => "Payment links: the customer pays in the gateway's hosted form; capture, void, refund and cancel them.",
                "refund-links" => "Refund links: the customer receives money through the gateway's hosted refund form.",
                "refunds" => "Refunds of Commerce Hub charges, to the original card or a new one.",
                "device-refunds" => "Refunds on a payment device (Payroc Cloud).",
                "payout-approvals" => "Large unbound payouts waiting for a second staff member.",
                "dashboard" => "The figures of the console's dashboard.",
                "events" => "The events paydesk sends your webhook endpoint, and their delivery.",
                "webhook-events" => "Deprecated list (use events), and redelivery of an event.",
                "test-helpers" => "Sandbox mode only: drive payments headlessly in your own tests.",
                _ => "",
            };
            json!({ "name": tag, "description": description })
        })
        .collect()
}

/// The query parameters of a list filtered by `filters`.
fn list_parameters(filters: &Filters) -> Vec<Value> {
    let text = |name: &str, description: &str| {
        json!({ "name": name, "in": "query", "required": false, "description": description,
            "schema": { "type": "string", "minLength": 1, "maxLength": 500 } })
    };
    let mut parameters = vec![
        json!({ "name": "limit", "in": "query", "required": false,
            "description": "How many items a page holds (default 20).",
            "schema": { "type": "integer", "minimum": 1, "maximum": 100 } }),
        json!({ "name": "cursor", "in": "query", "required": false,
            "description": "The nextCursor of the previous page, unchanged; absent for the first page.",
            "schema": { "type": "string" } }),
        json!({ "name": "status", "in": "query", "required": false,
            "schema": { "$ref": format!("#/components/schemas/{}", filters.status_schema) } }),
        json!({ "name": "createdFrom", "in": "query", "required": false,
            "description": "Created at or after this time (RFC 3339).",
            "schema": { "type": "string", "format": "date-time" } }),
        json!({ "name": "createdBefore", "in": "query", "required": false,
            "description": "Created before this time (RFC 3339).",
            "schema": { "type": "string", "format": "date-time" } }),
    ];
    if let Some(order) = filters.order {
        parameters.push(text(order, "Exactly this order."));
    }
    if filters.reference {
        parameters.push(text(
            "referenceId",
            "Exactly this referenceId (your own id).",
        ));
    }
    if filters.metadata {
        parameters.push(json!({ "name": "metadataKey", "in": "query", "required": false,
            "description": "Only items whose metadata has this key (with metadataValue: this value).",
            "schema": { "type": "string", "pattern": "^[A-Za-z0-9_.-]{1,40}$" } }));
        parameters.push(text(
            "metadataValue",
            "With metadataKey: the value the key must hold.",
        ));
    }
    if filters.event {
        parameters.push(text(
            "type",
            "Only events of this type, e.g. payment.authorized.",
        ));
        parameters.push(text(
            "objectId",
            "Only events about this checkout, link or refund.",
        ));
    }
    parameters
}

/// Query parameters of the operations that take some.
fn query_parameters(operation_id: &str) -> Vec<Value> {
    match operation_id {
        "listCheckouts" => list_parameters(&lists::CHECKOUTS),
        "listRefundLinks" => list_parameters(&lists::REFUND_LINKS),
        "listRefunds" => list_parameters(&lists::GATEWAY_REFUNDS),
        "listDeviceRefunds" => list_parameters(&lists::DEVICE_REFUNDS),
        "listEvents" => list_parameters(&lists::EVENTS),
        "listWebhookEvents" => vec![
            json!({ "name": "status", "in": "query", "required": false,
                "schema": { "$ref": "#/components/schemas/EventDeliveryStatus" } }),
            json!({ "name": "limit", "in": "query", "required": false,
                "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }),
        ],
        "getDeviceRefund" => vec![json!({ "name": "wait", "in": "query", "required": false,
            "description": "Seconds to wait for the status to change before answering (a long poll); 0 or absent answers at once.",
            "schema": { "type": "integer", "minimum": 0, "maximum": 60 } })],
        "getDashboard" => vec![
            json!({ "name": "timeZone", "in": "query", "required": false,
            "description": "An IANA time zone name (e.g. America/Toronto) whose days the figures count; UTC when absent.",
            "schema": { "type": "string", "example": "America/Toronto" } }),
        ],
        _ => Vec::new(),
    }
}

/// The schema name of the event `event_type`, e.g. `Event_payment.authorized`.
pub fn event_schema_name(event_type: &str) -> String {
    format!("Event_{event_type}")
}

/// The schema of one event type: its envelope, with its `data`.
fn event_schema(event_type: &str, when: &str, data: Value) -> Value {
    json!({
        "type": "object",
        "description": when,
        "additionalProperties": false,
        "required": ["id", "type", "created", "livemode", "data"],
        "properties": {
            "id": { "type": "string", "description": "evt_…, the same on every delivery: deduplicate on it." },
            "type": { "type": "string", "enum": [event_type], "description": "The event's type: what happened." },
            "created": { "type": "integer", "format": "int64", "description": "When it happened, in Unix seconds." },
            "livemode": { "type": "boolean", "description": "false in sandbox mode (test data, simulated gateways), true with real payments." },
            "data": with_description(data, "What the event is about, as it was when the event happened: read the object for its current state.")
        }
    })
}

/// What an operation does, then who may call it and how to retry it.
fn operation_description(endpoint: &Endpoint) -> String {
    let who = match endpoint.permission.scope() {
        Some(Scope::Read) => "Any API token may call it (every scope reads).".to_string(),
        Some(scope) => format!("Needs an API token with the `{}` scope.", scope.as_str()),
        None => "No API token may call it: staff only.".to_string(),
    };
    let retry = if endpoint.idempotent {
        " Send an `Idempotency-Key` to retry it safely: a retry answers the first answer."
    } else {
        ""
    };
    format!("{}\n\n{who}{retry}", endpoint.description)
}

/// The names of the component schemas `schema` refers to at its top (one, or each of a `oneOf`).
fn referenced_schemas(schema: &Value) -> Vec<&str> {
    fn name(schema: &Value) -> Option<&str> {
        schema["$ref"].as_str()?.rsplit('/').next()
    }
    match schema["oneOf"].as_array() {
        Some(options) => options.iter().filter_map(name).collect(),
        None => name(schema).into_iter().collect(),
    }
}

/// A media type's `examples`: references to the examples of the schemas `schema` names.
fn example_refs(schema: &Value) -> Value {
    referenced_schemas(schema)
        .into_iter()
        .map(|name| {
            (
                name.to_string(),
                json!({ "$ref": format!("#/components/examples/{name}") }),
            )
        })
        .collect::<Map<String, Value>>()
        .into()
}

/// The document's named examples: one per schema that has one, and one per error code the
/// operations' answers show.
fn component_examples(endpoints: &[Endpoint], schemas: &Map<String, Value>) -> Map<String, Value> {
    let mut examples: Map<String, Value> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            let value = schema["examples"].get(0)?.clone();
            Some((name.clone(), json!({ "summary": name, "value": value })))
        })
        .collect();
    let statuses = endpoints
        .iter()
        .flat_map(|e| e.errors.iter().copied())
        .chain([401, 403, 429, 500]);
    for status in statuses {
        let (code, value) = error_example(status);
        examples.insert(
            format!("error_{code}"),
            json!({ "summary": format!("{status} {code}"), "value": value }),
        );
    }
    examples
}

/// `schema` with `description` beside it (beside a `$ref` too: 3.1 keeps both).
fn with_description(mut schema: Value, description: &str) -> Value {
    if let Value::Object(object) = &mut schema {
        object
            .entry("description")
            .or_insert_with(|| json!(description));
    }
    schema
}

/// The document, with `public_url` as its server.
pub fn document(endpoints: &[Endpoint], public_url: &str) -> Value {
    let mut document = build(endpoints, public_url);
    flatten_string_enums(&mut document);
    drop_null_defaults(&mut document);
    allow_null_in_nullable_enums(&mut document);
    document
}

fn build(endpoints: &[Endpoint], public_url: &str) -> Value {
    let mut generator = schema_settings().into_generator();
    let error_schema =
        serde_json::to_value(generator.subschema_for::<ErrorBody>()).unwrap_or_default();
    let mut paths = Map::new();
    for endpoint in endpoints {
        let mut responses = Map::new();
        let body = serde_json::to_value((endpoint.response)(&mut generator)).unwrap_or_default();
        for status in endpoint.success {
            responses.insert(
                status.to_string(),
                json!({ "description": "Success", "content": { "application/json": {
                    "schema": body, "examples": example_refs(&body) } } }),
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
                json!({ "description": "Accepted (or, when the payout is not bound to a payment and above the approval threshold, waiting for a second staff member: a payout_approval)", "content": { "application/json": {
                    "schema": schema, "examples": example_refs(&schema) } } }),
            );
        }
        for status in [401, 403].iter().chain(endpoint.errors).chain(&[429, 500]) {
            let (code, _) = error_example(*status);
            responses.insert(
                status.to_string(),
                json!({ "description": error_description(*status), "content": { "application/json": {
                    "schema": error_schema,
                    "examples": { code: { "$ref": format!("#/components/examples/error_{code}") } } } } }),
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
        parameters.extend(query_parameters(endpoint.operation_id));
        let mut operation = json!({
            "operationId": endpoint.operation_id,
            "tags": [tag_of(endpoint.path)],
            "summary": endpoint.summary,
            "description": operation_description(endpoint),
            "security": [{ "bearer": [] }],
            "x-paydesk-scope": endpoint.permission.scope().map(|scope| scope.as_str()),
            "parameters": parameters,
            "responses": responses,
        });
        if endpoint.summary.starts_with("Deprecated:") {
            operation["deprecated"] = json!(true);
        }
        if let Some((request, optional)) = endpoint.request {
            let schema = serde_json::to_value(request(&mut generator)).unwrap_or_default();
            operation["requestBody"] = json!({
                "required": !optional,
                "content": { "application/json": { "schema": schema, "examples": example_refs(&schema) } }
            });
        }
        let item = paths
            .entry(endpoint.path.to_string())
            .or_insert_with(|| json!({}));
        item[endpoint.verb.as_str()] = operation;
    }
    let events: Vec<(&str, &str, Value)> = CATALOGUE
        .iter()
        .map(|(event_type, kind, when)| {
            let data = serde_json::to_value(kind.schema(&mut generator)).unwrap_or_default();
            (*event_type, *when, data)
        })
        .collect();
    let mut schemas: Map<String, Value> = generator
        .take_definitions()
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or_default()))
        .collect();
    let mut webhooks = Map::new();
    for (event_type, when, data) in events {
        let name = event_schema_name(event_type);
        schemas.insert(name.clone(), event_schema(event_type, when, data));
        webhooks.insert(event_type.to_string(), json!({ "post": {
            "operationId": format!("event_{}", event_type.replace('.', "_")),
            "summary": when,
            "description": "POSTed to your PAYDESK_MERCHANT_WEBHOOK_URL, signed in the Paydesk-Signature header (Stripe's scheme); answer any 2xx.",
            "requestBody": { "required": true, "content": { "application/json": {
                "schema": { "$ref": format!("#/components/schemas/{name}") },
                "examples": { event_type: { "$ref": format!("#/components/examples/{name}") } } } } },
            "responses": { "200": { "description": "Received (any 2xx)" } }
        } }));
    }
    for (name, schema) in schemas.iter_mut() {
        if let (Some(example), Value::Object(object)) = (schema_example(name), schema) {
            object.insert("examples".into(), json!([example]));
        }
    }
    let examples = component_examples(endpoints, &schemas);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "paydesk merchant API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Checkouts, capture/void/refund with a per-payment ledger, refund links and webhook events. Amounts are integer minor units (cents)."
        },
        "servers": [{ "url": public_url }],
        "tags": tags(endpoints),
        "paths": paths,
        // The events paydesk sends the merchant's endpoint, one schema per type.
        "webhooks": webhooks,
        "components": {
            "schemas": schemas,
            "examples": examples,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from `paydesk token create`." } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_enum_accepts_null() {
        let mut schema = json!({ "properties": {
            "a": { "type": ["string", "null"], "enum": ["USD", "CAD"] },
            "b": { "type": "string", "enum": ["USD"] }
        } });
        allow_null_in_nullable_enums(&mut schema);
        assert_eq!(
            schema["properties"]["a"]["enum"],
            json!(["USD", "CAD", null])
        );
        assert_eq!(schema["properties"]["b"]["enum"], json!(["USD"]));
    }

    #[test]
    fn null_defaults_are_dropped_and_others_kept() {
        let mut schema = json!({ "properties": {
            "a": { "type": "string", "default": null },
            "b": { "type": "integer", "default": 3 }
        } });
        drop_null_defaults(&mut schema);
        assert!(schema["properties"]["a"].get("default").is_none());
        assert_eq!(schema["properties"]["b"]["default"], 3);
    }

    #[test]
    fn one_value_enums_become_one_enum() {
        let mut schema = json!({ "oneOf": [
            { "type": "string", "enum": ["open"], "description": "Waiting for the customer." },
            { "type": "string", "enum": ["authorized"], "description": "Paid." }
        ] });
        flatten_string_enums(&mut schema);
        assert_eq!(schema["enum"], json!(["open", "authorized"]));
        assert_eq!(schema["type"], "string");
        assert!(schema.get("oneOf").is_none());
        assert!(schema["description"]
            .as_str()
            .unwrap()
            .contains("`open`: Waiting"));
        // A oneOf of objects is left alone.
        let mut objects =
            json!({ "oneOf": [{ "type": "object" }, { "type": "string", "enum": ["x"] }] });
        flatten_string_enums(&mut objects);
        assert!(objects.get("oneOf").is_some());
    }

    #[test]
    fn every_operation_has_a_resource_tag_and_the_limits_answers() {
        let endpoints = crate::api::endpoints::endpoints();
        let doc = document(&endpoints, "https://pay.example.com");
        let tags: Vec<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for endpoint in &endpoints {
            let operation = &doc["paths"][endpoint.path][endpoint.verb.as_str()];
            let tag = operation["tags"][0].as_str().unwrap();
            assert!(tags.contains(&tag), "{tag}");
            assert!(!tag.is_empty() && !tag.contains('{'), "{}", endpoint.path);
            for status in ["429", "500"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{} {status}",
                    endpoint.path
                );
            }
        }
        assert_eq!(
            one_value_enum_unions(&doc),
            0,
            "no oneOf of one-value enums left"
        );
    }

    /// How many `oneOf`s in `value` hold a one-value string enum.
    fn one_value_enum_unions(value: &Value) -> usize {
        match value {
            Value::Object(object) => {
                let here = object
                    .get("oneOf")
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        items.iter().any(|item| {
                            item.get("enum").and_then(Value::as_array).map(Vec::len) == Some(1)
                        })
                    });
                usize::from(here) + object.values().map(one_value_enum_unions).sum::<usize>()
            }
            Value::Array(items) => items.iter().map(one_value_enum_unions).sum(),
            _ => 0,
        }
    }

    #[test]
    fn every_schema_and_operation_has_a_description_and_an_example() {
        let endpoints = crate::api::endpoints::endpoints();
        let doc = document(&endpoints, "https://pay.example.com");
        let mut undescribed = Vec::new();
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            assert!(
                schema["description"].is_string(),
                "{name} has no description"
            );
            assert!(
                schema["examples"][0] != Value::Null,
                "{name} has no example"
            );
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                if !property["description"].is_string() {
                    undescribed.push(format!("{name}.{field}"));
                }
            }
        }
        assert!(
            undescribed.is_empty(),
            "fields without a description: {undescribed:?}"
        );
        let examples = &doc["components"]["examples"];
        let resolves = |media: &Value, at: &str| {
            let refs = media["examples"]
                .as_object()
                .unwrap_or_else(|| panic!("{at}"));
            assert!(!refs.is_empty(), "{at} has no example");
            for reference in refs.values() {
                let name = reference["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap();
                assert!(examples[name]["value"] != Value::Null, "{at}: {name}");
            }
        };
        for endpoint in &endpoints {
            let at = format!("{} {}", endpoint.verb.as_str(), endpoint.path);
            let operation = &doc["paths"][endpoint.path][endpoint.verb.as_str()];
            let description = operation["description"].as_str().unwrap();
            assert!(
                description.len() > operation["summary"].as_str().unwrap().len(),
                "{at}"
            );
            if endpoint.request.is_some() {
                resolves(
                    &operation["requestBody"]["content"]["application/json"],
                    &at,
                );
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                resolves(
                    &response["content"]["application/json"],
                    &format!("{at} {status}"),
                );
            }
        }
        for (event_type, item) in doc["webhooks"].as_object().unwrap() {
            resolves(
                &item["post"]["requestBody"]["content"]["application/json"],
                event_type,
            );
        }
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
