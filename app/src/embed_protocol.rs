//! The messages between a paydesk page and the storefront that embeds it with `/embed.js`. The page
//! tells the storefront its height, its lifecycle and where the customer asked to go; it posts them
//! to each *registered* storefront origin only (a browser drops a message whose target origin is not
//! the parent's), never to `*`. The storefront says hello (embed.js is there to navigate for the
//! page) and may cancel; the page reads those only from its parent window at a registered origin.
//! Pure builders and a parser.

use serde_json::{json, Value};

/// The `type` of a height message: `{type, height}`.
pub const RESIZE_TYPE: &str = "paydesk.resize";
/// The `type` of a lifecycle message: `{type, event, linkId}`.
pub const EVENT_TYPE: &str = "paydesk.event";
/// The `type` of a navigation the page asks of the storefront: `{type, url, reason}`.
pub const NAVIGATE_TYPE: &str = "paydesk.navigate";
/// The `type` of embed.js's greeting, posted to the frame each time it loads: `{type, version}`.
pub const HELLO_TYPE: &str = "paydesk.hello";
/// The `type` of the storefront's cancel (`handle.cancel()`): `{type}`.
pub const CANCEL_TYPE: &str = "paydesk.cancel";
/// Heights outside this range are clamped: a page never asks for an absurd frame.
pub const MIN_HEIGHT: u32 = 200;
pub const MAX_HEIGHT: u32 = 3000;
/// Heights are rounded up to this step, so small layout jitter does not resize the frame.
pub const HEIGHT_STEP: u32 = 8;

/// A lifecycle event the storefront can react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedEvent {
    /// The secure form is on screen.
    Ready,
    /// The payment was authorized (confirmed by the server).
    Approved,
    /// The card was declined (the customer may try again).
    Declined,
    /// The link has expired.
    Expired,
    /// The refund was paid out (confirmed by the server).
    Refunded,
    /// The server recorded the customer's abandonment (after the storefront's `cancel()`).
    Cancelled,
}

impl EmbedEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            EmbedEvent::Ready => "ready",
            EmbedEvent::Approved => "approved",
            EmbedEvent::Declined => "declined",
            EmbedEvent::Expired => "expired",
            EmbedEvent::Refunded => "refunded",
            EmbedEvent::Cancelled => "cancelled",
        }
    }
}

/// Why the page asks the storefront to navigate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavigateReason {
    /// "Return to <merchant>" after a payment or refund (the link's `returnUrl`).
    Return,
    /// "Back to cart" (the link's `cancelUrl`).
    Cancel,
}

impl NavigateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            NavigateReason::Return => "return",
            NavigateReason::Cancel => "cancel",
        }
    }
}

/// What a storefront may tell the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorefrontMessage {
    /// embed.js is there: it navigates the top window when the page asks.
    Hello { version: u32 },
    /// The customer left: record it.
    Cancel,
}

/// Reads a storefront's message (JSON of the message's data); `None` for anything else.
pub fn parse_storefront_message(data_json: &str) -> Option<StorefrontMessage> {
    if data_json.len() > 4096 {
        return None;
    }
    let value: Value = serde_json::from_str(data_json).ok()?;
    match value.get("type")?.as_str()? {
        HELLO_TYPE => {
            let version = value.get("version")?.as_u64()?;
            Some(StorefrontMessage::Hello {
                version: u32::try_from(version).ok()?,
            })
        }
        CANCEL_TYPE => Some(StorefrontMessage::Cancel),
        _ => None,
    }
}

/// The `cancelled` event: the storefront's `cancel()` was answered; `recorded` is `false` when the
/// payment or refund had already ended (nothing to abandon).
pub fn cancelled_message_json(link_id: &str, recorded: bool) -> String {
    json!({ "type": EVENT_TYPE, "event": EmbedEvent::Cancelled.as_str(), "linkId": link_id, "recorded": recorded })
        .to_string()
}

pub fn navigate_message_json(url: &str, reason: NavigateReason) -> String {
    json!({ "type": NAVIGATE_TYPE, "url": url, "reason": reason.as_str() }).to_string()
}

