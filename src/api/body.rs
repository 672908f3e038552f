//! Reading merchant API requests: JSON bodies (naming the offending field), optional bodies, and
//! the `Idempotency-Key` header.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};

use super::error::ApiError;

/// Decodes a JSON body, naming the offending field in the error.
pub fn decode<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the request body as JSON with 'Content-Type: application/json'.",
        ));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        let named = |marker: &str| {
            message
                .split_once(marker)
                .and_then(|(_, rest)| rest.split('`').next())
                .map(str::to_string)
        };
        let field = if path != "." {
            Some(path)
        } else {
            named("unknown field `").or_else(|| named("missing field `"))
        };
        match field {
            Some(field) if inner.is_data() => {
                ApiError::field(field.clone(), format!("{field}: {message}"))
            }
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("The body is not valid JSON: {message}"),
            ),
        }
    })
}

/// Decodes an optional JSON body: an empty body is the default request.
pub fn decode_optional<T: serde::de::DeserializeOwned + Default>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        decode(headers, body)
    }
}

/// The merchant's `Idempotency-Key`, if sent: a retried request with it returns the first answer.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if !key.trim().is_empty() && key.len() <= 255 => Ok(Some(key.trim().to_string())),
        _ => Err(ApiError::header(
            "Idempotency-Key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        )),
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use axum::response::IntoResponse;
    use paydesk_core::payments::{NewCheckout, NewRefundLink, OperationRequest};
    use proptest::prelude::*;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        headers
    }

    proptest! {
        /// Any body a merchant sends: a typed answer, never a panic; a refusal is a 400-class error.
        #[test]
        fn any_body_is_read_or_refused_clearly(body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from),
            (any::<i64>(), ".{0,5}", proptest::option::of(".{0,30}")).prop_map(|(amount, currency, order)| {
                Bytes::from(serde_json::json!({"amount": amount, "currency": currency, "orderNumber": order}).to_string())
            }),
        ]) {
            let headers = json_headers();
            for status in [
                decode::<NewCheckout>(&headers, &body).err().map(|e| e.into_response().status()),
                decode::<NewRefundLink>(&headers, &body).err().map(|e| e.into_response().status()),
                decode_optional::<OperationRequest>(&headers, &body).err().map(|e| e.into_response().status()),
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!(status.is_client_error(), "{}", status);
            }
        }
    }
}
