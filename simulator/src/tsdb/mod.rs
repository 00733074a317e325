//! An in-memory time-series database: what the PromQL evaluator reads.
//!
//! Series are identified by their [`Labels`] (strings interned: each distinct name and value
//! is held once) and numbered by [`SeriesRef`] in order of creation. A postings index maps
//! each label pair to the sorted list of series carrying it, so matchers select series
//! without scanning labels ([`Tsdb::select`]). Samples live in compressed chunks
//! ([`chunk`]): delta-of-delta timestamps in columns shared by all series scraped together,
//! and values in a mix of repeat, integer delta-of-delta and Gorilla XOR codes, which is how
//! a scenario fits in about a byte per sample.
//!
//! Appends must be in time order per series; anything else is an error value, as in
//! Prometheus. Stale markers are ordinary samples with the [`STALE_NAN_BITS`] pattern,
//! stored bit-exactly. Only float samples exist today; native histograms would be a second
//! kind of chunk next to [`chunk::ValueEncoder`]'s floats.

pub mod chunk;
pub mod labels;
mod postings;

pub use labels::{Label, Labels, LabelsError};

use crate::promql::matcher::{LabelRegex, MatchOp, Matcher, RegexError};
use crate::promql::span::Span;
use crate::scenario::{MetricType, SampleSink, Scenario, SeriesId, Window};
use chunk::{CHUNK_RANGE, MAX_SAMPLES, ValueDecoder, ValueEncoder};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

/// The bit pattern Prometheus uses for a stale marker: a NaN distinct from ordinary NaNs.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A stale marker value.
#[inline]
pub fn stale_marker() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `v` is a stale marker (compares bits: an ordinary NaN is not one).
#[inline]
pub fn is_stale_marker(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// Refers to a series of one [`Tsdb`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SeriesRef(pub u32);

/// A matcher built outside a query (no source text, so empty spans).
pub fn matcher(name: &str, op: MatchOp, value: &str) -> Result<Matcher, RegexError> {
    let regex = if op.is_regex() {
        Some(LabelRegex::new(value)?)
    } else {
        None
    };
    Ok(Matcher {
        name: name.to_string(),
        name_span: Span::default(),
        op,
        op_span: Span::default(),
        value: value.to_string(),
        value_span: Span::default(),
        span: Span::default(),
        regex,
    })
}

/// Why an append was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AppendError {
    /// The sample is older than the series' latest sample.
    OutOfOrder {
        /// The series.
        series: Labels,
        /// Its latest timestamp.
        last: i64,
        /// The refused timestamp.
        t: i64,
    },
    /// The series already has a different value at this timestamp.
    Duplicate {
        /// The series.
        series: Labels,
        /// The timestamp.
        t: i64,
    },
    /// The reference does not name a series of this database.
    UnknownSeries(SeriesRef),
    /// Timestamps and values of a batch differ in length.
    LengthMismatch,
    /// There are more than 2^32 − 1 series.
    TooManySeries,
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppendError::OutOfOrder { series, last, t } => write!(
                f,
                "out-of-order sample for {series}: {t} ms is before its latest sample at {last} ms"
            ),
            AppendError::Duplicate { series, t } => {
                write!(f, "{series} already has a different value at {t} ms")
            }
            AppendError::UnknownSeries(r) => write!(f, "no series with reference {}", r.0),
            AppendError::LengthMismatch => write!(f, "timestamps and values differ in number"),
            AppendError::TooManySeries => write!(f, "too many series"),
        }
    }
}

impl std::error::Error for AppendError {}

/// A family's metadata, as `/api/v1/metadata` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// The type.
    #[serde(rename = "type")]
    pub kind: MetricType,
    /// The help text.
    pub help: String,
    /// The unit, or empty.
    pub unit: String,
}

/// Sizes, for benchmarks and the app's status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Stats {
    /// Series.
    pub series: u64,
    /// Samples, stale markers included.
    pub samples: u64,
    /// Sealed chunks.
    pub chunks: u64,
    /// Bytes of encoded values (sealed and open chunks).
    pub value_bytes: u64,
    /// Bytes of timestamps: each distinct shared column once, plus open chunks' raw ones.
    pub timestamp_bytes: u64,
    /// Bytes of chunk bookkeeping (bounds, counts, references).
    pub chunk_overhead_bytes: u64,
    /// Bytes of the value streams' resume marks (see [`chunk::MARK_EVERY`]), which let a
    /// lookup start decoding near the sample it wants.
    pub value_index_bytes: u64,
}