/// A CSS pixel height, rounded up to [`HEIGHT_STEP`] and clamped to
/// [`MIN_HEIGHT`]..=[`MAX_HEIGHT`].
pub fn bounded_height(pixels: f64) -> u32 {
    if !pixels.is_finite() || pixels <= 0.0 {
        return MIN_HEIGHT;
    }
    let rounded = (pixels.ceil() as u32)
        .div_ceil(HEIGHT_STEP)
        .saturating_mul(HEIGHT_STEP);
    rounded.clamp(MIN_HEIGHT, MAX_HEIGHT)
}

pub fn resize_message_json(height: u32) -> String {
    json!({ "type": RESIZE_TYPE, "height": height }).to_string()
}

pub fn event_message_json(event: EmbedEvent, link_id: &str) -> String {
    json!({ "type": EVENT_TYPE, "event": event.as_str(), "linkId": link_id }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_are_rounded_and_bounded() {
        assert_eq!(bounded_height(641.2), 648);
        assert_eq!(bounded_height(640.0), 640);
        assert_eq!(bounded_height(12.0), MIN_HEIGHT);
        assert_eq!(bounded_height(1e9), MAX_HEIGHT);
        assert_eq!(bounded_height(f64::NAN), MIN_HEIGHT);
        assert_eq!(bounded_height(-5.0), MIN_HEIGHT);
    }

    #[test]
    fn messages_have_the_documented_shape() {
        assert_eq!(
            resize_message_json(648),
            r#"{"height":648,"type":"paydesk.resize"}"#
        );
        let event: serde_json::Value =
            serde_json::from_str(&event_message_json(EmbedEvent::Approved, "chk_1")).unwrap();
        assert_eq!(
            event,
            json!({ "type": "paydesk.event", "event": "approved", "linkId": "chk_1" })
        );
    }

    #[test]
    fn the_storefront_says_hello_or_cancels() {
        assert_eq!(
            parse_storefront_message(r#"{"type":"paydesk.hello","version":1}"#),
            Some(StorefrontMessage::Hello { version: 1 })
        );
        assert_eq!(
            parse_storefront_message(r#"{"type":"paydesk.cancel"}"#),
            Some(StorefrontMessage::Cancel)
        );
        for other in [
            r#"{"type":"paydesk.hello"}"#,
            r#"{"type":"paydesk.hello","version":-1}"#,
            r#"{"type":"paydesk.hello","version":"1"}"#,
            r#"{"type":"paydesk.resize","height":300}"#,
            r#""paydesk.cancel""#,
            "null",
            "not json",
        ] {
            assert_eq!(parse_storefront_message(other), None, "{other}");
        }
        let navigate: Value = serde_json::from_str(&navigate_message_json(
            "https://shop.example/cart",
            NavigateReason::Cancel,
        ))
        .unwrap();
        assert_eq!(
            navigate,
            json!({ "type": "paydesk.navigate", "url": "https://shop.example/cart", "reason": "cancel" })
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any height a page measures becomes a bounded, stepped height.
        #[test]
        fn heights_are_bounded_and_stepped(pixels in any::<f64>()) {
            let height = bounded_height(pixels);
            prop_assert!((MIN_HEIGHT..=MAX_HEIGHT).contains(&height));
            prop_assert_eq!(height % HEIGHT_STEP, 0);
        }

        /// Whatever a storefront (or anyone) posts, reading it never panics.
        #[test]
        fn any_storefront_message_reads_safely(data in any::<String>(), version in any::<i64>()) {
            let _ = parse_storefront_message(&data);
            let hello = format!(r#"{{"type":"paydesk.hello","version":{version}}}"#);
            let read = parse_storefront_message(&hello);
            prop_assert_eq!(read.is_some(), (0..=i64::from(u32::MAX)).contains(&version));
        }

        /// Whatever a link id contains, the message is JSON that reads back to it.
        #[test]
        fn event_messages_are_json_that_reads_back(id in any::<String>()) {
            let json: serde_json::Value = serde_json::from_str(&event_message_json(EmbedEvent::Approved, &id)).unwrap();
            prop_assert_eq!(json["type"].as_str(), Some(EVENT_TYPE));
            prop_assert_eq!(json["linkId"].as_str(), Some(id.as_str()));
        }
    }
}
