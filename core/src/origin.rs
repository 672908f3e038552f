//! Origins (`scheme://host[:port]`) of URLs, parsed by the WHATWG URL standard (the `url` crate, as
//! browsers parse them) and serialized as browsers serialize `MessageEvent.origin`: the unit every
//! frame, message and redirect check compares.

/// The origin of an absolute http(s) URL, serialized as a browser serializes `MessageEvent.origin`
/// (lowercase scheme and host, default port omitted). `None` for anything else, and for URLs whose
/// reading could differ between programs: credentials (`user@`), backslashes, whitespace or control
/// characters anywhere.
pub fn origin_of(url: &str) -> Option<String> {
    if url.is_empty()
        || url
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none_or(str::is_empty)
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return None;
    }
    Some(parsed.origin().ascii_serialization())
}

/// Whether `url` is https, or http to this machine only (a loopback address or `localhost`, which
/// browsers treat as secure too): what live mode accepts as its public URL.
pub fn is_https_or_loopback(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match (parsed.scheme(), parsed.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Domain(domain))) => domain == "localhost",
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_serialized_like_a_browser() {
        assert_eq!(
            origin_of("https://hpf.example.io/session/01J").as_deref(),
            Some("https://hpf.example.io")
        );
        assert_eq!(
            origin_of("HTTPS://HPF.Example.IO:443/x").as_deref(),
            Some("https://hpf.example.io")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3100/session/a?b#c").as_deref(),
            Some("http://127.0.0.1:3100")
        );
        assert_eq!(
            origin_of("http://localhost:80").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(
            origin_of("http://[::1]:9000/p").as_deref(),
            Some("http://[::1]:9000")
        );
        assert_eq!(origin_of("http://host?x=1").as_deref(), Some("http://host"));
    }

    #[test]
    fn hosts_are_read_as_a_browser_reads_them() {
        // IDNA, percent-encoded and numeric hosts are normalized the WHATWG way.
        assert_eq!(
            origin_of("https://EXAMPLE.com.:443/").as_deref(),
            Some("https://example.com.")
        );
        assert_eq!(
            origin_of("http://0x7f.1:8080/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://bücher.example/").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
    }

    #[test]
    fn origin_rejects_non_http_and_malformed() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://h/",
            "/relative",
            "http://",
            "http://h:99999/",
            "http://h:8a/",
            "http://a b/",
            // Read differently by different parsers: refused rather than guessed.
            "http://user:pw@host:8080/",
            "http://evil.example\\@good.example/",
            "https://good.example\\.evil.example/",
            "http://good.example\t.evil.example/",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text: no panic; an origin, when there is one, is canonical (its own origin), has no
        /// path, credentials or whitespace, and is http(s).
        #[test]
        fn origins_are_canonical_or_absent(text in prop_oneof![
            any::<String>(),
            "(https?|HTTP|ftp|javascript)://[a-zA-Z0-9.@:\\[\\]\\\\%/?#_-]{0,40}",
        ]) {
            if let Some(origin) = origin_of(&text) {
                let again = origin_of(&origin);
                prop_assert_eq!(again.as_deref(), Some(origin.as_str()));
                prop_assert!(origin.starts_with("http://") || origin.starts_with("https://"));
                let rest = origin.split_once("://").map(|(_, r)| r).unwrap_or_default();
                prop_assert!(!rest.contains(['/', '@', '?', '#', '\\']) && !rest.chars().any(char::is_whitespace));
            }
        }
    }
}
