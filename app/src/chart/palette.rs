//! Series colours: a fixed palette indexed by a hash of the label set, so a series keeps its
//! colour when others appear, disappear or are hidden, and across reloads and machines.

use crate::result::Labels;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for CSS.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Linear interpolation towards `other` by `t` in `[0, 1]`.
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let t = t.clamp(0.0, 1.0);
        let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(
            lerp(self.0, other.0),
            lerp(self.1, other.1),
            lerp(self.2, other.2),
        )
    }
}

/// The plot's background in the light theme (`chart::draw::Theme::light`).
pub const LIGHT_BACKGROUND: Rgb = Rgb(0xff, 0xff, 0xff);

/// The plot's background in the dark theme (`chart::draw::Theme::dark`), the same as the
/// page's panels there.
pub const DARK_BACKGROUND: Rgb = Rgb(0x1c, 0x20, 0x27);

/// Mid-luminance colours that read on both the light and the dark theme, neighbours far
/// apart in hue.
///
/// **One palette for both themes.** Each colour's relative luminance lies in the narrow band
/// where a line contrasts at least 3:1 (the usual aim for graphics) with the light theme's
/// white and with the dark theme's near-black, so a series has the very same colour in
/// both and in the legend's swatches, and nothing per theme has to be kept in step. The
/// first version took Tableau's and Tailwind's colours as they were: six fell below 3:1
/// on white (orange, pink, cyan, olive, amber, green, down to 2:1) and the brown below
/// 3:1 on the dark background. Those were moved in lightness only, keeping their hue and
/// their index (a label set hashes to an index, so the same series keeps its place and
/// its hue), except the pink at 6, moved towards orchid so it stays apart from the pink at
/// 14. The test `every_colour_contrasts_with_both_backgrounds` holds the band.
pub const PALETTE: [Rgb; 16] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xdf, 0x69, 0x00),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x9a, 0x5f, 0x52),
    Rgb(0xcc, 0x60, 0xcc),
    Rgb(0x13, 0x99, 0xa7),
    Rgb(0x8f, 0x90, 0x1a),
    Rgb(0x3b, 0x82, 0xf6),
    Rgb(0xc1, 0x7c, 0x08),
    Rgb(0x0e, 0x9e, 0x6e),
    Rgb(0xef, 0x44, 0x44),
    Rgb(0x8b, 0x5c, 0xf6),
    Rgb(0xec, 0x48, 0x99),
    Rgb(0x64, 0x74, 0x8b),
];

/// A 64-bit FNV-1a hash of the label set, names and values separated by a byte that cannot
/// occur in UTF-8, so `{a="bc"}` and `{ab="c"}` differ. Stable across platforms and builds,
/// unlike `std`'s hasher.
pub fn fingerprint(labels: &Labels) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in &labels.0 {
        for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The colour of a series.
pub fn color_for(labels: &Labels) -> Rgb {
    PALETTE[(fingerprint(labels) % PALETTE.len() as u64) as usize]
}

/// WCAG 2 contrast, for the tests that hold the palette and the heatmap ramps to it.
#[cfg(test)]
pub(crate) mod wcag {
    use super::Rgb;

    /// WCAG 2's relative luminance of an sRGB colour.
    fn luminance(c: Rgb) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    /// WCAG 2's contrast ratio, from 1 (same luminance) to 21.
    pub(crate) fn contrast(a: Rgb, b: Rgb) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }
}

#[cfg(test)]
mod tests {
    use super::wcag::contrast;
    use super::*;
    use crate::result::labels;

    #[test]
    fn colours_depend_only_on_the_label_set() {
        let a = labels([("job", "a"), ("instance", "x")]);
        let same = labels([("instance", "x"), ("job", "a")]);
        assert_eq!(color_for(&a), color_for(&same));
        assert_ne!(
            fingerprint(&labels([("a", "bc")])),
            fingerprint(&labels([("ab", "c")]))
        );
        // Pinned, so a change of hash (and every learner's colours) is a visible decision.
        assert_eq!(fingerprint(&labels([])), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            fingerprint(&labels([("job", "demo")])),
            0x0248_f899_89ff_4f1f
        );
    }

    #[test]
    fn every_colour_contrasts_with_both_backgrounds() {
        assert!((contrast(Rgb(0, 0, 0), Rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
        // The plot backgrounds, and the pages' own backgrounds behind the legend's
        // swatches (public/style.css: --bg of each theme).
        let backgrounds = [
            LIGHT_BACKGROUND,
            DARK_BACKGROUND,
            Rgb(0xf7, 0xf8, 0xfa),
            Rgb(0x14, 0x17, 0x1c),
        ];
        for (i, c) in PALETTE.iter().enumerate() {
            for bg in backgrounds {
                let ratio = contrast(*c, bg);
                assert!(
                    ratio >= 3.0,
                    "colour {i} {} on {}: {ratio:.2}:1",
                    c.css(),
                    bg.css()
                );
            }
        }
        // No two colours the same, or a legend could not tell two series apart.
        for (i, a) in PALETTE.iter().enumerate() {
            assert!(!PALETTE[i + 1..].contains(a), "colour {i} repeats");
        }
    }

    #[test]
    fn colours_mix_and_print() {
        assert_eq!(
            Rgb(0, 0, 0).mix(Rgb(255, 255, 255), 0.5),
            Rgb(128, 128, 128)
        );
        assert_eq!(Rgb(0x1f, 0x77, 0xb4).css(), "#1f77b4");
    }
}