impl Stats {
    /// Bytes holding samples: values, timestamps and chunk bookkeeping.
    pub fn sample_bytes(&self) -> u64 {
        self.value_bytes + self.timestamp_bytes + self.chunk_overhead_bytes + self.value_index_bytes
    }

    /// Bytes per sample, or 0 without samples.
    pub fn bytes_per_sample(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.sample_bytes() as f64 / self.samples as f64
        }
    }
}

struct Chunk {
    min_t: i64,
    max_t: i64,
    count: u32,
    /// Where the value stream ends in `values` and its resume marks begin. (It fills what
    /// was padding after `count`, so the struct did not grow.)
    stream_len: u32,
    ts: Arc<[u8]>,
    /// The value stream, then its resume marks.
    values: Box<[u8]>,
}

/// The open chunk a series appends to.
#[derive(Default)]
struct Head {
    window: i64,
    ts: Vec<i64>,
    values: ValueEncoder,
}

struct SeriesData {
    labels: Labels,
    chunks: Vec<Chunk>,
    head: Head,
    last: Option<(i64, u64)>,
}

/// Distinct encoded timestamp columns, shared by every chunk that has the same one.
#[derive(Default)]
struct TimestampPool {
    columns: HashMap<u64, Vec<Arc<[u8]>>>,
    bytes: u64,
}

