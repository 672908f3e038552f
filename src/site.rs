//! Where the site's built files are (`LEPTOS_SITE_ROOT`, else a `site/` folder beside the binary as
//! a release unpacks it, else cargo-leptos's `target/site`), and the Leptos options naming them.

use std::path::PathBuf;

use leptos::config::LeptosOptions;

use crate::config::Config;

/// The folder holding `pkg/`, `embed.js` and the public files.
pub fn site_root(config: &Config) -> PathBuf {
    if let Some(root) = config.get("LEPTOS_SITE_ROOT") {
        return PathBuf::from(root);
    }
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("site")))
        .filter(|site| site.join("pkg").is_dir());
    beside_binary.unwrap_or_else(|| PathBuf::from("target/site"))
}

/// Leptos's options: those its own `LEPTOS_*` environment gives, with the site's folder, its `pkg`
/// folder and the bundle's name from the configuration (so a configuration file can name them).
pub fn leptos_options(config: &Config) -> Result<LeptosOptions, String> {
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| format!("invalid LEPTOS_* configuration: {e}"))?
        .leptos_options;
    options.site_root = site_root(config).display().to_string().into();
    if let Some(pkg) = config.get("LEPTOS_SITE_PKG_DIR") {
        options.site_pkg_dir = pkg.into();
    }
    match config.get("LEPTOS_OUTPUT_NAME") {
        Some(name) => options.output_name = name.into(),
        None if options.output_name.is_empty() => options.output_name = "paydesk".into(),
        None => {}
    }
    Ok(options)
}
