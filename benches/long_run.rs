//! A long run (issue 12): hello world's producer at 100 messages a second for one virtual
//! hour, its consumer acking. Prints, each ten virtual minutes, what the engine keeps (log
//! lines, things in transit, tokens, messages remembered) and the heap in use (a counting
//! allocator: the engine and the recording), so a reader sees whether memory stays flat; then
//! what scrubbing the timeline costs: back to 1, 10, 30 and 60 minutes (a replay from the
//! latest checkpoint before, and the worst case near each: just before the next checkpoint),
//! and forward a minute (the playground goes on from where it is). Asserts nothing.
//!
//! `cargo bench -p amqp-playground-web --bench long_run`

use std::alloc::System;
use std::time::Instant;

use amqp_playground_web::sim::replay::{Input, Recording};
use amqp_playground_web::sim::{presets, Playground};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

const RATE: f64 = 100.0;
const HOUR_MS: u64 = 3_600_000;

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The heap in use now.
fn mib() -> f64 {
    let s = ALLOCATOR.stats();
    (s.bytes_allocated as isize - s.bytes_deallocated as isize) as f64 / (1024.0 * 1024.0)
}

fn main() {
    let start = presets::by_name("hello-world").unwrap();
    let mut pg = Playground::new(start.clone()).unwrap();
    let mut recording = Recording::new(start);
    pg.set_rate("P", RATE).unwrap();
    recording.record(0, Input::SetRate("P".into(), RATE));

    println!("| virtual time | log lines | in transit | tokens | messages remembered | heap | published | wall |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let began = Instant::now();
    println!("| 0 min | | | | | {:.1} MiB | 0 | |", mib());
    // Frames of 133 ms of virtual time: 16.7 ms at 8×.
    let frame = 133;
    while pg.now().0 < HOUR_MS {
        pg.advance(frame);
        recording.reached(pg.now().0);
        recording.offer(&pg);
        if pg.now().0 % 600_000 < frame {
            let f = pg.footprint();
            println!(
                "| {} min | {} | {} | {} | {} | {:.1} MiB | {} | {:.1} s |",
                pg.now().0 / 60_000,
                f[0].1,
                f[1].1,
                f[2].1,
                f[3].1,
                mib(),
                pg.snapshot().producers[0].1,
                began.elapsed().as_secs_f64()
            );
        }
    }
    let times = recording.checkpoint_times();
    println!();
    println!(
        "{} checkpoints, {} s apart at the end; heap {:.1} MiB with them",
        times.len(),
        times.windows(2).last().map_or(0, |w| (w[1] - w[0]) / 1_000),
        mib()
    );
    println!();
    println!("| scrub back to | cost | worst near it (just before the next checkpoint) | cost |");
    println!("|---:|---:|---:|---:|");
    let cost = |t: u64| {
        let at = Instant::now();
        let again = recording.replay(t).unwrap();
        std::hint::black_box(&again);
        at.elapsed().as_secs_f64() * 1e3
    };
    for minutes in [1, 10, 30, 60] {
        let t = minutes * 60_000;
        let worst = times
            .iter()
            .find(|&&c| c > t)
            .map_or(HOUR_MS, |&c| c - 1)
            .min(HOUR_MS);
        println!(
            "| {minutes} min | {:.0} ms | {:.1} min | {:.0} ms |",
            cost(t),
            worst as f64 / 60_000.0,
            cost(worst)
        );
    }
    // Forward from where the page is (the reducer's Seek goes on from its engine).
    let mut here = recording.replay(59 * 60_000).unwrap();
    let at = Instant::now();
    recording.run_on(&mut here, HOUR_MS);
    let ms = at.elapsed().as_secs_f64() * 1e3;
    println!("| 59 → 60 min, forward | {ms:.0} ms |");
}
