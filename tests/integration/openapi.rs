//! The OpenAPI document against the running implementation: every documented operation exists (and
//! nothing else does), and real responses — successes and errors — match their documented schemas,
//! with no undocumented fields.

use crate::common::{spawn_app, spawn_app_with, TestApp, TOKEN};
use serde_json::{json, Value};

/// Checks `value` against an OpenAPI 3.1 schema (the subset of JSON Schema schemars emits),
/// strictly: objects with declared properties may not carry others.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if schema == &Value::Bool(true) || schema.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(());
    }
    if value.is_null() && allows_null(schema) {
        return Ok(());
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("{at}: unresolved {reference}"));
        }
        return validate(doc, target, value, at);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for part in all {
            validate(doc, part, value, at)?;
        }
        return Ok(());
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema[key].as_array() {
            return if options.iter().any(|o| validate(doc, o, value, at).is_ok()) {
                Ok(())
            } else {
                Err(format!("{at}: {value} matches none of {key}"))
            };
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut ok = types.is_empty();
    for kind in types {
        ok |= match kind {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "null" => value.is_null(),
            other => return Err(format!("{at}: unsupported type {other}")),
        };
    }
    if !ok {
        return Err(format!("{at}: {value} is not of type {}", schema["type"]));
    }
    if let (Some(object), Some(properties)) = (value.as_object(), schema["properties"].as_object())
    {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{at}: missing required {name}"));
            }
        }
        for (name, field) in object {
            let Some(field_schema) = properties.get(name) else {
                return Err(format!("{at}: undocumented field {name}"));
            };
            validate(doc, field_schema, field, &format!("{at}.{name}"))?;
        }
    }
    if let (Some(items), Some(schema_items)) = (value.as_array(), schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, schema_items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Whether a schema's `type` lets `null` through (`"null"` or `[T, "null"]`).
fn allows_null(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(one) => one == "null",
        Value::Array(many) => many.iter().any(|t| t == "null"),
        _ => false,
    }
}

struct Checked<'a> {
    app: &'a TestApp,
    doc: Value,
}

impl Checked<'_> {
    /// Calls the API and validates the answer against the document for `path` (the template),
    /// `verb` and the returned status. Returns the status and body.
    async fn call(
        &self,
        verb: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.app.base);
        let request = if verb == "get" {
            self.app.http.get(url)
        } else {
            self.app.http.post(url)
        }
        .bearer_auth(TOKEN);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let value: Value = response.json().await.unwrap();
        let documented = &self.doc["paths"][template][verb]["responses"][status.to_string()];
        assert!(
            !documented.is_null(),
            "{verb} {template} answered an undocumented {status}: {value}"
        );
        let schema = &documented["content"]["application/json"]["schema"];
        validate(
            &self.doc,
            schema,
            &value,
            &format!("{verb} {template} {status}"),
        )
        .unwrap_or_else(|e| panic!("{e}\n{value:#}"));
        (status, value)
    }
}

#[tokio::test]
async fn every_documented_operation_exists_and_nothing_else_does() {
    // Every operation is tried with a bad token: more than the default ration per address.
    let app = spawn_app_with(&[("PAYDESK_API_BAD_TOKENS_PER_MINUTE", "1000")]).await;
    let response = app
        .http
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the document is public");
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], app.base);
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (template, item) in paths {
        let concrete = template.replace("{id}", "x_1");
        let url = format!("{}{concrete}", app.base);
        for verb in ["get", "post", "put", "patch", "delete"] {
            let documented = item.get(verb).is_some();
            let status = app
                .http
                .request(verb.to_uppercase().parse().unwrap(), &url)
                .bearer_auth(if documented { "pdk_not_a_token" } else { TOKEN })
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if documented {
                operations += 1;
                assert_eq!(status, 401, "{verb} {template} exists and needs a token");
                let operation = &item[verb];
                assert!(
                    operation["x-paydesk-scope"].is_string(),
                    "{verb} {template} names its scope"
                );
                assert!(
                    !operation["responses"]["200"].is_null()
                        || !operation["responses"]["201"].is_null()
                        || !operation["responses"]["202"].is_null()
                );
            } else {
                assert_eq!(
                    status, 405,
                    "{verb} {template} is not documented, so it must not exist"
                );
            }
            if !documented && verb == "put" {
                let body: Value = app
                    .http
                    .put(&url)
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(
                    body["error"]["code"], "method_not_allowed",
                    "errors are JSON with a stable code"
                );
            }
        }
    }
    assert_eq!(operations, 36);
    for undocumented in [
        "/api/v1/payments",
        "/api/v1/checkouts/x_1/cancel",
        "/api/v1/tokens",
    ] {
        let response = app
            .http
            .post(format!("{}{undocumented}", app.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{undocumented}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{undocumented}");
    }
    // Every reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            !doc["components"]["schemas"][name].is_null(),
            "dangling $ref {name}"
        );
    }
}

