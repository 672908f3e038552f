//! What a browser downloads besides the page: the bundle and stylesheet under content-hashed names
//! (the bundle's files in one folder)
//! cached for a year, precompressed brotli or gzip by its `Accept-Encoding`, `embed.js` short-cached
//! under a versioned URL, and the page itself never cached.

use crate::common::spawn_app_with;

/// A built site in a temporary directory, as `cargo leptos build --release --precompress` leaves
/// it: every file with a `.br` and a `.gz` sibling (here marked, so the test sees which was sent).
fn built_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for (name, body) in [
        ("pkg/paydesk.js", "export default function(){}"),
        ("pkg/paydesk.wasm", "\0asm-the-bundle"),
        ("pkg/paydesk.css", "body{margin:0}"),
        ("embed.js", "window.Paydesk={}"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::write(format!("{}.br", path.display()), format!("br:{body}")).unwrap();
        std::fs::write(format!("{}.gz", path.display()), format!("gz:{body}")).unwrap();
    }
    dir
}

/// The value of `attribute` on the first tag of `html` that contains `marker`.
fn attribute_of(html: &str, marker: &str, attribute: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let value = tag.split(&format!("{attribute}=\"")).nth(1).unwrap();
    value[..value.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn the_bundle_and_stylesheet_are_hashed_precompressed_and_cached_for_a_year() {
    let site = built_site();
    let root = site.path().to_str().unwrap();
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", root)]).await;
    let id = app.new_checkout(1500).await;

    let page = app
        .http
        .get(format!("{}/pay/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    let stylesheet = attribute_of(&html, "rel=\"stylesheet\"", "href");
    let script = attribute_of(&html, "rel=\"modulepreload\"", "href");
    let wasm = attribute_of(&html, "type=\"application/wasm\"", "href");
    assert!(stylesheet.starts_with("/pkg/paydesk.") && stylesheet.ends_with(".css"));
    assert_ne!(stylesheet, "/pkg/paydesk.css");
    // The bundle's files import each other by relative names: one folder named by their content.
    assert!(
        script.starts_with("/pkg/b") && script.ends_with("/paydesk.js"),
        "{script}"
    );
    assert!(
        wasm.contains(&script[..script.len() - ".js".len()]),
        "{wasm} / {script}"
    );
    // The WASM is fetched while the page (and the gateway's iframe) loads, not after the JS.
    assert!(html.find(&wasm).unwrap() < html.find("<iframe").unwrap());

    for (path, body, content_type) in [
        (&script, "export default function(){}", "text/javascript"),
        (&wasm, "\0asm-the-bundle", "application/wasm"),
        (&stylesheet, "body{margin:0}", "text/css"),
    ] {
        let url = format!("{}{path}", app.base);
        for (accepts, encoding, sent) in [
            ("br, gzip, deflate, zstd", Some("br"), format!("br:{body}")),
            ("gzip, deflate", Some("gzip"), format!("gz:{body}")),
            ("identity", None, body.to_string()),
        ] {
            let response = app
                .http
                .get(&url)
                .header("accept-encoding", accepts)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path} {accepts}");
            let headers = response.headers().clone();
            assert_eq!(
                headers.get("content-encoding").map(|v| v.to_str().unwrap()),
                encoding,
                "{path} {accepts}"
            );
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(headers["vary"], "accept-encoding");
            assert!(
                headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with(content_type),
                "{path}: {:?}",
                headers["content-type"]
            );
            assert_eq!(response.text().await.unwrap(), sent, "{path} {accepts}");
        }
    }

    // Another hash (an older release, a guess) is never answered with today's file.
    let stale = app
        .http
        .get(format!("{}/pkg/b0123456789abcdef/paydesk.wasm", app.base))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
    assert_eq!(stale.headers()["cache-control"], "no-store");
    // The plain name still works (an old page, a tool), revalidated every time.
    let plain = app
        .http
        .get(format!("{}/pkg/paydesk.wasm", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn embed_js_is_short_cached_under_its_versioned_url_and_the_old_one() {
    let site = built_site();
    let root = site.path().to_str().unwrap();
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", root)]).await;
    for path in ["/embed/v1.js", "/embed.js"] {
        let response = app
            .http
            .get(format!("{}{path}", app.base))
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-encoding"], "br");
        assert_eq!(response.headers()["cache-control"], "public, max-age=300");
        assert_eq!(response.headers()["vary"], "accept-encoding");
        assert_eq!(response.text().await.unwrap(), "br:window.Paydesk={}");
    }
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = crate::common::spawn_app().await;
    let id = app.new_checkout(1500).await;
    let page = format!("{}/pay/{id}", app.base);
    let compressed = app
        .http
        .get(&page)
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 200);
    assert_eq!(compressed.headers()["content-encoding"], "br");
    assert_eq!(compressed.headers()["cache-control"], "no-store");
    let compressed_size = compressed.bytes().await.unwrap().len();
    let plain = app.http.get(&page).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_size = plain.bytes().await.unwrap().len();
    assert!(
        compressed_size * 2 < plain_size,
        "{compressed_size} bytes compressed, {plain_size} plain"
    );
}
