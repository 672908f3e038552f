//! Where settings come from: the environment, then an optional TOML file (`--config`,
//! `PAYDESK_CONFIG`) with the same names, and each secret also from a file its `<NAME>_FILE`
//! names. The environment wins over the file; a name both set and `_FILE`d in one place is refused.

mod error;
mod file;
mod layers;
pub mod names;

pub use error::ConfigError;
pub use layers::{Config, Source};
