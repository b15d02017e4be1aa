//! Debouncing parameter changes: only the last change within a quiet period starts a run.
//!
//! Each change takes a ticket ([`Debounce::ticket`]); when its timer fires, the run goes ahead
//! only if no later change took a ticket meanwhile ([`Debounce::is_latest`]). Pure bookkeeping, so
//! the rule is tested natively; the page supplies the timer.

/// Quiet period after the last parameter change before recomputing, in milliseconds.
pub const QUIET_MS: u32 = 300;

/// Tickets for changes; the latest one wins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Debounce {
    latest: u64,
}

impl Debounce {
    /// Record a change and return its ticket.
    pub fn ticket(&mut self) -> u64 {
        self.latest += 1;
        self.latest
    }

    /// The most recent change's ticket (0 before any).
    pub fn latest(&self) -> u64 {
        self.latest
    }

    /// Whether `ticket` belongs to the most recent change.
    pub fn is_latest(&self, ticket: u64) -> bool {
        ticket == self.latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_of_a_burst_runs() {
        let mut d = Debounce::default();
        let a = d.ticket();
        let b = d.ticket();
        let c = d.ticket();
        assert_eq!(
            [a, b, c].map(|t| d.is_latest(t)),
            [false, false, true],
            "a burst of three changes runs once"
        );
        let e = d.ticket();
        assert!(!d.is_latest(c));
        assert!(d.is_latest(e));
        assert_eq!(d.latest(), e);
    }

    #[test]
    fn separate_changes_each_run() {
        let mut d = Debounce::default();
        let a = d.ticket();
        assert!(d.is_latest(a));
        let b = d.ticket();
        assert!(d.is_latest(b));
    }
}
