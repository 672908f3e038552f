//! The browser's files, served like a production site: the WASM bundle, its JS glue and the
//! stylesheet under content-hashed names cached for a year (`immutable`), `embed.js` short-cached
//! under a versioned URL, each from cargo-leptos's precompressed brotli or gzip sibling when the
//! browser accepts it (`Content-Encoding`, `Vary: Accept-Encoding`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// Files whose name carries their content's hash never change: a year, and no revalidation.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `embed.js` keeps its URL across releases (storefronts hard-code it): five minutes, so a fix
/// reaches every storefront soon, then revalidated.
pub const SHORT: &str = "public, max-age=300";
/// A file asked for by its plain name (an old page, a tool): always revalidated.
pub const REVALIDATE: &str = "no-cache";

/// The major version of the embed message protocol `embed.js` speaks; its URL carries it, so a
/// breaking change gets a new URL and storefronts move when they choose.
pub const EMBED_PATH: &str = "/embed/v1.js";

/// The site's built files and the names pages refer to them by.
#[derive(Clone, Debug)]
pub struct SiteAssets {
    pkg_dir: PathBuf,
    embed_js: PathBuf,
    /// The plain name cargo-leptos gives the bundle (`paydesk`).
    output_name: String,
    /// `paydesk.<hash of the JS glue and the WASM>` (they only ever work together), or the plain
    /// name when the site is not built.
    bundle: String,
    /// `paydesk.<hash of the CSS>.css`, or the plain name.
    stylesheet: String,
}

impl SiteAssets {
    /// Reads the built site under `site_root/pkg_dir` and names its files by their content. A site
    /// that is not built (tests, a server-only build) keeps plain names; pages still render.
    pub fn load(site_root: &Path, pkg_dir: &str, output_name: &str) -> SiteAssets {
        let pkg = site_root.join(pkg_dir);
        let read = |ext: &str| std::fs::read(pkg.join(format!("{output_name}.{ext}"))).ok();
        let bundle = match (read("js"), read("wasm")) {
            (Some(js), Some(wasm)) => format!("{output_name}.{}", content_hash(&[&js, &wasm])),
            _ => {
                tracing::warn!(site = %pkg.display(), "the site is not built (make build): its files keep plain names");
                output_name.to_string()
            }
        };
        let stylesheet = match read("css") {
            Some(css) => format!("{output_name}.{}.css", content_hash(&[&css])),
            None => format!("{output_name}.css"),
        };
        SiteAssets {
            pkg_dir: pkg,
            embed_js: site_root.join("embed.js"),
            output_name: output_name.to_string(),
            bundle,
            stylesheet,
        }
    }

    /// The name Leptos's hydration scripts load the bundle by (`<name>.js`, `<name>.wasm`).
    pub fn bundle_name(&self) -> &str {
        &self.bundle
    }

    /// The stylesheet's file name under `/pkg`.
    pub fn stylesheet_name(&self) -> &str {
        &self.stylesheet
    }

    /// Which file `/pkg/{name}` is, and how long a browser may keep it.
    fn resolve(&self, name: &str) -> Option<(PathBuf, &'static str)> {
        let plain = |ext: &str| self.pkg_dir.join(format!("{}.{ext}", self.output_name));
        let hashed = self.bundle != self.output_name;
        if hashed && name == format!("{}.js", self.bundle) {
            return Some((plain("js"), IMMUTABLE));
        }
        // Without cargo-leptos's LEPTOS_OUTPUT_NAME at compile time, Leptos asks for `<name>_bg.wasm`.
        if hashed
            && (name == format!("{}.wasm", self.bundle)
                || name == format!("{}_bg.wasm", self.bundle))
        {
            return Some((plain("wasm"), IMMUTABLE));
        }
        if name == self.stylesheet && self.stylesheet != format!("{}.css", self.output_name) {
            return Some((plain("css"), IMMUTABLE));
        }
        ["js", "wasm", "css"]
            .into_iter()
            .find(|ext| name == format!("{}.{ext}", self.output_name))
            .map(|ext| (plain(ext), REVALIDATE))
    }

