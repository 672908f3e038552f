//! Logging setup: `RUST_LOG`-style filtering via `PAYDESK_LOG`; human-readable lines on stderr, or
//! one JSON object per line with `PAYDESK_LOG_FORMAT=json` (for a fleet's log collector), each
//! carrying the request's span (its id, method and path) when written while serving one. Text lines
//! escape control characters in every value, so an id taken from a request cannot forge a line.

use std::fmt::Write as _;

use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::{debug_fn, Writer};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::EnvFilter;

use crate::config::Config;

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

/// Installs the subscriber the configuration asks for.
pub fn init(config: &Config) -> Result<(), String> {
    check(config)?;
    let format = LogFormat::parse(config.get("PAYDESK_LOG_FORMAT").as_deref())?;
    let filter = filter(config)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.fmt_fields(text_fields()).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    Ok(())
}

/// Whether `PAYDESK_LOG` and `PAYDESK_LOG_FORMAT` are usable.
pub fn check(config: &Config) -> Result<(), String> {
    LogFormat::parse(config.get("PAYDESK_LOG_FORMAT").as_deref())?;
    filter(config).map(|_| ())
}

/// `PAYDESK_LOG`, or paydesk's default filter.
fn filter(config: &Config) -> Result<EnvFilter, String> {
    match config.get("PAYDESK_LOG") {
        Some(directives) => EnvFilter::try_new(&directives)
            .map_err(|e| format!("PAYDESK_LOG: {e} (expected e.g. info,paydesk=debug)")),
        None => Ok(EnvFilter::new("info,sqlx=warn,hyper=warn,tower_http=warn")),
    }
}

/// The fields of a text line as `name=value` (the message bare), each value with its control
/// characters escaped: a newline in a request's id is written `\n`, never a line of its own.
pub fn text_fields() -> impl for<'writer> FormatFields<'writer> + Send + Sync + 'static {
    debug_fn(
        |writer: &mut Writer<'_>, field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
            let shown = escape_controls(&format!("{value:?}"));
            if field.name() == "message" {
                write!(writer, "{shown}")
            } else {
                write!(writer, "{}={shown}", field.name())
            }
        },
    )
    .delimited(" ")
}

/// `text` with its control characters (newlines, escapes) written as Rust escapes.
fn escape_controls(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(escaped, "{}", c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_in_a_value_cannot_start_a_line_of_its_own() {
        use std::sync::{Arc, Mutex};
        let written = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = written.clone();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(text_fields())
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let forged = "rfd_1\n2026-12-07T00:00:00Z  INFO paydesk: refund paid";
            tracing::warn!(link = %forged, "refused\ta link");
        });
        let text = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains(r"link=rfd_1\n2026"), "{text}");
        assert!(text.contains(r"refused\ta link"), "{text}");
    }

    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_formats() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("yaml"))
            .unwrap_err()
            .contains("PAYDESK_LOG_FORMAT"));
    }
}
