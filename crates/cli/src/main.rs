//! `amqp-playground`: the native command line of AMQP Playground.
//!
//! - `amqp-playground run [--compat rabbitmq-3.10|rabbitmq-4] FILE.json` runs a client script
//!   on the broker core (virtual time, no network) and prints the canonical result.
//! - `amqp-playground serve [--amqp HOST:PORT] [--compat …] [--user NAME:PASS]…` serves the
//!   broker core over AMQP 0-9-1 (see `serve.rs`).
//! - `amqp-playground bridge [--amqp HOST:PORT] [--http HOST:PORT] [--upstream URL]` relays
//!   real AMQP clients into the broker running in a browser page (see `bridge.rs`).
//! - `amqp-playground check [--compat …] DIR_OR_FILE…` runs every file (`*.json` in a
//!   directory) and prints one line per file: `ok`, or the error. A client script runs on the
//!   core; a playground scenario (what the page's Download JSON writes) runs its walkthrough
//!   on the page's engine, step by step, and each step's `expect` block (queue depths,
//!   received counts, returns) is compared with what happened — for docs CI.
//!
//! - `amqp-playground bench --amqp URL [OPTIONS]` is a PerfTest-like load generator for any
//!   AMQP 0-9-1 broker (see `bench --help` and `bench.rs`).
//!
//! Exit codes: 0 success; 1 a script ran but the runner failed; 2 bad usage, unreadable file,
//! malformed JSON or script (the message names the step and the field).

mod bench;
mod bridge;
mod options;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amqp_playground_core::Compat;
use amqp_playground_script::{run_on_core, Script};

const USAGE: &str = "\
amqp-playground — a RabbitMQ (AMQP 0-9-1) broker you can watch

USAGE:
    amqp-playground run [--compat PROFILE] FILE.json
    amqp-playground check [--compat PROFILE] DIR_OR_FILE...
    amqp-playground serve [--amqp HOST:PORT] [--compat PROFILE] [--user NAME:PASS]... [--quiet]
    amqp-playground bridge [--amqp HOST:PORT] [--http HOST:PORT] [--upstream URL] [--dist DIR]
                           [--allow-origin ORIGIN]... [--quiet]
    amqp-playground bench --amqp URL [OPTIONS]   (see bench --help)
    amqp-playground --help

COMMANDS:
    run      Run a client script on the broker core and print the canonical result (JSON)
    check    Run every file (*.json of a directory) and report ok or the error per file: a client
             script runs on the core; a playground scenario runs its walkthrough and checks each
             step's `expect` block (depths, received counts, returns)
    serve    Serve the broker core on a real AMQP 0-9-1 port (default 127.0.0.1:5673; prints
             `AMQP listening on HOST:PORT`; Ctrl-C closes connections with 320 and exits)
    bridge   Relay real AMQP clients into the broker in a browser page (default AMQP 127.0.0.1:5673,
             page http://127.0.0.1:8080; prints the page address with its token); with
             --upstream, the page's Verify runs its scenario on that RabbitMQ
    bench    Load-test an AMQP broker (PerfTest-like): msg/s and latency percentiles

OPTIONS:
    --compat PROFILE   rabbitmq-4 (default) or rabbitmq-3.10
    -h, --help         Print this help

EXIT CODES:
    0 success, 1 a run failed, 2 usage error or malformed script
";

pub(crate) enum Failure {
    /// Usage, unreadable input or a malformed script: exit 2.
    Input(String),
    /// The script was valid but the run failed: exit 1.
    Run(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(args: &[String]) -> Result<(), Failure> {
    let Some(command) = args.first() else {
        eprint!("{USAGE}");
        return Err(Failure::Input("missing command (run or check)".into()));
    };
    if command == "-h" || command == "--help" || command == "help" {
        print!("{USAGE}");
        return Ok(());
    }
    // `bench` has options of its own (and no --compat).
    if command == "bench" {
        return bench::run(&args[1..]);
    }
    if command == "serve" || command == "bridge" {
        if args[1..].iter().any(|a| a == "-h" || a == "--help") {
            print!("{USAGE}");
            return Ok(());
        }
        return match command.as_str() {
            "serve" => serve::run(&args[1..]),
            _ => bridge::run(&args[1..]),
        };
    }
    let (compat, rest) = parse_options(&args[1..])?;
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return Ok(());
    }
    match command.as_str() {
        "run" => {
            let [file] = rest.as_slice() else {
                return Err(Failure::Input(format!(
                    "run takes exactly one FILE.json, got {}",
                    rest.len()
                )));
            };
            let script = load(Path::new(file))?;
            let json =
                run_on_core(&script, compat).map_err(|e| Failure::Run(format!("{file}: {e}")))?;
            print!("{json}");
            Ok(())
        }
        "check" => check(&rest, compat),
        other => Err(Failure::Input(format!(
            "unknown command {other:?} (expected run or check; see --help)"
        ))),
    }
}

fn parse_options(args: &[String]) -> Result<(Compat, Vec<String>), Failure> {
    let mut compat = Compat::RabbitMq4;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = if arg == "--compat" {
            Some(it.next().ok_or_else(|| {
                Failure::Input("--compat needs a value (rabbitmq-4 or rabbitmq-3.10)".into())
            })?)
        } else {
            arg.strip_prefix("--compat=").map(|_| arg)
        };
        match value {
            Some(v) => {
                let name = v.strip_prefix("--compat=").unwrap_or(v);
                compat = Compat::from_name(name).ok_or_else(|| {
                    Failure::Input(format!(
                        "unknown compat profile {name:?} (expected rabbitmq-4 or rabbitmq-3.10)"
                    ))
                })?;
            }
            None if arg.starts_with("--") && arg != "--help" => {
                return Err(Failure::Input(format!("unknown option {arg}")));
            }
            None => rest.push(arg.clone()),
        }
    }
    Ok((compat, rest))
}

fn load(path: &Path) -> Result<Script, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("cannot read {}: {e}", path.display())))?;
    Script::parse(&text).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

