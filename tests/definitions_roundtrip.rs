//! definitions.json through the real broker: the playground's export of every preset,
//! imported with `rabbitmqctl import_definitions` and exported again with `rabbitmqctl
//! export_definitions`, describes the same topology; and that real export imports into the
//! playground and runs.
//!
//! Names get a per-run prefix (the broker is shared); everything imported is deleted after.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use amqp_playground_web::definitions::{export, import};
use amqp_playground_web::sim::{presets, Playground, Scenario};
use serde_json::Value;

/// `rabbitmqctl` (often in /usr/sbin, which a test's PATH may lack).
fn rabbitmqctl(args: &[&str]) {
    let path = format!(
        "{}:/usr/sbin:/usr/lib/rabbitmq/bin",
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("rabbitmqctl")
        .args(args)
        .env("PATH", path)
        .output()
        .expect("rabbitmqctl runs (RabbitMQ is installed beside the tests)");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The entities of one kind whose name (or source) starts with `prefix`, as comparable text:
/// name, type, flags and arguments (bindings: both ends, key and arguments).
fn described(defs: &Value, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ours = |v: &Value, key: &str| v[key].as_str().is_some_and(|n| n.starts_with(prefix));
    for q in defs["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| ours(q, "name"))
    {
        out.insert(format!(
            "queue {} durable={} auto_delete={} {}",
            q["name"], q["durable"], q["auto_delete"], q["arguments"]
        ));
    }
    for x in defs["exchanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| ours(x, "name"))
    {
        out.insert(format!(
            "exchange {} {} durable={} auto_delete={} {}",
            x["name"], x["type"], x["durable"], x["auto_delete"], x["arguments"]
        ));
    }
    for b in defs["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| ours(b, "source"))
    {
        out.insert(format!(
            "binding {} -> {} {} {} {}",
            b["source"], b["destination_type"], b["destination"], b["routing_key"], b["arguments"]
        ));
    }
    out
}

#[test]
fn definitions_round_trip_through_rabbitmq() {
    let run = format!("df{}-", std::process::id());
    let scenarios: Vec<Scenario> = presets::NAMES
        .iter()
        .map(|name| {
            presets::by_name(name)
                .unwrap()
                .prefixed(&format!("{run}{name}-"))
        })
        .collect();
    // One file with every preset's topology.
    let mut merged = export(&scenarios[0]).0;
    for s in &scenarios[1..] {
        let (defs, _) = export(s);
        for key in ["queues", "exchanges", "bindings"] {
            let more = defs[key].as_array().cloned().unwrap_or_default();
            merged[key].as_array_mut().unwrap().extend(more);
        }
    }
    let ours = described(&merged, &run);
    assert!(ours.len() > 40, "{} entities", ours.len());
    let dir = std::env::temp_dir();
    let ours_file = dir.join(format!("{run}ours.json"));
    let theirs_file = dir.join(format!("{run}theirs.json"));
    std::fs::write(&ours_file, merged.to_string()).unwrap();

    rabbitmqctl(&["import_definitions", ours_file.to_str().unwrap()]);
    rabbitmqctl(&["export_definitions", theirs_file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&theirs_file).unwrap();
    let theirs: Value = serde_json::from_str(&text).unwrap();
    let result = std::panic::catch_unwind(|| {
        let back = described(&theirs, &run);
        let missing: Vec<_> = ours.difference(&back).collect();
        let extra: Vec<_> = back.difference(&ours).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "not the same topology after RabbitMQ:\n  ours only: {missing:#?}\n  RabbitMQ's only: {extra:#?}"
        );

        // The real export (the whole broker's) imports into the playground, and runs.
        let (scenario, notes) = import(&text).unwrap();
        assert!(notes.iter().any(|n| n.starts_with("users:")), "{notes:?}");
        let mine = |name: &str| name.starts_with(&run);
        for s in &scenarios {
            for q in s.queues.iter().filter(|q| !q.server_named && !q.exclusive) {
                assert!(
                    scenario.queues.iter().any(|x| x.name == q.name),
                    "{} imported",
                    q.name
                );
            }
            for x in &s.exchanges {
                assert!(
                    scenario.exchanges.iter().any(|y| y.name == x.name),
                    "{} imported",
                    x.name
                );
            }
        }
        let only_ours = Scenario {
            queues: scenario
                .queues
                .iter()
                .filter(|q| mine(&q.name))
                .cloned()
                .collect(),
            exchanges: scenario
                .exchanges
                .iter()
                .filter(|x| mine(&x.name))
                .cloned()
                .collect(),
            bindings: scenario
                .bindings
                .iter()
                .filter(|b| mine(&b.exchange))
                .cloned()
                .collect(),
            ..scenario.clone()
        };
        let pg = Playground::new(only_ours).expect("the imported topology runs");
        assert!(!pg.graph().nodes.is_empty(), "and is laid out");
    });
    for s in &scenarios {
        support::cleanup(s);
    }
    let _ = std::fs::remove_file(Path::new(&ours_file));
    let _ = std::fs::remove_file(Path::new(&theirs_file));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
