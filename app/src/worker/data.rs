//! The worker's simulated data: each scenario's samples, generated when a query needs them
//! and kept for the next query.
//!
//! **Which window.** A query reads a window of data that the engine computes
//! ([`simulator::promql::Engine::data_range`]: lookback, ranges, offsets, `@`). Generating
//! exactly that window would make every small change (a Table query after a Graph query, a
//! `[10m]` after a `[5m]`) generate again, and generation costs far more than evaluation
//! (about 100 ms for a six-hour scenario). So the window generated is widened: it starts at
//! least [`MIN_SPAN_MS`] before the data's end and on a whole hour, and ends on a whole
//! hour; and a cached database serves any query whose data lies inside its window. One
//! generated window then serves the Graph and Table tabs, the Explain tab's per-node
//! evaluations and any range up to six hours, until the scenario, the seed or the end moves.
//!
//! **How much.** A query such as `x offset 30d` would ask for a month of samples, hundreds
//! of megabytes in a browser tab; windows longer than [`MAX_SPAN_MS`] are refused with a
//! message instead. The cache keeps [`CAPACITY`] databases, the most recently used.
//!
//! **Progress.** Generation goes family by family; after each, the caller's hook hears how
//! many families are done, so the page can show a progress bar for a long window.

use super::catalog::Catalog;
use super::protocol::WorkerError;
use crate::result::{ErrorType, QueryError};
use simulator::scenario::{FamilyId, SampleSink, Scenario, SeriesId, Window};
use simulator::tsdb::{Metadata, Tsdb};
use std::sync::Arc;

/// Every generated window covers at least this much before its end: the longest range
/// preset plus an hour for `rate()` ranges and lookback, so the presets up to six hours and
/// the Table's instant queries share one database.
pub const MIN_SPAN_MS: i64 = 7 * HOUR_MS;

/// The longest window generated: eight days, enough for a day's graph with `offset 1w`.
pub const MAX_SPAN_MS: i64 = 8 * 24 * HOUR_MS;

/// How many databases are kept (a default window of the largest scenario is a few MB).
pub const CAPACITY: usize = 3;

const HOUR_MS: i64 = 3_600_000;

/// Generation progress: families done and families in all.
pub type GenerationHook<'a> = &'a mut dyn FnMut(u64, u64);

/// One cached database.
#[derive(Debug)]
struct Entry {
    scenario: String,
    seed: u64,
    window: Window,
    db: Arc<Tsdb>,
}

/// The databases generated so far, most recently used last.
#[derive(Debug, Default)]
pub struct DataCache {
    entries: Vec<Entry>,
    generated: u64,
}

impl DataCache {
    /// An empty cache.
    pub fn new() -> DataCache {
        DataCache::default()
    }

    /// How many windows were generated since the cache was created (for tests and stats).
    pub fn generated(&self) -> u64 {
        self.generated
    }

    /// A database of `scenario` for `seed` holding every sample in `need` (inclusive
    /// bounds, Unix ms): a cached one whose window covers it, or a newly generated one.
    pub fn get(
        &mut self,
        catalog: &mut Catalog,
        scenario: &str,
        seed: u64,
        need: (i64, i64),
        progress: GenerationHook<'_>,
    ) -> Result<Arc<Tsdb>, WorkerError> {
        let (lo, hi) = (need.0.min(need.1), need.0.max(need.1));
        if let Some(i) = self.entries.iter().position(|e| {
            e.scenario == scenario && e.seed == seed && e.window.start <= lo && hi <= e.window.end
        }) {
            let entry = self.entries.remove(i);
            let db = Arc::clone(&entry.db);
            self.entries.push(entry);
            return Ok(db);
        }
        let window = widen(lo, hi)?;
        let sc = catalog.scenario(scenario)?;
        let db = Arc::new(generate(sc, seed, window, progress));
        self.generated += 1;
        if self.entries.len() >= CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push(Entry {
            scenario: scenario.to_string(),
            seed,
            window,
            db: Arc::clone(&db),
        });
        Ok(db)
    }
}

/// The window generated for data needed in `[lo, hi]`: whole hours, at least
/// [`MIN_SPAN_MS`] long, at most [`MAX_SPAN_MS`].
pub fn widen(lo: i64, hi: i64) -> Result<Window, WorkerError> {
    let end = ceil_hour(hi);
    let start = floor_hour(lo.min(end.saturating_sub(MIN_SPAN_MS)));
    if end.saturating_sub(start) > MAX_SPAN_MS {
        let days = (hi.saturating_sub(lo)) as f64 / (24.0 * HOUR_MS as f64);
        return Err(WorkerError::Query(QueryError {
            error_type: ErrorType::BadData,
            message: format!(
                "this query reads {days:.1} days of data (its ranges, offsets and @ times together); the workbench simulates at most {} days at once. Shorten the ranges or offsets, or the graph's range.",
                MAX_SPAN_MS / (24 * HOUR_MS)
            ),
        }));
    }
    Ok(Window::new(start, end))
}

