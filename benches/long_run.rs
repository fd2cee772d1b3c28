//! A long run (issue 12): hello world's producer at 100 messages a second for one virtual
//! hour, its consumer acking. Prints, each ten virtual minutes, what the engine keeps (log
//! lines, things in transit, tokens, messages remembered) and the broker's message count, so
//! a reader sees whether memory stays flat; then what scrubbing the timeline costs (a replay
//! from the start, as the page does) to 1 minute and to 60 minutes. Asserts nothing.
//!
//! `cargo bench -p amqp-playground-web --bench long_run`

use std::time::Instant;

use amqp_playground_web::sim::replay::{Input, Recording};
use amqp_playground_web::sim::{presets, Playground};

const RATE: f64 = 100.0;
const HOUR_MS: u64 = 3_600_000;

fn main() {
    let start = presets::by_name("hello-world").unwrap();
    let mut pg = Playground::new(start.clone()).unwrap();
    let mut recording = Recording::new(start);
    pg.set_rate("P", RATE).unwrap();
    recording.record(0, Input::SetRate("P".into(), RATE));

    println!("| virtual time | log lines | in transit | tokens | messages remembered | published | wall |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let began = Instant::now();
    // Frames of 133 ms of virtual time: 16.7 ms at 8×.
    let frame = 133;
    while pg.now().0 < HOUR_MS {
        pg.advance(frame);
        recording.reached(pg.now().0);
        if pg.now().0 % 600_000 < frame {
            let f = pg.footprint();
            println!(
                "| {} min | {} | {} | {} | {} | {} | {:.1} s |",
                pg.now().0 / 60_000,
                f[0].1,
                f[1].1,
                f[2].1,
                f[3].1,
                pg.snapshot().producers[0].1,
                began.elapsed().as_secs_f64()
            );
        }
    }
    println!();
    println!("| scrub to | replay from the start |");
    println!("|---:|---:|");
    for minutes in [1, 10, 60] {
        let t = minutes * 60_000;
        let at = Instant::now();
        let again = recording.replay(t).unwrap();
        std::hint::black_box(&again);
        println!(
            "| {minutes} min | {:.0} ms |",
            at.elapsed().as_secs_f64() * 1e3
        );
    }
}
