//! The engine's integration tests, one module per area, linked into one test binary (one link
//! step instead of one per file: on 2 cores that is most of an incremental test run).
// Test code: a failed assumption is a failed test, so unwrap, expect and panic are the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod aggregate;
mod assemble;
mod bootstrap;
mod heuristic;
mod hostile;
mod imports_corpus;
mod imports_fuzz;
mod imports_matching;
mod imports_parsers;
mod insights;
mod journey_graph;
mod learn;
mod links;
mod logistic;
mod loop_closing;
mod markov;
mod number_agreement;
mod parse_events;
mod parse_fuzz;
mod parse_paths;
mod parse_split;
mod path_table;
mod processes;
mod report;
mod roi;
mod segments;
mod shapley;
mod simulate;

/// Runs the jobs (`refleqt_engine::jobs::Jobs`) on threads, `width` of them: how the CLI runs
/// them, for the tests that check the pieces give what one thread gives, to the bit.
pub struct OnThreads(pub usize);

impl refleqt_engine::jobs::Jobs for OnThreads {
    fn run<'a>(&self, jobs: Vec<Box<dyn FnOnce() + Send + 'a>>) {
        std::thread::scope(|s| {
            for job in jobs {
                s.spawn(job);
            }
        });
    }

    fn width(&self) -> usize {
        self.0
    }
}
