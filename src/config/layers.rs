//! The configuration's layers, resolved once at startup: the environment over the file, each
//! secret from its value or from the file its `<NAME>_FILE` names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::{file, names};

/// Where a setting's value came from (what `paydesk config check` shows beside it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Environment,
    /// `<NAME>_FILE` in the environment named this file.
    EnvironmentSecretFile(PathBuf),
    ConfigFile,
    /// `<NAME>_FILE` in the configuration file named this file.
    ConfigSecretFile(PathBuf),
}

/// Every setting's value and where it came from, read once at startup.
#[derive(Clone, Default)]
pub struct Config {
    file: Option<PathBuf>,
    values: BTreeMap<&'static str, (String, Source)>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names and sources only: values may be secrets.
        f.debug_map()
            .entries(self.values.iter().map(|(name, (_, source))| (name, source)))
            .finish()
    }
}

impl Config {
    /// The process's environment and, when `file` is given, that TOML file.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match file {
            Some(path) => Some((
                path.to_path_buf(),
                std::fs::read_to_string(path).map_err(|e| ConfigError::FileUnreadable {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?,
            )),
            None => None,
        };
        Config::from_parts(|name| std::env::var(name).ok(), text)
    }

    /// `env` for the environment, and a file's path and text.
    pub fn from_parts(
        env: impl Fn(&str) -> Option<String>,
        file: Option<(PathBuf, String)>,
    ) -> Result<Config, ConfigError> {
        let from_file = match &file {
            Some((path, text)) => file::parse(path, text)?,
            None => BTreeMap::new(),
        };
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let file_value = |name: &str| from_file.get(name).cloned();
        let mut values = BTreeMap::new();
        for &name in names::SETTINGS {
            let found = match layer(name, &env, "the environment")? {
                Some(Found::Value(v)) => Some((v, Source::Environment)),
                Some(Found::File(p)) => {
                    Some((read_secret(name, &p)?, Source::EnvironmentSecretFile(p)))
                }
                None => match layer(name, &file_value, "the configuration file")? {
                    Some(Found::Value(v)) => Some((v, Source::ConfigFile)),
                    Some(Found::File(p)) => {
                        Some((read_secret(name, &p)?, Source::ConfigSecretFile(p)))
                    }
                    None => None,
                },
            };
            if let Some(found) = found {
                values.insert(name, found);
            }
        }
        Ok(Config {
            file: file.map(|(path, _)| path),
            values,
        })
    }

    /// A setting's value (trimmed; an empty value counts as unset).
    pub fn get(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .map(|(value, _)| value.trim().to_string())
            .filter(|value| !value.is_empty())
    }

    /// The settings that have a value, with where each came from.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &str, &Source)> {
        self.values
            .iter()
            .map(|(name, (value, source))| (*name, value.as_str(), source))
    }

    /// The configuration file read, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }
}

enum Found {
    Value(String),
    File(PathBuf),
}

/// `name` in one place: its value, or (for a secret) the file `<name>_FILE` names.
fn layer(
    name: &str,
    get: &impl Fn(&str) -> Option<String>,
    place: &'static str,
) -> Result<Option<Found>, ConfigError> {
    let value = get(name);
    let file = if names::is_secret(name) {
        get(&format!("{name}_FILE"))
    } else {
        None
    };
    match (value, file) {
        (Some(_), Some(_)) => Err(ConfigError::SetTwice {
            name: name.to_string(),
            place,
        }),
        (Some(value), None) => Ok(Some(Found::Value(value))),
        (None, Some(path)) => Ok(Some(Found::File(PathBuf::from(path.trim())))),
        (None, None) => Ok(None),
    }
}

