//! The engine's [`Jobs`] on this machine's threads: the CLI parses (and bootstraps) on every
//! core, while the engine itself stays single-threaded and runs unchanged in the browser.

use refleqt_engine::jobs::Jobs;

/// Runs jobs at once, one scoped thread each (the calling thread takes the first).
#[derive(Debug, Clone, Copy)]
pub struct Threads {
    width: usize,
}

impl Threads {
    /// As many threads as the machine offers (at most 8), or `REFLEQT_THREADS` when set (1 turns
    /// the threads off, for comparisons).
    pub fn from_env() -> Self {
        let machine = std::thread::available_parallelism().map_or(1, usize::from);
        let width = std::env::var("REFLEQT_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(machine)
            .clamp(1, 8);
        Threads { width }
    }
}

impl Jobs for Threads {
    fn run<'a>(&self, jobs: Vec<Box<dyn FnOnce() + Send + 'a>>) {
        let mut jobs = jobs.into_iter();
        let Some(first) = jobs.next() else { return };
        std::thread::scope(|s| {
            for job in jobs {
                s.spawn(job);
            }
            first();
        });
    }

    fn width(&self) -> usize {
        self.width
    }
}
