//! `amqp-playground serve`: the broker core behind a real AMQP 0-9-1 port.
//!
//! ```text
//! amqp-playground serve [--amqp 127.0.0.1:5673] [--compat rabbitmq-3.10|rabbitmq-4] [--user NAME:PASS]...
//! ```
//!
//! Prints `AMQP listening on HOST:PORT` on stdout once the socket is bound (tests bind
//! `127.0.0.1:0` and read the port from that line), then one line per connection on stderr.
//! Ctrl-C or SIGTERM closes every connection with 320 CONNECTION_FORCED and exits 0.

use std::io::Write;

use amqp_playground_core::Compat;
use amqp_playground_server::{Server, ServerConfig};

use crate::{options, Failure};

/// Parses `serve`'s options.
pub fn parse(args: &[String]) -> Result<ServerConfig, Failure> {
    let mut config = ServerConfig::default();
    let options = options::split(
        "serve",
        args,
        &[
            ("--amqp", "HOST:PORT, e.g. 127.0.0.1:5673"),
            ("--compat", "rabbitmq-4 or rabbitmq-3.10"),
            ("--user", "NAME:PASSWORD"),
        ],
        &["--quiet"],
    )?;
    for (name, value) in options {
        let v = value.unwrap_or_default();
        match name.as_str() {
            "--amqp" => config.listen = options::address("--amqp", &v)?,
            "--compat" => {
                config.compat = Compat::from_name(&v).ok_or_else(|| {
                    Failure::Input(format!(
                        "unknown compat profile {v:?} (expected rabbitmq-4 or rabbitmq-3.10)"
                    ))
                })?;
            }
            "--user" => match v.split_once(':') {
                Some((user, pass)) if !user.is_empty() => {
                    config.users.push((user.to_string(), pass.to_string()))
                }
                _ => return Err(Failure::Input(format!("--user {v:?} is not NAME:PASSWORD"))),
            },
            _ => config.log = false,
        }
    }
    Ok(config)
}

/// Runs the server until Ctrl-C / SIGTERM.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let config = parse(args)?;
    let runtime = options::runtime()?;
    runtime.block_on(async move {
        let compat = config.compat;
        let server = Server::bind(config.clone())
            .await
            .map_err(|e| Failure::Run(format!("cannot listen on {}: {e}", config.listen)))?;
        println!("AMQP listening on {}", server.local_addr());
        let _ = std::io::stdout().flush();
        eprintln!(
            "amqp-playground serve: behaving like {} (Ctrl-C stops)",
            compat.name()
        );
        server.run(stop_signal()).await;
        eprintln!("amqp-playground serve: stopped");
        Ok(())
    })
}

/// Ctrl-C, or SIGTERM on unix.
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
