//! What a client may take of the server (issue 28): a client that sends half a header is cut off
//! at the header deadline, a request whose body never ends gets 408 at the request deadline, and
//! connections past the cap wait — while other customers' checkouts are served meanwhile.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{spawn_app_with, TestApp, TOKEN};

async fn connect(app: &TestApp) -> TcpStream {
    let addr = app.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Everything the server sends on `stream` until it closes it (`None`: still open after `within`).
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut received)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&received).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_client_that_sends_half_a_header_is_cut_off_while_checkouts_are_served() {
    let app = spawn_app_with(&[("PAYDESK_HTTP_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /health/live HTTP/1.1\r\nHost: paydesk\r\nX-Slow: ")
        .await
        .unwrap();
    // Meanwhile a customer's checkout is made and its page served.
    let id = app.new_checkout(1250).await;
    let page = app
        .http
        .get(format!("{}/pay/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let answer = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    let answer = answer.expect("the half-sent request's connection is closed");
    assert!(
        !answer.contains("200 OK"),
        "nothing was served to it: {answer:?}"
    );
}

#[tokio::test]
async fn a_request_whose_body_never_ends_gets_408() {
    let app = spawn_app_with(&[("PAYDESK_HTTP_REQUEST_TIMEOUT_SECS", "1")]).await;
    let mut slow = connect(&app).await;
    let head = format!(
        "POST /api/v1/checkouts HTTP/1.1\r\nHost: paydesk\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n\
         {{\"amount\": 12"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut slow, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let app = spawn_app_with(&[("PAYDESK_HTTP_MAX_CONNECTIONS", "2")]).await;
    // A client of its own: no connection kept from before.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let held = [connect(&app).await, connect(&app).await];
    // Give the server a moment to accept both (they then hold the two places).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let third = http
        .get(format!("{}/health/live", app.base))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(third.is_err(), "a third connection waits: {third:?}");
    drop(held);
    let fourth = http
        .get(format!("{}/health/live", app.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(fourth.status(), 200, "served once a place is free");
}
