//! Which series the graph shows: a click on a legend entry isolates that series (or shows
//! everything again when it already was the only one shown); a ctrl- or cmd-click toggles
//! one series. The Prometheus UI and Grafana behave the same way.

use std::collections::BTreeSet;

/// The hidden series, by [`super::palette::fingerprint`]. Hiding by identity rather than
/// position keeps the choice when a re-run returns the series in a different set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    hidden: BTreeSet<u64>,
}

impl Visibility {
    /// Whether series `id` is shown.
    pub fn is_visible(&self, id: u64) -> bool {
        !self.hidden.contains(&id)
    }

    /// Visibility of each of `ids`, in order.
    pub fn mask(&self, ids: &[u64]) -> Vec<bool> {
        ids.iter().map(|id| self.is_visible(*id)).collect()
    }

    /// A plain click on `id`, among all the series `ids`.
    pub fn click(&mut self, id: u64, ids: &[u64]) {
        let only_this = ids
            .iter()
            .all(|other| (*other == id) == self.is_visible(*other));
        if only_this {
            self.hidden.clear();
        } else {
            self.hidden = ids.iter().copied().filter(|other| *other != id).collect();
        }
    }

    /// A ctrl- or cmd-click on `id`.
    pub fn toggle(&mut self, id: u64) {
        if !self.hidden.remove(&id) {
            self.hidden.insert(id);
        }
    }

    /// Shows every series.
    pub fn show_all(&mut self) {
        self.hidden.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_isolates_and_click_again_restores() {
        let ids = [1, 2, 3];
        let mut v = Visibility::default();
        v.click(2, &ids);
        assert_eq!(v.mask(&ids), [false, true, false]);
        v.click(2, &ids);
        assert_eq!(v.mask(&ids), [true, true, true]);
        v.click(1, &ids);
        v.click(3, &ids);
        assert_eq!(v.mask(&ids), [false, false, true]);
    }

    #[test]
    fn modifier_click_toggles_one_series() {
        let ids = [1, 2, 3];
        let mut v = Visibility::default();
        v.toggle(3);
        assert_eq!(v.mask(&ids), [true, true, false]);
        v.toggle(1);
        v.toggle(3);
        assert_eq!(v.mask(&ids), [false, true, true]);
        v.show_all();
        assert_eq!(v.mask(&ids), [true, true, true]);
    }
}
