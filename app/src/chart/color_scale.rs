//! What a heatmap's colours mean: the one mapping from a cell's value to its colour, and the
//! colour bar that explains it (a gradient sampled from that same mapping, its ticks and its
//! unit), as Grafana's heatmap panel shows beside the plot.
//!
//! **Zero is blank.** An empty cell (no observations, or no data) is not painted, so it
//! shows the plot's background; the smallest positive count gets the ramp's first colour,
//! which contrasts with that background (see [`Ramp`]). The bar therefore starts just above
//! zero, and a separate "empty" swatch in the background colour says what blank means.
//!
//! **One ramp per theme.** The colour of a count moves *away from the background* as the
//! count grows: from pale to deep purple on the light theme, from dim purple to pale yellow
//! on the dark one. A single ramp cannot do both: the first version used the light ramp
//! everywhere, and its largest counts (deep purple, 1.1:1 against the dark background) all
//! but vanished in the dark theme, while its smallest (pale yellow, 1.2:1 on white) were
//! hard to tell from empty cells in the light one.

use super::palette::Rgb;
use super::units::{Unit, format_value, nice_ticks};

/// The colour ramp, chosen by the theme the plot is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ramp {
    /// For the light background: pale yellow (few) to deep purple (many).
    #[default]
    Light,
    /// For the dark background: dim purple (few) to pale yellow (many).
    Dark,
}

impl Ramp {
    /// The ramp for a theme.
    pub fn for_theme(dark: bool) -> Ramp {
        if dark { Ramp::Dark } else { Ramp::Light }
    }

    /// The colour stops, fewest observations first. Each stop lies further from its theme's
    /// background in luminance than the one before (the test
    /// `counts_move_away_from_the_background` holds this), so "more" always reads as
    /// "stronger", and the first stop contrasts at least 1.5:1 with the background.
    pub fn stops(self) -> &'static [Rgb] {
        const LIGHT: [Rgb; 5] = [
            Rgb(0xf9, 0xc9, 0x5a),
            Rgb(0xfb, 0xa2, 0x4a),
            Rgb(0xe8, 0x4a, 0x3c),
            Rgb(0xa3, 0x1e, 0x6b),
            Rgb(0x4a, 0x10, 0x6e),
        ];
        const DARK: [Rgb; 5] = [
            Rgb(0x7b, 0x32, 0x94),
            Rgb(0xb5, 0x36, 0x7a),
            Rgb(0xe8, 0x4a, 0x3c),
            Rgb(0xfb, 0xa2, 0x4a),
            Rgb(0xfc, 0xe4, 0x9c),
        ];
        match self {
            Ramp::Light => &LIGHT,
            Ramp::Dark => &DARK,
        }
    }
}

/// The colour of a cell holding `v` when the largest holds `max`, or `None` for an empty
/// cell (zero, negative, NaN), which is left blank. The canvas and the colour bar both call
/// this, so the bar shows exactly the colours drawn. A square root spreads the small
/// counts most buckets hold over more of the ramp.
pub fn color(v: f64, max: f64, ramp: Ramp) -> Option<Rgb> {
    if !v.is_finite() || v <= 0.0 || !max.is_finite() || max <= 0.0 {
        return None;
    }
    let stops = ramp.stops();
    let last = stops.len().checked_sub(1)?;
    let f = (v / max).clamp(0.0, 1.0).sqrt() * last as f64;
    let i = (f.floor() as usize).min(last.saturating_sub(1));
    let from = *stops.get(i)?;
    let to = stops.get(i + 1).copied().unwrap_or(from);
    Some(from.mix(to, f - i as f64))
}

/// How many colours the bar's gradient samples from [`color`]. Between samples CSS
/// interpolates linearly, which differs from the square-root mapping by less than one
/// 8-bit step per channel at this density.
pub const SAMPLES: usize = 64;

/// A labelled point on the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where along the bar, 0 (left) to 1 (right).
    pub at: f64,
    /// The value there, formatted.
    pub text: String,
}

/// The colour bar of a heatmap, ready for the component to lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorScale {
    /// What a cell's value counts, for the bar's caption.
    pub title: &'static str,
    /// The bar's lowest value (0: the mapping is `v / max`), formatted.
    pub min_text: String,
    /// The largest cell, formatted.
    pub max_text: String,
    /// Round values between the ends, each placed where its colour is.
    pub ticks: Vec<Tick>,
    /// A CSS `linear-gradient` from the lowest colour (left) to the highest (right).
    pub gradient: String,
    /// The colour of an empty cell: the plot background.
    pub empty: Rgb,
}

/// What a heatmap cell counts: per-second rates when the query took a rate, else raw
/// observation counts.
pub fn title(per_second: bool) -> &'static str {
    if per_second {
        "observations per second in the bucket"
    } else {
        "observations in the bucket"
    }
}

/// A cell's value with its unit, for the tooltip: `1.2 observations/s`, `40 observations`.
pub fn value_text(v: f64, per_second: bool) -> String {
    if !v.is_finite() {
        return "no data".into();
    }
    let n = format_value(v, Unit::Plain);
    if per_second {
        format!("{n} observations/s")
    } else if v == 1.0 {
        format!("{n} observation")
    } else {
        format!("{n} observations")
    }
}