impl TimestampPool {
    fn intern(&mut self, bytes: Box<[u8]>) -> Arc<[u8]> {
        let h = crate::scenario::noise::hash2(bytes.len() as u64, fnv(&bytes));
        let list = self.columns.entry(h).or_default();
        if let Some(existing) = list.iter().find(|c| ***c == *bytes) {
            return existing.clone();
        }
        self.bytes += bytes.len() as u64;
        let arc: Arc<[u8]> = Arc::from(bytes);
        list.push(arc.clone());
        arc
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The database.
#[derive(Default)]
pub struct Tsdb {
    series: Vec<SeriesData>,
    index: HashMap<Labels, SeriesRef>,
    postings: postings::Postings,
    symbols: HashSet<Arc<str>>,
    pool: TimestampPool,
    metadata: BTreeMap<String, Metadata>,
    samples: u64,
    /// Each series' position in label order, when known (see [`Tsdb::compact`]).
    rank: Option<Vec<u32>>,
}

impl fmt::Debug for Tsdb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tsdb")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Tsdb {
    /// An empty database.
    pub fn new() -> Tsdb {
        Tsdb::default()
    }

    /// The series with these labels, created if new. Labels with empty values have already
    /// been dropped by [`Labels`].
    pub fn series_ref(&mut self, labels: &Labels) -> Result<SeriesRef, AppendError> {
        if let Some(&r) = self.index.get(labels) {
            return Ok(r);
        }
        let id = u32::try_from(self.series.len()).map_err(|_| AppendError::TooManySeries)?;
        let r = SeriesRef(id);
        let labels = labels.interned(&mut self.symbols);
        self.postings.add(&labels, r);
        self.index.insert(labels.clone(), r);
        self.series.push(SeriesData {
            labels,
            chunks: Vec::new(),
            head: Head::default(),
            last: None,
        });
        self.rank = None;
        Ok(r)
    }

    /// Appends one sample to the series with `labels`.
    pub fn append(&mut self, labels: &Labels, t: i64, v: f64) -> Result<SeriesRef, AppendError> {
        let r = self.series_ref(labels)?;
        self.append_ref(r, t, v)?;
        Ok(r)
    }

    /// Appends one sample to series `r`. Timestamps must not go back; a repeated timestamp
    /// is accepted only with the same value (bits), and then ignored.
    pub fn append_ref(&mut self, r: SeriesRef, t: i64, v: f64) -> Result<(), AppendError> {
        let pool = &mut self.pool;
        let s = self
            .series
            .get_mut(r.0 as usize)
            .ok_or(AppendError::UnknownSeries(r))?;
        if let Some((last, bits)) = s.last {
            if t < last {
                return Err(AppendError::OutOfOrder {
                    series: s.labels.clone(),
                    last,
                    t,
                });
            }
            if t == last {
                return if bits == v.to_bits() {
                    Ok(())
                } else {
                    Err(AppendError::Duplicate {
                        series: s.labels.clone(),
                        t,
                    })
                };
            }
        }
        let window = t.div_euclid(CHUNK_RANGE);
        if !s.head.ts.is_empty() && (s.head.window != window || s.head.ts.len() >= MAX_SAMPLES) {
            seal(s, pool);
        }
        if s.head.ts.is_empty() {
            s.head.window = window;
        }
        s.head.ts.push(t);
        s.head.values.push(v);
        s.last = Some((t, v.to_bits()));
        self.samples += 1;
        Ok(())
    }

    /// Appends a batch of samples (ascending timestamps) to the series with `labels`.
    pub fn append_batch(
        &mut self,
        labels: &Labels,
        ts: &[i64],
        vs: &[f64],
    ) -> Result<SeriesRef, AppendError> {
        if ts.len() != vs.len() {
            return Err(AppendError::LengthMismatch);
        }
        let r = self.series_ref(labels)?;
        for (&t, &v) in ts.iter().zip(vs) {
            self.append_ref(r, t, v)?;
        }
        Ok(r)
    }

    /// Seals every open chunk (so its timestamps join the shared pool) and records the label
    /// order of the series. Call after a bulk load; appending afterwards still works.
    pub fn compact(&mut self) {
        for s in &mut self.series {
            if !s.head.ts.is_empty() {
                seal(s, &mut self.pool);
            }
        }
        let mut order: Vec<u32> = (0..self.series.len() as u32).collect();
        order.sort_by(|&a, &b| {
            self.series[a as usize]
                .labels
                .cmp(&self.series[b as usize].labels)
        });
        let mut rank = vec![0u32; order.len()];
        for (pos, &id) in order.iter().enumerate() {
            rank[id as usize] = pos as u32;
        }
        self.rank = Some(rank);
    }

    /// The number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether there are no series.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The labels of series `r`.
    pub fn labels(&self, r: SeriesRef) -> Option<&Labels> {
        self.series.get(r.0 as usize).map(|s| &s.labels)
    }

    /// The series with exactly these labels, if any.
    pub fn lookup(&self, labels: &Labels) -> Option<SeriesRef> {
        self.index.get(labels).copied()
    }

    fn sort_refs(&self, refs: &mut [SeriesRef]) {
        match &self.rank {
            Some(rank) => refs.sort_by_key(|r| rank[r.0 as usize]),
            None => refs.sort_by(|a, b| {
                self.series[a.0 as usize]
                    .labels
                    .cmp(&self.series[b.0 as usize].labels)
            }),
        }
    }

    /// The series every matcher accepts, sorted by labels. A label a series lacks has the
    /// value "" for matching, as in Prometheus: `{env=""}` selects series without `env`, and
    /// `{env!~"prod"}` includes them. No matchers select every series.
    pub fn select(&self, matchers: &[Matcher]) -> Vec<SeriesRef> {
        let mut refs = self.postings.select(matchers, self.series.len() as u32);
        self.sort_refs(&mut refs);
        refs
    }

    /// Label names of the series the matchers select (all series without matchers), sorted.
    pub fn label_names(&self, matchers: &[Matcher]) -> Vec<String> {
        if matchers.is_empty() {
            return self.postings.names().map(str::to_string).collect();
        }
        let mut names = BTreeSet::new();
        for r in self.postings.select(matchers, self.series.len() as u32) {
            for (n, _) in self.series[r.0 as usize].labels.iter() {
                names.insert(n);
            }
        }
        names.into_iter().map(str::to_string).collect()
    }

    /// Values of label `name` on the series the matchers select, sorted.
    pub fn label_values(&self, name: &str, matchers: &[Matcher]) -> Vec<String> {
        if matchers.is_empty() {
            return self.postings.values(name).map(str::to_string).collect();
        }
        let mut values = BTreeSet::new();
        for r in self.postings.select(matchers, self.series.len() as u32) {
            if let Some(v) = self.series[r.0 as usize].labels.get(name) {
                values.insert(v);
            }
        }
        values.into_iter().map(str::to_string).collect()
    }

    /// Records a family's metadata under the name learners type (`x_total` for counters,
    /// the base name for histograms and summaries).
    pub fn set_metadata(&mut self, family: &str, metadata: Metadata) {
        self.metadata.insert(family.to_string(), metadata);
    }

    /// Metadata of every family, by name.
    pub fn metadata(&self) -> &BTreeMap<String, Metadata> {
        &self.metadata
    }

    /// The metadata for a metric name: its family's, also for a histogram's or summary's
    /// `_bucket`, `_sum` and `_count` series.
    pub fn metadata_for(&self, metric: &str) -> Option<(&str, &Metadata)> {
        if let Some((k, m)) = self.metadata.get_key_value(metric) {
            return Some((k, m));
        }
        for suffix in ["_bucket", "_count", "_sum"] {
            if let Some(base) = metric.strip_suffix(suffix)
                && let Some((k, m)) = self.metadata.get_key_value(base)
                && (matches!(m.kind, MetricType::Histogram)
                    || (suffix != "_bucket" && m.kind == MetricType::Summary))
            {
                return Some((k, m));
            }
        }
        None
    }

    /// The samples of series `r` with `mint <= t <= maxt`, in time order.
    pub fn samples(&self, r: SeriesRef, mint: i64, maxt: i64) -> SampleIter<'_> {
        let Some(s) = self.series.get(r.0 as usize) else {
            return SampleIter::empty();
        };
        let first = s.chunks.partition_point(|c| c.max_t < mint);
        SampleIter {
            series: Some(s),
            chunk: first,
            mint,
            maxt,
            ts: Vec::new(),
            ts_column: None,
            columns: ColumnCache::default(),
            vs: Vec::new(),
            vs_from: 0,
            pos: 0,
            done: false,
        }
    }

