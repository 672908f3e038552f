//! The address a request comes from: the TCP peer, or — behind a reverse proxy named with
//! `PAYDESK_CLIENT_IP_HEADER` — the last address that proxy wrote into that header (the one the
//! client cannot forge). Rate limits are keyed by it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderName};
use axum::middleware::Next;
use axum::response::Response;

pub use paydesk_core::rate_limit::ClientAddr;

/// The client's address: the last valid entry of `header` when one is configured and present
/// (`X-Forwarded-For: client, proxy1` → the address the nearest proxy appended), else the peer.
pub fn client_addr(header: Option<&HeaderName>, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
    header
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok())
        .unwrap_or(peer)
}

/// Adds [`ClientAddr`] to the request.
pub async fn tag_client_addr(
    header: Option<HeaderName>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let addr = client_addr(header.as_ref(), request.headers(), peer);
    request.extensions_mut().insert(ClientAddr(addr));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_header_is_read_only_when_configured() {
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        assert_eq!(
            client_addr(None, &headers, peer),
            peer,
            "a client may send anything"
        );
        let name = HeaderName::from_static("x-forwarded-for");
        assert_eq!(
            client_addr(Some(&name), &headers, peer),
            "5.6.7.8".parse::<IpAddr>().unwrap(),
            "the address the proxy appended, not the one the client wrote"
        );
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_addr(Some(&name), &headers, peer), peer);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a proxy header holds: the peer, or an address that header's last entry names.
        #[test]
        fn any_header_gives_the_peer_or_its_last_address(value in "[ -~]{0,80}") {
            let peer: IpAddr = "10.0.0.1".parse().unwrap();
            let mut headers = HeaderMap::new();
            if let Ok(v) = value.parse() {
                headers.insert("x-forwarded-for", v);
            }
            let name = HeaderName::from_static("x-forwarded-for");
            let addr = client_addr(Some(&name), &headers, peer);
            let last = value.rsplit(',').next().map(str::trim).and_then(|s| s.parse::<IpAddr>().ok());
            prop_assert!(addr == peer || Some(addr) == last);
        }
    }
}
