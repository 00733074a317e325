//! A promqltest `load` block: `load <interval>` and one line of values per series.
//!
//! The notation puts every series on one grid: value `i` of a line is at `i · interval`
//! from time 0. Scraped samples are not on a grid (each target has its own offset within
//! the interval, and every scrape a few ms of jitter), so each sample moves to the start of
//! its slot: `slot = ⌊(nominal − start) / interval⌋`, where `nominal` is the scrape's time
//! without jitter and `start` the window's start, which becomes time 0. A sample therefore
//! lands less than one interval before the moment it was scraped, and each series keeps one
//! value per slot. (A scrape whose few ms of jitter carried it just past the window's start
//! belongs to the slot before time 0 and is left out.) Slots without a sample are `_`, stale markers are `stale`, and runs of
//! equal values or gaps are compressed (`5x3`, `_x4`).

use super::float::write_go_float;
use super::write_series;
use crate::scenario::{SampleSink, Scenario, SeriesId};
use crate::tsdb::is_stale_marker;
use std::fmt::Write as _;
use std::io;

/// A [`SampleSink`] collecting a window into a `load` block.
pub struct LoadWriter<W: io::Write> {
    out: W,
    start: i64,
    header: bool,
    error: Option<io::Error>,
    line: String,
}

/// A duration as promqltest writes it: `15s`, `1m`, `1m30s`, `500ms`.
fn duration(ms: i64) -> String {
    let mut out = String::new();
    let (h, m, s, rest) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    for (v, unit) in [(h, "h"), (m, "m"), (s, "s"), (rest, "ms")] {
        if v > 0 {
            let _ = write!(out, "{v}{unit}");
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

/// One slot's content.
#[derive(PartialEq, Clone, Copy)]
enum Slot {
    Empty,
    Stale,
    Value(u64),
}

impl<W: io::Write> LoadWriter<W> {
    /// A writer for a window starting at `start` (Unix ms), which becomes time 0.
    pub fn new(out: W, start: i64) -> LoadWriter<W> {
        LoadWriter {
            out,
            start,
            header: false,
            error: None,
            line: String::new(),
        }
    }

    /// Returns the output, or the first write error.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_slot(&mut self, slot: Slot, repeat: usize) {
        match slot {
            Slot::Empty => {
                if repeat == 1 {
                    self.line.push_str(" _");
                } else {
                    let _ = write!(self.line, " _x{repeat}");
                }
            }
            Slot::Stale => {
                for _ in 0..repeat {
                    self.line.push_str(" stale");
                }
            }
            Slot::Value(bits) => {
                let v = f64::from_bits(bits);
                self.line.push(' ');
                if v.is_infinite() {
                    self.line.push_str(if v > 0.0 { "Inf" } else { "-Inf" });
                } else {
                    let _ = write_go_float(&mut self.line, v);
                }
                if repeat > 1 {
                    let _ = write!(self.line, "x{}", repeat - 1);
                }
            }
        }
    }
}

impl<W: io::Write> SampleSink for LoadWriter<W> {
    fn series(&mut self, scenario: &Scenario, series: SeriesId, ts: &[i64], vs: &[f64]) {
        if self.error.is_some() || ts.is_empty() {
            return;
        }
        let interval = scenario.scrape().interval.max(1);
        if !self.header {
            self.header = true;
            let r = writeln!(self.out, "load {}", duration(interval));
            if let Err(e) = r {
                self.error = Some(e);
                return;
            }
        }
        let Some(info) = scenario.series().get(series) else {
            return;
        };
        let offset = scenario.scrape_offset(info.target);
        let mut slots: Vec<Slot> = Vec::new();
        for (&t, &v) in ts.iter().zip(vs) {
            // The scrape's time without jitter: scrapes are at `k · interval + offset +
            // jitter` with jitter below the interval.
            let nominal = t - (t - offset).rem_euclid(interval);
            let slot = (nominal - self.start).div_euclid(interval);
            if slot < 0 {
                // Jitter carried the window's first scrape past its start; its slot is
                // before time 0.
                continue;
            }
            let slot = slot as usize;
            if slots.len() <= slot {
                slots.resize(slot + 1, Slot::Empty);
            }
            slots[slot] = if is_stale_marker(v) {
                Slot::Stale
            } else {
                Slot::Value(v.to_bits())
            };
        }
        self.line.clear();
        self.line.push_str("    ");
        let _ = write_series(&mut self.line, &info.labels, &[]);
        let mut i = 0;
        while i < slots.len() {
            let mut j = i + 1;
            while j < slots.len() && slots[j] == slots[i] && slots[i] != Slot::Stale {
                j += 1;
            }
            self.write_slot(slots[i], j - i);
            i = j;
        }
        self.line.push('\n');
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.error = Some(e);
        }
    }
}