    /// Like [`Tsdb::samples`], but reusing `previous`'s buffers and, when series `r` shares
    /// a timestamp column with the chunk `previous` decoded last (series scraped together
    /// do), its decoded timestamps. Reading many series of one query this way decodes each
    /// shared column once instead of once per series.
    pub fn samples_reusing<'a>(
        &'a self,
        r: SeriesRef,
        mint: i64,
        maxt: i64,
        previous: SampleIter<'a>,
    ) -> SampleIter<'a> {
        let mut it = previous;
        it.series = self.series.get(r.0 as usize);
        let Some(s) = it.series else {
            it.done = true;
            return it;
        };
        it.chunk = s.chunks.partition_point(|c| c.max_t < mint);
        it.mint = mint;
        it.maxt = maxt;
        it.vs.clear();
        it.vs_from = 0;
        // Past the buffer, so the first `next` loads a chunk (keeping `ts` if it matches).
        it.pos = it.ts.len();
        it.done = false;
        it
    }

    /// Sizes.
    pub fn stats(&self) -> Stats {
        let mut st = Stats {
            series: self.series.len() as u64,
            samples: self.samples,
            timestamp_bytes: self.pool.bytes,
            ..Stats::default()
        };
        for s in &self.series {
            st.chunks += s.chunks.len() as u64;
            for c in &s.chunks {
                let stream = u64::from(c.stream_len);
                st.value_bytes += stream;
                st.value_index_bytes += (c.values.len() as u64).saturating_sub(stream);
                st.chunk_overhead_bytes += std::mem::size_of::<Chunk>() as u64;
            }
            st.value_bytes += s.head.values.bytes_len() as u64;
            st.value_index_bytes += s.head.values.marks_len() as u64;
            st.timestamp_bytes += (s.head.ts.len() * 8) as u64;
        }
        st
    }

    /// A database holding `window` of `scenario` for `seed`, with every family's metadata.
    pub fn from_scenario(scenario: &Scenario, seed: u64, window: Window) -> Tsdb {
        struct Load<'a> {
            db: &'a mut Tsdb,
        }
        impl SampleSink for Load<'_> {
            fn series(&mut self, scenario: &Scenario, series: SeriesId, ts: &[i64], vs: &[f64]) {
                if let Some(info) = scenario.series().get(series) {
                    // Generated series are unique and ascending: appends cannot fail.
                    let _ = self.db.append_batch(&info.labels, ts, vs);
                }
            }
        }
        let mut db = Tsdb::new();
        for f in scenario.families() {
            db.set_metadata(
                &f.name,
                Metadata {
                    kind: f.kind,
                    help: f.help.clone(),
                    unit: f.unit.clone(),
                },
            );
        }
        scenario.generate(seed, window, &mut Load { db: &mut db });
        db.compact();
        db
    }
}

fn seal(s: &mut SeriesData, pool: &mut TimestampPool) {
    let head = std::mem::take(&mut s.head);
    let (Some(&min_t), Some(&max_t)) = (head.ts.first(), head.ts.last()) else {
        return;
    };
    let count = head.ts.len() as u32;
    let ts = pool.intern(chunk::encode_timestamps(&head.ts));
    let (values, stream_len) = head.values.finish();
    s.chunks.push(Chunk {
        min_t,
        max_t,
        count,
        // A chunk holds at most MAX_SAMPLES values of at most 80 bits each.
        stream_len: u32::try_from(stream_len).unwrap_or(u32::MAX),
        ts,
        values,
    });
}

