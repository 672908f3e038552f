//! sRGB colours as customers' pages use them: read from `#rgb` / `#rrggbb`, written as `#rrggbb`,
//! and compared by WCAG 2.x contrast ratio. Hand-written (a page of arithmetic from the WCAG
//! definition) rather than a colour-science crate: paydesk needs nothing else of one.

/// A colour in sRGB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// WCAG AA for normal text: the least contrast any text or control on a customer page may have.
pub const AA_CONTRAST: f64 = 4.5;

pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
pub const BLACK: Rgb = Rgb(0, 0, 0);

impl Rgb {
    /// `#1f4fd1`, `1f4fd1`, `#14d` (any case); `None` for anything else.
    pub fn parse_hex(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#').unwrap_or(text.trim());
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |digits: &str| u8::from_str_radix(digits, 16).ok();
        match hex.len() {
            6 => Some(Rgb(
                channel(&hex[0..2])?,
                channel(&hex[2..4])?,
                channel(&hex[4..6])?,
            )),
            3 => {
                let double = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
                Some(Rgb(double(0)?, double(1)?, double(2)?))
            }
            _ => None,
        }
    }

    /// `#rrggbb`, lower case: the only spelling paydesk writes into a stylesheet or a URL.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2.x).
    pub fn luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The contrast ratio between two colours, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// This colour moved `fraction` (0 to 1) of the way to `target`.
    pub fn toward(self, target: Rgb, fraction: f64) -> Rgb {
        let mix = |from: u8, to: u8| {
            let value = f64::from(from) + (f64::from(to) - f64::from(from)) * fraction;
            value.round().clamp(0.0, 255.0) as u8
        };
        Rgb(
            mix(self.0, target.0),
            mix(self.1, target.1),
            mix(self.2, target.2),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_are_read_and_written() {
        assert_eq!(Rgb::parse_hex("#1F4FD1"), Some(Rgb(0x1f, 0x4f, 0xd1)));
        assert_eq!(Rgb::parse_hex("1f4fd1"), Some(Rgb(0x1f, 0x4f, 0xd1)));
        assert_eq!(Rgb::parse_hex("#fc0"), Some(Rgb(0xff, 0xcc, 0x00)));
        assert_eq!(Rgb(0xff, 0xcc, 0).hex(), "#ffcc00");
        for bad in [
            "",
            "#",
            "#12",
            "#12345",
            "#1234567",
            "red",
            "#ggg",
            "#+1f4fd",
            "#１２３",
        ] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((WHITE.contrast(BLACK) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 1e-9);
        // WebAIM's checker: #767676 on white is 4.54:1, #777777 is 4.48:1.
        assert!((Rgb(0x76, 0x76, 0x76).contrast(WHITE) - 4.54).abs() < 0.01);
        assert!(Rgb(0x77, 0x77, 0x77).contrast(WHITE) < AA_CONTRAST);
    }

    #[test]
    fn colours_move_toward_a_target() {
        assert_eq!(Rgb(0, 0, 0).toward(WHITE, 0.5), Rgb(128, 128, 128));
        assert_eq!(Rgb(10, 20, 30).toward(BLACK, 1.0), BLACK);
        assert_eq!(Rgb(10, 20, 30).toward(BLACK, 0.0), Rgb(10, 20, 30));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever is typed, reading never panics, and what reads writes back to itself.
        #[test]
        fn any_text_reads_safely(text in any::<String>()) {
            if let Some(colour) = Rgb::parse_hex(&text) {
                prop_assert_eq!(Rgb::parse_hex(&colour.hex()), Some(colour));
            }
        }

        #[test]
        fn contrast_is_symmetric_and_bounded(a in any::<(u8, u8, u8)>(), b in any::<(u8, u8, u8)>()) {
            let (a, b) = (Rgb(a.0, a.1, a.2), Rgb(b.0, b.1, b.2));
            prop_assert!((a.contrast(b) - b.contrast(a)).abs() < 1e-9);
            prop_assert!((1.0..=21.0 + 1e-9).contains(&a.contrast(b)));
        }
    }
}
