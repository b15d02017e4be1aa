//! Independent pieces of work handed to the caller to run: one after the other ([`OneByOne`]),
//! or at once where the platform has threads (the CLI's `std::thread::scope`). The engine never
//! starts a thread itself, so it runs unchanged in the browser's single wasm thread.

/// Runs every job before returning; the jobs share nothing mutable, so any order (or all at
/// once) gives the same results.
pub trait Jobs: Sync {
    /// Run every job in `jobs`.
    fn run<'a>(&self, jobs: Vec<Box<dyn FnOnce() + Send + 'a>>);

    /// How many jobs are worth making (the caller's threads); 1 for [`OneByOne`].
    fn width(&self) -> usize;
}

/// Runs the jobs one after the other, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneByOne;

impl Jobs for OneByOne {
    fn run<'a>(&self, jobs: Vec<Box<dyn FnOnce() + Send + 'a>>) {
        for job in jobs {
            job();
        }
    }

    fn width(&self) -> usize {
        1
    }
}
