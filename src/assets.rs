//! The browser's files, served like a production site: the bundle (JS glue, WASM and its split
//! chunks) under a content-hashed folder and the stylesheet under a content-hashed name, both cached
//! for a year (`immutable`), `embed.js` short-cached
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
    /// The bundle's files (`paydesk.js`, `paydesk.wasm`, and with a split build the chunks, their
    /// loader and its manifest): they only ever work together and import each other by relative
    /// names, so they are served side by side under one folder named by their content's hash.
    bundle_files: Vec<String>,
    /// `b<hash of every bundle file>`, or `None` when the site is not built.
    bundle_folder: Option<String>,
    /// `paydesk.<hash of the CSS>.css`, or the plain name.
    stylesheet: String,
}

impl SiteAssets {
    /// Reads the built site under `site_root/pkg_dir` and names its files by their content. A site
    /// that is not built (tests, a server-only build) keeps plain names; pages still render.
    pub fn load(site_root: &Path, pkg_dir: &str, output_name: &str) -> SiteAssets {
        let pkg = site_root.join(pkg_dir);
        let bundle_files = bundle_files(&pkg, output_name);
        let built = ["js", "wasm"]
            .iter()
            .all(|ext| bundle_files.contains(&format!("{output_name}.{ext}")));
        let bundle_folder = if built {
            let contents: Vec<(String, Vec<u8>)> = bundle_files
                .iter()
                .filter_map(|name| Some((name.clone(), std::fs::read(pkg.join(name)).ok()?)))
                .collect();
            let parts: Vec<&[u8]> = contents
                .iter()
                .flat_map(|(name, body)| [name.as_bytes(), body.as_slice()])
                .collect();
            Some(format!("b{}", content_hash(&parts)))
        } else {
            tracing::warn!(site = %pkg.display(), "the site is not built (make build): its files keep plain names");
            None
        };
        let stylesheet = match std::fs::read(pkg.join(format!("{output_name}.css"))).ok() {
            Some(css) => format!("{output_name}.{}.css", content_hash(&[&css])),
            None => format!("{output_name}.css"),
        };
        SiteAssets {
            pkg_dir: pkg,
            embed_js: site_root.join("embed.js"),
            output_name: output_name.to_string(),
            bundle_files,
            bundle_folder,
            stylesheet,
        }
    }

    /// The folder under `pkg/` Leptos's hydration scripts load the bundle from (`pkg/b<hash>`), or
    /// `pkg_dir` itself when the site is not built.
    pub fn bundle_dir(&self, pkg_dir: &str) -> String {
        match &self.bundle_folder {
            Some(folder) => format!("{pkg_dir}/{folder}"),
            None => pkg_dir.to_string(),
        }
    }

    /// The stylesheet's file name under `/pkg`.
    pub fn stylesheet_name(&self) -> &str {
        &self.stylesheet
    }

    /// Which file `/pkg/{folder}/{name}` is: a bundle file under today's folder, for a year.
    fn resolve_in_folder(&self, folder: &str, name: &str) -> Option<(PathBuf, &'static str)> {
        if self.bundle_folder.as_deref() != Some(folder) {
            return None;
        }
        // Without cargo-leptos's LEPTOS_OUTPUT_NAME at compile time, Leptos asks for `<name>_bg.wasm`.
        let name = if name == format!("{}_bg.wasm", self.output_name) {
            format!("{}.wasm", self.output_name)
        } else {
            name.to_string()
        };
        self.bundle_files
            .contains(&name)
            .then(|| (self.pkg_dir.join(&name), IMMUTABLE))
    }

    /// Which file `/pkg/{name}` is, and how long a browser may keep it.
    fn resolve(&self, name: &str) -> Option<(PathBuf, &'static str)> {
        if name == self.stylesheet && self.stylesheet != format!("{}.css", self.output_name) {
            return Some((
                self.pkg_dir.join(format!("{}.css", self.output_name)),
                IMMUTABLE,
            ));
        }
        let plain = ["js", "wasm", "css"]
            .into_iter()
            .any(|ext| name == format!("{}.{ext}", self.output_name));
        plain.then(|| (self.pkg_dir.join(name), REVALIDATE))
    }

    /// `/pkg/{file}`, `/pkg/{folder}/{file}`, `/embed.js` and [`EMBED_PATH`].
    pub fn router(self) -> Router {
        let assets = Arc::new(self);
        Router::new()
            .route("/pkg/{file}", get(pkg_file))
            .route("/pkg/{folder}/{file}", get(bundle_file))
            .route("/embed.js", get(embed_js))
            .route(EMBED_PATH, get(embed_js))
            .with_state(assets)
    }
}

