//! The customer pages as a customer's browser loads them: Chromium (Debian's, through Playwright:
//! `end2end/page-load/`) on Lighthouse's slow 4G with a 4x CPU slowdown, a first visit and a repeat
//! visit from its cache. Per visit: when the gateway's form frame has loaded, when the page is
//! interactive (every island hydrated), and paydesk's bytes on the wire (headers included, as the
//! browser's resource timing counts them) fetched before it was interactive and after.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One visit of one page.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    pub interactive_ms: Option<f64>,
    pub frame_visible_ms: Option<f64>,
    pub bytes_before_interactive: u64,
    pub bytes_after_interactive: u64,
    pub files: Vec<LoadedFile>,
}

/// One of paydesk's responses in a visit (the gateway's frame and its files are not paydesk's).
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadedFile {
    pub path: String,
    pub bytes: u64,
    pub start_ms: f64,
    pub before_interactive: bool,
}

/// A page's first and repeat visit.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct PageLoad {
    pub first: Visit,
    pub repeat: Visit,
}

/// Opens each `(name, url)` page in Chromium as described above.
pub fn page_loads(pages: &[(&str, String)]) -> Result<BTreeMap<String, PageLoad>, String> {
    println!("performance: the pages in Chromium on slow 4G…");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench/page-load.json");
    std::fs::create_dir_all(root.join("target/bench")).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&out);
    let list: Vec<serde_json::Value> = pages
        .iter()
        .map(|(name, url)| serde_json::json!({ "name": name, "url": url }))
        .collect();
    let status = Command::new("npx")
        .args(["playwright", "test", "--config", "page-load.config.ts"])
        .current_dir(root.join("end2end"))
        .env(
            "PAYDESK_PAGE_LOAD_PAGES",
            serde_json::Value::from(list).to_string(),
        )
        .env("PAYDESK_PAGE_LOAD_OUT", &out)
        .status()
        .map_err(|e| format!("cannot run Playwright (make setup browser): {e}"))?;
    if !status.success() {
        return Err(format!("the page-load run failed ({status})"));
    }
    let text =
        std::fs::read_to_string(&out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", out.display()))
}