/// A secret file's content without its trailing newline.
fn read_secret(name: &str, path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(|text| text.trim_end_matches(['\r', '\n']).to_string())
        .map_err(|e| ConfigError::SecretFileUnreadable {
            name: name.to_string(),
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn file(text: &str) -> Option<(PathBuf, String)> {
        Some((PathBuf::from("paydesk.toml"), text.to_string()))
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let config = Config::from_parts(
            env(&[("PAYDESK_MERCHANT_NAME", "From env")]),
            file("PAYDESK_MERCHANT_NAME = \"From file\"\nPAYDESK_CHECKOUT_TTL_SECS = 600\n"),
        )
        .unwrap();
        assert_eq!(config.get("PAYDESK_MERCHANT_NAME").unwrap(), "From env");
        assert_eq!(config.get("PAYDESK_CHECKOUT_TTL_SECS").unwrap(), "600");
        let sources: Vec<_> = config.entries().map(|(n, _, s)| (n, s.clone())).collect();
        assert!(sources.contains(&("PAYDESK_CHECKOUT_TTL_SECS", Source::ConfigFile)));
        assert!(sources.contains(&("PAYDESK_MERCHANT_NAME", Source::Environment)));
    }

    #[test]
    fn secrets_come_from_files_named_in_either_place() {
        let dir = std::env::temp_dir().join(format!("paydesk-config-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("key");
        std::fs::write(&key, "k_live_from_a_file\n").unwrap();
        let path = key.display().to_string();
        let config =
            Config::from_parts(env(&[("PAYDESK_GATEWAY_API_KEY_FILE", &path)]), None).unwrap();
        assert_eq!(
            config.get("PAYDESK_GATEWAY_API_KEY").unwrap(),
            "k_live_from_a_file"
        );
        let config = Config::from_parts(
            env(&[]),
            file(&format!("PAYDESK_WEBHOOK_SECRET_FILE = {path:?}\n")),
        )
        .unwrap();
        assert_eq!(
            config.get("PAYDESK_WEBHOOK_SECRET").unwrap(),
            "k_live_from_a_file"
        );
        let missing = Config::from_parts(
            env(&[("PAYDESK_MERCHANT_TOKEN_FILE", "/nonexistent/token")]),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(&missing, ConfigError::SecretFileUnreadable { name, .. } if name == "PAYDESK_MERCHANT_TOKEN"),
            "{missing}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_secret_set_twice_or_a_file_variant_of_a_plain_setting_is_refused() {
        let twice = Config::from_parts(
            env(&[
                ("PAYDESK_GATEWAY_API_KEY", "a"),
                ("PAYDESK_GATEWAY_API_KEY_FILE", "/x"),
            ]),
            None,
        )
        .unwrap_err();
        assert!(twice.to_string().contains("both set"), "{twice}");
        // Only secrets have a file variant.
        let plain_variant = format!("{}_FILE = \"/x\"\n", "PAYDESK_MERCHANT_NAME");
        let plain = Config::from_parts(env(&[]), file(&plain_variant)).unwrap_err();
        assert!(
            matches!(plain, ConfigError::UnknownSetting { .. }),
            "{plain}"
        );
    }

    #[test]
    fn a_typo_or_a_table_in_the_file_is_named() {
        // Names are the environment's, upper case.
        let typo = Config::from_parts(env(&[]), file("paydesk_public_url = \"x\"\n")).unwrap_err();
        assert_eq!(
            typo.to_string(),
            "paydesk.toml: paydesk_public_url is not a paydesk setting"
        );
        let table =
            Config::from_parts(env(&[]), file("[PAYDESK_PUBLIC_URL]\na = 1\n")).unwrap_err();
        assert!(matches!(table, ConfigError::NotAValue { .. }), "{table}");
        let syntax = Config::from_parts(env(&[]), file("PAYDESK_PUBLIC_URL = \n")).unwrap_err();
        assert!(matches!(syntax, ConfigError::FileSyntax { .. }), "{syntax}");
    }

    #[test]
    fn debug_shows_names_and_sources_never_values() {
        let config =
            Config::from_parts(env(&[("PAYDESK_GATEWAY_API_KEY", "k_live_secret")]), None).unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("PAYDESK_GATEWAY_API_KEY") && !shown.contains("k_live_secret"));
    }
}
