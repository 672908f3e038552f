//! Origins (`scheme://host[:port]`) of URLs, serialized as browsers serialize
//! `MessageEvent.origin`: the unit every frame, message and redirect check compares.

/// The origin (`scheme://host[:port]`) of an absolute http(s) URL, serialized as browsers serialize
/// `MessageEvent.origin`: lowercase scheme and host, default port omitted. `None` for anything
/// else.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (v6, after) = bracketed.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{}]", v6.to_ascii_lowercase()), port)
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (host_port.to_ascii_lowercase(), None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '\\') {
        return None;
    }
    match port {
        None | Some("") => Some(format!("{scheme}://{host}")),
        Some(p) if !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 5 => None,
        Some(p) => {
            let port: u32 = p.parse().ok()?;
            if port > 65535 {
                None
            } else if port.to_string() == default_port {
                Some(format!("{scheme}://{host}"))
            } else {
                Some(format!("{scheme}://{host}:{port}"))
            }
        }
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
            origin_of("http://user:pw@host:8080/").as_deref(),
            Some("http://host:8080")
        );
        assert_eq!(
            origin_of("http://[::1]:9000/p").as_deref(),
            Some("http://[::1]:9000")
        );
        assert_eq!(origin_of("http://host?x=1").as_deref(), Some("http://host"));
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
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }
}