/// The colour bar for cells up to `max`, or `None` when every cell is empty (nothing to
/// explain). `background` is the plot's, shown as the empty swatch.
pub fn color_scale(max: f64, per_second: bool, ramp: Ramp, background: Rgb) -> Option<ColorScale> {
    if !max.is_finite() || max <= 0.0 {
        return None;
    }
    let stops: Vec<String> = (0..SAMPLES)
        .filter_map(|k| {
            let at = k as f64 / (SAMPLES - 1) as f64;
            // The left end stands for "just above zero": the colour a tiny count gets.
            let v = (at * max).max(max * 1e-9);
            color(v, max, ramp).map(|c| format!("{} {:.2}%", c.css(), at * 100.0))
        })
        .collect();
    let (nice, _, _) = nice_ticks(0.0, max, 4);
    // Inner ticks only, and none so close to the max that their labels would collide.
    let ticks = nice
        .into_iter()
        .filter(|v| *v > 0.0 && *v < max * 0.85)
        .map(|v| Tick {
            at: v / max,
            text: format_value(v, Unit::Plain),
        })
        .collect();
    Some(ColorScale {
        title: title(per_second),
        min_text: "0".into(),
        max_text: format_value(max, Unit::Plain),
        ticks,
        gradient: format!("linear-gradient(to right, {})", stops.join(", ")),
        empty: background,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::palette::wcag::contrast;
    use crate::chart::palette::{DARK_BACKGROUND, LIGHT_BACKGROUND};

    #[test]
    fn counts_move_away_from_the_background() {
        for (ramp, bg) in [
            (Ramp::Light, LIGHT_BACKGROUND),
            (Ramp::Dark, DARK_BACKGROUND),
        ] {
            let ratios: Vec<f64> = ramp.stops().iter().map(|s| contrast(*s, bg)).collect();
            assert!(
                ratios[0] >= 1.5,
                "{ramp:?}: smallest counts {:.2}:1",
                ratios[0]
            );
            assert!(
                ratios.windows(2).all(|w| w[1] > w[0]),
                "{ramp:?}: contrast must grow with the count: {ratios:?}"
            );
            // The largest counts stand out clearly, in both themes.
            assert!(ratios[ratios.len() - 1] >= 7.0, "{ramp:?}: {ratios:?}");
        }
    }

    #[test]
    fn the_mapping_blanks_empty_cells_and_spans_the_ramp() {
        for ramp in [Ramp::Light, Ramp::Dark] {
            assert_eq!(color(0.0, 10.0, ramp), None);
            assert_eq!(color(-1.0, 10.0, ramp), None);
            assert_eq!(color(f64::NAN, 10.0, ramp), None);
            assert_eq!(color(1.0, 0.0, ramp), None);
            assert_eq!(color(1.0, f64::INFINITY, ramp), None);
            let stops = ramp.stops();
            assert_eq!(color(10.0, 10.0, ramp), Some(stops[4]));
            assert_eq!(color(1e-12, 10.0, ramp), Some(stops[0]));
            // sqrt(2.5 / 10) = 0.5: halfway along the ramp, the middle stop.
            assert_eq!(color(2.5, 10.0, ramp), Some(stops[2]));
            // Values above the max (none are, but a caller could) take the last colour.
            assert_eq!(color(20.0, 10.0, ramp), Some(stops[4]));
        }
        assert_eq!(Ramp::for_theme(true), Ramp::Dark);
    }

    #[test]
    fn the_bar_samples_the_same_mapping() {
        let s = color_scale(4.0, true, Ramp::Light, LIGHT_BACKGROUND).unwrap();
        assert!(
            s.gradient
                .starts_with("linear-gradient(to right, #f9c95a 0.00%, ")
        );
        assert!(s.gradient.ends_with(", #4a106e 100.00%)"));
        assert_eq!(s.gradient.matches('#').count(), SAMPLES);
        // Every sample is the mapping's colour at its position.
        let k = 21;
        let at = k as f64 / (SAMPLES - 1) as f64;
        let expected = color(at * 4.0, 4.0, Ramp::Light).unwrap().css();
        assert!(
            s.gradient
                .contains(&format!("{expected} {:.2}%", at * 100.0))
        );
        assert_eq!((s.min_text.as_str(), s.max_text.as_str()), ("0", "4"));
        assert_eq!(s.title, "observations per second in the bucket");
        assert_eq!(s.empty, LIGHT_BACKGROUND);
        let dark = color_scale(4.0, true, Ramp::Dark, DARK_BACKGROUND).unwrap();
        assert!(
            dark.gradient
                .starts_with("linear-gradient(to right, #7b3294 0.00%, ")
        );
    }

    #[test]
    fn ticks_are_round_values_placed_linearly() {
        let s = color_scale(4.87, false, Ramp::Light, LIGHT_BACKGROUND).unwrap();
        let shown: Vec<(String, String)> = s
            .ticks
            .iter()
            .map(|t| (t.text.clone(), format!("{:.3}", t.at)))
            .collect();
        assert_eq!(
            shown,
            [
                ("2".to_string(), "0.411".to_string()),
                ("4".into(), "0.821".into()),
            ]
        );
        assert_eq!(s.max_text, "4.87");
        assert_eq!(s.title, "observations in the bucket");
        // A tick next to the max is dropped rather than printed over it.
        let s = color_scale(2.05, false, Ramp::Light, LIGHT_BACKGROUND).unwrap();
        assert!(s.ticks.iter().all(|t| t.at < 0.85), "{:?}", s.ticks);
        assert_eq!(color_scale(0.0, false, Ramp::Light, LIGHT_BACKGROUND), None);
        assert_eq!(
            color_scale(f64::NAN, false, Ramp::Light, LIGHT_BACKGROUND),
            None
        );
    }

    #[test]
    fn values_say_their_unit() {
        assert_eq!(value_text(1.234, true), "1.23 observations/s");
        assert_eq!(value_text(0.0, true), "0 observations/s");
        assert_eq!(value_text(1.0, false), "1 observation");
        assert_eq!(value_text(1500.0, false), "1.5k observations");
        assert_eq!(value_text(f64::NAN, false), "no data");
    }
}
