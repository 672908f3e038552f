//! How server functions' answers travel to the browser: JSON, read in the browser as text, the way
//! Leptos reads an island's props. One JSON reader in the WASM instead of two (server_fn's `Json`
//! reads bytes, islands read a string) halves the deserializer code each shared type costs.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON in a `POST` response, decoded from UTF-8 text.
pub struct JsonText;

/// The output codec of the customer pages' server functions.
pub type JsonAnswer = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Into::into)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = JsonTextError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| JsonTextError::NotUtf8)?;
        serde_json::from_str(text).map_err(JsonTextError::Json)
    }
}

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JsonTextError {
    #[error("the answer is not UTF-8 text")]
    NotUtf8,
    #[error("the answer is not the expected JSON: {0}")]
    Json(serde_json::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_back_as_it_was_written() {
        let state = paydesk_core::model::PaymentState::Declined {
            message: "Déclinée".into(),
        };
        let bytes = <JsonText as Encodes<_>>::encode(&state).unwrap();
        let back: paydesk_core::model::PaymentState = JsonText::decode(bytes).unwrap();
        assert_eq!(back, state);
    }

    #[test]
    fn bytes_that_are_not_text_are_refused() {
        let answer: Result<String, _> = JsonText::decode(Bytes::from_static(b"\"\xff\""));
        assert!(matches!(answer, Err(JsonTextError::NotUtf8)));
    }
}