/// Iterates a series' samples in a time range. Created by [`Tsdb::samples`].
///
/// A chunk is decoded whole when the iterator reaches it (timestamps and values, each in one
/// tight loop), and samples are then read from those buffers: decoding is sequential
/// anyway, and batching it is several times faster than decoding sample by sample.
/// Chunks that end before the range (or before a [`SampleIter::seek`]) are skipped without
/// decoding.
pub struct SampleIter<'a> {
    series: Option<&'a SeriesData>,
    /// Index of the next chunk to load; `chunks.len()` means the open head.
    chunk: usize,
    mint: i64,
    maxt: i64,
    ts: Vec<i64>,
    /// The sealed timestamp column `ts` holds decoded, if `ts` holds a whole column.
    ts_column: Option<ColumnKey>,
    /// Other sealed timestamp columns decoded earlier by this iterator, kept for the next
    /// series that shares them (see [`ColumnCache`]).
    columns: ColumnCache,
    /// Decoded values: `vs[i]` is the value of the sample at `ts[vs_from + i]` (decoding
    /// starts at the resume mark before the range, not at the chunk's start).
    vs: Vec<f64>,
    vs_from: usize,
    pos: usize,
    done: bool,
}

impl<'a> SampleIter<'a> {
    fn empty() -> SampleIter<'a> {
        SampleIter {
            series: None,
            chunk: 0,
            mint: 0,
            maxt: -1,
            ts: Vec::new(),
            ts_column: None,
            columns: ColumnCache::default(),
            vs: Vec::new(),
            vs_from: 0,
            pos: 0,
            done: true,
        }
    }

    /// Decodes the next chunk that may hold samples in range into the buffers; false when
    /// there is none.
    fn load(&mut self) -> bool {
        let Some(s) = self.series else {
            return false;
        };
        // Skip whole chunks that end before the range.
        while self.chunk < s.chunks.len() && s.chunks[self.chunk].max_t < self.mint {
            self.chunk += 1;
        }
        self.vs.clear();
        self.vs_from = 0;
        self.pos = 0;
        if let Some(c) = s.chunks.get(self.chunk) {
            if c.min_t > self.maxt {
                return false;
            }
            let column = (c.ts.as_ptr() as usize, c.count);
            if self.ts_column != Some(column) {
                if let Some(key) = self.ts_column.take() {
                    self.columns.park(key, &mut self.ts);
                }
                if !self.columns.take(column, &mut self.ts) {
                    self.ts.clear();
                    chunk::decode_timestamps(&c.ts, c.count as usize, &mut self.ts);
                }
                self.ts_column = Some(column);
            }
            // Values decode only in order: start at the last resume mark before the range's
            // first sample and stop at the last one the range needs.
            let n = self.ts.partition_point(|&t| t <= self.maxt);
            let first = self.ts.partition_point(|&t| t < self.mint);
            let (mut dec, from) = chunk::decoder_at(&c.values, c.stream_len as usize, first);
            self.vs_from = from;
            dec.decode_into(n.saturating_sub(from), &mut self.vs);
        } else {
            if let Some(key) = self.ts_column.take() {
                self.columns.park(key, &mut self.ts);
            }
            self.ts.clear();
            match s.head.ts.first() {
                Some(&first) if self.chunk == s.chunks.len() && first <= self.maxt => {
                    let n = s.head.ts.partition_point(|&t| t <= self.maxt);
                    self.ts.extend_from_slice(&s.head.ts[..n]);
                    let mut dec = ValueDecoder::new(s.head.values.bytes());
                    dec.decode_into(n, &mut self.vs);
                }
                _ => return false,
            }
        }
        self.chunk += 1;
        // Start at the first sample of the range.
        self.pos = self.ts.partition_point(|&t| t < self.mint);
        true
    }

    /// Moves on so the next sample returned is the first at or after `t` (never backwards).
    pub fn seek(&mut self, t: i64) {
        if t > self.mint {
            self.mint = t;
            // Usually the next sample is already at or after `t` (a window that slides less
            // than its length); then there is nothing to search.
            if self.ts.get(self.pos).is_some_and(|&x| x < t) {
                self.pos += self.ts[self.pos..].partition_point(|&x| x < t);
            }
        }
    }

    /// The next samples up to time `hi`, consumed, as a run of timestamps and the values
    /// aligned with them: the longest run inside one decoded chunk. Empty when the next
    /// sample is after `hi` or there is none; call again until then, since the samples up to
    /// `hi` may continue in the next chunk.
    ///
    /// Why runs: a window that slides over a series takes a few samples at each step, and
    /// taking them as slices of the decoded chunk costs one bounds check per run instead of
    /// the iterator's per-sample state checks.
    pub fn next_run(&mut self, hi: i64) -> (&[i64], &[f64]) {
        loop {
            if self.done {
                return (&[], &[]);
            }
            // Values are decoded up to the range's end, so a timestamp without a value is
            // past it (as in `next`).
            let end = self.ts.len().min(self.vs_from + self.vs.len());
            if self.pos < end {
                let from = self.pos;
                // A linear scan, not a binary search: a run is as long as the work its
                // caller does with it, and usually a handful of samples, where a binary
                // search over the chunk costs several dependent loads more.
                let stop = self.ts[from..end]
                    .iter()
                    .position(|&t| t > hi)
                    .map_or(end, |k| from + k);
                // `pos` is never before the first decoded value; were it, `next` would end
                // the iteration there, and so does this.
                let values = from
                    .checked_sub(self.vs_from)
                    .and_then(|a| Some(a..stop.checked_sub(self.vs_from)?))
                    .and_then(|r| self.vs.get(r));
                let (Some(ts), Some(vs)) = (self.ts.get(from..stop), values) else {
                    self.done = true;
                    return (&[], &[]);
                };
                self.pos = stop;
                return (ts, vs);
            }
            if self.pos < self.ts.len() || !self.load() {
                self.done = true;
                return (&[], &[]);
            }
        }
    }
}

