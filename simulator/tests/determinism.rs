//! Every sample is a pure function of (scenario, seed, time).
//!
//! * A window generated in one piece equals the same window generated in pieces.
//! * What `simulator serve` reports at an instant equals the generated sample at that instant.
//! * The checksum of each scenario's default window is the same natively and in wasm32: this
//!   file also runs under node with wasm-bindgen-test (see scripts/test.sh), and both runs
//!   compare against the same recorded value. When a scenario changes on purpose, run
//!   `cargo test -p simulator --test determinism` and copy the printed checksum into
//!   `CHECKSUMS`; a checksum that differs between the two platforms is a bug.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use simulator::scenario::{
    self, DEFAULT_ANCHOR, HOUR, MINUTE, SampleSink, Scenario, SeriesId, TargetId, Window,
};
use simulator::tsdb::is_stale_marker;

/// Checksums of each built-in scenario's default window for seed 1 (FNV-1a over series id,
/// timestamp and value bits, in generation order).
const CHECKSUMS: &[(&str, u64)] = &[
    ("demo", 0x9e81_97c7_f081_e6b7),
    ("ebanking", 0xcd44_9678_5ddc_563b),
    ("inventory", 0xff5d_0ab8_1a73_5190),
    ("ml-platform", 0xeac6_fbf5_4054_bb2f),
    ("ecompulse", 0x9fbc_8013_76b6_aba5),
    ("ecommerce-api", 0x40f3_511a_f38b_0bea),
];

/// Collects samples per series.
#[derive(Default)]
struct Collect {
    series: Vec<Vec<(i64, u64)>>,
}

impl SampleSink for Collect {
    fn series(&mut self, scenario: &Scenario, id: SeriesId, ts: &[i64], vs: &[f64]) {
        if self.series.is_empty() {
            self.series = vec![Vec::new(); scenario.series().len()];
        }
        self.series[id].extend(ts.iter().zip(vs).map(|(t, v)| (*t, v.to_bits())));
    }
}

struct Checksum(u64, u64);

impl SampleSink for Checksum {
    fn series(&mut self, _: &Scenario, id: SeriesId, ts: &[i64], vs: &[f64]) {
        let mut eat = |x: u64| {
            for b in x.to_le_bytes() {
                self.0 ^= u64::from(b);
                self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        eat(id as u64);
        for (t, v) in ts.iter().zip(vs) {
            eat(*t as u64);
            eat(v.to_bits());
        }
        self.1 += ts.len() as u64;
    }
}

fn generate(s: &Scenario, seed: u64, w: Window) -> Vec<Vec<(i64, u64)>> {
    let mut c = Collect::default();
    s.generate(seed, w, &mut c);
    if c.series.is_empty() {
        c.series = vec![Vec::new(); s.series().len()];
    }
    c.series
}

fn all() -> Vec<Scenario> {
    scenario::names()
        .into_iter()
        .map(|n| scenario::by_name(n).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn one_piece_equals_pieces() {
    for s in all() {
        // Two hours around the demo's restart and most other scenarios' incidents, split at
        // uneven points (one inside an incident, one a millisecond after a scrape).
        let w = s.default_window(DEFAULT_ANCHOR);
        let w = Window::new(
            w.start + 2 * HOUR - 17 * MINUTE,
            w.start + 4 * HOUR + 3 * MINUTE,
        );
        let whole = generate(&s, 7, w);
        let cuts = [
            w.start + 13 * MINUTE + 7_001,
            w.start + 37 * MINUTE + 30_000,
            w.start + 61 * MINUTE,
            w.start + 62 * MINUTE,
            w.end - 1,
        ];
        let mut pieces = vec![Vec::new(); s.series().len()];
        let mut from = w.start;
        for &cut in cuts.iter().chain([w.end].iter()) {
            for (i, part) in generate(&s, 7, Window::new(from, cut))
                .into_iter()
                .enumerate()
            {
                pieces[i].extend(part);
            }
            from = cut + 1;
        }
        for (i, (a, b)) in whole.iter().zip(&pieces).enumerate() {
            assert!(
                a == b,
                "{}: series {} differs between one piece ({} samples) and pieces ({} samples)",
                s.name(),
                s.series()[i].labels,
                a.len(),
                b.len()
            );
        }
        assert!(
            whole.iter().map(Vec::len).sum::<usize>() > 0,
            "{} generated nothing",
            s.name()
        );
    }
}

#[test]
fn serve_reports_the_generated_values() {
    for s in all() {
        let w = s.default_window(DEFAULT_ANCHOR);
        let w = Window::new(w.start + HOUR, w.start + HOUR + 10 * MINUTE);
        let data = generate(&s, 3, w);
        for j in 0..s.targets().len() {
            let target = TargetId::from_index(j);
            // The scrape times of this target: those of its `up` series.
            let up = s
                .series()
                .iter()
                .position(|x| x.target == target && x.labels.metric_name() == Some("up"))
                .unwrap();
            for &(t, _) in data[up].iter().step_by(7) {
                let Some(values) = s.scrape_at(3, target, t) else {
                    continue;
                };
                for (id, v) in values.samples {
                    let stored = data[id].iter().find(|(ts, _)| *ts == t).map(|(_, b)| *b);
                    assert_eq!(
                        stored,
                        Some(v.to_bits()),
                        "{}: {} at {t}",
                        s.name(),
                        s.series()[id].labels
                    );
                    assert!(!is_stale_marker(v));
                }
            }
        }
    }
}

#[test]
fn seeds_change_the_data_and_the_same_seed_does_not() {
    for s in all() {
        let w = s.default_window(DEFAULT_ANCHOR);
        let w = Window::new(w.start, w.start + 20 * MINUTE);
        assert_eq!(generate(&s, 1, w), generate(&s, 1, w));
        assert_ne!(generate(&s, 1, w), generate(&s, 2, w), "{}", s.name());
    }
}

#[test]
fn checksums_match_the_recorded_ones() {
    let mut wrong = Vec::new();
    for s in all() {
        let mut c = Checksum(0xcbf2_9ce4_8422_2325, 0);
        s.generate(1, s.default_window(DEFAULT_ANCHOR), &mut c);
        let recorded = CHECKSUMS
            .iter()
            .find(|(n, _)| *n == s.name())
            .map(|(_, c)| *c);
        if recorded != Some(c.0) {
            wrong.push(format!(
                "(\"{}\", {:#018x}) over {} samples, recorded {:?}",
                s.name(),
                c.0,
                c.1,
                recorded.map(|r| format!("{r:#018x}"))
            ));
        }
    }
    assert!(wrong.is_empty(), "checksums differ:\n{}", wrong.join("\n"));
}
