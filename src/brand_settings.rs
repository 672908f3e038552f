//! `PAYDESK_BRAND_*`: the deployment's look on customer pages — accent colour, corner radius, light /
//! dark / auto, and a logo file that paydesk serves itself. A value that does not read, or an accent
//! customers could not read, stops startup with the variable named.

use std::path::Path;

use paydesk_core::branding::{Branding, Logo, Rgb, ThemeMode, DEFAULT_RADIUS_PX, MAX_RADIUS_PX};
use sha2::{Digest, Sha256};

use crate::settings_error::{bad, SettingsError};

/// The largest logo paydesk serves.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The branding settings read through `get`.
pub fn branding(get: &impl Fn(&str) -> Option<String>) -> Result<Branding, SettingsError> {
    let accent = get("PAYDESK_BRAND_ACCENT")
        .map(|value| {
            Rgb::parse_hex(&value).ok_or_else(|| {
                bad(
                    "PAYDESK_BRAND_ACCENT",
                    format!("expected a colour like #1f4fd1, got {value:?}"),
                )
            })
        })
        .transpose()?;
    let radius_px = match get("PAYDESK_BRAND_RADIUS") {
        None => DEFAULT_RADIUS_PX,
        Some(value) => value
            .trim_end_matches("px")
            .parse::<u8>()
            .ok()
            .filter(|radius| *radius <= MAX_RADIUS_PX)
            .ok_or_else(|| {
                bad(
                    "PAYDESK_BRAND_RADIUS",
                    format!(
                        "expected a corner radius of 0 to {MAX_RADIUS_PX} (pixels), got {value:?}"
                    ),
                )
            })?,
    };
    let mode = get("PAYDESK_BRAND_THEME")
        .map(|value| {
            ThemeMode::parse(&value).ok_or_else(|| {
                bad(
                    "PAYDESK_BRAND_THEME",
                    format!("expected light, dark or auto, got {value:?}"),
                )
            })
        })
        .transpose()?
        .unwrap_or(ThemeMode::Auto);
    let logo = get("PAYDESK_BRAND_LOGO_FILE")
        .map(|path| logo(Path::new(&path)))
        .transpose()?;
    let branding = Branding {
        accent,
        radius_px,
        mode,
        logo,
    };
    branding
        .check()
        .map_err(|problem| bad("PAYDESK_BRAND_ACCENT", format!("expected {problem}")))?;
    Ok(branding)
}

/// The logo at `path`, named by its content's hash.
fn logo(path: &Path) -> Result<Logo, SettingsError> {
    const VARIABLE: &str = "PAYDESK_BRAND_LOGO_FILE";
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let (content_type, extension) = match extension.as_deref() {
        Some("svg") => ("image/svg+xml", "svg"),
        Some("png") => ("image/png", "png"),
        Some("webp") => ("image/webp", "webp"),
        Some("jpg" | "jpeg") => ("image/jpeg", "jpg"),
        _ => {
            return Err(bad(
                VARIABLE,
                format!(
                    "expected a .svg, .png, .webp or .jpg file, got {}",
                    path.display()
                ),
            ))
        }
    };
    let bytes = std::fs::read(path).map_err(|error| {
        bad(
            VARIABLE,
            format!("could not read {}: {error}", path.display()),
        )
    })?;
    if bytes.is_empty() || bytes.len() > MAX_LOGO_BYTES {
        return Err(bad(
            VARIABLE,
            format!(
                "expected a logo of at most {} KB, {} is {} bytes",
                MAX_LOGO_BYTES / 1024,
                path.display(),
                bytes.len()
            ),
        ));
    }
    let hash = hex::encode(&Sha256::digest(&bytes)[..8]);
    Ok(Logo {
        bytes: bytes.into(),
        content_type,
        path: format!("/brand/logo-{hash}.{extension}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Branding, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        branding(&|name: &str| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_is_the_default_look() {
        assert_eq!(read(&[]), Ok(Branding::default()));
    }

    #[test]
    fn settings_are_read() {
        let branding = read(&[
            ("PAYDESK_BRAND_ACCENT", "#0b6e4f"),
            ("PAYDESK_BRAND_RADIUS", "4px"),
            ("PAYDESK_BRAND_THEME", "light"),
        ])
        .unwrap();
        assert_eq!(branding.accent, Rgb::parse_hex("#0b6e4f"));
        assert_eq!((branding.radius_px, branding.mode), (4, ThemeMode::Light));
        let dark = read(&[("PAYDESK_BRAND_THEME", "dark")]).unwrap();
        assert_eq!(dark.mode, ThemeMode::Dark);
        // Too dark to read on dark pages: a dark deployment refuses it.
        let refused = read(&[
            ("PAYDESK_BRAND_ACCENT", "#0b6e4f"),
            ("PAYDESK_BRAND_THEME", "dark"),
        ]);
        assert_eq!(refused.unwrap_err().variable, "PAYDESK_BRAND_ACCENT");
    }

    #[test]
    fn bad_values_and_unreadable_accents_name_their_variable() {
        for (pairs, variable) in [
            (
                vec![("PAYDESK_BRAND_ACCENT", "blue")],
                "PAYDESK_BRAND_ACCENT",
            ),
            (
                vec![("PAYDESK_BRAND_ACCENT", "#ffcc00")],
                "PAYDESK_BRAND_ACCENT",
            ),
            (vec![("PAYDESK_BRAND_RADIUS", "40")], "PAYDESK_BRAND_RADIUS"),
            (
                vec![("PAYDESK_BRAND_THEME", "sepia")],
                "PAYDESK_BRAND_THEME",
            ),
            (
                vec![("PAYDESK_BRAND_LOGO_FILE", "/nonexistent/logo.png")],
                "PAYDESK_BRAND_LOGO_FILE",
            ),
            (
                vec![("PAYDESK_BRAND_LOGO_FILE", "/etc/hostname")],
                "PAYDESK_BRAND_LOGO_FILE",
            ),
        ] {
            assert_eq!(read(&pairs).unwrap_err().variable, variable, "{pairs:?}");
        }
        let yellow = read(&[("PAYDESK_BRAND_ACCENT", "#ffcc00")]).unwrap_err();
        assert!(
            yellow.problem.contains("nearest accent that passes"),
            "{}",
            yellow.problem
        );
    }

    #[test]
    fn a_logo_is_named_by_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Logo.SVG");
        std::fs::write(&file, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
        let branding = read(&[("PAYDESK_BRAND_LOGO_FILE", file.to_str().unwrap())]).unwrap();
        let logo = branding.logo.unwrap();
        assert_eq!(logo.content_type, "image/svg+xml");
        assert!(logo.path.starts_with("/brand/logo-") && logo.path.ends_with(".svg"));
        assert_eq!(logo.path.len(), "/brand/logo-.svg".len() + 16);
    }
}
