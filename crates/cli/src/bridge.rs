//! `amqp-playground bridge`: real AMQP clients into the broker running in a browser page.
//!
//! ```text
//! amqp-playground bridge [--amqp 127.0.0.1:5673] [--http 127.0.0.1:8080] [--upstream amqp://…]
//!                        [--dist DIR] [--allow-origin ORIGIN]... [--quiet]
//! ```
//!
//! Prints the page address to open (with the per-run token) as the first `http://` address of
//! its output, then `AMQP listening on HOST:PORT`. `127.0.0.1:0` picks a free port; the printed
//! lines say which. Ctrl-C or SIGTERM closes every relayed client with 320 and exits 0. The
//! protocol and the checks are in `amqp-playground-bridge`'s docs.

use std::io::Write;
use std::path::PathBuf;

use amqp_playground_bridge::{Bridge, BridgeConfig};

use crate::{options, serve::stop_signal, Failure};

/// Parses `bridge`'s options.
pub fn parse(args: &[String]) -> Result<BridgeConfig, Failure> {
    let mut config = BridgeConfig::default();
    let options = options::split(
        "bridge",
        args,
        &[
            ("--amqp", "HOST:PORT, e.g. 127.0.0.1:5673"),
            ("--http", "HOST:PORT, e.g. 127.0.0.1:8080"),
            ("--upstream", "amqp://USER:PASS@HOST:PORT/"),
            ("--dist", "the built page's directory"),
            ("--allow-origin", "an origin like https://docs.example"),
        ],
        &["--quiet"],
    )?;
    for (name, value) in options {
        let v = value.unwrap_or_default();
        match name.as_str() {
            "--amqp" => config.amqp = options::address("--amqp", &v)?,
            "--http" => config.http = options::address("--http", &v)?,
            "--upstream" => {
                if !(v.starts_with("amqp://") || v.starts_with("amqps://")) {
                    return Err(Failure::Input(format!(
                        "--upstream {v:?} is not an AMQP URL like amqp://guest:guest@127.0.0.1:5672/"
                    )));
                }
                config.upstream = Some(v);
            }
            "--dist" => config.dist = PathBuf::from(v),
            "--allow-origin" => config.allow_origins.push(v),
            _ => config.log = false,
        }
    }
    Ok(config)
}

/// Runs the bridge until Ctrl-C / SIGTERM.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let config = parse(args)?;
    let runtime = options::runtime()?;
    runtime.block_on(async move {
        let bridge = Bridge::bind(config.clone())
            .await
            .map_err(|e| Failure::Run(format!("cannot start the bridge: {e}")))?;
        println!(
            "Open {} in a browser: the broker runs there.",
            bridge.page_url()
        );
        println!(
            "AMQP listening on {} (clients are relayed into that page)",
            bridge.amqp_addr()
        );
        if let Some(up) = &config.upstream {
            let up = amqp_playground_bridge::verify::redact(up);
            match bridge.upstream_version() {
                Some(v) => println!("Verify runs scenarios on {up} (RabbitMQ {v})"),
                None => println!(
                    "Verify runs scenarios on {up} (not reachable now: Verify will say so)"
                ),
            }
        }
        let _ = std::io::stdout().flush();
        eprintln!("amqp-playground bridge: Ctrl-C stops");
        bridge
            .run(stop_signal())
            .await
            .map_err(|e| Failure::Run(format!("the bridge failed: {e}")))?;
        eprintln!("amqp-playground bridge: stopped");
        Ok(())
    })
}
