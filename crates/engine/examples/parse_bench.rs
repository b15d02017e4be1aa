//! Parse + assemble throughput on a synthetic event log built in memory.
//!
//! `cargo run -p refleqt-engine --profile fast --example parse_bench -- [users] [order] [time]`
//! - `users`: number of users (default 1,000,000; ~3.2 touches and 1 conversion each);
//! - `order`: `time` (rows sorted by time, users interleaved: the realistic, slow case; default)
//!   or `user` (rows grouped by user);
//! - `time`: `iso` (`2025-03-01T10:11:12Z`, default), `epoch-ms` or `epoch-us`.
// A measurement tool, not product code: a failed set-up stops it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use refleqt_engine::assemble::{build_journeys, JourneyOptions};
use refleqt_engine::parse::timestamp::format_iso_ms;
use refleqt_engine::parse::{parse_event_log, EventLogOptions};
use std::fmt::Write;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Row {
    ts: i64,
    user: u32,
    channel: u8,
    campaign: u8,
    conversion: bool,
    revenue_cents: u32,
}

/// Nanoseconds this thread has run on a CPU (Linux), to see through a busy machine.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// (user, system) CPU seconds of this process so far (Linux; 10 ms resolution). System time is
/// mostly the kernel zeroing fresh pages for large allocations.
fn user_sys() -> Option<(f64, f64)> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = s.get(s.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = 100.0;
    Some((
        f.get(11)?.parse::<f64>().ok()? / tick,
        f.get(12)?.parse::<f64>().ok()? / tick,
    ))
}

