//! The postings index: for each label name and value, the sorted list of series carrying
//! that pair; and matcher selection over it.

use super::SeriesRef;
use super::labels::Labels;
use crate::promql::matcher::Matcher;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Label name → value → series, ascending. Series are numbered in creation order and only
/// ever added, so pushing keeps every list sorted.
#[derive(Default)]
pub(super) struct Postings {
    map: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Vec<SeriesRef>>>,
}

impl Postings {
    /// Indexes a new series (its reference is larger than every indexed one).
    pub fn add(&mut self, labels: &Labels, r: SeriesRef) {
        for l in labels.as_slice() {
            self.map
                .entry(l.name.clone())
                .or_default()
                .entry(l.value.clone())
                .or_default()
                .push(r);
        }
    }

    /// Every label name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| &**k)
    }

    /// Every value of `name`, sorted.
    pub fn values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.map
            .get(name)
            .into_iter()
            .flat_map(|vs| vs.keys().map(|k| &**k))
    }

    /// The series (ascending references) matching all `matchers`, out of `count` series.
    ///
    /// A matcher that accepts the empty string also accepts series without the label, so
    /// it selects everything except the series whose value it rejects; one that does not
    /// selects the union of the values it accepts. Matchers that select from the index run
    /// first so that the complements shrink an already small set.
    pub fn select(&self, matchers: &[Matcher], count: u32) -> Vec<SeriesRef> {
        let mut order: Vec<&Matcher> = matchers.iter().collect();
        order.sort_by_key(|m| m.matches(""));
        let mut result: Option<Vec<SeriesRef>> = None;
        for m in order {
            let values = self.map.get(m.name.as_str());
            if m.matches("") {
                // Everything but the series whose value the matcher rejects.
                let mut rejected: Vec<SeriesRef> = values
                    .into_iter()
                    .flat_map(|vs| vs.iter())
                    .filter(|(v, _)| !m.matches(v))
                    .flat_map(|(_, refs)| refs.iter().copied())
                    .collect();
                rejected.sort_unstable();
                result = Some(match result {
                    Some(current) => difference(&current, &rejected),
                    None => difference_from_all(count, &rejected),
                });
            } else {
                let mut lists: Vec<&Vec<SeriesRef>> = Vec::new();
                if let Some(vs) = values {
                    if matches!(m.op, crate::promql::matcher::MatchOp::Equal) {
                        if let Some(refs) = vs.get(m.value.as_str()) {
                            lists.push(refs);
                        }
                    } else {
                        lists.extend(vs.iter().filter(|(v, _)| m.matches(v)).map(|(_, r)| r));
                    }
                }
                let accepted = union(&lists);
                result = Some(match result {
                    Some(current) => intersect(&current, &accepted),
                    None => accepted,
                });
            }
            if result.as_ref().is_some_and(|r| r.is_empty()) {
                return Vec::new();
            }
        }
        result.unwrap_or_else(|| (0..count).map(SeriesRef).collect())
    }
}

fn union(lists: &[&Vec<SeriesRef>]) -> Vec<SeriesRef> {
    match lists {
        [] => Vec::new(),
        [one] => (*one).clone(),
        many => {
            let mut all: Vec<SeriesRef> = many.iter().flat_map(|l| l.iter().copied()).collect();
            all.sort_unstable();
            all.dedup();
            all
        }
    }
}

fn intersect(a: &[SeriesRef], b: &[SeriesRef]) -> Vec<SeriesRef> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn difference(a: &[SeriesRef], sorted_b: &[SeriesRef]) -> Vec<SeriesRef> {
    a.iter()
        .copied()
        .filter(|r| sorted_b.binary_search(r).is_err())
        .collect()
}

fn difference_from_all(count: u32, sorted_b: &[SeriesRef]) -> Vec<SeriesRef> {
    let mut out = Vec::with_capacity(count as usize - sorted_b.len().min(count as usize));
    let mut j = 0;
    for i in 0..count {
        while j < sorted_b.len() && sorted_b[j].0 < i {
            j += 1;
        }
        if j < sorted_b.len() && sorted_b[j].0 == i {
            continue;
        }
        out.push(SeriesRef(i));
    }
    out
}
