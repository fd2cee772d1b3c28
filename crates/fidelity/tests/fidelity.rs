//! Fidelity: every client script in `tests/scripts` runs on the broker core (profile
//! `rabbitmq-3.10`) and on the real RabbitMQ 3.10 (`AMQP_URL`, default guest@127.0.0.1:5672),
//! and the two canonical results must be identical.
//!
//! Scripts the core does not pass yet are listed with a reason in `tests/scripts/PENDING.md`;
//! for those the RabbitMQ side must still run cleanly, and the test prints the list loudly. A
//! comparison is never weakened: a pending script is either listed or compared in full.
//!
//! RabbitMQ unreachable: the test fails when `CI=true`, otherwise it prints a notice and only
//! checks that every script runs on the core.

use std::collections::BTreeMap;

use amqp_playground_core::Compat;
use amqp_playground_fidelity::{broker_url, run_on_rabbitmq, RabbitBackend};
use amqp_playground_script::run_on_core;
use similar::TextDiff;

mod common;

use common::{scripts, scripts_dir};

fn pending() -> BTreeMap<String, String> {
    common::pending("PENDING.md")
}

/// Prints past libtest's output capture (which only catches the `print!` macros), so the
/// skip notice and the pending list show in a normal `cargo test` run.
macro_rules! loud {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn diff(rabbit: &str, core: &str) -> String {
    TextDiff::from_lines(rabbit, core)
        .unified_diff()
        .context_radius(4)
        .header("rabbitmq-3.10.8", "core (rabbitmq-3.10 profile)")
        .to_string()
}

#[test]
fn every_script_matches_rabbitmq() {
    let scripts = scripts();
    let pending = pending();
    for name in pending.keys() {
        assert!(
            scripts.iter().any(|(n, _)| n == name),
            "PENDING.md lists {name}, which is not a script in tests/scripts"
        );
    }
    let url = broker_url();
    let reachable = RabbitBackend::ping(&url);
    if let Err(why) = &reachable {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but RabbitMQ is unreachable: {why}");
        }
        loud!("\n{}\n!!! FIDELITY SKIPPED: RabbitMQ unreachable ({why}).\n!!! Only the core side runs; start RabbitMQ or set AMQP_URL to compare.\n{}\n", "!".repeat(78), "!".repeat(78));
    }
    let mut failures = Vec::new();
    let mut matched = 0;
    let mut pending_report = Vec::new();
    for (name, script) in &scripts {
        let core = run_on_core(script, Compat::RabbitMq310);
        if reachable.is_err() {
            if let (Err(e), false) = (&core, pending.contains_key(name)) {
                failures.push(format!("{name}: the core run failed: {e}"));
            }
            continue;
        }
        let rabbit = match run_on_rabbitmq(script, &url) {
            Ok(json) => json,
            Err(e) => {
                failures.push(format!("{name}: the RabbitMQ run failed: {e}"));
                continue;
            }
        };
        let core = core.unwrap_or_else(|e| format!("(the core run failed: {e})\n"));
        let same = rabbit == core;
        match (pending.get(name), same) {
            (None, true) => matched += 1,
            (None, false) => failures.push(format!(
                "{name}: the core differs from RabbitMQ\n{}",
                diff(&rabbit, &core)
            )),
            (Some(reason), true) => {
                matched += 1;
                pending_report.push(format!(
                    "{name}: now MATCHES RabbitMQ — remove it from tests/scripts/PENDING.md ({reason})"
                ));
            }
            (Some(reason), false) => pending_report.push(format!("{name}: {reason}")),
        }
    }
    if !pending_report.is_empty() {
        loud!(
            "\n==== PENDING fidelity scripts ({} of {}; RabbitMQ side ran, core not yet equal) ====",
            pending_report.len(),
            scripts.len()
        );
        for line in &pending_report {
            loud!("  PENDING {line}");
        }
        loud!("==== see tests/scripts/PENDING.md ====\n");
    }
    if reachable.is_ok() {
        loud!(
            "fidelity: {matched} of {} scripts match RabbitMQ",
            scripts.len()
        );
    }
    assert!(
        failures.is_empty(),
        "{} fidelity failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_script_says_what_it_covers_and_is_in_the_readme() {
    let readme = std::fs::read_to_string(scripts_dir().join("README.md")).expect("README.md");
    let scripts = scripts();
    assert!(
        scripts.len() >= 40,
        "at least 40 scripts, found {}",
        scripts.len()
    );
    for (name, script) in &scripts {
        let description = script.description.as_deref().unwrap_or("");
        assert!(
            description.len() >= 40,
            "{name}: needs a description of what it covers"
        );
        let stem = name.trim_end_matches(".json");
        assert!(
            readme.contains(&format!("`{stem}`")),
            "{name} is not mapped in tests/scripts/README.md"
        );
    }
    // Every checklist line 1..=34 has a row.
    for line in 1..=34 {
        assert!(
            readme.contains(&format!("\n| {line} | ")),
            "README.md has no row for checklist line {line}"
        );
    }
}