fn main() {
    // `PARSE_BENCH_FILE=x.csv`: time that file instead of a synthetic one.
    if let Ok(path) = std::env::var("PARSE_BENCH_FILE") {
        match std::fs::read(&path) {
            Ok(bytes) => run(&bytes),
            Err(e) => eprintln!("cannot read {path}: {e}"),
        }
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let users: u32 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let by_user = args.get(2).map(String::as_str) == Some("user");
    let time_format = args.get(3).cloned().unwrap_or_else(|| "iso".into());
    const CHANNELS: [&str; 8] = [
        "paid_search",
        "organic",
        "email",
        "social",
        "display",
        "referral",
        "affiliate",
        "video",
    ];
    const CAMPAIGNS: [&str; 6] = ["spring", "summer", "brand", "retarget", "launch", ""];
    let t0 = Instant::now();
    let mut rng = Rng(42);
    let start = 1_735_689_600_000i64; // 2025-01-01
    let mut rows: Vec<Row> = Vec::with_capacity(users as usize * 5);
    for u in 0..users {
        let mut t = start + rng.below(90 * 86_400_000) as i64;
        // 1..=10 touches, mean 3.25
        let extra = if rng.below(10) == 0 { rng.below(6) } else { 0 };
        let n = 1 + (rng.below(5) + extra) as usize;
        let conv_after = rng.below(n as u64) as usize;
        for i in 0..n {
            rows.push(Row {
                ts: t,
                user: u,
                channel: rng.below(CHANNELS.len() as u64) as u8,
                campaign: rng.below(CAMPAIGNS.len() as u64) as u8,
                conversion: false,
                revenue_cents: 0,
            });
            t += rng.below(5 * 86_400_000) as i64;
            if i == conv_after {
                rows.push(Row {
                    ts: t,
                    user: u,
                    channel: 0,
                    campaign: 0,
                    conversion: true,
                    revenue_cents: 1000 + rng.below(20_000) as u32,
                });
                t += rng.below(86_400_000) as i64;
            }
        }
    }
    if !by_user {
        rows.sort_by_key(|r| r.ts);
    }
    let mut csv = String::with_capacity(rows.len() * 52);
    csv.push_str("user_id,timestamp,channel,campaign,event,revenue\n");
    for r in &rows {
        let ts = match time_format.as_str() {
            "epoch-ms" => r.ts.to_string(),
            "epoch-us" => (r.ts * 1000 + 123).to_string(),
            _ => {
                let mut s = format_iso_ms(r.ts);
                // Second precision, like most exports: drop ".mmm".
                s.replace_range(19..23, "");
                s
            }
        };
        write!(csv, "U{:07},{ts},", r.user).expect("a String takes every write");
        if r.conversion {
            writeln!(
                csv,
                ",,conversion,{}.{:02}",
                r.revenue_cents / 100,
                r.revenue_cents % 100
            )
            .expect("a String takes every write");
        } else {
            writeln!(
                csv,
                "{},{},touch,",
                CHANNELS[r.channel as usize], CAMPAIGNS[r.campaign as usize]
            )
            .expect("a String takes every write");
        }
    }
    let touches = rows.iter().filter(|r| !r.conversion).count();
    let conversions = rows.len() - touches;
    drop(rows);
    eprintln!(
        "generated {:.1} MB, {} touch rows + {} conversion rows, {} users, order {}, time {} in {:.1?}",
        csv.len() as f64 / 1e6,
        touches,
        conversions,
        users,
        if by_user { "by user" } else { "by time" },
        time_format,
        t0.elapsed()
    );
    if let Ok(path) = std::env::var("PARSE_BENCH_SAVE") {
        if let Err(e) = std::fs::write(&path, &csv) {
            eprintln!("cannot save {path}: {e}");
        }
    }
    run(csv.as_bytes());
}

fn run(bytes: &[u8]) {
    let opts = EventLogOptions::default();
    let jopts = JourneyOptions::default();
    let mut best = (f64::MAX, f64::MAX);
    let mut best_cpu = (f64::MAX, f64::MAX);
    let us0 = user_sys();
    for run in 0..5 {
        let c0 = cpu_ns();
        let t = Instant::now();
        let log = match parse_event_log(bytes, &opts) {
            Ok(log) => log,
            Err(e) => {
                eprintln!("parse failed: {e}");
                return;
            }
        };
        let parse = t.elapsed().as_secs_f64();
        let c1 = cpu_ns();
        let t = Instant::now();
        let set = build_journeys(&log, &jopts);
        let assemble = t.elapsed().as_secs_f64();
        let c2 = cpu_ns();
        let (cpu_parse, cpu_assemble) = match (c0, c1, c2) {
            (Some(a), Some(b), Some(c)) => ((b - a) as f64 / 1e9, (c - b) as f64 / 1e9),
            _ => (parse, assemble),
        };
        if run == 0 {
            eprintln!(
                "accepted {} rejected {} events {} users {} journeys {} touches {} conversions {}",
                log.report.accepted,
                log.report.rejected_count,
                log.events.len(),
                log.users,
                set.len(),
                set.touch_count(),
                set.total_conversions()
            );
        }
        drop(set);
        drop(log);
        eprintln!(
            "run {run}: wall parse {:.1} ms + assemble {:.1} ms; cpu parse {:.1} ms ({:.0} MB/s) + assemble {:.1} ms = {:.1} ms",
            parse * 1e3,
            assemble * 1e3,
            cpu_parse * 1e3,
            bytes.len() as f64 / 1e6 / cpu_parse,
            cpu_assemble * 1e3,
            (cpu_parse + cpu_assemble) * 1e3
        );
        if parse + assemble < best.0 + best.1 {
            best = (parse, assemble);
        }
        if cpu_parse + cpu_assemble < best_cpu.0 + best_cpu.1 {
            best_cpu = (cpu_parse, cpu_assemble);
        }
    }
    if let (Some((u0, s0)), Some((u1, s1))) = (us0, user_sys()) {
        eprintln!(
            "5 runs: user {:.2} s, system {:.2} s (per run {:.0} ms user + {:.0} ms system)",
            u1 - u0,
            s1 - s0,
            (u1 - u0) * 200.0,
            (s1 - s0) * 200.0
        );
    }
    println!(
        "{:.1} MB: best wall parse {:.1} ms + assemble {:.1} ms = {:.1} ms; best cpu parse {:.1} ms ({:.0} MB/s) + assemble {:.1} ms = {:.1} ms",
        bytes.len() as f64 / 1e6,
        best.0 * 1e3,
        best.1 * 1e3,
        (best.0 + best.1) * 1e3,
        best_cpu.0 * 1e3,
        bytes.len() as f64 / 1e6 / best_cpu.0,
        best_cpu.1 * 1e3,
        (best_cpu.0 + best_cpu.1) * 1e3,
    );
}
