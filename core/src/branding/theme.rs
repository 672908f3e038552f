//! Light, dark, or the customer's own setting; and the storefront's theme as embed.js passes it in
//! the page's URL (`theme`, `background`, `accent`), read strictly: a value that does not read is
//! ignored, never echoed.

use super::colour::Rgb;

/// Which palette a page uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeMode {
    Light,
    Dark,
    /// The customer's operating-system setting (`prefers-color-scheme`).
    Auto,
}

impl ThemeMode {
    pub fn parse(text: &str) -> Option<ThemeMode> {
        match text {
            "light" => Some(ThemeMode::Light),
            "dark" => Some(ThemeMode::Dark),
            "auto" => Some(ThemeMode::Auto),
            _ => None,
        }
    }

    /// The page's `<html data-theme>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
            ThemeMode::Auto => "auto",
        }
    }
}

/// What the storefront around an embedded page asked for, so the page matches its host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StorefrontTheme {
    pub mode: Option<ThemeMode>,
    /// The storefront's background behind the frame.
    pub background: Option<Rgb>,
    pub accent: Option<Rgb>,
}

impl StorefrontTheme {
    /// From a page URL's query string (`theme=dark&background=%23101418&accent=%237c5cff`). Other
    /// parameters are left alone; a repeated one counts once (the first).
    pub fn from_query(query: &str) -> StorefrontTheme {
        let first = |wanted: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.into_owned())
        };
        StorefrontTheme {
            mode: first("theme").as_deref().and_then(ThemeMode::parse),
            background: first("background").as_deref().and_then(Rgb::parse_hex),
            accent: first("accent").as_deref().and_then(Rgb::parse_hex),
        }
    }

    /// The brand stylesheet's query for this theme's colours (`?background=…&accent=…`, written
    /// by paydesk from parsed values only); empty when it has none.
    pub fn stylesheet_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(background) = self.background {
            query.append_pair("background", &background.hex());
        }
        if let Some(accent) = self.accent {
            query.append_pair("accent", &accent.hex());
        }
        let query = query.finish();
        if query.is_empty() {
            query
        } else {
            format!("?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storefront_theme_is_read_from_the_query() {
        let theme =
            StorefrontTheme::from_query("lang=fr&theme=dark&background=%23101418&accent=7C5CFF");
        assert_eq!(
            theme,
            StorefrontTheme {
                mode: Some(ThemeMode::Dark),
                background: Some(Rgb(0x10, 0x14, 0x18)),
                accent: Some(Rgb(0x7c, 0x5c, 0xff)),
            }
        );
        assert_eq!(
            theme.stylesheet_query(),
            "?background=%23101418&accent=%237c5cff"
        );
    }

    #[test]
    fn what_does_not_read_is_ignored() {
        let theme = StorefrontTheme::from_query(
            "theme=purple&background=red&accent=%23fff%7D%3Cscript%3E&theme=dark",
        );
        assert_eq!(theme, StorefrontTheme::default());
        assert_eq!(theme.stylesheet_query(), "");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a URL carries, reading it never panics, and the stylesheet query paydesk
        /// writes holds only what it read (hex colours), which reads back the same.
        #[test]
        fn any_query_reads_safely(query in any::<String>()) {
            let theme = StorefrontTheme::from_query(&query);
            let written = theme.stylesheet_query();
            prop_assert!(written.chars().all(|c| c.is_ascii_alphanumeric() || "?=&%".contains(c)));
            let again = StorefrontTheme::from_query(written.trim_start_matches('?'));
            prop_assert_eq!((again.background, again.accent), (theme.background, theme.accent));
        }
    }
}