/// The bundle's files in `pkg`, sorted: the JS glue and the WASM, and what a split build adds
/// beside them (`__wasm_split.*.js`, its manifest, and the chunks, `*.wasm`), never their
/// compressed siblings, the stylesheet or type declarations.
fn bundle_files(pkg: &Path, output_name: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(pkg) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name == &format!("{output_name}.js")
                || name.ends_with(".wasm")
                || (name.starts_with("__wasm_split") && name.ends_with(".js"))
                || (name.starts_with("__wasm_split_manifest") && name.ends_with(".json"))
        })
        .collect();
    names.sort();
    names
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
        None => not_found(),
    }
}

async fn bundle_file(
    State(assets): State<Arc<SiteAssets>>,
    axum::extract::Path((folder, file)): axum::extract::Path<(String, String)>,
    request: Request,
) -> Response {
    match assets.resolve_in_folder(&folder, &file) {
        Some((path, cache)) => serve(&path, cache, request).await,
        // An older release's folder, or a guess: never another file under a name cached for a year.
        None => not_found(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        "not found",
    )
        .into_response()
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

    fn built_site(files: &[(&str, &[u8])]) -> (tempfile::TempDir, SiteAssets) {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        for (name, body) in files {
            std::fs::write(pkg.join(name), body).unwrap();
        }
        let assets = SiteAssets::load(dir.path(), "pkg", "paydesk");
        (dir, assets)
    }

    const SPLIT_BUILD: &[(&str, &[u8])] = &[
        ("paydesk.js", b"glue"),
        ("paydesk.wasm", b"\0asm"),
        ("paydesk.css", b"body{}"),
        ("paydesk.wasm.br", b"br"),
        ("paydesk.d.ts", b"types"),
        ("__wasm_split.______________________.js", b"loader"),
        ("__wasm_split_manifest.json", b"{}"),
        ("chunk_3.wasm", b"\0asm3"),
        ("split_checkout_views_1.wasm", b"\0asm1"),
    ];

    fn folder(assets: &SiteAssets) -> String {
        let dir = assets.bundle_dir("pkg");
        dir.strip_prefix("pkg/").unwrap().to_string()
    }

    #[test]
    fn every_bundle_file_resolves_under_the_hashed_folder_for_a_year() {
        let (dir, assets) = built_site(SPLIT_BUILD);
        let pkg = dir.path().join("pkg");
        let folder = folder(&assets);
        assert!(folder.starts_with('b') && folder.len() == 17, "{folder}");
        for name in [
            "paydesk.js",
            "paydesk.wasm",
            "__wasm_split.______________________.js",
            "__wasm_split_manifest.json",
            "chunk_3.wasm",
            "split_checkout_views_1.wasm",
        ] {
            assert_eq!(
                assets.resolve_in_folder(&folder, name),
                Some((pkg.join(name), IMMUTABLE)),
                "{name}"
            );
        }
        assert_eq!(
            assets.resolve_in_folder(&folder, "paydesk_bg.wasm"),
            Some((pkg.join("paydesk.wasm"), IMMUTABLE))
        );
        for not_bundle in [
            "paydesk.css",
            "paydesk.d.ts",
            "paydesk.wasm.br",
            "../Cargo.toml",
        ] {
            assert_eq!(
                assets.resolve_in_folder(&folder, not_bundle),
                None,
                "{not_bundle}"
            );
        }
        assert_eq!(
            assets.resolve_in_folder("b0000000000000000", "paydesk.wasm"),
            None
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
    fn a_change_to_any_bundle_file_changes_the_folder() {
        let (dir, assets) = built_site(SPLIT_BUILD);
        std::fs::write(dir.path().join("pkg/chunk_3.wasm"), b"\0asm3-changed").unwrap();
        let changed = SiteAssets::load(dir.path(), "pkg", "paydesk");
        assert_ne!(folder(&changed), folder(&assets));
        assert_eq!(changed.stylesheet_name(), assets.stylesheet_name());
        // Compressed siblings and the stylesheet are not part of the bundle's name.
        std::fs::write(dir.path().join("pkg/paydesk.wasm.br"), b"other").unwrap();
        assert_eq!(
            folder(&SiteAssets::load(dir.path(), "pkg", "paydesk")),
            folder(&changed)
        );
        // The length is hashed too: moving a byte from the JS to the WASM is another bundle.
        assert_ne!(content_hash(&[b"ab", b"c"]), content_hash(&[b"a", b"bc"]));
    }

    #[test]
    fn an_unbuilt_site_keeps_plain_names_that_are_revalidated() {
        let (_dir, assets) = built_site(&[]);
        assert_eq!(assets.bundle_dir("pkg"), "pkg");
        assert_eq!(assets.stylesheet_name(), "paydesk.css");
        assert_eq!(
            assets.resolve("paydesk.js").map(|(_, cache)| cache),
            Some(REVALIDATE)
        );
    }
}