/// A sealed timestamp column: the address of its encoded bytes (shared by every chunk that
/// uses the column, since [`TimestampPool`] interns them) and its sample count.
type ColumnKey = (usize, u32);

/// Decoded timestamp columns an iterator keeps while it is reused from series to series.
///
/// Why: every series scraped from one target shares one timestamp column per chunk, and a
/// query reads its series one after another, each over all the chunks of its range. Keeping
/// only the column decoded last helps when a series has one chunk in range (instant
/// queries), but a range query over hours moves on to the next chunk's column before the
/// next series comes back to the first, so every series decoded every column again: about a
/// third of decoding a histogram's buckets over 6 h, where the values are cheap integers.
///
/// The cache holds at most [`ColumnCache::CAPACITY`] columns (each at most
/// [`chunk::MAX_SAMPLES`] timestamps, so under 1 MB) and, once full, admits no more rather
/// than evicting: series revisit columns in the same cyclic order, where evicting the least
/// recently used would miss every time, while keeping the first ones still hits on those.
/// The keys are addresses into the database the iterator borrows, so they stay valid and
/// unique for its whole life.
#[derive(Default)]
struct ColumnCache {
    columns: HashMap<ColumnKey, Vec<i64>>,
}

impl ColumnCache {
    /// At most this many columns are kept.
    const CAPACITY: usize = 256;

    /// Keeps the decoded column `ts` (leaving an empty buffer in its place), if there is room.
    fn park(&mut self, key: ColumnKey, ts: &mut Vec<i64>) {
        if self.columns.len() < Self::CAPACITY {
            self.columns.insert(key, std::mem::take(ts));
        }
    }

    /// Moves the column `key` into `ts`, if kept; false when it must be decoded.
    fn take(&mut self, key: ColumnKey, ts: &mut Vec<i64>) -> bool {
        match self.columns.remove(&key) {
            Some(column) => {
                *ts = column;
                true
            }
            None => false,
        }
    }
}

impl Iterator for SampleIter<'_> {
    type Item = (i64, f64);

    #[inline]
    fn next(&mut self) -> Option<(i64, f64)> {
        loop {
            if self.done {
                return None;
            }
            // `vs` stops at the range's end, so a missing value means the range is done
            // in this chunk; a later chunk starts after `maxt` too.
            if let Some(&t) = self.ts.get(self.pos) {
                let Some(&v) = self
                    .pos
                    .checked_sub(self.vs_from)
                    .and_then(|i| self.vs.get(i))
                else {
                    self.done = true;
                    return None;
                };
                if t > self.maxt {
                    self.done = true;
                    return None;
                }
                self.pos += 1;
                return Some((t, v));
            }
            if !self.load() {
                self.done = true;
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests;
