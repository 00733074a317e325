//! The address bar as the browser's history: which changes open a new page, which only
//! refine the page in place.
//!
//! The page is one document, so the browser's Back button steps only through the entries
//! the page pushes. A learner expects Back to undo a move between views (the workbench, the
//! module list, one exercise, the next exercise), and does not expect one entry per
//! keystroke in the editor or per click on a range preset. So the URL is written in two
//! ways: a change of *place* (the course route, or `None` for the workbench) pushes an
//! entry at once, and any other change (the query, the range, the tab) replaces the current
//! entry a moment after the last change, so typing does not flood the history API.
//!
//! [`AddressBar`] holds the rule as plain data, free of the DOM and of timers, so it is
//! tested natively; `App` turns its [`Step`]s into `history.pushState`/`replaceState` calls
//! and a timeout, and tells it when Back or Forward moved the browser ([`AddressBar::popped`]).

/// What the page should do to the browser's history for one change of state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A new place: first write `flush` into the current entry (a replacement that was
    /// still waiting, so the entry being left keeps its latest query), then push `search`.
    Push {
        /// The waiting replacement for the entry being left, if any.
        flush: Option<String>,
        /// The new entry's query string.
        search: String,
    },
    /// The same place: replace the current entry with `search` once the changes settle
    /// (call [`AddressBar::settled`] when the delay has passed).
    ReplaceLater(String),
}

/// The place shown in the address bar and the replacement waiting to be written.
///
/// `P` is what makes a page a page (the app uses `Option<Route>`); two states with equal
/// places are the same page.
#[derive(Debug, Clone)]
pub struct AddressBar<P> {
    shown: P,
    pending: Option<String>,
}

impl<P: PartialEq> AddressBar<P> {
    /// The address bar of a page opened at `place`.
    pub fn new(place: P) -> AddressBar<P> {
        AddressBar {
            shown: place,
            pending: None,
        }
    }

    /// The state changed to `place`, whose link is `search`: what to write.
    pub fn follow(&mut self, place: P, search: String) -> Step {
        if place == self.shown {
            self.pending = Some(search.clone());
            Step::ReplaceLater(search)
        } else {
            self.shown = place;
            Step::Push {
                flush: self.pending.take(),
                search,
            }
        }
    }

    /// The delay after the last [`Step::ReplaceLater`] has passed: the query string to
    /// write into the current entry, unless a push or a Back has written or dropped it.
    pub fn settled(&mut self) -> Option<String> {
        self.pending.take()
    }

    /// Back or Forward moved the browser to an entry showing `place`. A waiting
    /// replacement belonged to the entry that was left and is dropped (writing it now
    /// would overwrite the entry the learner went to); the state restored from the entry
    /// then follows as the same place, replacing nothing that differs.
    pub fn popped(&mut self, place: P) {
        self.shown = place;
        self.pending = None;
    }

    /// The place the address bar shows.
    pub fn shown(&self) -> &P {
        &self.shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(flush: Option<&str>, search: &str) -> Step {
        Step::Push {
            flush: flush.map(str::to_string),
            search: search.to_string(),
        }
    }

    #[test]
    fn typing_and_range_changes_replace_and_a_new_place_pushes() {
        let mut bar = AddressBar::new(None::<&str>);
        assert_eq!(
            bar.follow(None, "?q=u".into()),
            Step::ReplaceLater("?q=u".into())
        );
        assert_eq!(
            bar.follow(None, "?q=up".into()),
            Step::ReplaceLater("?q=up".into())
        );
        assert_eq!(bar.settled().as_deref(), Some("?q=up"));
        assert_eq!(bar.settled(), None, "a replacement is written once");
        assert_eq!(
            bar.follow(None, "?range=1h&q=up".into()),
            Step::ReplaceLater("?range=1h&q=up".into())
        );
        // Opening the course while the range's replacement waits: the workbench's entry
        // gets it first, then the course is pushed.
        assert_eq!(
            bar.follow(Some("course"), "?course".into()),
            push(Some("?range=1h&q=up"), "?course")
        );
        assert_eq!(bar.settled(), None);
        assert_eq!(
            bar.follow(Some("course/ex1"), "?course&ex=c/ex1".into()),
            push(None, "?course&ex=c/ex1")
        );
        // The next exercise is a new page too.
        assert_eq!(
            bar.follow(Some("course/ex2"), "?course&ex=c/ex2".into()),
            push(None, "?course&ex=c/ex2")
        );
        assert_eq!(bar.shown(), &Some("course/ex2"));
    }

    #[test]
    fn back_drops_the_waiting_replacement_and_pushes_nothing() {
        let mut bar = AddressBar::new(Some("course/ex1"));
        assert_eq!(
            bar.follow(Some("course/ex1"), "?course&ex=c/ex1".into()),
            Step::ReplaceLater("?course&ex=c/ex1".into())
        );
        bar.popped(Some("course"));
        assert_eq!(
            bar.settled(),
            None,
            "the left entry's replacement is dropped"
        );
        // The state restored from the entry follows as the same place: no new entry.
        assert_eq!(
            bar.follow(Some("course"), "?course".into()),
            Step::ReplaceLater("?course".into())
        );
        // Forward again, then a real move pushes.
        bar.popped(Some("course/ex1"));
        assert_eq!(
            bar.follow(None, "?q=up".into()),
            push(None, "?q=up"),
            "leaving for the workbench is a new entry"
        );
    }
}
