//! The customer pages' two palettes, and an accent fitted to each: every text colour on every
//! surface it sits on meets WCAG AA (4.5:1), and so does the merchant's or storefront's accent,
//! moved darker (light pages) or lighter (dark pages) only as far as it must.

use super::colour::{Rgb, AA_CONTRAST, BLACK, WHITE};

/// Light or dark: which palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shade {
    Light,
    Dark,
}

/// One palette's colours (the CSS custom properties of the same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// The page behind the cards.
    pub bg: Rgb,
    /// The cards (summary, form, panels).
    pub surface: Rgb,
    pub ink: Rgb,
    pub muted: Rgb,
    pub line: Rgb,
    pub accent: Rgb,
    pub ok: Rgb,
    pub bad: Rgb,
    pub warn_bg: Rgb,
    pub warn_ink: Rgb,
    pub code_bg: Rgb,
    pub disabled: Rgb,
}

pub const LIGHT: Palette = Palette {
    bg: Rgb(0xf6, 0xf8, 0xfa),
    surface: WHITE,
    ink: Rgb(0x1a, 0x1f, 0x36),
    muted: Rgb(0x4f, 0x56, 0x6b),
    line: Rgb(0xe3, 0xe8, 0xee),
    accent: Rgb(0x1f, 0x4f, 0xd1),
    ok: Rgb(0x0f, 0x6b, 0x3a),
    bad: Rgb(0xb3, 0x26, 0x1e),
    warn_bg: Rgb(0xff, 0xf8, 0xe5),
    warn_ink: Rgb(0x5c, 0x43, 0x00),
    code_bg: Rgb(0xee, 0xf1, 0xf5),
    disabled: Rgb(0x6b, 0x7a, 0x99),
};

pub const DARK: Palette = Palette {
    bg: Rgb(0x0d, 0x11, 0x17),
    surface: Rgb(0x16, 0x1b, 0x22),
    ink: Rgb(0xe6, 0xed, 0xf3),
    muted: Rgb(0xa4, 0xae, 0xb9),
    line: Rgb(0x30, 0x36, 0x3d),
    accent: Rgb(0x79, 0xa6, 0xff),
    ok: Rgb(0x56, 0xd3, 0x64),
    bad: Rgb(0xff, 0x8f, 0x87),
    warn_bg: Rgb(0x3b, 0x2f, 0x00),
    warn_ink: Rgb(0xff, 0xd8, 0x66),
    code_bg: Rgb(0x26, 0x2c, 0x36),
    disabled: Rgb(0x4b, 0x55, 0x63),
};

impl Shade {
    /// `light` or `dark`, as CSS's `color-scheme` and people say it.
    pub fn name(self) -> &'static str {
        match self {
            Shade::Light => "light",
            Shade::Dark => "dark",
        }
    }

    pub fn palette(self) -> &'static Palette {
        match self {
            Shade::Light => &LIGHT,
            Shade::Dark => &DARK,
        }
    }
}

/// An accent and the text colour on it (buttons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FittedAccent {
    pub accent: Rgb,
    pub on_accent: Rgb,
}

/// The text on an accent: white, or the dark palette's background, whichever reads better; `None`
/// when neither reaches AA.
fn text_on(accent: Rgb) -> Option<Rgb> {
    [WHITE, DARK.bg]
        .into_iter()
        .map(|text| (text, accent.contrast(text)))
        .filter(|(_, contrast)| *contrast >= AA_CONTRAST)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(text, _)| text)
}

/// Whether `accent` as it is reads on every one of `backgrounds` and has readable text on it.
pub fn passes(accent: Rgb, backgrounds: &[Rgb]) -> Option<FittedAccent> {
    let on_accent = text_on(accent)?;
    backgrounds
        .iter()
        .all(|background| accent.contrast(*background) >= AA_CONTRAST)
        .then_some(FittedAccent { accent, on_accent })
}

