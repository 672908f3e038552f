//! What a browser receives for one of paydesk's pages, measured over HTTP as Chromium asks for it
//! (`Accept-Encoding: gzip, deflate, br, zstd`): the page and every file of ours it loads before it
//! works (stylesheet, JS, WASM), headers and bodies as sent — then again as a repeat visit, with
//! each file's `Cache-Control` obeyed (kept, revalidated or fetched again). The gateway's own iframe
//! is not paydesk's to count.

use reqwest::header::{
    HeaderMap, CACHE_CONTROL, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

/// Chromium's `Accept-Encoding`.
pub const BROWSER_ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// One page's bytes on the wire.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PageBytes {
    pub first_visit: u64,
    pub repeat_visit: u64,
    pub files: Vec<FileBytes>,
}

/// One response, first visit.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FileBytes {
    pub path: String,
    pub bytes: u64,
    pub content_encoding: Option<String>,
    pub cache_control: Option<String>,
}

struct Fetched {
    bytes: u64,
    headers: HeaderMap,
}

async fn fetch(
    http: &reqwest::Client,
    url: &str,
    conditions: &[(reqwest::header::HeaderName, String)],
) -> Result<Fetched, String> {
    let mut request = http
        .get(url)
        .header(reqwest::header::ACCEPT_ENCODING, BROWSER_ACCEPT_ENCODING);
    for (name, value) in conditions {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    let status = response.status();
    if !(status.is_success() || status == reqwest::StatusCode::NOT_MODIFIED) {
        return Err(format!("{url} answered {status}"));
    }
    let headers = response.headers().clone();
    // The status line, each header line and the blank line, as HTTP/1.1 sends them.
    let header_bytes = 17
        + headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>()
        + 2;
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("cannot read {url}: {e}"))?;
    Ok(Fetched {
        bytes: (header_bytes + body.len()) as u64,
        headers,
    })
}

/// The same-origin files a page's HTML loads before it works: stylesheets, module preloads,
/// preloads (the WASM) and scripts.
pub fn subresources(html: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let attribute = |name: &str| {
            tag.split(&format!(" {name}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(|value| value.replace("&amp;", "&"))
        };
        let wanted = if tag.starts_with("link ") {
            matches!(
                attribute("rel").as_deref(),
                Some("stylesheet" | "modulepreload" | "preload")
            )
        } else {
            tag.starts_with("script ")
        };
        let url = if tag.starts_with("link ") {
            attribute("href")
        } else {
            attribute("src")
        };
        if let (true, Some(url)) = (wanted, url) {
            if url.starts_with('/') && !url.starts_with("//") && !paths.contains(&url) {
                paths.push(url);
            }
        }
    }
    paths
}

fn max_age(cache_control: &str) -> Option<u64> {
    cache_control
        .split(',')
        .find_map(|d| d.trim().strip_prefix("max-age="))
        .and_then(|v| v.parse().ok())
}

/// `path` on `base` as a browser gets it, first and on a repeat visit.
pub async fn page_bytes(
    http: &reqwest::Client,
    base: &str,
    path: &str,
) -> Result<PageBytes, String> {
    let page = fetch(http, &format!("{base}{path}"), &[]).await?;
    let mut files = vec![FileBytes {
        path: path.to_string(),
        bytes: page.bytes,
        content_encoding: header(&page.headers, reqwest::header::CONTENT_ENCODING),
        cache_control: header(&page.headers, CACHE_CONTROL),
    }];
    let mut repeat_visit = fetch(http, &format!("{base}{path}"), &[]).await?.bytes;
    // What the page loads, read from its HTML as the browser decodes it.
    let html = http
        .get(format!("{base}{path}"))
        .send()
        .await
        .map_err(|e| format!("cannot fetch {path}: {e}"))?
        .text()
        .await
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    for file in subresources(&html) {
        let url = format!("{base}{file}");
        let first = fetch(http, &url, &[]).await?;
        let cache_control = header(&first.headers, CACHE_CONTROL).unwrap_or_default();
        let fresh = !cache_control.contains("no-store")
            && !cache_control.contains("no-cache")
            && max_age(&cache_control).is_some_and(|age| age > 0);
        repeat_visit += if fresh {
            0
        } else if cache_control.contains("no-store") {
            fetch(http, &url, &[]).await?.bytes
        } else {
            let mut conditions = Vec::new();
            if let Some(tag) = header(&first.headers, ETAG) {
                conditions.push((IF_NONE_MATCH, tag));
            }
            if let Some(modified) = header(&first.headers, LAST_MODIFIED) {
                conditions.push((IF_MODIFIED_SINCE, modified));
            }
            fetch(http, &url, &conditions).await?.bytes
        };
        files.push(FileBytes {
            path: file,
            bytes: first.bytes,
            content_encoding: header(&first.headers, reqwest::header::CONTENT_ENCODING),
            cache_control: Some(cache_control),
        });
    }
    Ok(PageBytes {
        first_visit: files.iter().map(|f| f.bytes).sum(),
        repeat_visit,
        files,
    })
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