#[tokio::test]
async fn real_responses_match_their_documented_schemas() {
    let app = spawn_app().await;
    let doc: Value = app
        .http
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api = Checked { app: &app, doc };

    let (status, created) = api
        .call(
            "post",
            "/api/v1/checkouts",
            "/api/v1/checkouts",
            Some(json!({
                "amount": 3000, "currency": "USD", "orderNumber": "OA-1", "referenceId": "oa-1",
                "amountBreakdown": { "tax": 250 }, "returnUrl": "https://shop.example/thanks"
            })),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_string();
    let (status, _) = api
        .call(
            "post",
            "/api/v1/checkouts",
            "/api/v1/checkouts",
            Some(json!({ "amount": 0, "currency": "USD" })),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = api
        .call(
            "get",
            "/api/v1/checkouts/{id}",
            "/api/v1/checkouts/chk_missing",
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Pay with the closed-account card so every operation kind, and the fallback, can be exercised.
    let form = app.hosted_form(&id).await;
    app.submit_card(&form.iframe_url, "4000000000000341").await;
    app.wait_for_status(&id, "authorized").await;
    let one = "/api/v1/checkouts/{id}";
    api.call("get", one, &format!("/api/v1/checkouts/{id}"), None)
        .await;
    let (status, _) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/capture",
            &format!("/api/v1/checkouts/{id}/capture"),
            Some(json!({ "amount": 2000 })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/capture",
            &format!("/api/v1/checkouts/{id}/capture"),
            None,
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/refund",
            &format!("/api/v1/checkouts/{id}/refund"),
            Some(json!({ "amount": 500 })),
        )
        .await;
    assert_eq!(
        status, 201,
        "a refund inside the open batch is carried out as a void"
    );
    app.close_batch().await;
    let (status, declined) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/refund",
            &format!("/api/v1/checkouts/{id}/refund"),
            Some(json!({ "amount": 700 })),
        )
        .await;
    assert_eq!(
        (status, declined["operation"]["status"].as_str()),
        (201, Some("declined"))
    );
    let (status, _) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/refund",
            &format!("/api/v1/checkouts/{id}/refund"),
            Some(json!({ "amount": 99999 })),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/void",
            &format!("/api/v1/checkouts/{id}/void"),
            None,
        )
        .await;
    assert_eq!(status, 409, "partially refunded: void refused");
    let (status, link) = api
        .call(
            "post",
            "/api/v1/checkouts/{id}/refund-link",
            &format!("/api/v1/checkouts/{id}/refund-link"),
            Some(json!({ "expiresInSeconds": 3600 })),
        )
        .await;
    assert_eq!(status, 201);
    let checkout = api
        .call("get", one, &format!("/api/v1/checkouts/{id}"), None)
        .await
        .1;
    assert_eq!(checkout["refundLinks"].as_array().unwrap().len(), 1);
    assert_eq!(checkout["operations"].as_array().unwrap().len(), 3);

    let (status, _) = api
        .call(
            "post",
            "/api/v1/refund-links",
            "/api/v1/refund-links",
            Some(json!({ "amount": 100, "currency": "CAD", "reason": "Goodwill" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = api
        .call(
            "post",
            "/api/v1/refund-links",
            "/api/v1/refund-links",
            Some(json!({ "amount": 100, "currency": "EUR" })),
        )
        .await;
    assert_eq!(status, 400);
    api.call(
        "get",
        "/api/v1/refund-links/{id}",
        &format!("/api/v1/refund-links/{}", link["id"].as_str().unwrap()),
        None,
    )
    .await;
    device_refund_answers_match(&api).await;
    let (status, dashboard) = api
        .call(
            "get",
            "/api/v1/dashboard",
            "/api/v1/dashboard?timeZone=America/Toronto",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(dashboard["currencies"][0]["currency"], "USD");
    let (status, _) = api
        .call(
            "get",
            "/api/v1/dashboard",
            "/api/v1/dashboard?timeZone=Nowhere/Land",
            None,
        )
        .await;
    assert_eq!(status, 400);
    let (_, events) = api
        .call(
            "get",
            "/api/v1/webhook-events",
            "/api/v1/webhook-events",
            None,
        )
        .await;
    let event = events["data"][0]["id"]
        .as_str()
        .expect("state changes made events")
        .to_string();
    let (status, _) = api
        .call(
            "get",
            "/api/v1/webhook-events",
            "/api/v1/webhook-events?status=lost",
            None,
        )
        .await;
    assert_eq!(status, 400);
    let redeliver = "/api/v1/webhook-events/{id}/redeliver";
    assert_eq!(
        api.call(
            "post",
            redeliver,
            &format!("/api/v1/webhook-events/{event}/redeliver"),
            None
        )
        .await
        .0,
        202
    );
    assert_eq!(
        api.call(
            "post",
            redeliver,
            "/api/v1/webhook-events/evt_missing/redeliver",
            None
        )
        .await
        .0,
        404
    );
}

/// A device refund created, completed on the virtual terminal and reversed; a reversal refused.
async fn device_refund_answers_match(api: &Checked<'_>) {
    let (status, created) = api
        .call(
            "post",
            "/api/v1/device-refunds",
            "/api/v1/device-refunds",
            Some(
                json!({ "device": crate::device_refunds::DEVICE, "amount": 250, "currency": "USD",
                "orderId": "OA-DRF", "description": "Refund in store" }),
            ),
        )
        .await;
    assert_eq!(status, 202);
    let id = created["id"].as_str().unwrap().to_string();
    let (status, _) = api
        .call(
            "post",
            "/api/v1/device-refunds/{id}/reverse",
            &format!("/api/v1/device-refunds/{id}/reverse"),
            None,
        )
        .await;
    assert_eq!(
        status, 409,
        "still waiting for the card: nothing to reverse"
    );
    crate::device_refunds::terminal(api.app, "tap", &[("card", "visa")]).await;
    crate::device_refunds::until(api.app, &id, "completed").await;
    let (status, reversed) = api
        .call(
            "post",
            "/api/v1/device-refunds/{id}/reverse",
            &format!("/api/v1/device-refunds/{id}/reverse"),
            None,
        )
        .await;
    assert_eq!(
        (status, reversed["status"].as_str()),
        (200, Some("reversed"))
    );
    let (status, _) = api
        .call(
            "get",
            "/api/v1/device-refunds/{id}",
            &format!("/api/v1/device-refunds/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .call(
            "post",
            "/api/v1/device-refunds/{id}/reverse",
            "/api/v1/device-refunds/drf_missing/reverse",
            None,
        )
        .await;
    assert_eq!(status, 404);
}

/// Every example the document gives — of each schema, event and error — matches its schema field
/// for field; an answer's example shows every field the answer has (a request's may leave optional
/// ones out).
#[test]
fn every_example_matches_its_schema() {
    let doc =
        paydesk::api::openapi::document(&paydesk::api::endpoints::endpoints(), "http://127.0.0.1");
    let requests: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| {
            op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
        })
        .map(|r| r.rsplit('/').next().unwrap().to_string())
        .collect();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        let example = &schema["examples"][0];
        validate(&doc, schema, example, name).unwrap_or_else(|e| panic!("{e}\n{example:#}"));
        if let (Some(properties), false) =
            (schema["properties"].as_object(), requests.contains(name))
        {
            for property in properties.keys() {
                assert!(
                    example.get(property).is_some(),
                    "{name}'s example leaves out {property}"
                );
            }
        }
    }
    let error = json!({ "$ref": "#/components/schemas/ErrorBody" });
    for (name, example) in doc["components"]["examples"].as_object().unwrap() {
        let schema = match name.strip_prefix("error_") {
            Some(code) => {
                assert_eq!(example["value"]["error"]["code"], code);
                error.clone()
            }
            None => json!({ "$ref": format!("#/components/schemas/{name}") }),
        };
        validate(&doc, &schema, &example["value"], name).unwrap_or_else(|e| panic!("{e}"));
    }
}
