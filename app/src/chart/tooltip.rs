//! What the hover tooltip says and where it goes, as plain data for the component.

use super::color_scale::{Ramp, color, value_text};
use super::heatmap::{Heatmap, bucket_range};
use super::hover::Hover;
use super::series::PlotSeries;
use super::time_axis::tooltip_time;
use super::units::{Unit, format_value};

/// One line of the tooltip: a series colour (CSS) and the text.
pub type Row = (Option<String>, String);

/// The tooltip of a line graph: the sample time, then `series: value` per row.
pub fn line_tooltip(
    h: &Hover,
    series: &[PlotSeries],
    unit: Unit,
    offset_min: &dyn Fn(i64) -> i32,
) -> (String, Vec<Row>) {
    let rows = h
        .rows
        .iter()
        .filter_map(|r| {
            let s = series.get(r.series)?;
            Some((
                Some(s.color.css()),
                format!("{}: {}", s.name, format_value(r.value, unit)),
            ))
        })
        .collect();
    (tooltip_time(h.t_ms, offset_min), rows)
}

/// The tooltip of heatmap cell `(i, b)`: its time, then the bucket's bounds in the
/// y-axis' unit, then the cell's value in the colour scale's unit with the cell's colour.
pub fn cell_tooltip(
    h: &Heatmap,
    (i, b): (usize, usize),
    unit: Unit,
    per_second: bool,
    ramp: Ramp,
    offset_min: &dyn Fn(i64) -> i32,
) -> Option<(String, Vec<Row>)> {
    let t = *h.times.get(i)?;
    let bucket = h.buckets.get(b)?;
    let v = *h.cells.get(i)?.get(b)?;
    let rows = vec![
        (None, bucket_range(bucket, unit)),
        (
            color(v, h.max, ramp).map(|c| c.css()),
            value_text(v, per_second),
        ),
    ];
    Some((tooltip_time(t, offset_min), rows))
}

/// The tooltip's CSS position for a pointer at `(x, y)` CSS pixels on a plot `width` wide:
/// beside the pointer, on the side with more room.
pub fn position(x: f64, y: f64, width: f64) -> String {
    if x > width / 2.0 {
        format!(
            "right: {:.0}px; top: {:.0}px",
            (width - x + 12.0).max(0.0),
            y + 12.0
        )
    } else {
        format!("left: {:.0}px; top: {:.0}px", x + 12.0, y + 12.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::heatmap::build;
    use crate::chart::hover::HoverRow;
    use crate::chart::series::from_result;
    use crate::result::{RangeSeries, ResultData, Sample, labels};

    #[test]
    fn line_tooltips_name_series_with_their_colour_and_unit() {
        let series = from_result(&ResultData::Matrix(vec![RangeSeries {
            metric: labels([("job", "a")]),
            values: vec![Sample { t_ms: 0, v: 0.25 }],
        }]));
        let h = Hover {
            t_ms: 0,
            nearest: 0,
            x: 0.0,
            y: 0.0,
            rows: vec![HoverRow {
                series: 0,
                value: 0.25,
            }],
        };
        let (time, rows) = line_tooltip(&h, &series, Unit::Seconds, &|_| 0);
        assert_eq!(time, "1970-01-01 00:00:00");
        assert_eq!(
            rows,
            vec![(
                Some(series[0].color.css()),
                r#"{job="a"}: 250ms"#.to_string()
            )]
        );
    }

    #[test]
    fn cell_tooltips_give_bucket_bounds_and_count() {
        let b = |le: &str, v: f64| RangeSeries {
            metric: labels([("le", le)]),
            values: vec![Sample { t_ms: 60_000, v }],
        };
        let h = build(&[b("0.05", 1.0), b("0.1", 3.0), b("+Inf", 5.0)]).unwrap();
        let (time, rows) =
            cell_tooltip(&h, (0, 1), Unit::Seconds, true, Ramp::Light, &|_| 60).unwrap();
        assert_eq!(time, "1970-01-01 01:01:00");
        assert_eq!(rows[0], (None, "50ms – 100ms".to_string()));
        let swatch = color(2.0, 2.0, Ramp::Light).map(|c| c.css());
        assert_eq!(rows[1], (swatch, "2 observations/s".to_string()));
        let (_, rows) = cell_tooltip(&h, (0, 2), Unit::Seconds, false, Ramp::Dark, &|_| 0).unwrap();
        assert_eq!(rows[0].1, "100ms – +Inf");
        assert_eq!(rows[1].1, "2 observations");
        let (_, rows) = cell_tooltip(&h, (0, 0), Unit::Plain, false, Ramp::Dark, &|_| 0).unwrap();
        assert_eq!(rows[0].1, "0 – 0.05");
        assert_eq!(rows[1].1, "1 observation");
        assert_eq!(
            cell_tooltip(&h, (1, 0), Unit::Plain, false, Ramp::Light, &|_| 0),
            None
        );
        assert_eq!(
            cell_tooltip(&h, (0, 3), Unit::Plain, false, Ramp::Light, &|_| 0),
            None
        );
    }

    #[test]
    fn the_box_goes_where_there_is_room() {
        assert_eq!(position(100.0, 50.0, 800.0), "left: 112px; top: 62px");
        assert_eq!(position(700.0, 50.0, 800.0), "right: 112px; top: 62px");
    }
}
