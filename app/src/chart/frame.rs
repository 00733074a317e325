//! Everything a line or stacked graph needs before drawing: the layout with its value range,
//! the y ticks, the stack bands and the data's resolution.

use super::layout::Layout;
use super::series::{Band, PlotSeries, infer_step, stack, value_extent};
use super::units::nice_ticks;

/// A graph ready to draw and to hover.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Pixels for times and values.
    pub layout: Layout,
    /// Y-axis ticks.
    pub y_ticks: Vec<f64>,
    /// Stack bands, when stacked.
    pub bands: Option<Vec<Band>>,
    /// Which series are shown.
    pub visible: Vec<bool>,
    /// The data's resolution, for gap detection.
    pub step_ms: i64,
}

/// The frame for `series` on a `css_size` canvas at device pixel ratio `scale`, showing
/// `window` at `step_ms` (0 when unknown: inferred from the samples).
pub fn frame(
    series: &[PlotSeries],
    visible: Vec<bool>,
    stacked: bool,
    window: (i64, i64),
    step_ms: i64,
    css_size: (f64, f64),
    scale: f64,
) -> Frame {
    let bands = stacked.then(|| stack(series, &visible));
    let step_ms = if step_ms > 0 {
        step_ms
    } else {
        infer_step(series).unwrap_or(1000)
    };
    let (lo, hi) = value_extent(series, &visible, bands.as_deref()).unwrap_or((0.0, 1.0));
    // A stack reads from zero; so does any all-positive graph whose values sit close to
    // zero relative to their spread, as rates and counts usually do.
    let lo = if lo > 0.0 && (stacked || lo < (hi - lo)) {
        0.0
    } else {
        lo
    };
    let (w, h) = css_size;
    let target = ((h / 50.0) as usize).clamp(3, 8);
    let (y_ticks, v0, v1) = nice_ticks(lo, hi, target);
    Frame {
        layout: Layout::new(w * scale, h * scale, scale, window, (v0, v1)),
        y_ticks,
        bands,
        visible,
        step_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::series::from_result;
    use crate::result::{RangeSeries, ResultData, Sample, labels};

    fn series(values: &[(&str, &[f64])]) -> Vec<PlotSeries> {
        from_result(&ResultData::Matrix(
            values
                .iter()
                .map(|(job, vals)| RangeSeries {
                    metric: labels([("job", *job)]),
                    values: vals
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Sample {
                            t_ms: i as i64 * 15_000,
                            v: *v,
                        })
                        .collect(),
                })
                .collect(),
        ))
    }

    #[test]
    fn value_range_starts_at_zero_for_stacks_and_small_offsets() {
        let s = series(&[("a", &[1.0, 3.0]), ("b", &[2.0, 2.0])]);
        let f = frame(
            &s,
            vec![true, true],
            false,
            (0, 15_000),
            0,
            (800.0, 320.0),
            1.0,
        );
        assert_eq!((f.layout.v0, f.step_ms), (0.0, 15_000));
        assert!(f.layout.v1 >= 3.0);
        let f = frame(
            &s,
            vec![true, true],
            true,
            (0, 15_000),
            15_000,
            (800.0, 320.0),
            2.0,
        );
        assert!(f.layout.v1 >= 5.0, "the stack's top is 5");
        assert_eq!(f.layout.width, 1600.0);
        // Values far from zero keep their own range.
        let s = series(&[("a", &[100.0, 101.0])]);
        let f = frame(&s, vec![true], false, (0, 15_000), 0, (800.0, 320.0), 1.0);
        assert!(
            f.layout.v0 >= 99.0 && f.layout.v1 <= 102.0,
            "{:?}",
            f.layout
        );
        // Nothing visible: a unit range, no panic.
        let f = frame(&s, vec![false], false, (0, 15_000), 0, (800.0, 320.0), 1.0);
        assert_eq!((f.layout.v0, f.layout.v1), (0.0, 1.0));
    }
}