/// `accent`, or the nearest colour toward black (light pages) or white (dark pages) that passes
/// on `backgrounds` (in steps of 2%); `None` when not even black or white does (a mid-grey
/// background).
pub fn fit_accent(accent: Rgb, backgrounds: &[Rgb], shade: Shade) -> Option<FittedAccent> {
    let target = match shade {
        Shade::Light => BLACK,
        Shade::Dark => WHITE,
    };
    (0..=50)
        .map(|step| accent.toward(target, f64::from(step) / 50.0))
        .find_map(|candidate| passes(candidate, backgrounds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_on_every_surface_of_both_palettes_meets_aa() {
        for palette in [&LIGHT, &DARK] {
            for (name, text, behind) in [
                ("ink on bg", palette.ink, palette.bg),
                ("ink on surface", palette.ink, palette.surface),
                ("ink on code", palette.ink, palette.code_bg),
                ("muted on bg", palette.muted, palette.bg),
                ("muted on surface", palette.muted, palette.surface),
                ("ok on surface", palette.ok, palette.surface),
                ("bad on surface", palette.bad, palette.surface),
                ("bad on bg", palette.bad, palette.bg),
                ("warning", palette.warn_ink, palette.warn_bg),
                ("accent on surface", palette.accent, palette.surface),
                ("accent on bg", palette.accent, palette.bg),
            ] {
                let contrast = text.contrast(behind);
                assert!(
                    contrast >= AA_CONTRAST,
                    "{name}: {} on {} is {contrast:.2}",
                    text.hex(),
                    behind.hex()
                );
            }
            assert!(passes(palette.accent, &[palette.surface, palette.bg]).is_some());
        }
    }

    #[test]
    fn an_accent_that_passes_is_kept() {
        let fitted = fit_accent(LIGHT.accent, &[LIGHT.surface, LIGHT.bg], Shade::Light).unwrap();
        assert_eq!(fitted.accent, LIGHT.accent);
        assert_eq!(fitted.on_accent, WHITE);
    }

    #[test]
    fn a_light_accent_is_darkened_on_light_pages_and_kept_on_dark_ones() {
        let yellow = Rgb(0xff, 0xcc, 0x00);
        let light = fit_accent(yellow, &[LIGHT.surface, LIGHT.bg], Shade::Light).unwrap();
        assert_ne!(light.accent, yellow);
        assert!(light.accent.contrast(WHITE) >= AA_CONTRAST);
        assert!(light.accent.luminance() < yellow.luminance());
        let dark = fit_accent(yellow, &[DARK.surface, DARK.bg], Shade::Dark).unwrap();
        assert_eq!(dark.accent, yellow);
        assert_eq!(dark.on_accent, DARK.bg, "dark text on a yellow button");
    }

    #[test]
    fn a_mid_grey_background_cannot_be_met_on_a_dark_page() {
        let grey = Rgb(0x80, 0x80, 0x80);
        assert!(
            fit_accent(DARK.accent, &[grey], Shade::Dark).is_none(),
            "not even white reads on mid-grey"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever accent a merchant or storefront picks, what a page uses meets AA on both
        /// palettes' surfaces.
        #[test]
        fn any_accent_is_fitted_to_both_palettes(r in any::<u8>(), g in any::<u8>(), b in any::<u8>()) {
            for shade in [Shade::Light, Shade::Dark] {
                let palette = shade.palette();
                let fitted = fit_accent(Rgb(r, g, b), &[palette.surface, palette.bg], shade);
                let fitted = fitted.expect("black or white always passes on a palette");
                prop_assert!(fitted.accent.contrast(palette.surface) >= AA_CONTRAST);
                prop_assert!(fitted.accent.contrast(palette.bg) >= AA_CONTRAST);
                prop_assert!(fitted.on_accent.contrast(fitted.accent) >= AA_CONTRAST);
            }
        }
    }
}
