//! Where the plot sits on the canvas and how time and value map to pixels.
//!
//! Drawing and hover both use this one mapping, so the tooltip always names what is under
//! the pointer. Pixels are canvas pixels (CSS pixels times the device pixel ratio).

/// The plot area and the data window it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// Left edge of the plot area (room for y labels to its left).
    pub left: f64,
    /// Right edge of the plot area.
    pub right: f64,
    /// Top edge of the plot area.
    pub top: f64,
    /// Bottom edge of the plot area (room for time labels below).
    pub bottom: f64,
    /// Time at the left edge, Unix milliseconds.
    pub t0: i64,
    /// Time at the right edge.
    pub t1: i64,
    /// Value at the bottom edge.
    pub v0: f64,
    /// Value at the top edge.
    pub v1: f64,
}

impl Layout {
    /// A layout for a `width` × `height` canvas at `scale` (the device pixel ratio), with
    /// margins for labels, showing `[t0, t1]` × `[v0, v1]`.
    pub fn new(
        width: f64,
        height: f64,
        scale: f64,
        (t0, t1): (i64, i64),
        (v0, v1): (f64, f64),
    ) -> Layout {
        let s = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let left = (70.0 * s).min(width / 2.0);
        let right = (width - 14.0 * s).max(left + 1.0);
        let top = (10.0 * s).min(height / 2.0);
        let bottom = (height - 26.0 * s).max(top + 1.0);
        Layout {
            width,
            height,
            left,
            right,
            top,
            bottom,
            t0,
            t1: if t1 > t0 { t1 } else { t0 + 1 },
            v0,
            v1: if v1 > v0 { v1 } else { v0 + 1.0 },
        }
    }

    /// The x pixel of time `t`.
    pub fn x(&self, t: i64) -> f64 {
        self.left + (t - self.t0) as f64 / (self.t1 - self.t0) as f64 * (self.right - self.left)
    }

    /// The y pixel of value `v`.
    pub fn y(&self, v: f64) -> f64 {
        self.bottom - (v - self.v0) / (self.v1 - self.v0) * (self.bottom - self.top)
    }

    /// The time at x pixel `x`.
    pub fn t_at(&self, x: f64) -> i64 {
        self.t0
            + ((x - self.left) / (self.right - self.left) * (self.t1 - self.t0) as f64).round()
                as i64
    }

    /// Whether a pixel lies in the plot area.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (self.left..=self.right).contains(&x) && (self.top..=self.bottom).contains(&y)
    }

    /// The plot area's width in whole pixels, for decimation.
    pub fn plot_width(&self) -> usize {
        (self.right - self.left).max(1.0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_and_data_map_both_ways() {
        let l = Layout::new(800.0, 300.0, 1.0, (0, 1000), (0.0, 10.0));
        assert_eq!(
            (l.left, l.right, l.top, l.bottom),
            (70.0, 786.0, 10.0, 274.0)
        );
        assert_eq!(l.x(0), 70.0);
        assert_eq!(l.x(1000), 786.0);
        assert_eq!(l.y(0.0), 274.0);
        assert_eq!(l.y(10.0), 10.0);
        assert_eq!(l.t_at(l.x(500)), 500);
        assert!(l.contains(100.0, 100.0) && !l.contains(10.0, 100.0));
        // Empty windows do not divide by zero.
        let l = Layout::new(10.0, 10.0, 2.0, (5, 5), (1.0, 1.0));
        assert!(l.x(5).is_finite() && l.y(1.0).is_finite());
    }
}