    /// `/pkg/{file}`, `/embed.js` and [`EMBED_PATH`].
    pub fn router(self) -> Router {
        let assets = Arc::new(self);
        Router::new()
            .route("/pkg/{file}", get(pkg_file))
            .route("/embed.js", get(embed_js))
            .route(EMBED_PATH, get(embed_js))
            .with_state(assets)
    }
}

/// A short, URL-safe name for `parts`' content (64 bits of SHA-256, hex).
fn content_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(&hasher.finalize()[..8])
}

async fn pkg_file(
    State(assets): State<Arc<SiteAssets>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    request: Request,
) -> Response {
    match assets.resolve(&file) {
        Some((path, cache)) => serve(&path, cache, request).await,
        // An unknown or outdated hash: never another file under a name cached for a year.
        None => (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            "not found",
        )
            .into_response(),
    }
}

async fn embed_js(State(assets): State<Arc<SiteAssets>>, request: Request) -> Response {
    serve(&assets.embed_js, SHORT, request).await
}

/// The file at `path` (or its `.br`/`.gz` sibling, by the request's `Accept-Encoding`), with
/// conditional requests and ranges handled by tower-http.
async fn serve(path: &Path, cache: &'static str, request: Request) -> Response {
    let service = ServeFile::new(path).precompressed_br().precompressed_gzip();
    let mut response = match service.oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(infallible) => match infallible {},
    };
    let status = response.status();
    let cache = if status.is_success() || status == StatusCode::NOT_MODIFIED {
        cache
    } else {
        "no-store"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_site() -> (tempfile::TempDir, SiteAssets) {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("paydesk.js"), b"glue").unwrap();
        std::fs::write(pkg.join("paydesk.wasm"), b"\0asm").unwrap();
        std::fs::write(pkg.join("paydesk.css"), b"body{}").unwrap();
        let assets = SiteAssets::load(dir.path(), "pkg", "paydesk");
        (dir, assets)
    }

    #[test]
    fn hashed_names_resolve_to_the_built_files_for_a_year() {
        let (dir, assets) = built_site();
        let pkg = dir.path().join("pkg");
        let bundle = assets.bundle_name().to_string();
        assert_ne!(bundle, "paydesk");
        assert_eq!(
            assets.resolve(&format!("{bundle}.js")),
            Some((pkg.join("paydesk.js"), IMMUTABLE))
        );
        assert_eq!(
            assets.resolve(&format!("{bundle}.wasm")),
            Some((pkg.join("paydesk.wasm"), IMMUTABLE))
        );
        assert_eq!(
            assets.resolve(&format!("{bundle}_bg.wasm")),
            Some((pkg.join("paydesk.wasm"), IMMUTABLE))
        );
        assert_eq!(
            assets.resolve(assets.stylesheet_name()),
            Some((pkg.join("paydesk.css"), IMMUTABLE))
        );
        assert_eq!(
            assets.resolve("paydesk.wasm"),
            Some((pkg.join("paydesk.wasm"), REVALIDATE))
        );
        assert_eq!(assets.resolve("paydesk.0000000000000000.wasm"), None);
        assert_eq!(assets.resolve("../Cargo.toml"), None);
    }

    #[test]
    fn a_change_to_the_content_changes_the_name() {
        let (dir, assets) = built_site();
        std::fs::write(dir.path().join("pkg/paydesk.wasm"), b"\0asm2").unwrap();
        let changed = SiteAssets::load(dir.path(), "pkg", "paydesk");
        assert_ne!(changed.bundle_name(), assets.bundle_name());
        assert_eq!(changed.stylesheet_name(), assets.stylesheet_name());
        // The length is hashed too: moving a byte from the JS to the WASM is another bundle.
        assert_ne!(content_hash(&[b"ab", b"c"]), content_hash(&[b"a", b"bc"]));
    }

    #[test]
    fn an_unbuilt_site_keeps_plain_names_that_are_revalidated() {
        let dir = tempfile::tempdir().unwrap();
        let assets = SiteAssets::load(dir.path(), "pkg", "paydesk");
        assert_eq!(assets.bundle_name(), "paydesk");
        assert_eq!(assets.stylesheet_name(), "paydesk.css");
        assert_eq!(
            assets.resolve("paydesk.js").map(|(_, cache)| cache),
            Some(REVALIDATE)
        );
    }
}
