//! Payroc Cloud's JSON, as paydesk reads and writes it (seed 004 and the reference's SPEC facts).
//! Enums are `#[non_exhaustive]` with an `Unknown` fallback so a new value never breaks a refund;
//! optional fields are lenient. The sandbox keeps its own copies of these shapes, so the client and
//! the simulator check each other.

use serde::{Deserialize, Serialize};

/// `POST {identity}/authorize` → the Bearer token.
#[derive(Clone, Debug, Deserialize)]
pub struct AccessToken {
    pub access_token: String,
    pub token_type: String,
    /// Seconds.
    pub expires_in: u64,
    #[serde(default)]
    pub scope: Option<String>,
}

/// The order of a refund instruction.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstructionOrder {
    /// 1–24 characters.
    pub order_id: String,
    /// Required on refund orders (0–1024).
    pub description: String,
    /// Minor units, positive.
    pub amount: i64,
    pub currency: String,
}

/// Body of `POST /devices/{serialNumber}/refund-instructions`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundInstructionRequest {
    pub processing_terminal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    pub order: InstructionOrder,
    /// Absent: Payroc's default (the device reads the card).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customization_options: Option<CustomizationOptions>,
}

/// `customizationOptions` of an instruction (PR:20641).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomizationOptions {
    pub entry_method: EntryMethod,
}

/// `customizationOptions.entryMethod`: how the device captures the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EntryMethod {
    DeviceRead,
    ManualEntry,
    DeviceReadOrManualEntry,
}

/// `{rel, method, href}`: where to go next (`rel: "refund"` on a completed instruction).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Link {
    pub rel: String,
    pub method: String,
    pub href: String,
}

impl Link {
    /// The refund id a link points at: the last path segment of `/refunds/{id}` (there is no
    /// top-level `refundId`; matched on the path, not on `rel`).
    pub fn refund_id(&self) -> Option<String> {
        let path = self.href.split(['?', '#']).next().unwrap_or_default();
        let mut segments = path.trim_end_matches('/').rsplit('/');
        let id = segments.next()?;
        (segments.next() == Some("refunds") && !id.is_empty()).then(|| id.to_string())
    }
}

/// An instruction's status. `completed` means only that the device finished: approval is in the
/// refund's `transactionResult`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum InstructionStatus {
    InProgress,
    Completed,
    Failure,
    Canceled,
    #[serde(other)]
    Unknown,
}

/// The 202 of a submit, and the 200 of a poll.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundInstruction {
    pub refund_instruction_id: String,
    pub status: InstructionStatus,
    /// Only with `failure`.
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub link: Option<Link>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundCard {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub entry_method: Option<String>,
    #[serde(default)]
    pub cardholder_name: Option<String>,
    /// First 6 and last 4, e.g. `453985******7062`.
    #[serde(default)]
    pub card_number: Option<String>,
    /// MMYY.
    #[serde(default)]
    pub expiry_date: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundOrder {
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub date_time: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
}

/// `transactionResult.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ResultStatus {
    Ready,
    Pending,
    Declined,
    Complete,
    Referral,
    Pickup,
    Reversal,
    Admin,
    Expired,
    Accepted,
    #[serde(other)]
    Unknown,
}

/// `transactionResult`: what happened to the money.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionResult {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    pub status: ResultStatus,
    #[serde(default)]
    pub approval_code: Option<String>,
    /// Negative when funds go to the customer (a refund).
    #[serde(default)]
    pub authorized_amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    /// `A` approved, `D` declined, `E` later, `P` partial, `R` call bank, `C` pick up card.
    pub response_code: String,
    #[serde(default)]
    pub response_message: Option<String>,
    #[serde(default)]
    pub processor_response_code: Option<String>,
}

/// `GET /refunds/{refundId}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// Exactly 10 characters.
    pub refund_id: String,
    pub processing_terminal_id: String,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub order: RefundOrder,
    #[serde(default)]
    pub card: RefundCard,
    pub transaction_result: TransactionResult,
}

/// A page of `GET /refunds` (listRefunds).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundPage {
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub data: Vec<Refund>,
}

/// A device from `GET /devices`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Payroc's id of the device: the cursor of `GET /devices`' pages (not shown to merchants).
    #[serde(default, skip_serializing)]
    #[schemars(skip)]
    pub device_id: Option<String>,
    /// The terminal's serial number: the `device` of a device refund.
    pub serial_number: String,
    /// Which terminal it is, when Payroc says.
    #[serde(default)]
    pub device_type: Option<DeviceType>,
    /// When Payroc deactivated it (it then takes no refunds); absent while it is active.
    #[serde(default)]
    pub deactivated_date: Option<String>,
}

