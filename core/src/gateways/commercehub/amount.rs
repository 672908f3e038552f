//! Commerce Hub writes amounts as decimal numbers in major units (`"total": 12.04`); paydesk counts
//! integer minor units. Both ways go through the number's exact text, never through floating point:
//! the text is what gets signed and sent, and what is read back.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Minor units per major unit (paydesk's currencies, USD and CAD, have two decimals).
const SCALE: i64 = 100;

/// An amount in minor units, written and read as Commerce Hub's decimal `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total(pub i64);

/// The decimal text of `minor` minor units: `1204` → `12.04`, `-5` → `-0.05`.
pub fn decimal_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    format!(
        "{sign}{}.{:02}",
        magnitude / SCALE as u64,
        magnitude % SCALE as u64
    )
}

/// The minor units a decimal number's text names exactly (`12.04`, `12.4`, `12`, `-0.05`), or why
/// not: more than two decimals, an exponent, or out of range.
pub fn parse_decimal(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !plain(whole)
        || !plain(fraction)
        || (digits.contains('.') && fraction.is_empty())
    {
        return Err(format!("{text:?} is not a plain decimal amount"));
    }
    if fraction.len() > 2 {
        return Err(format!("{text:?} has more than two decimals"));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("{text:?} is out of range"))?;
    let cents: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let minor = whole
        .checked_mul(SCALE)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(|| format!("{text:?} is out of range"))?;
    Ok(if negative { -minor } else { minor })
}

impl Serialize for Total {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(decimal_text(self.0)).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Reads a number (`12.04`, the schema's type) or a string holding one (`"690"`, as the spec's own
/// transaction-inquiry example writes it): the same decimal text either way.
impl<'de> Deserialize<'de> for Total {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(deserializer)?;
        let text = match raw.get().strip_prefix('"') {
            Some(_) => {
                serde_json::from_str::<String>(raw.get()).map_err(serde::de::Error::custom)?
            }
            None => raw.get().to_string(),
        };
        parse_decimal(&text)
            .map(Total)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_are_written_and_read_exactly() {
        assert_eq!(decimal_text(1204), "12.04");
        assert_eq!(decimal_text(5), "0.05");
        assert_eq!(decimal_text(500_100), "5001.00");
        assert_eq!(decimal_text(-4999), "-49.99");
        assert_eq!(parse_decimal("12.04"), Ok(1204));
        assert_eq!(parse_decimal("12.4"), Ok(1240));
        assert_eq!(parse_decimal("12"), Ok(1200));
        assert_eq!(parse_decimal("-0.05"), Ok(-5));
        for bad in [
            "12.045",
            "1e3",
            "12.",
            ".5",
            "",
            "-",
            "1,000",
            "NaN",
            "99999999999999999999",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        let body = serde_json::to_string(&serde_json::json!({ "total": Total(1204) })).unwrap();
        assert_eq!(
            body, r#"{"total":12.04}"#,
            "the exact text that gets signed"
        );
        #[derive(Deserialize)]
        struct Amount {
            total: Total,
        }
        let read: Amount = serde_json::from_str(r#"{"total":12.04}"#).unwrap();
        assert_eq!(read.total, Total(1204));
        assert!(serde_json::from_str::<Amount>(r#"{"total":12.045}"#).is_err());
        // The spec's transaction-inquiry example writes the total as a string (CH:9876).
        let read: Amount = serde_json::from_str(r#"{"total":"690"}"#).unwrap();
        assert_eq!(read.total, Total(69_000));
        let read: Amount = serde_json::from_str(r#"{"total":"12.04"}"#).unwrap();
        assert_eq!(read.total, Total(1204));
        for bad in [r#""""#, r#""12.045""#, r#""twelve""#, "true", "null"] {
            let body = format!(r#"{{"total":{bad}}}"#);
            assert!(serde_json::from_str::<Amount>(&body).is_err(), "{bad}");
        }
    }

    proptest! {
        /// Over the whole range paydesk accepts (and beyond), text and minor units agree exactly.
        #[test]
        fn every_amount_round_trips(minor in -999_999_999_999i64..=999_999_999_999) {
            let text = decimal_text(minor);
            prop_assert_eq!(parse_decimal(&text), Ok(minor));
            let json = serde_json::to_string(&Total(minor)).unwrap();
            prop_assert_eq!(&json, &text);
            prop_assert_eq!(serde_json::from_str::<Total>(&json).unwrap(), Total(minor));
            let quoted = format!("\"{text}\"");
            prop_assert_eq!(serde_json::from_str::<Total>(&quoted).unwrap(), Total(minor));
        }

        #[test]
        fn any_text_is_read_or_refused_without_panicking(text in ".{0,30}") {
            let _ = parse_decimal(&text);
        }
    }
}
