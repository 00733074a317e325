//! The data exercises run on, built once and shared.
//!
//! Generating a scenario's six-hour window takes on the order of 100 ms (natively and in
//! the browser), far more than evaluating a typical query on it, and a learner checks an
//! answer many times while exercises of a module share their scenario, seeds and window.
//! So [`Datasets`] keeps the most recently used databases, keyed by (scenario, seed,
//! window) or by a custom data set's text, and the learner's query and the reference are
//! evaluated on the same instance. The cache is bounded; a database of a default window
//! takes a few megabytes.

use crate::pack::{CustomData, Data, LoadBlock};
use simulator::promqltest::series::SeqValue;
use simulator::scenario::{self, Scenario, Window};
use simulator::tsdb::{Labels, Tsdb};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;

/// How many databases [`Datasets`] keeps unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 8;

/// The most points a custom data set may hold in total. The series notation can expand a
/// short line into a million points; the cap keeps a typo from taking the tab's memory.
pub const MAX_CUSTOM_POINTS: usize = 2_000_000;

/// The most points the custom data sets of one pack may hold together. A loaded pack keeps
/// every exercise's data in memory, so without a pack-wide cap a pack of many exercises
/// each just under [`MAX_CUSTOM_POINTS`] could still take the tab's memory.
pub const MAX_PACK_CUSTOM_POINTS: usize = 4_000_000;

/// Identifies one database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataKey {
    /// A scenario's window for one seed.
    Scenario {
        /// Catalog name.
        name: String,
        /// Seed.
        seed: u64,
        /// Window start, Unix ms.
        start: i64,
        /// Window end, Unix ms.
        end: i64,
    },
    /// A custom data set, by its text.
    Custom(String),
}

/// One data set an exercise is graded on: a seed of its scenario, or its custom data.
#[derive(Debug, Clone)]
pub struct DataSet {
    /// The seed, for a scenario.
    pub seed: Option<u64>,
    /// The database.
    pub db: Arc<Tsdb>,
}

/// Why a data set cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// What went wrong, as a sentence.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {}

/// A bounded cache of databases, least recently used first out.
#[derive(Debug)]
pub struct Datasets {
    capacity: usize,
    scenarios: BTreeMap<String, Arc<Scenario>>,
    entries: VecDeque<(DataKey, Arc<Tsdb>)>,
}

impl Default for Datasets {
    fn default() -> Datasets {
        Datasets::new(DEFAULT_CAPACITY)
    }
}

impl Datasets {
    /// A cache keeping at most `capacity` databases (at least one).
    pub fn new(capacity: usize) -> Datasets {
        Datasets {
            capacity: capacity.max(1),
            scenarios: BTreeMap::new(),
            entries: VecDeque::new(),
        }
    }

    /// Every data set `data` grades on: one per seed of a scenario, or the custom data.
    pub fn for_data(&mut self, data: &Data) -> Result<Vec<DataSet>, DataError> {
        match data {
            Data::Scenario(s) => s
                .seeds
                .iter()
                .map(|&seed| {
                    Ok(DataSet {
                        seed: Some(seed),
                        db: self.scenario(&s.scenario, seed, s.window)?,
                    })
                })
                .collect(),
            Data::Custom(c) => Ok(vec![DataSet {
                seed: None,
                db: self.custom(c)?,
            }]),
        }
    }

    /// The database of `scenario`'s `window` for `seed`.
    pub fn scenario(
        &mut self,
        name: &str,
        seed: u64,
        window: Window,
    ) -> Result<Arc<Tsdb>, DataError> {
        let key = DataKey::Scenario {
            name: name.to_string(),
            seed,
            start: window.start,
            end: window.end,
        };
        if let Some(db) = self.hit(&key) {
            return Ok(db);
        }
        let sc = match self.scenarios.get(name) {
            Some(s) => Arc::clone(s),
            None => {
                let s = Arc::new(scenario::by_name(name).map_err(|e| DataError {
                    message: e.to_string(),
                })?);
                self.scenarios.insert(name.to_string(), Arc::clone(&s));
                s
            }
        };
        let db = Arc::new(Tsdb::from_scenario(&sc, seed, window));
        self.insert(key, Arc::clone(&db));
        Ok(db)
    }

