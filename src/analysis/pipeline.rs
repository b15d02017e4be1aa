//! One attribution job in one pass: load the data (unless the previous job left it in the
//! [`JobCache`]) → cut journeys and gather costs → a quick answer without intervals → the answer
//! with bootstrap intervals. Progress, results and the one failure (if any) all go out through
//! the `reply` callback as [`WorkerReply`] messages, in order; nothing follows a failure.
//!
//! The worker (`src/worker/runtime.rs`) and the page's fallback only turn messages into a call of
//! [`run_job`] and its replies into messages; this module does no IO and is tested natively.

use super::{
    load_dataset, load_demo_under, load_file, outcome_of, prepare, AnalysisError, DataSource, Job,
    Loaded, WorkerReply,
};

/// The parsed data kept between jobs, so a parameter change does not parse the file again.
#[derive(Debug, Default)]
pub struct JobCache {
    loaded: Option<Loaded>,
}

impl JobCache {
    /// Whether the cache holds the data of `source`.
    pub fn holds(&self, source: &DataSource) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|l| l.source.cache_key() == source.cache_key())
    }

    /// Whether the cache holds the data `job` needs (the demo: under the job's process).
    pub fn holds_for(&self, job: &Job) -> bool {
        self.holds(&job.source)
            && (job.source != DataSource::Demo
                || self.loaded.as_ref().and_then(|l| l.process) == Some(job.options.demo_process))
    }
}

/// Run `job`. `read_bytes` gives the bytes of the job's file or stored data set (`Ok(None)`: none
/// travelled with the job) and is called only when they are not cached. Every message — progress,
/// results, or the single failure — goes to `reply`.
pub fn run_job(
    job: &Job,
    read_bytes: impl FnOnce() -> Result<Option<Vec<u8>>, AnalysisError>,
    cache: &mut JobCache,
    reply: &mut dyn FnMut(WorkerReply),
) {
    if let Err(error) = steps(job, read_bytes, cache, reply) {
        reply(WorkerReply::Failed {
            job_id: job.job_id,
            error,
        });
    }
}

