//! Logging setup: `RUST_LOG`-style filtering via `PAYDESK_LOG`; human-readable lines on stderr, or
//! one JSON object per line with `PAYDESK_LOG_FORMAT=json` (for a fleet's log collector), each
//! carrying the request's span (its id, method and path) when written while serving one.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `PAYDESK_LOG_FORMAT`: `json`, or `text` (the default); anything else is refused.
    pub fn parse(value: Option<&str>) -> Result<LogFormat, String> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!(
                "PAYDESK_LOG_FORMAT: expected text or json, got {other:?}"
            )),
        }
    }
}

pub fn init() -> Result<(), String> {
    let format = LogFormat::parse(std::env::var("PAYDESK_LOG_FORMAT").ok().as_deref())?;
    let filter = EnvFilter::try_from_env("PAYDESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,hyper=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_formats() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("yaml"))
            .unwrap_err()
            .contains("PAYDESK_LOG_FORMAT"));
    }
}
