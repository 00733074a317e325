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

/// Mid-luminance colours that read on both the light and the dark theme, neighbours far
/// apart in hue.
pub const PALETTE: [Rgb; 16] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
    Rgb(0xe3, 0x77, 0xc2),
    Rgb(0x17, 0xbe, 0xcf),
    Rgb(0xbc, 0xbd, 0x22),
    Rgb(0x3b, 0x82, 0xf6),
    Rgb(0xf5, 0x9e, 0x0b),
    Rgb(0x10, 0xb9, 0x81),
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

#[cfg(test)]
mod tests {
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
    fn colours_mix_and_print() {
        assert_eq!(
            Rgb(0, 0, 0).mix(Rgb(255, 255, 255), 0.5),
            Rgb(128, 128, 128)
        );
        assert_eq!(Rgb(0x1f, 0x77, 0xb4).css(), "#1f77b4");
    }
}
