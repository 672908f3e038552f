//! The merchant's look on customer pages: the deployment's settings (name, logo, accent, corner
//! radius, light / dark / auto) and the storefront's theme passed through embed.js (mode,
//! background, accent), turned into the page's `data-theme` and its brand stylesheet
//! (`/brand.css`, the palettes' custom properties). Every colour is held to WCAG AA: a deployment
//! accent that fails is refused at startup, naming the nearest that passes; a storefront's is moved
//! until it passes, and a storefront background that no text reads on is not used.

mod colour;
mod palette;
mod theme;

use std::fmt::Write;

pub use colour::Rgb;
pub use palette::Shade;
pub use theme::{StorefrontTheme, ThemeMode};

use colour::AA_CONTRAST;
use palette::{fit_accent, passes, FittedAccent};

/// Corner radius of the pages' cards and buttons when none is set, in CSS pixels.
pub const DEFAULT_RADIUS_PX: u8 = 10;
/// The largest corner radius a deployment may set.
pub const MAX_RADIUS_PX: u8 = 24;

/// The merchant's logo, served by paydesk itself (no third party sees the customer's visit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    pub bytes: std::sync::Arc<[u8]>,
    pub content_type: &'static str,
    /// Its path on paydesk, named by its content's hash: `/brand/logo-<hash>.<ext>`.
    pub path: String,
}

/// The deployment's branding settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branding {
    /// The accent (buttons, links); the palettes' own when `None`.
    pub accent: Option<Rgb>,
    pub radius_px: u8,
    pub mode: ThemeMode,
    pub logo: Option<Logo>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            accent: None,
            radius_px: DEFAULT_RADIUS_PX,
            mode: ThemeMode::Auto,
            logo: None,
        }
    }
}

impl Branding {
    /// Refuses an accent that the deployment's first palette (light, unless the mode is dark)
    /// cannot show as it is; the message names the contrast and the nearest accent that passes.
    /// (The other palette, in `auto`, fits the accent itself.)
    pub fn check(&self) -> Result<(), String> {
        let Some(accent) = self.accent else {
            return Ok(());
        };
        let shade = match self.mode {
            ThemeMode::Dark => Shade::Dark,
            ThemeMode::Light | ThemeMode::Auto => Shade::Light,
        };
        let palette = shade.palette();
        let backgrounds = [palette.surface, palette.bg];
        if passes(accent, &backgrounds).is_some() {
            return Ok(());
        }
        let worst = backgrounds
            .iter()
            .map(|background| accent.contrast(*background))
            .fold(f64::INFINITY, f64::min);
        let nearest = fit_accent(accent, &backgrounds, shade)
            .map(|fitted| {
                format!(
                    "; the nearest accent that passes is {}",
                    fitted.accent.hex()
                )
            })
            .unwrap_or_default();
        Err(format!(
            "an accent customers can read: {} has a contrast of {worst:.1}:1 on the {} pages (or none \
             for the text on its buttons), and WCAG AA needs {AA_CONTRAST}:1{nearest}",
            accent.hex(),
            shade.name()
        ))
    }

    /// The page's `data-theme`: the storefront's choice, else the deployment's.
    pub fn mode_for(&self, storefront: &StorefrontTheme) -> ThemeMode {
        storefront.mode.unwrap_or(self.mode)
    }

    /// The brand stylesheet for a page in `storefront`'s theme: both palettes (the page's
    /// `data-theme` picks one, `auto` by the customer's setting; print, the light one), the accent
    /// fitted to each, the storefront's background where text reads on it, and the corner radius.
    pub fn stylesheet(&self, storefront: &StorefrontTheme) -> String {
        let accent = storefront.accent.or(self.accent);
        let light = declarations(Shade::Light, accent, storefront.background);
        let dark = declarations(Shade::Dark, accent, storefront.background);
        // Printed, every page is light (paper is white), whatever it showed on screen.
        format!(
            ":root{{--radius:{}px}}\nhtml,html[data-theme=light]{{{light}}}\nhtml[data-theme=dark]{{{dark}}}\n\
             @media (prefers-color-scheme:dark){{html[data-theme=auto]{{{dark}}}}}\n\
             @media print{{html[data-theme]{{{light}}}}}\n",
            self.radius_px
        )
    }
}

