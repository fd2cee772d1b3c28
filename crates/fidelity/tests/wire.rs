//! Fidelity over the wire: every client script in `tests/scripts` runs on the broker core
//! in-process and on our own server (`amqp-playground-server`, profile `rabbitmq-3.10`) over
//! real TCP through the same lapin harness that drives RabbitMQ, and the two canonical results
//! must be identical. Together with `fidelity.rs` (core = RabbitMQ 3.10.8) that makes all three
//! backends agree: the core, our server over the wire, and RabbitMQ.
//!
//! Scripts whose wire result knowingly differs would be listed in `tests/scripts/WIRE_PENDING.md`
//! with the reason (the same format as PENDING.md); a listed script that matches fails the test
//! until it is removed from the list.

use amqp_playground_core::Compat;
use amqp_playground_fidelity::run_on_rabbitmq;
use amqp_playground_script::run_on_core;
use amqp_playground_server::{spawn, ServerConfig};
use similar::TextDiff;

mod common;

use common::scripts;

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
    let pending = common::pending("WIRE_PENDING.md");
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