/// A payment device's maker and model, as Payroc lists them.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceType {
    /// The model, e.g. `A920Pro`.
    #[serde(default)]
    pub model: Option<String>,
    /// The maker, e.g. `PAX`.
    #[serde(default)]
    pub manufacturer: Option<String>,
}

/// A page of devices (`{limit, count, hasMore, data, links}`: 10 by default, at most 100, the next
/// page after the last `deviceId`, PR:34395–34470); a bare array is accepted too.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum DeviceList {
    Page {
        data: Vec<Device>,
        #[serde(default, rename = "hasMore")]
        has_more: bool,
        #[serde(default)]
        links: Vec<Link>,
    },
    Bare(Vec<Device>),
}

impl DeviceList {
    /// Where the next page starts (`after`): from the `next` link, else the last device's id;
    /// `None` on the last page.
    pub fn next_after(&self) -> Option<String> {
        let DeviceList::Page {
            data,
            has_more: true,
            links,
        } = self
        else {
            return None;
        };
        links
            .iter()
            .find(|link| link.rel == "next")
            .and_then(|link| query_value(&link.href, "after"))
            .or_else(|| data.last().and_then(|device| device.device_id.clone()))
    }

    pub fn into_devices(self) -> Vec<Device> {
        match self {
            DeviceList::Page { data, .. } | DeviceList::Bare(data) => data,
        }
    }
}

