//! The graph: turning a query result into pixels, and pixels back into answers for hover.
//!
//! Everything except [`draw`] is plain arithmetic, tested natively: series shaping (gaps,
//! stacking, decimation to the pixel width), the [`layout`] that maps time and value to
//! pixels (drawing and hover share it, so the tooltip names what is under the pointer),
//! axis ticks in local time and readable units, colours stable per label set, legend
//! visibility, and the histogram heatmap with its [`color_scale`]. [`draw`] renders with plotters onto a canvas.

pub mod color_scale;
pub mod draw;
pub mod frame;
pub mod heatmap;
pub mod hover;
pub mod layout;
pub mod legend;
pub mod palette;
pub mod series;
pub mod time_axis;
pub mod tooltip;
pub mod units;
