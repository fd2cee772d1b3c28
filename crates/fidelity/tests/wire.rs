//! Fidelity over the wire: every client script in `tests/scripts` runs on the broker core
//! in-process and on our own server (`amqp-playground-server`, profile `rabbitmq-3.10`) over
//! real TCP through the same lapin harness that drives RabbitMQ, and the two canonical results
//! must be identical. Together with `fidelity.rs` (core = RabbitMQ 3.10.8) that makes all three
//! backends agree: the core, our server over the wire, and RabbitMQ.
//!
//! Scripts whose wire result knowingly differs would be listed in `tests/scripts/WIRE_PENDING.md`
//! with the reason (the same format as PENDING.md); a listed script that matches fails the test
//! until it is removed from the list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use amqp_playground_core::Compat;
use amqp_playground_fidelity::run_on_rabbitmq;
use amqp_playground_script::{run_on_core, Script};
use amqp_playground_server::{spawn, ServerConfig};
use similar::TextDiff;

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

fn scripts() -> Vec<(String, Script)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .expect("tests/scripts exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("readable script");
            (
                name.clone(),
                Script::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}")),
            )
        })
        .collect()
}

fn wire_pending() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(scripts_dir().join("WIRE_PENDING.md")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (name, reason) = line.strip_prefix("- `")?.split_once('`')?;
            Some((
                name.to_string(),
                reason.trim_start_matches(':').trim().to_string(),
            ))
        })
        .collect()
}

#[test]
fn every_script_gives_the_same_result_over_the_wire() {
    let server = spawn(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        compat: Compat::RabbitMq310,
        log: false,
        ..ServerConfig::default()
    })
    .expect("the server binds 127.0.0.1:0");
    let url = server.url();
    let pending = wire_pending();
    let mut failures = Vec::new();
    let mut matched = 0;
    let scripts = scripts();
    for (name, script) in &scripts {
        let core = run_on_core(script, Compat::RabbitMq310)
            .unwrap_or_else(|e| format!("(the core run failed: {e})\n"));
        let wire = run_on_rabbitmq(script, &url)
            .unwrap_or_else(|e| format!("(the wire run failed: {e})\n"));
        match (pending.get(name), wire == core) {
            (None, true) => matched += 1,
            (None, false) => failures.push(format!(
                "{name}: over the wire differs from the core\n{}",
                TextDiff::from_lines(&core, &wire)
                    .unified_diff()
                    .context_radius(4)
                    .header("core (in-process)", "serve (over TCP)")
            )),
            (Some(reason), true) => failures.push(format!(
                "{name} matches now: remove it from tests/scripts/WIRE_PENDING.md ({reason})"
            )),
            (Some(reason), false) => eprintln!("WIRE PENDING {name}: {reason}"),
        }
    }
    eprintln!(
        "wire fidelity: {matched} of {} scripts give the core's result over TCP",
        scripts.len()
    );
    server.stop();
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