/// One palette's custom properties, with `accent` fitted to it and `background` used if the page's
/// text and the accent read on it.
fn declarations(shade: Shade, accent: Option<Rgb>, background: Option<Rgb>) -> String {
    let palette = shade.palette();
    let wanted = accent.unwrap_or(palette.accent);
    let fitted_on = |bg: Rgb| fit_accent(wanted, &[palette.surface, bg], shade);
    let storefront_bg = background
        .filter(|bg| palette.ink.contrast(*bg) >= AA_CONTRAST)
        .and_then(|bg| fitted_on(bg).map(|fitted| (bg, fitted)));
    let (bg, FittedAccent { accent, on_accent }) = storefront_bg.unwrap_or_else(|| {
        // Black or white always fits a palette's own colours (property-tested in `palette`).
        let fitted = fitted_on(palette.bg).unwrap_or(FittedAccent {
            accent: palette.accent,
            on_accent: colour::WHITE,
        });
        (palette.bg, fitted)
    });
    let muted_on_bg = if palette.muted.contrast(bg) >= AA_CONTRAST {
        palette.muted
    } else {
        palette.ink
    };
    let mut css = format!("color-scheme:{}", shade.name());
    for (name, value) in [
        ("bg", bg),
        ("surface", palette.surface),
        ("ink", palette.ink),
        ("muted", palette.muted),
        ("muted-on-bg", muted_on_bg),
        ("line", palette.line),
        ("accent", accent),
        ("on-accent", on_accent),
        ("focus", accent),
        ("ok", palette.ok),
        ("bad", palette.bad),
        ("warn-bg", palette.warn_bg),
        ("warn-ink", palette.warn_ink),
        ("code-bg", palette.code_bg),
        ("disabled", palette.disabled),
    ] {
        let _ = write!(css, ";--{name}:{}", value.hex());
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property<'a>(css: &'a str, selector: &str, name: &str) -> &'a str {
        let block = css
            .split(&format!("{selector}{{"))
            .nth(1)
            .unwrap_or_else(|| panic!("{selector} in {css}"));
        let value = block.split(&format!("--{name}:")).nth(1).unwrap();
        &value[..7]
    }

    #[test]
    fn the_default_stylesheet_has_both_palettes_and_the_radius() {
        let css = Branding::default().stylesheet(&StorefrontTheme::default());
        assert!(css.starts_with(":root{--radius:10px}"));
        assert_eq!(
            property(&css, "html,html[data-theme=light]", "accent"),
            "#1f4fd1"
        );
        assert_eq!(property(&css, "html[data-theme=dark]", "bg"), "#0d1117");
        assert!(css.contains(
            "@media (prefers-color-scheme:dark){html[data-theme=auto]{color-scheme:dark;"
        ));
    }

    #[test]
    fn a_deployment_accent_that_fails_is_refused_naming_one_that_passes() {
        let yellow = Branding {
            accent: Rgb::parse_hex("#ffcc00"),
            ..Branding::default()
        };
        let error = yellow.check().unwrap_err();
        assert!(
            error.contains("#ffcc00") && error.contains("4.5:1"),
            "{error}"
        );
        let nearest = error.rsplit(' ').next().unwrap();
        let fitted = Branding {
            accent: Rgb::parse_hex(nearest),
            ..Branding::default()
        };
        assert_eq!(fitted.check(), Ok(()), "{nearest}");
        // On dark pages a yellow accent reads: a dark deployment keeps it.
        let dark_yellow = Branding {
            mode: ThemeMode::Dark,
            ..yellow
        };
        assert_eq!(dark_yellow.check(), Ok(()));
    }

    #[test]
    fn a_storefront_theme_is_fitted_and_an_unreadable_background_dropped() {
        let branding = Branding::default();
        let storefront = StorefrontTheme {
            mode: Some(ThemeMode::Dark),
            background: Rgb::parse_hex("#101418"),
            accent: Rgb::parse_hex("#3a2bff"),
        };
        assert_eq!(branding.mode_for(&storefront), ThemeMode::Dark);
        let css = branding.stylesheet(&storefront);
        assert_eq!(property(&css, "html[data-theme=dark]", "bg"), "#101418");
        let dark_accent =
            Rgb::parse_hex(property(&css, "html[data-theme=dark]", "accent")).unwrap();
        assert_ne!(
            dark_accent.hex(),
            "#3a2bff",
            "too dark on a dark page: lightened"
        );
        assert!(dark_accent.contrast(Rgb::parse_hex("#101418").unwrap()) >= AA_CONTRAST);
        // A light page keeps its own background: its ink does not read on #101418.
        assert_eq!(
            property(&css, "html,html[data-theme=light]", "bg"),
            "#f6f8fa"
        );
    }
}