/// The value of `name` in a link's query (`…?limit=2&after=29005020` → `29005020`), decoded; the
/// link may be absolute, as Payroc writes it, or relative to the API.
fn query_value(href: &str, name: &str) -> Option<String> {
    let base = url::Url::parse("https://api.payroc.com/v1/").ok()?;
    base.join(href)
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

/// An RFC 7807 problem (`application/problem+json`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Problem {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub errors: Vec<ProblemItem>,
    /// On a 409 `cannot-be-canceled` of a completed instruction: the refund.
    #[serde(default)]
    pub link: Option<Link>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProblemItem {
    #[serde(default)]
    pub parameter: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl Problem {
    /// The fragment of `type` (`https://docs.payroc.com/api/errors#cannot-be-canceled` →
    /// `cannot-be-canceled`): matched on, never the title.
    pub fn fragment(&self) -> &str {
        self.kind
            .rsplit_once('#')
            .map_or(self.kind.as_str(), |(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_parse() {
        let submitted: RefundInstruction = serde_json::from_str(
            r#"{"refundInstructionId":"a37439165d134678a9100ebba3b29597","status":"inProgress","link":{"rel":"self","method":"GET","href":"https://api.payroc.com/v1/refund-instructions/a37439165d134678a9100ebba3b29597"}}"#,
        )
        .unwrap();
        assert_eq!(submitted.status, InstructionStatus::InProgress);
        assert_eq!(
            submitted.link.unwrap().refund_id(),
            None,
            "a self link is not a refund"
        );

        let completed: RefundInstruction = serde_json::from_str(
            r#"{"refundInstructionId":"a37439165d134678a9100ebba3b29597","status":"completed","link":{"rel":"refund","method":"GET","href":"https://api.payroc.com/v1/refunds/CD3HN88U9F"}}"#,
        )
        .unwrap();
        assert_eq!(
            completed.link.unwrap().refund_id().as_deref(),
            Some("CD3HN88U9F")
        );

        let refund: Refund = serde_json::from_str(
            r#"{"refundId":"CD3HN88U9F","processingTerminalId":"1234001","order":{"orderId":"OrderRef6543","dateTime":"2024-07-02T15:30:00Z","description":"Refund for order OrderRef6543","amount":4999,"currency":"USD"},"card":{"type":"Visa Credit","entryMethod":"keyed","cardNumber":"453985******7062","expiryDate":"1230"},"transactionResult":{"type":"refund","status":"ready","approvalCode":"000000","authorizedAmount":-4999,"currency":"USD","responseCode":"A","responseMessage":"OK5"},"customFields":[{"name":"yourCustomField","value":"abc123"}]}"#,
        )
        .unwrap();
        assert_eq!(refund.transaction_result.authorized_amount, Some(-4999));
        assert_eq!(refund.transaction_result.status, ResultStatus::Ready);

        let conflict: Problem = serde_json::from_str(
            r#"{"type":"https://docs.payroc.com/api/errors#cannot-be-canceled","title":"Cannot be canceled","status":409,"detail":"You cannot cancel this resource in its current state","errors":[{"parameter":"refundInstructionId","message":"Completed instruction cannot be canceled"}],"link":{"rel":"refund","method":"GET","href":"https://api.payroc.com/v1/refunds/M2MJOG6O2Y"}}"#,
        )
        .unwrap();
        assert_eq!(conflict.fragment(), "cannot-be-canceled");
        assert_eq!(
            conflict.link.unwrap().refund_id().as_deref(),
            Some("M2MJOG6O2Y")
        );

        let token: AccessToken = serde_json::from_str(
            r#"{"access_token":"eyJ","token_type":"Bearer","expires_in":3600,"scope":"service_a service_b"}"#,
        )
        .unwrap();
        assert_eq!(token.expires_in, 3600);

        let unknown: RefundInstruction =
            serde_json::from_str(r#"{"refundInstructionId":"x","status":"paused"}"#).unwrap();
        assert_eq!(unknown.status, InstructionStatus::Unknown);
    }

    /// A refund with every optional block the spec declares (values written for this test, in the
    /// shapes of Payroc's published fixtures): unknown blocks are ignored, known ones read.
    #[test]
    fn a_refund_with_every_optional_block_parses() {
        let body = serde_json::json!({
            "refundId": "CD3HN88U9F",
            "processingTerminalId": "1234001",
            "operator": "Jane",
            "order": {"orderId": "OrderRef6543", "dateTime": "2024-07-02T15:30:00Z",
                      "description": "Refund for order OrderRef6543", "amount": 4999, "currency": "USD"},
            "customer": {"firstName": "Sarah", "lastName": "Hopper", "dateOfBirth": "1990-07-15",
                         "referenceNumber": "Customer-12",
                         "billingAddress": {"address1": "1 Example Ave.", "city": "Chicago", "state": "Illinois",
                                            "country": "US", "postalCode": "60056"},
                         "contactMethods": [{"type": "email", "value": "jane.doe@example.com"}],
                         "notificationLanguage": "en"},
            "card": {"type": "MasterCard", "entryMethod": "icc", "cardholderName": "Sarah Hazel Hopper",
                     "cardholderSignature": "a1b1c012345", "cardNumber": "453985******7062", "expiryDate": "1230",
                     "secureToken": {"secureTokenId": "MREF_abc1de23-f4a5-6789-bcd0-12e345678901fa",
                                     "customerName": "Sarah Hazel Hopper", "token": "296753123456",
                                     "status": "notValidated",
                                     "link": {"rel": "parent", "method": "get", "href": "https://api.payroc.com/v1/processing-terminals/1234001/secure-tokens/MREF_abc"}},
                     "securityChecks": {"cvvResult": "M", "avsResult": "Y"},
                     "emvTags": [{"hex": "9F36", "value": "001234"}, {"hex": "5F2A", "value": "840"}],
                     "balances": [{"benefitCategory": "cash", "amount": 50, "currency": "USD"}]},
            "supportedOperations": ["capture", "fullyReverse", "partiallyReverse", "incrementAuthorization", "adjustTip", "setAsPending"],
            "transactionResult": {"type": "refund", "ebtType": "cashPurchase", "status": "ready",
                                  "approvalCode": "123456", "authorizedAmount": -4999, "currency": "USD",
                                  "responseCode": "A", "responseMessage": "NO ERROR",
                                  "processorResponseCode": "0", "cardSchemeReferenceId": "MCC123456789",
                                  "healthcareIndicator": "N"},
            "customFields": [{"name": "yourCustomField", "value": "abc123"}]
        });
        let refund: Refund = serde_json::from_value(body).unwrap();
        assert_eq!(refund.operator.as_deref(), Some("Jane"));
        assert_eq!(refund.card.card_number.as_deref(), Some("453985******7062"));
        assert_eq!(
            refund.transaction_result.processor_response_code.as_deref(),
            Some("0")
        );
        assert_eq!(refund.order.amount, Some(4999));

        let devices: DeviceList = serde_json::from_value(serde_json::json!({
            "limit": 2, "count": 2, "hasMore": false,
            "data": [
                {"serialNumber": "1850010868", "deviceType": {"model": "A920Pro", "manufacturer": "PAX"},
                 "lastTransaction": {"dateTime": "2024-07-02T15:30:00Z"}},
                {"serialNumber": "1850010869", "deactivatedDate": "2024-07-02"}
            ]
        }))
        .unwrap();
        let devices = devices.into_devices();
        assert_eq!(devices.len(), 2);
        assert!(devices[1].deactivated_date.is_some());

        // `GET /refunds` (listRefunds): the spec's own example (payroc-openapi-spec.yaml v1.0.294,
        // `paginatedResults`, its `links` and `customFields` included).
        let page: RefundPage = serde_json::from_value(serde_json::json!({
            "limit": 2, "count": 2, "hasMore": true,
            "data": [
                {"refundId": "CD3HN88U9F", "processingTerminalId": "1234001",
                 "order": {"orderId": "OrderRef6543", "dateTime": "2024-07-02T15:30:00Z",
                           "description": "Refund for order OrderRef6543", "amount": 4999, "currency": "USD"},
                 "card": {"type": "Visa Credit", "entryMethod": "keyed", "cardNumber": "453985******7062", "expiryDate": "1230"},
                 "transactionResult": {"type": "refund", "status": "ready", "approvalCode": "000000",
                                       "authorizedAmount": -4999, "currency": "USD", "responseCode": "A",
                                       "responseMessage": "APPROVAL"}},
                {"refundId": "B6ZOFZNVOP", "processingTerminalId": "1234001",
                 "order": {"orderId": "OrderRef7654", "dateTime": "2024-07-02T15:30:00Z",
                           "description": "Refund for order OrderRef7654", "amount": 3999, "currency": "USD"},
                 "card": {"type": "MasterCard", "entryMethod": "keyed", "cardNumber": "500165******0000", "expiryDate": "0328"},
                 "transactionResult": {"type": "refund", "status": "reversal", "approvalCode": "000000",
                                       "authorizedAmount": -3999, "currency": "USD", "responseCode": "A",
                                       "responseMessage": "APPROVAL"},
                 "customFields": [{"name": "yourCustomField", "value": "abc123"}]}
            ],
            "links": [
                {"rel": "next", "method": "get", "href": "https://api.payroc.com/v1/refunds?processingTerminalId=1234001&limit=2&after=B6ZOFZNVOP"},
                {"rel": "previous", "method": "get", "href": "https://api.payroc.com/v1/refunds?processingTerminalId=1234001&limit=2&before=CD3HN88U9F"}
            ]
        }))
        .unwrap();
        assert!(page.has_more);
        assert_eq!(page.data.len(), 2);
        assert_eq!(page.data[1].order.order_id.as_deref(), Some("OrderRef7654"));
        // The spec's "noActivity" answer: an empty page.
        let empty: RefundPage = serde_json::from_value(
            serde_json::json!({"limit": 2, "count": 0, "hasMore": false, "data": []}),
        )
        .unwrap();
        assert!(empty.data.is_empty() && !empty.has_more);

        let failed: RefundInstruction = serde_json::from_str(
            r#"{"refundInstructionId":"e743a9165d134678a9100ebba3b29597","status":"failure","errorMessage":"Instruction timed out on device"}"#,
        )
        .unwrap();
        assert_eq!(failed.status, InstructionStatus::Failure);
        assert!(failed.link.is_none());
    }

    #[test]
    fn a_device_page_says_where_the_next_one_starts() {
        let page = |links: &str, has_more: bool| -> DeviceList {
            serde_json::from_str(&format!(
                r#"{{"limit":2,"count":2,"hasMore":{has_more},"links":{links},
                    "data":[{{"deviceId":"1","serialNumber":"A"}},{{"deviceId":"2","serialNumber":"B"}}]}}"#
            ))
            .unwrap()
        };
        let next = |href: &str| format!(r#"[{{"rel":"next","method":"get","href":"{href}"}}]"#);
        let absolute = next("https://api.payroc.com/v1/devices?limit=2&after=29005020");
        assert_eq!(
            page(&absolute, true).next_after().as_deref(),
            Some("29005020")
        );
        let relative = next("/v1/devices?limit=2&after=SN%2F7");
        assert_eq!(page(&relative, true).next_after().as_deref(), Some("SN/7"));
        assert_eq!(
            page("[]", true).next_after().as_deref(),
            Some("2"),
            "else the last deviceId"
        );
        assert_eq!(page(&absolute, false).next_after(), None, "the last page");
    }
}
