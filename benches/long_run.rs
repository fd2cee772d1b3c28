//! A long run (issue 12): hello world's producer at 100 messages a second for one virtual
//! hour, its consumer acking. Prints, each ten virtual minutes, what the engine keeps (log
//! lines, things in transit, tokens, messages remembered) and the heap in use (a counting
//! allocator: the engine and the recording), so a reader sees whether memory stays flat; then
//! what scrubbing the timeline costs: back (a replay from the start) to 1, 10, 30 and 60
//! minutes, and forward a minute (the playground goes on from where it is). Asserts nothing.
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
    println!();
    println!("| scrub back to | cost |");
    println!("|---:|---:|");
    for minutes in [1, 10, 30, 60] {
        let t = minutes * 60_000;
        let at = Instant::now();
        let again = recording.replay(t).unwrap();
        std::hint::black_box(&again);
        println!(
            "| {minutes} min | {:.0} ms |",
            at.elapsed().as_secs_f64() * 1e3
        );
    }
    // Forward from where the page is (the reducer's Seek goes on from its engine).
    let mut here = recording.replay(59 * 60_000).unwrap();
    let at = Instant::now();
    recording.run_on(&mut here, HOUR_MS);
    let ms = at.elapsed().as_secs_f64() * 1e3;
    println!("| 59 → 60 min, forward | {ms:.0} ms |");
}
