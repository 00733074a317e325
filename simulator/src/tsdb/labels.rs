//! Label sets: the identity of a series.
//!
//! A [`Labels`] is an immutable, shared, sorted list of name/value pairs with its hash
//! computed once, so cloning is a pointer copy and equality usually stops at the hash.
//! `__name__` is an ordinary label that sorts with the others (byte order puts it before
//! lowercase names) and has its own accessor. As in Prometheus' storage, a label with an
//! empty value is the same as no label and is dropped when the set is built.

use crate::scenario::noise;
use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The label that holds the metric name.
pub const METRIC_NAME: &str = "__name__";

/// One label: a name and a non-empty value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    /// The label name.
    pub name: Arc<str>,
    /// The label value, never empty.
    pub value: Arc<str>,
}

/// A sorted set of labels with a precomputed hash. Cheap to clone.
#[derive(Clone)]
pub struct Labels(Arc<Inner>);

struct Inner {
    hash: u64,
    labels: Box<[Label]>,
}

/// Why a label set cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelsError {
    /// Two labels have the same name.
    DuplicateName(String),
    /// A label name is empty.
    EmptyName,
}

impl fmt::Display for LabelsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelsError::DuplicateName(n) => write!(f, "label name {n:?} appears twice"),
            LabelsError::EmptyName => write!(f, "a label name is empty"),
        }
    }
}

impl std::error::Error for LabelsError {}

impl Labels {
    /// The empty label set.
    pub fn empty() -> Labels {
        Labels::from_sorted(Vec::new())
    }

