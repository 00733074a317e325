//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate closest to `word`, if one is close enough to be a plausible typo: an exact
/// match ignoring case, a candidate `word` is a prefix of, or one within a small edit
/// distance (adjacent swaps count as one edit, so `rtae` finds `rate`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    // Allow one edit for short names, a third of the length for longer ones.
    let budget = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // Both sides are compared in lower case: label values such as `GET` are upper case,
        // and a learner's `GETT` should still find them.
        let folded = candidate.to_ascii_lowercase();
        let score = if folded == lower {
            0
        } else if lower.len() >= 3 && folded.starts_with(&lower) {
            1
        } else {
            let d = edit_distance(&lower, &folded);
            if d > budget {
                continue;
            }
            d + 1
        };
        // Ties go to the earlier candidate, which keeps answers stable.
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// adjacent characters each cost one.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: two back, one back and current.
    let mut two_back = vec![0; b.len() + 1];
    let mut one_back: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (one_back[j] + 1)
                .min(current[j - 1] + 1)
                .min(one_back[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            current[j] = d;
        }
        std::mem::swap(&mut two_back, &mut one_back);
        std::mem::swap(&mut one_back, &mut current);
    }
    one_back[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_swaps_as_one_edit() {
        assert_eq!(edit_distance("rat", "rate"), 1);
        assert_eq!(edit_distance("rtae", "rate"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_prefers_case_then_prefix_then_distance() {
        let names = [
            "rate",
            "irate",
            "histogram_quantile",
            "sum_over_time",
            "sum",
        ];
        assert_eq!(closest("rat", names), Some("rate"));
        assert_eq!(closest("RATE", names), Some("rate"));
        assert_eq!(closest("histogram_q", names), Some("histogram_quantile"));
        assert_eq!(closest("sum_over_tme", names), Some("sum_over_time"));
        assert_eq!(closest("banana", names), None);
    }

    #[test]
    fn closest_ignores_case_on_both_sides() {
        let methods = ["GET", "POST", "DELETE"];
        assert_eq!(closest("GETT", methods), Some("GET"));
        assert_eq!(closest("post", methods), Some("POST"));
        assert_eq!(closest("Delet", methods), Some("DELETE"));
        assert_eq!(closest("PATCH", methods), None);
    }
}
