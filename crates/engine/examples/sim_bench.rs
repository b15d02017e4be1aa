//! Speed of the ground-truth simulator: `cargo run -p refleqt-engine --profile fast --example
//! sim_bench [-- JOURNEYS]` (default 1 000 000 users of the demo config).
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use refleqt_engine::simulate::{simulate_into, simulate_journey_set, simulate_to_csv, SimConfig};
use std::io::{self, Write};
use std::time::Instant;

/// Counts bytes and throws them away.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let journeys = std::env::args()
        .nth(1)
        .map(|s| s.parse::<u64>())
        .transpose()?
        .unwrap_or(1_000_000);
    let cfg = SimConfig {
        journeys,
        ..SimConfig::demo()
    };

    let t = Instant::now();
    let mut touches = 0usize;
    let s = simulate_into(&cfg, |j| touches += j.touches.len())?;
    let gen = t.elapsed();
    println!(
        "generate only: {journeys} users, {} journeys, {touches} touches, {} conversions in {:.3} s",
        s.truth.journeys,
        s.truth.conversions,
        gen.as_secs_f64()
    );

    let t = Instant::now();
    let (set, _) = simulate_journey_set(&cfg)?;
    println!(
        "journey set:   {} journeys, {} touches in {:.3} s",
        set.len(),
        set.touch_count(),
        t.elapsed().as_secs_f64()
    );
    drop(set);

    let t = Instant::now();
    let mut ev = Count(0);
    simulate_to_csv(&cfg, Some(&mut ev), None)?;
    println!(
        "events CSV:    {:.1} MB in {:.3} s",
        ev.0 as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut ps = Count(0);
    simulate_to_csv(&cfg, None, Some(&mut ps))?;
    println!(
        "paths CSV:     {:.1} kB in {:.3} s",
        ps.0 as f64 / 1e3,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let (mut ev, mut ps) = (Count(0), Count(0));
    simulate_to_csv(&cfg, Some(&mut ev), Some(&mut ps))?;
    println!(
        "events + paths CSV: {:.1} MB + {:.1} kB in {:.3} s",
        ev.0 as f64 / 1e6,
        ps.0 as f64 / 1e3,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