    /// Builds a label set from pairs in any order. Empty values are dropped; duplicate or
    /// empty names are errors.
    pub fn new<N, V>(pairs: impl IntoIterator<Item = (N, V)>) -> Result<Labels, LabelsError>
    where
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let labels: Vec<Label> = pairs
            .into_iter()
            .filter(|(_, v)| !v.as_ref().is_empty())
            .map(|(n, v)| Label {
                name: Arc::from(n.as_ref()),
                value: Arc::from(v.as_ref()),
            })
            .collect();
        Labels::from_vec(labels)
    }

    /// Builds a label set from labels in any order (see [`Labels::new`]).
    pub fn from_vec(mut labels: Vec<Label>) -> Result<Labels, LabelsError> {
        labels.retain(|l| !l.value.is_empty());
        labels.sort_by(|a, b| a.name.cmp(&b.name));
        for w in labels.windows(2) {
            if w[0].name == w[1].name {
                return Err(LabelsError::DuplicateName(w[0].name.to_string()));
            }
        }
        if labels.first().is_some_and(|l| l.name.is_empty()) {
            return Err(LabelsError::EmptyName);
        }
        Ok(Labels::from_sorted(labels))
    }

    /// Wraps labels already sorted by name, unique and non-empty.
    fn from_sorted(labels: Vec<Label>) -> Labels {
        let mut h: u64 = 0x6c62_272e_07bb_0142;
        for l in &labels {
            h = noise::hash2(h, noise::hash_str(&l.name));
            h = noise::hash2(h, noise::hash_str(&l.value));
        }
        Labels(Arc::new(Inner {
            hash: h,
            labels: labels.into_boxed_slice(),
        }))
    }

    /// The labels, sorted by name.
    pub fn as_slice(&self) -> &[Label] {
        &self.0.labels
    }

    /// Iterates `(name, value)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.labels.iter().map(|l| (&*l.name, &*l.value))
    }

    /// The number of labels, `__name__` included.
    pub fn len(&self) -> usize {
        self.0.labels.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.labels.is_empty()
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .labels
            .binary_search_by(|l| (*l.name).cmp(name))
            .ok()
            .map(|i| &*self.0.labels[i].value)
    }

    /// The value of `name`, or "" when absent (how matchers see an absent label).
    pub fn value_or_empty(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// The metric name (`__name__`), if any.
    pub fn metric_name(&self) -> Option<&str> {
        self.get(METRIC_NAME)
    }

    /// The precomputed hash: stable across runs and platforms.
    pub fn stable_hash(&self) -> u64 {
        self.0.hash
    }

    /// A copy with `name` set to `value` (removed when `value` is empty).
    pub fn with(&self, name: &str, value: &str) -> Labels {
        let mut v: Vec<Label> = self
            .0
            .labels
            .iter()
            .filter(|l| &*l.name != name)
            .cloned()
            .collect();
        if !value.is_empty() && !name.is_empty() {
            v.push(Label {
                name: Arc::from(name),
                value: Arc::from(value),
            });
            v.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Labels::from_sorted(v)
    }

    /// A copy without the listed labels.
    pub fn without(&self, names: &[&str]) -> Labels {
        Labels::from_sorted(
            self.0
                .labels
                .iter()
                .filter(|l| !names.contains(&&*l.name))
                .cloned()
                .collect(),
        )
    }

    /// A copy keeping only the listed labels.
    pub fn keep_only(&self, names: &[&str]) -> Labels {
        Labels::from_sorted(
            self.0
                .labels
                .iter()
                .filter(|l| names.contains(&&*l.name))
                .cloned()
                .collect(),
        )
    }

    /// A copy without `__name__`.
    pub fn without_metric_name(&self) -> Labels {
        self.without(&[METRIC_NAME])
    }

    /// Whether two sets are the same object (a cheap first check before comparing).
    pub fn ptr_eq(&self, other: &Labels) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// A copy whose strings are shared with `pool`, so many series with the same names and
    /// values hold each string once.
    pub(crate) fn interned(&self, pool: &mut HashSet<Arc<str>>) -> Labels {
        let mut intern = |s: &Arc<str>| -> Arc<str> {
            if let Some(x) = pool.get(s) {
                x.clone()
            } else {
                pool.insert(s.clone());
                s.clone()
            }
        };
        let labels: Vec<Label> = self
            .0
            .labels
            .iter()
            .map(|l| Label {
                name: intern(&l.name),
                value: intern(&l.value),
            })
            .collect();
        Labels(Arc::new(Inner {
            hash: self.0.hash,
            labels: labels.into_boxed_slice(),
        }))
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        self.ptr_eq(other) || (self.0.hash == other.0.hash && self.0.labels == other.0.labels)
    }
}

impl Eq for Labels {}

impl Hash for Labels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

/// Prometheus' order (`labels.Compare`): label by label, name then value in byte order; a
/// set that is a prefix of another sorts first.
impl Ord for Labels {
    fn cmp(&self, other: &Labels) -> Ordering {
        if self.ptr_eq(other) {
            return Ordering::Equal;
        }
        for (a, b) in self.0.labels.iter().zip(other.0.labels.iter()) {
            match a.name.cmp(&b.name).then_with(|| a.value.cmp(&b.value)) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        self.0.labels.len().cmp(&other.0.labels.len())
    }
}

impl PartialOrd for Labels {
    fn partial_cmp(&self, other: &Labels) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Whether `name` can be written without quotes: `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric
/// names (`colons` true) or without the colon for label names.
pub fn is_legacy_name(name: &str, colons: bool) -> bool {
    let mut chars = name.chars();
    let ok_first = |c: char| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':');
    match chars.next() {
        Some(c) if ok_first(c) => chars.all(|c| ok_first(c) || c.is_ascii_digit()),
        _ => false,
    }
}

/// Writes `s` as a double-quoted string with `\\`, `\"` and `\n` escaped, as Prometheus
/// writes label values.
pub fn write_quoted(out: &mut impl fmt::Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '\\' => out.write_str("\\\\")?,
            '"' => out.write_str("\\\"")?,
            '\n' => out.write_str("\\n")?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

/// `name{a="1", b="2"}` as PromQL writes a series; `{a="1"}` without a name; a name that
/// needs quoting goes inside the braces, as in Prometheus 3.
impl fmt::Display for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.metric_name();
        let mut first = true;
        match name {
            Some(n) if is_legacy_name(n, true) => f.write_str(n)?,
            _ => {}
        }
        let quoted_name = name.filter(|n| !is_legacy_name(n, true));
        let rest: Vec<&Label> = self
            .0
            .labels
            .iter()
            .filter(|l| &*l.name != METRIC_NAME)
            .collect();
        if rest.is_empty() && quoted_name.is_none() && name.is_some() {
            return Ok(());
        }
        f.write_str("{")?;
        if let Some(n) = quoted_name {
            write_quoted(f, n)?;
            first = false;
        }
        for l in rest {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            if is_legacy_name(&l.name, false) {
                f.write_str(&l.name)?;
            } else {
                write_quoted(f, &l.name)?;
            }
            f.write_str("=")?;
            write_quoted(f, &l.value)?;
        }
        f.write_str("}")
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Serialised as a JSON object `{"name": "value", ...}`, as Prometheus' HTTP API does.
impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.len()))?;
        for (n, v) in self.iter() {
            m.serialize_entry(n, v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::new(pairs.iter().copied()).unwrap()
    }

    #[test]
    fn sorted_unique_and_empty_values_dropped() {
        let a = l(&[("job", "api"), ("__name__", "up"), ("env", "")]);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            vec![("__name__", "up"), ("job", "api")]
        );
        assert_eq!(a.metric_name(), Some("up"));
        assert_eq!(a.get("env"), None);
        assert_eq!(a.value_or_empty("env"), "");
        assert_eq!(
            Labels::new([("a", "1"), ("a", "2")]).unwrap_err(),
            LabelsError::DuplicateName("a".into())
        );
        assert_eq!(
            Labels::new([("", "1")]).unwrap_err(),
            LabelsError::EmptyName
        );
    }

    #[test]
    fn equality_hash_and_order() {
        let a = l(&[("__name__", "up"), ("job", "a")]);
        let b = l(&[("job", "a"), ("__name__", "up")]);
        assert_eq!(a, b);
        assert_eq!(a.stable_hash(), b.stable_hash());
        let c = l(&[("__name__", "up"), ("job", "b")]);
        assert!(a < c);
        let d = l(&[("__name__", "up")]);
        assert!(d < a, "a prefix sorts first");
        // Uppercase names sort before __name__ in byte order, as in Prometheus.
        let e = l(&[("Z", "1"), ("__name__", "up")]);
        assert!(e < d);
        assert_ne!(a.stable_hash(), c.stable_hash());
    }

    #[test]
    fn display_as_promql() {
        assert_eq!(
            l(&[("__name__", "up"), ("job", "a\"b")]).to_string(),
            "up{job=\"a\\\"b\"}"
        );
        assert_eq!(l(&[("__name__", "up")]).to_string(), "up");
        assert_eq!(l(&[("job", "x")]).to_string(), "{job=\"x\"}");
        assert_eq!(
            l(&[("__name__", "my.metric"), ("a.b", "1")]).to_string(),
            "{\"my.metric\", \"a.b\"=\"1\"}"
        );
        assert_eq!(Labels::empty().to_string(), "{}");
    }

    #[test]
    fn with_and_without() {
        let a = l(&[("__name__", "up"), ("job", "a")]);
        assert_eq!(a.with("zone", "eu").get("zone"), Some("eu"));
        assert_eq!(a.with("job", "").get("job"), None);
        assert_eq!(a.without_metric_name(), l(&[("job", "a")]));
        assert_eq!(a.keep_only(&["job"]), l(&[("job", "a")]));
    }
}