/// A playground scenario (a JSON object without `steps`): its walkthrough, step by step, one
/// line each (`  ok     step 1/3: …` or `  FAILED step 2/3: … — what differs`). `None`: not
/// a scenario (a client script, or unreadable: the script path reports it).
fn check_scenario(path: &Path) -> Option<Result<Vec<String>, String>> {
    use amqp_playground_web::sim::scenario::read::scenario_from_json;
    use amqp_playground_web::sim::Playground;

    let text = std::fs::read_to_string(path).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    if !doc.is_object() || doc.get("steps").is_some() {
        return None;
    }
    Some((|| {
        let scenario = scenario_from_json(&text)?;
        if scenario.tour.is_empty() {
            return Err("the scenario has no walkthrough (`tour`) to check".to_string());
        }
        let count = scenario.tour.len();
        let mut pg = Playground::new(scenario).map_err(|e| e.to_string())?;
        Ok(pg
            .check_tour()
            .into_iter()
            .enumerate()
            .map(|(i, (caption, result))| {
                let caption: String = caption.chars().take(70).collect();
                match result {
                    Ok(()) => format!("  ok     step {}/{count}: {caption}", i + 1),
                    Err(unmet) => format!(
                        "  FAILED step {}/{count}: {caption} — {}",
                        i + 1,
                        unmet.join("; ")
                    ),
                }
            })
            .collect())
    })())
}

fn check(targets: &[String], compat: Compat) -> Result<(), Failure> {
    if targets.is_empty() {
        return Err(Failure::Input(
            "check needs at least one DIR_OR_FILE".into(),
        ));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for t in targets {
        let path = PathBuf::from(t);
        if path.is_dir() {
            let entries = std::fs::read_dir(&path)
                .map_err(|e| Failure::Input(format!("cannot list {t}: {e}")))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path);
        }
    }
    let (mut ok, mut failed) = (0, 0);
    let mut malformed = false;
    for file in &files {
        if let Some(result) = check_scenario(file) {
            match result {
                Ok(lines) => {
                    let unmet = lines
                        .iter()
                        .filter(|l| l.trim_start().starts_with("FAILED"))
                        .count();
                    for line in &lines {
                        println!("{line}");
                    }
                    if unmet == 0 {
                        ok += 1;
                        println!("ok     {}", file.display());
                    } else {
                        failed += 1;
                        println!("FAILED {}: {unmet} step(s) not as expected", file.display());
                    }
                }
                Err(e) => {
                    malformed = true;
                    failed += 1;
                    println!("FAILED {}: {e}", file.display());
                }
            }
            continue;
        }
        let outcome = match load(file) {
            Ok(script) => run_on_core(&script, compat)
                .map(drop)
                .map_err(|e| e.to_string()),
            Err(Failure::Input(e)) | Err(Failure::Run(e)) => {
                malformed = true;
                Err(e)
            }
        };
        match outcome {
            Ok(()) => {
                ok += 1;
                println!("ok     {}", file.display());
            }
            Err(e) => {
                failed += 1;
                println!("FAILED {}: {e}", file.display());
            }
        }
    }
    println!("{ok} passed, {failed} failed");
    match (failed, malformed) {
        (0, _) => Ok(()),
        (_, true) => Err(Failure::Input(format!(
            "{failed} of {} scripts failed",
            files.len()
        ))),
        _ => Err(Failure::Run(format!(
            "{failed} of {} scripts failed",
            files.len()
        ))),
    }
}
