//! Limits that keep any query from freezing a browser tab, and the progress hook.
//!
//! Three things bound an evaluation, each returned as an error value, never a panic or a
//! hang:
//!
//! * **Samples held at once** ([`Limits::max_samples`], default 50,000,000 as in
//!   Prometheus' `--query.max-samples`). Every step-grid slot a node holds counts while it
//!   is alive, present or absent, because that is the memory it takes; data read from the
//!   database counts while it is buffered.
//! * **Points per series** ([`Limits::max_steps`], default 11,000, Prometheus' resolution
//!   limit) in the query's grid. A subquery's grid is not limited by count, as in
//!   Prometheus; the sample limit bounds what it holds.
//! * **Cancellation**: the engine calls the caller's [`Progress`] hook at least every
//!   [`PROGRESS_EVERY`] samples touched; returning `Err(Cancelled)` stops the evaluation
//!   with [`super::EvalErrorKind::Cancelled`]. The browser worker uses the same calls to post
//!   progress. The library reads no clock; a caller wanting a timeout checks its own clock
//!   in the hook.

/// Bounds on one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most samples (step slots and buffered raw samples) held at once.
    pub max_samples: u64,
    /// The most steps in the query's grid.
    pub max_steps: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_samples: 50_000_000,
            max_steps: 11_000,
        }
    }
}

/// How many samples the engine touches between two calls of the progress hook.
pub const PROGRESS_EVERY: u64 = 4096;

/// The hook said to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Called by the engine during evaluation with the number of samples touched so far.
///
/// Contract: called once per node evaluated and as samples are touched, at least every few
/// [`PROGRESS_EVERY`] (the engine reports work in batches: per step, per series, per block
/// of steps); `samples` never decreases. Return `Err(Cancelled)` to stop. Any
/// `FnMut(u64) -> Result<(), Cancelled>` closure is a hook.
pub trait Progress {
    /// Reports progress; `Err` cancels the evaluation.
    fn report(&mut self, samples: u64) -> Result<(), Cancelled>;
}

impl<F: FnMut(u64) -> Result<(), Cancelled>> Progress for F {
    fn report(&mut self, samples: u64) -> Result<(), Cancelled> {
        self(samples)
    }
}

/// A hook that never cancels.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&mut self, _samples: u64) -> Result<(), Cancelled> {
        Ok(())
    }
}

/// Why the budget stopped an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetError {
    /// More than `max_samples` held at once.
    TooManySamples,
    /// The hook cancelled.
    Cancelled,
}

/// The running account of one evaluation: samples held, peak, touched, and when the hook
/// is next due.
pub struct Budget<'a> {
    limits: Limits,
    held: u64,
    peak: u64,
    touched: u64,
    next_report: u64,
    hook: &'a mut dyn Progress,
}

impl<'a> Budget<'a> {
    /// A fresh budget.
    pub fn new(limits: Limits, hook: &'a mut dyn Progress) -> Budget<'a> {
        Budget {
            limits,
            held: 0,
            peak: 0,
            touched: 0,
            next_report: PROGRESS_EVERY,
            hook,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Takes `n` more samples into memory; an error when that exceeds the limit.
    #[inline]
    pub fn hold(&mut self, n: u64) -> Result<(), BudgetError> {
        self.held = self.held.saturating_add(n);
        if self.held > self.peak {
            self.peak = self.held;
        }
        if self.held > self.limits.max_samples {
            return Err(BudgetError::TooManySamples);
        }
        Ok(())
    }

    /// Lets `n` samples go.
    #[inline]
    pub fn release(&mut self, n: u64) {
        self.held = self.held.saturating_sub(n);
    }

    /// Records `n` samples touched and calls the hook when it is due.
    #[inline]
    pub fn touch(&mut self, n: u64) -> Result<(), BudgetError> {
        self.touched = self.touched.saturating_add(n);
        if self.touched >= self.next_report {
            self.next_report = self.touched.saturating_add(PROGRESS_EVERY);
            return self.report();
        }
        Ok(())
    }

    /// Calls the hook now.
    pub fn report(&mut self) -> Result<(), BudgetError> {
        self.hook
            .report(self.touched)
            .map_err(|Cancelled| BudgetError::Cancelled)
    }

    /// Samples held now.
    pub fn held(&self) -> u64 {
        self.held
    }

    /// The most samples held at once so far.
    pub fn peak(&self) -> u64 {
        self.peak
    }

    /// Samples touched so far: read from the database or produced by a node.
    pub fn touched(&self) -> u64 {
        self.touched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_up_to_the_limit_and_tracks_the_peak() {
        let mut hook = NoProgress;
        let mut b = Budget::new(
            Limits {
                max_samples: 10,
                max_steps: 5,
            },
            &mut hook,
        );
        b.hold(6).unwrap();
        b.release(4);
        b.hold(8).unwrap();
        assert_eq!((b.held(), b.peak()), (10, 10));
        assert_eq!(b.hold(1), Err(BudgetError::TooManySamples));
    }

    #[test]
    fn the_hook_is_called_every_few_thousand_samples_and_can_cancel() {
        let mut calls = Vec::new();
        let mut hook = |n: u64| {
            calls.push(n);
            if n >= 3 * PROGRESS_EVERY {
                Err(Cancelled)
            } else {
                Ok(())
            }
        };
        let mut result = Ok(());
        {
            let mut b = Budget::new(Limits::default(), &mut hook);
            for _ in 0..10 * PROGRESS_EVERY {
                result = b.touch(1);
                if result.is_err() {
                    break;
                }
            }
        }
        assert_eq!(result, Err(BudgetError::Cancelled));
        assert_eq!(
            calls,
            vec![PROGRESS_EVERY, 2 * PROGRESS_EVERY, 3 * PROGRESS_EVERY]
        );
    }
}
