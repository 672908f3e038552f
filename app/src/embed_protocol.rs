//! What a paydesk page tells the storefront that embeds it (read by `/embed.js`): its height and
//! its lifecycle. Pure builders; the page posts them to each *registered* storefront origin only (a
//! browser drops a message whose target origin is not the parent's), never to `*`.

use serde_json::json;

/// The `type` of a height message: `{type, height}`.
pub const RESIZE_TYPE: &str = "paydesk.resize";
/// The `type` of a lifecycle message: `{type, event, linkId}`.
pub const EVENT_TYPE: &str = "paydesk.event";
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
}

impl EmbedEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            EmbedEvent::Ready => "ready",
            EmbedEvent::Approved => "approved",
            EmbedEvent::Declined => "declined",
            EmbedEvent::Expired => "expired",
            EmbedEvent::Refunded => "refunded",
        }
    }
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

        /// Whatever a link id contains, the message is JSON that reads back to it.
        #[test]
        fn event_messages_are_json_that_reads_back(id in any::<String>()) {
            let json: serde_json::Value = serde_json::from_str(&event_message_json(EmbedEvent::Approved, &id)).unwrap();
            prop_assert_eq!(json["type"].as_str(), Some(EVENT_TYPE));
            prop_assert_eq!(json["linkId"].as_str(), Some(id.as_str()));
        }
    }
}