fn steps(
    job: &Job,
    read_bytes: impl FnOnce() -> Result<Option<Vec<u8>>, AnalysisError>,
    cache: &mut JobCache,
    reply: &mut dyn FnMut(WorkerReply),
) -> Result<(), AnalysisError> {
    let job_id = job.job_id;
    let progress = |reply: &mut dyn FnMut(WorkerReply), step: &str, fraction: f64| {
        reply(WorkerReply::Progress {
            job_id,
            step: step.to_owned(),
            fraction,
        })
    };
    if !cache.holds_for(job) {
        let loaded = match &job.source {
            DataSource::Demo => {
                progress(reply, "Simulating the demo journeys", 0.1);
                load_demo_under(job.options.demo_process)?
            }
            DataSource::File { name, .. } | DataSource::Dataset { name, .. } => {
                progress(reply, "Reading the file", 0.05);
                let bytes = read_bytes()?
                    .ok_or_else(|| AnalysisError::Read(format!("{name} is no longer available")))?;
                if matches!(job.source, DataSource::Dataset { .. }) {
                    progress(reply, "Reading the stored data set", 0.2);
                    load_dataset(job.source.clone(), &bytes)?
                } else {
                    progress(reply, "Parsing the file", 0.2);
                    load_file(job.source.clone(), &bytes)?
                }
            }
        };
        cache.loaded = Some(loaded);
    }
    let loaded = cache
        .loaded
        .as_ref()
        .ok_or_else(|| AnalysisError::Internal("no data loaded".into()))?;
    progress(reply, "Running the seven models", 0.5);
    let prepared = prepare(loaded, &job.options, &job.entry_costs)?;
    let quick = outcome_of(loaded, &prepared, &job.options, 0)?;
    let replicates = job.options.replicates;
    reply(WorkerReply::Result {
        job_id,
        final_result: replicates == 0,
        outcome: Box::new(quick),
    });
    if replicates > 0 {
        progress(
            reply,
            &format!("Computing 95 % intervals ({replicates} bootstrap replicates)"),
            0.75,
        );
        let full = outcome_of(loaded, &prepared, &job.options, replicates)?;
        reply(WorkerReply::Result {
            job_id,
            final_result: true,
            outcome: Box::new(full),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{compute, load_demo, RunOptions};
    use refleqt_engine::simulate::TruthProcess;
    use std::collections::BTreeMap;

    const PATHS: &[u8] = b"path,total_conversions,total_conversion_value,total_null\nemail > search,3,30,5\nsearch,1,10,9\n";

    fn job(job_id: u64, source: DataSource, replicates: usize) -> Job {
        Job {
            job_id,
            source,
            options: RunOptions {
                replicates,
                ..RunOptions::default()
            },
            entry_costs: BTreeMap::new(),
        }
    }

    fn file() -> DataSource {
        DataSource::File {
            name: "p.csv".into(),
            size: PATHS.len() as f64,
            last_modified: 1.0,
        }
    }

    /// What the callback saw, in order: steps, results (`final`), failures.
    fn run(
        job: &Job,
        bytes: Option<&[u8]>,
        cache: &mut JobCache,
    ) -> (Vec<String>, usize, Vec<WorkerReply>) {
        let mut replies = Vec::new();
        let mut reads = 0;
        run_job(
            job,
            || {
                reads += 1;
                Ok(bytes.map(<[u8]>::to_vec))
            },
            cache,
            &mut |r| replies.push(r),
        );
        let steps = replies
            .iter()
            .map(|r| match r {
                WorkerReply::Progress { step, .. } => step.clone(),
                WorkerReply::Result { final_result, .. } => format!("result final={final_result}"),
                WorkerReply::Failed { error, .. } => format!("failed {error}"),
                WorkerReply::Ready => "ready".into(),
                WorkerReply::Insights { .. } => "insights".into(),
                WorkerReply::Learning { .. } => "learning".into(),
            })
            .collect();
        (steps, reads, replies)
    }

    #[test]
    fn progress_steps_come_in_order_and_match_compute() {
        let mut cache = JobCache::default();
        let (steps, reads, replies) = run(&job(7, DataSource::Demo, 3), None, &mut cache);
        assert_eq!(reads, 0, "the demo reads no bytes");
        assert_eq!(
            steps,
            [
                "Simulating the demo journeys",
                "Running the seven models",
                "result final=false",
                "Computing 95 % intervals (3 bootstrap replicates)",
                "result final=true",
            ]
        );
        let fractions: Vec<f64> = replies
            .iter()
            .filter_map(|r| match r {
                WorkerReply::Progress { fraction, .. } => Some(*fraction),
                _ => None,
            })
            .collect();
        assert!(fractions.windows(2).all(|w| w[0] < w[1]), "{fractions:?}");
        assert!(replies.iter().all(|r| match r {
            WorkerReply::Progress { job_id, .. }
            | WorkerReply::Result { job_id, .. }
            | WorkerReply::Failed { job_id, .. } => *job_id == 7,
            WorkerReply::Ready | WorkerReply::Insights { .. } | WorkerReply::Learning { .. } => {
                false
            }
        }));
        // The same numbers as computing directly, bit for bit.
        let loaded = load_demo().unwrap_or_else(|e| panic!("{e}"));
        let direct = compute(
            &loaded,
            &job(7, DataSource::Demo, 3).options,
            &BTreeMap::new(),
            3,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        match replies.last() {
            Some(WorkerReply::Result { outcome, .. }) => assert_eq!(**outcome, direct),
            other => panic!("last reply {other:?}"),
        }
    }

    #[test]
    fn a_truth_process_simulates_the_demo_again_with_its_own_truth() {
        let mut cache = JobCache::default();
        let distances = |replies: &[WorkerReply]| match replies.last() {
            Some(WorkerReply::Result { outcome, .. }) => (
                outcome.process,
                outcome.report.truth.clone(),
                outcome
                    .report
                    .models
                    .iter()
                    .map(|m| m.truth_l1)
                    .collect::<Vec<_>>(),
            ),
            other => panic!("last reply {other:?}"),
        };
        let (_, _, additive) = run(&job(1, DataSource::Demo, 0), None, &mut cache);
        let mut synergy = job(2, DataSource::Demo, 0);
        synergy.options.demo_process = TruthProcess::Synergy;
        assert!(!cache.holds_for(&synergy), "another process is other data");
        let (steps, _, replies) = run(&synergy, None, &mut cache);
        assert_eq!(steps[0], "Simulating the demo journeys");
        let (p0, t0, d0) = distances(&additive);
        let (p1, t1, d1) = distances(&replies);
        assert_eq!(p0, Some(TruthProcess::Additive));
        assert_eq!(p1, Some(TruthProcess::Synergy));
        assert!(
            t0.is_some() && t1.is_some() && t0 != t1,
            "each process has its truth"
        );
        assert_ne!(
            d0, d1,
            "the distances from the truth change with the process"
        );
        assert!(d1.iter().all(Option::is_some));
        // The same process again is a cache hit.
        let (steps, _, _) = run(&job(3, DataSource::Demo, 0), None, &mut cache);
        assert_eq!(steps[0], "Simulating the demo journeys");
        let (steps, _, _) = run(&job(4, DataSource::Demo, 0), None, &mut cache);
        assert_eq!(steps[0], "Running the seven models");
    }

    #[test]
    fn a_cache_hit_skips_reading_and_parsing() {
        let mut cache = JobCache::default();
        let (steps, reads, _) = run(&job(1, file(), 0), Some(PATHS), &mut cache);
        assert_eq!(reads, 1);
        assert_eq!(
            steps,
            [
                "Reading the file",
                "Parsing the file",
                "Running the seven models",
                "result final=true",
            ]
        );
        assert!(cache.holds(&file()));
        let mut changed = job(2, file(), 0);
        changed.options.params.half_life_days = 2.0;
        let (steps, reads, _) = run(&changed, Some(PATHS), &mut cache);
        assert_eq!(reads, 0, "cached data is not read again");
        assert_eq!(steps, ["Running the seven models", "result final=true"]);
    }

    #[test]
    fn a_stored_data_set_is_decoded_once() {
        let config = refleqt_engine::simulate::SimConfig {
            journeys: 500,
            ..refleqt_engine::simulate::SimConfig::demo()
        };
        let (set, _) = refleqt_engine::simulate::simulate_journey_set(&config)
            .unwrap_or_else(|e| panic!("{e}"));
        let blob = refleqt_engine::dataset::encode(&set);
        let source = DataSource::Dataset {
            id: "ds-1".into(),
            name: "march".into(),
        };
        let mut cache = JobCache::default();
        let (steps, reads, _) = run(&job(1, source.clone(), 0), Some(&blob), &mut cache);
        assert_eq!(reads, 1);
        assert_eq!(
            steps[..2],
            ["Reading the file", "Reading the stored data set"]
        );
        assert_eq!(steps.last().map(String::as_str), Some("result final=true"));
        assert!(cache.holds(&source) && !cache.holds(&DataSource::Demo));
    }

    #[test]
    fn errors_surface_once_and_end_the_job() {
        let mut cache = JobCache::default();
        let only_failure_last = |replies: &[WorkerReply]| {
            let failures = replies
                .iter()
                .filter(|r| matches!(r, WorkerReply::Failed { .. }))
                .count();
            failures == 1 && matches!(replies.last(), Some(WorkerReply::Failed { .. }))
        };
        // Unreadable bytes.
        let (steps, _, replies) = run(&job(1, file(), 0), Some(b"\x00\x01"), &mut cache);
        assert!(only_failure_last(&replies), "{steps:?}");
        assert!(!cache.holds(&file()), "a failed load caches nothing");
        // No bytes travelled with a file job.
        let (_, reads, replies) = run(&job(2, file(), 0), None, &mut cache);
        assert_eq!(reads, 1);
        assert!(only_failure_last(&replies));
        assert!(matches!(
            replies.last(),
            Some(WorkerReply::Failed {
                error: AnalysisError::Read(_),
                ..
            })
        ));
        // A reading error is reported as it is.
        let mut replies = Vec::new();
        run_job(
            &job(3, file(), 0),
            || Err(AnalysisError::Read("gone".into())),
            &mut cache,
            &mut |r| replies.push(r),
        );
        assert!(only_failure_last(&replies));
        // A bad parameter on cached data: no result at all, one failure.
        let (_, _, ok) = run(&job(4, file(), 0), Some(PATHS), &mut cache);
        assert!(!only_failure_last(&ok));
        let mut bad = job(5, file(), 2);
        bad.options.params.markov_order = 9;
        let (steps, reads, replies) = run(&bad, Some(PATHS), &mut cache);
        assert_eq!(reads, 0);
        assert!(only_failure_last(&replies), "{steps:?}");
        assert!(!replies
            .iter()
            .any(|r| matches!(r, WorkerReply::Result { .. })));
        assert!(matches!(
            replies.last(),
            Some(WorkerReply::Failed {
                job_id: 5,
                error: AnalysisError::Parameter(_)
            })
        ));
    }
}