    /// The database of a custom data set.
    pub fn custom(&mut self, data: &CustomData) -> Result<Arc<Tsdb>, DataError> {
        let key = DataKey::Custom(data.text.clone());
        if let Some(db) = self.hit(&key) {
            return Ok(db);
        }
        let db = Arc::new(build_custom(&data.blocks)?);
        self.insert(key, Arc::clone(&db));
        Ok(db)
    }

    /// How many databases are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn hit(&mut self, key: &DataKey) -> Option<Arc<Tsdb>> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(i)?;
        let db = Arc::clone(&entry.1);
        self.entries.push_back(entry);
        Some(db)
    }

    fn insert(&mut self, key: DataKey, db: Arc<Tsdb>) {
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back((key, db));
    }
}

/// Loads `load` blocks into a database as Prometheus' test scripts do: point `k` of a
/// series in a block with interval `i` is at `k * i` ms, `_` is no point, a series listed
/// twice in one block keeps its last line.
pub fn build_custom(blocks: &[LoadBlock]) -> Result<Tsdb, DataError> {
    let total: usize = blocks
        .iter()
        .flat_map(|b| b.series.iter().map(|s| s.values.len()))
        .sum();
    if total > MAX_CUSTOM_POINTS {
        return Err(DataError {
            message: format!(
                "the data set has {total} points; at most {MAX_CUSTOM_POINTS} are allowed"
            ),
        });
    }
    let mut db = Tsdb::new();
    for block in blocks {
        let mut defs: BTreeMap<&Labels, &[SeqValue]> = BTreeMap::new();
        for s in &block.series {
            defs.insert(&s.labels, &s.values);
        }
        for (labels, values) in defs {
            for (k, v) in values.iter().enumerate() {
                if let SeqValue::Float(f) = v {
                    let t = (k as i64).saturating_mul(block.interval_ms);
                    db.append(labels, t, *f).map_err(|e| DataError {
                        message: format!("cannot load {labels}: {e}"),
                    })?;
                }
            }
        }
    }
    db.compact();
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::ScenarioData;
    use simulator::promqltest::series::parse_series_desc;

    fn block(interval_ms: i64, lines: &[&str]) -> LoadBlock {
        LoadBlock {
            interval_ms,
            series: lines
                .iter()
                .map(|l| parse_series_desc(l).unwrap())
                .collect(),
        }
    }

    #[test]
    fn custom_data_loads_as_promqltest_does() {
        let db = build_custom(&[block(60_000, &["x{a=\"1\"} 1 _ 3", "x{a=\"2\"} 0+5x2"])]).unwrap();
        assert_eq!(db.len(), 2);
        assert_eq!(db.stats().samples, 5);
        let err =
            build_custom(&[block(60_000, &["x 1 2 3"]), block(60_000, &["x 5"])]).unwrap_err();
        assert!(err.message.contains("cannot load"), "{err}");
    }

    #[test]
    fn the_cache_reuses_and_evicts() {
        let mut sets = Datasets::new(2);
        let w = Window::new(1_767_268_800_000 - 600_000, 1_767_268_800_000);
        let data = Data::Scenario(ScenarioData {
            scenario: "demo".into(),
            seeds: vec![1, 2],
            window: w,
        });
        let first = sets.for_data(&data).unwrap();
        let again = sets.for_data(&data).unwrap();
        assert_eq!(first.len(), 2);
        assert!(Arc::ptr_eq(&first[0].db, &again[0].db));
        assert!(Arc::ptr_eq(&first[1].db, &again[1].db));
        // A third database evicts the least recently used (seed 1).
        let _ = sets.scenario("demo", 3, w).unwrap();
        assert_eq!(sets.len(), 2);
        let seed1 = sets.scenario("demo", 1, w).unwrap();
        assert!(!Arc::ptr_eq(&first[0].db, &seed1));
    }
}
