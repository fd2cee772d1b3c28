//! The Code panel's pika and amqplib programs, for every preset, run against the real RabbitMQ
//! (127.0.0.1:5672, or `AMQP_HOST` / `AMQP_PORT`): the consumers start, each producer
//! publishes its message once, and what the programs saw — messages each consumer received,
//! messages left in each named queue, RPC answers, confirms — is what the playground's
//! `snapshot()` says after the same publishes.
//!
//! Names get a per-run prefix (the broker is shared with other tests and CI), and everything
//! declared is deleted afterwards.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

mod support;

use amqp_playground_web::code::{generate, Lang};
use amqp_playground_web::sim::{presets, Playground, PublishRequest, Scenario};
use support::{cleanup, depths};

/// A program's output lines, collected as they come.
struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

fn start(dir: &Path, file: &str) -> Running {
    let node = file.ends_with(".js");
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tutorials/node/node_modules");
    let mut child = Command::new(if node { "node" } else { "python3" })
        .arg(file)
        .env("NODE_PATH", modules)
        .current_dir(dir)
        .env(
            "AMQP_HOST",
            std::env::var("AMQP_HOST").unwrap_or("127.0.0.1".into()),
        )
        .env(
            "AMQP_PORT",
            std::env::var("AMQP_PORT").unwrap_or("5672".into()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 and node run (scripts/setup.sh test installs pika and amqplib)");
    let lines = Arc::new(Mutex::new(Vec::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines = lines.clone();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
    }
    Running { child, lines }
}

impl Running {
    fn output(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn count(&self, what: &str) -> u64 {
        self.output().iter().filter(|l| l.contains(what)).count() as u64
    }

    fn wait_for(&self, what: &str, file: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count(what) == 0 {
            assert!(
                Instant::now() < deadline,
                "{file} did not print {what:?}: {:?}",
                self.output()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// What the playground reports after each producer published its message once.
fn playground_outcome(s: &Scenario) -> amqp_playground_web::sim::Snapshot {
    let mut pg = Playground::new(s.clone()).unwrap();
    for p in &s.producers {
        pg.publish(PublishRequest {
            producer: Some(p.name.clone()),
            ..PublishRequest::default()
        })
        .unwrap();
    }
    let mut waited = 0;
    while pg.busy() && waited < 120_000 {
        pg.advance(250);
        waited += 250;
    }
    pg.snapshot()
}

/// One test, the languages one after the other (they share the broker).
#[test]
fn every_presets_pika_and_amqplib_programs_reproduce_the_playground_on_rabbitmq() {
    reproduce(Lang::Pika, "py");
    reproduce(Lang::Amqplib, "js");
}

fn reproduce(lang: Lang, tag: &str) {
    let run = format!("cg{}{tag}-", std::process::id());
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in presets::NAMES {
        let mut scenario = presets::by_name(name)
            .unwrap()
            .prefixed(&format!("{run}{name}-"));
        // RabbitMQ 3.10.8 crashes the whole node (`osiris_retention`: `missing_file`, then
        // `reached_max_restart_intensity`) when a stream with tiny segments and a byte limit
        // is deleted while its retention is being evaluated — seen twice in CI on the
        // replay-stream preset. One message never reaches retention, in the playground or on
        // RabbitMQ, so both sides run without those two limits (tests/scripts and the streams
        // tests cover retention).
        for q in scenario.queues.iter_mut().filter(|q| q.is_stream()) {
            q.arguments.retain(|(k, _)| {
                k != "x-max-length-bytes" && k != "x-stream-max-segment-size-bytes"
            });
        }
        let expected = playground_outcome(&scenario);
        let dir = std::env::temp_dir().join(format!("{run}{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let files = generate(&scenario, lang);
        for f in &files {
            std::fs::write(dir.join(&f.name), &f.text).unwrap();
        }
        let (producer_files, consumer_files) = files.split_at(scenario.producers.len());
        let mut consumers: Vec<(String, Running)> = Vec::new();
        for (c, f) in scenario.consumers.iter().zip(consumer_files) {
            let running = start(&dir, &f.name);
            running.wait_for("Waiting for messages", &f.name);
            consumers.push((c.name.clone(), running));
        }
        let mut producers = Vec::new();
        for f in producer_files {
            let mut running = start(&dir, &f.name);
            let deadline = Instant::now() + Duration::from_secs(30);
            while running.child.try_wait().unwrap().is_none() {
                assert!(
                    Instant::now() < deadline,
                    "{name}/{}: still running: {:?}",
                    f.name,
                    running.output()
                );
                thread::sleep(Duration::from_millis(50));
            }
            producers.push((f.name.clone(), running));
        }
        // Until the consumers have been quiet for 3 s (TTL loops, redeliveries) and longer than
        // the slowest one takes for a task: a consumer still working when it is stopped hands
        // its unacknowledged message back, and another consumer would receive it again.
        let slowest = scenario.consumers.iter().map(|c| c.processing_ms).max();
        let quiet = Duration::from_millis(slowest.unwrap_or(0) + 1_000).max(Duration::from_secs(3));
        let mut last = Vec::new();
        let mut quiet_since = Instant::now();
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            let now: Vec<u64> = consumers
                .iter()
                .map(|(_, r)| r.count(" [x] Received"))
                .collect();
            if now != last {
                last = now;
                quiet_since = Instant::now();
            }
            if quiet_since.elapsed() > quiet || Instant::now() > deadline {
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
        // A stream keeps what it delivered: RabbitMQ's declare-ok counts none of it as ready
        // (its log is compared by what each consumer received instead).
        let named: Vec<String> = scenario
            .queues
            .iter()
            .filter(|q| !q.server_named && !q.is_stream())
            .map(|q| q.name.clone())
            .collect();
        let rabbit_depths = depths(&named);
        for (_, running) in &mut consumers {
            let _ = running.child.kill();
        }
        for (consumer, running) in &mut consumers {
            let _ = running.child.wait();
            let got = running.count(" [x] Received");
            let want = expected
                .consumers
                .iter()
                .find(|c| &c.name == consumer)
                .map_or(0, |c| c.received);
            if got != want {
                failures.push(format!("{name}: consumer {consumer} received {got} on RabbitMQ, {want} in the playground; output {:?}", running.output()));
            }
        }
        for (queue, got) in rabbit_depths {
            let want = expected
                .queues
                .iter()
                .find(|(q, _)| *q == queue)
                .map_or(0, |(_, c)| c.ready);
            if got != want {
                failures.push(format!(
                    "{name}: queue {queue} holds {got} on RabbitMQ, {want} in the playground"
                ));
            }
        }
        for (p, (file, running)) in expected.publishers.iter().zip(&mut producers) {
            let out = running.output();
            if running.count("Traceback") > 0
                || running
                    .child
                    .try_wait()
                    .ok()
                    .flatten()
                    .is_some_and(|s| !s.success())
            {
                failures.push(format!("{name}: {file} failed: {out:?}"));
            }
            if p.replies > 0 && running.count(" [.] Got ") != p.replies {
                failures.push(format!("{name}: {file} got no answer: {out:?}"));
            }
            if p.confirmed > 0 && running.count("confirmed") != p.confirmed {
                failures.push(format!("{name}: {file} was not confirmed: {out:?}"));
            }
        }
        cleanup(&scenario);
        let _ = std::fs::remove_dir_all(&dir);
        checked += 1;
    }
    assert_eq!(checked, presets::NAMES.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
