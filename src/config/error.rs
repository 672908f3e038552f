//! A configuration that cannot be used: the file or the setting named.

use std::path::PathBuf;

/// A configuration that cannot be used, with the file or setting named.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    FileUnreadable { path: PathBuf, reason: String },
    #[error("{path}: not valid TOML: {reason}")]
    FileSyntax { path: PathBuf, reason: String },
    #[error("{path}: {name} is not a paydesk setting")]
    UnknownSetting { path: PathBuf, name: String },
    #[error("{path}: {name} must be a string, a number or true/false")]
    NotAValue { path: PathBuf, name: String },
    #[error("{name}_FILE: cannot read {path}: {reason}")]
    SecretFileUnreadable {
        name: String,
        path: PathBuf,
        reason: String,
    },
    #[error("{name} and {name}_FILE are both set in {place}: keep one")]
    SetTwice { name: String, place: &'static str },
}
