//! The configuration file: a flat TOML table of setting names (the environment's) to values; a
//! list is written as its comma-separated form, so `PAYDESK_FRAME_ANCESTORS = ["https://a", …]`
//! works as the environment's `https://a,…` does.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ConfigError;
use super::names::{is_secret, is_setting};

/// The file's settings as the environment would hold them.
pub fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let table: toml::Table =
        text.parse()
            .map_err(|e: toml::de::Error| ConfigError::FileSyntax {
                path: path.to_path_buf(),
                reason: e.message().to_string(),
            })?;
    let mut values = BTreeMap::new();
    for (name, value) in table {
        let secret_file = name.strip_suffix("_FILE").is_some_and(is_secret);
        if !is_setting(&name) && !secret_file {
            return Err(ConfigError::UnknownSetting {
                path: path.to_path_buf(),
                name,
            });
        }
        let text = as_text(&value).ok_or_else(|| ConfigError::NotAValue {
            path: path.to_path_buf(),
            name: name.clone(),
        })?;
        values.insert(name, text);
    }
    Ok(values)
}

/// A value as its environment text: strings as they are, numbers and booleans written out, a
/// list of those joined by commas. Tables and dates are not settings.
fn as_text(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                toml::Value::Array(_) => None,
                other => as_text(other),
            })
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(",")),
        toml::Value::Table(_) | toml::Value::Datetime(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_numbers_and_booleans_read_as_the_environment_writes_them() {
        let values = parse(
            Path::new("p.toml"),
            "PAYDESK_FRAME_ANCESTORS = [\"https://a.example\", \"https://b.example\"]\n\
             PAYDESK_CHECKOUT_TTL_SECS = 900\nPAYDESK_USE_JS_CALLBACK = true\n",
        )
        .unwrap();
        assert_eq!(
            values["PAYDESK_FRAME_ANCESTORS"],
            "https://a.example,https://b.example"
        );
        assert_eq!(values["PAYDESK_CHECKOUT_TTL_SECS"], "900");
        assert_eq!(values["PAYDESK_USE_JS_CALLBACK"], "true");
    }
}