fn floor_hour(t: i64) -> i64 {
    t.div_euclid(HOUR_MS).saturating_mul(HOUR_MS)
}

fn ceil_hour(t: i64) -> i64 {
    let f = floor_hour(t);
    if f == t { t } else { f.saturating_add(HOUR_MS) }
}

/// Generates `window` of `scenario` into a database, as `Tsdb::from_scenario` does, telling
/// `progress` after each family.
pub fn generate(sc: &Scenario, seed: u64, window: Window, progress: GenerationHook<'_>) -> Tsdb {
    struct Load<'a, 'h> {
        db: &'a mut Tsdb,
        done: u64,
        total: u64,
        progress: GenerationHook<'h>,
    }
    impl SampleSink for Load<'_, '_> {
        fn family(&mut self, _scenario: &Scenario, _family: FamilyId) {
            if self.done > 0 {
                (self.progress)(self.done, self.total);
            }
            self.done += 1;
        }
        fn series(&mut self, scenario: &Scenario, series: SeriesId, ts: &[i64], vs: &[f64]) {
            if let Some(info) = scenario.series().get(series) {
                // Generated series are unique and ascending, so appending cannot fail.
                let _ = self.db.append_batch(&info.labels, ts, vs);
            }
        }
    }
    let mut db = Tsdb::new();
    for f in sc.families() {
        db.set_metadata(
            &f.name,
            Metadata {
                kind: f.kind,
                help: f.help.clone(),
                unit: f.unit.clone(),
            },
        );
    }
    let total = sc.families().len() as u64;
    let mut load = Load {
        db: &mut db,
        done: 0,
        total,
        progress,
    };
    sc.generate(seed, window, &mut load);
    (load.progress)(total, total);
    db.compact();
    db
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::scenario::DEFAULT_ANCHOR;

    #[test]
    fn windows_are_whole_hours_and_at_least_seven_long() {
        let h = HOUR_MS;
        let end = DEFAULT_ANCHOR; // 12:00
        assert_eq!(
            widen(end - 6 * h - 5 * 60_000, end).unwrap(),
            Window::new(end - 7 * h, end)
        );
        assert_eq!(
            widen(end - 300_000, end - 1).unwrap(),
            Window::new(end - 7 * h, end)
        );
        assert_eq!(
            widen(end - 25 * h, end + 1).unwrap(),
            Window::new(end - 25 * h, end + h)
        );
        assert!(matches!(
            widen(end - 30 * 24 * h, end),
            Err(WorkerError::Query(e)) if e.message.contains("30.0 days")
        ));
    }

    #[test]
    fn a_cached_window_serves_every_query_inside_it() {
        let mut catalog = Catalog::default();
        let mut cache = DataCache::new();
        let mut calls = Vec::new();
        let end = DEFAULT_ANCHOR;
        let db = cache
            .get(
                &mut catalog,
                "demo",
                1,
                (end - 3_600_000, end),
                &mut |d, t| calls.push((d, t)),
            )
            .unwrap();
        assert!(!db.is_empty());
        let (last, total) = *calls.last().unwrap();
        assert_eq!(last, total);
        assert!(
            calls.len() as u64 >= total / 2,
            "progress after each family"
        );
        let again = cache
            .get(
                &mut catalog,
                "demo",
                1,
                (end - 6 * 3_600_000, end),
                &mut |_, _| {},
            )
            .unwrap();
        assert!(Arc::ptr_eq(&db, &again));
        assert_eq!(cache.generated(), 1);
        // Another seed is other data.
        cache
            .get(&mut catalog, "demo", 2, (end - 60_000, end), &mut |_, _| {})
            .unwrap();
        assert_eq!(cache.generated(), 2);
        // The same data as the simulator's own loader.
        let sc = simulator::scenario::by_name("demo").unwrap();
        let reference = Tsdb::from_scenario(&sc, 1, Window::new(end - 7 * 3_600_000, end));
        assert_eq!(db.len(), reference.len());
        assert_eq!(db.stats(), reference.stats());
        assert!(matches!(
            cache.get(&mut catalog, "atlantis", 1, (0, 1), &mut |_, _| {}),
            Err(WorkerError::UnknownScenario(_))
        ));
    }
}
